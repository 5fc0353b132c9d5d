/* race_goc_chan_two_sends: sends on a buffered channel do not order each
 * other. A goroutine writes data, then sends into slot 0; main sends into
 * slot 1 (no receive in between) and then writes data: a race. A detector
 * that treats the channel as one lock misses it.
 * expect-location: global data
 */
#include "e2e.h"

#include <goc/goc.h>

static goc_chan *ch;
static goc_waitgroup wg;
int data;

static void sender(void *arg)
{
	(void)arg;
	data = 1; /* race */ /* prev: G2 write */
	int v = 1;
	goc_chan_send(ch, &v);
	e2e_post(1);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	ch = goc_chan_new(sizeof(int), 2);
	goc_waitgroup_add(&wg, 1);
	goc_go(sender, NULL);
	e2e_wait(1);
	int v = 2;
	goc_chan_send(ch, &v);
	data = 2; /* race */ /* cur: T0 write */
	goc_waitgroup_wait(&wg);
	goc_chan_free(ch);
	return 0;
}
