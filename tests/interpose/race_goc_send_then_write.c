/* race_goc_send_then_write: a send orders only what comes before it. A
 * goroutine allocates a buffer, fills it, sends the pointer, then writes
 * the buffer again; main receives the pointer and reads the buffer after
 * that second write (e2e_wait: time, not happens-before): a race on the
 * heap block the goroutine allocated. Main frees it after the waitgroup.
 * expect-location: heap G2
 */
#include "e2e.h"

#include <goc/goc.h>
#include <stdlib.h>

static goc_chan *ch;
static goc_waitgroup wg;

static void producer(void *arg)
{
	(void)arg;
	int *buf = malloc(4 * sizeof *buf); /* alloc */
	if (buf == NULL)
		abort();
	buf[0] = 1;
	goc_chan_send(ch, &buf);
	buf[0] = 2; /* race */ /* prev: G2 write */
	e2e_post(1);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	ch = goc_chan_new(sizeof(int *), 0);
	goc_waitgroup_add(&wg, 1);
	goc_go(producer, NULL);
	int *buf = NULL;
	goc_chan_recv(ch, &buf);
	e2e_wait(1);
	int seen = buf[0]; /* race */ /* cur: T0 read */
	goc_waitgroup_wait(&wg);
	free(buf);
	goc_chan_free(ch);
	return seen == 2 ? 0 : 1;
}
