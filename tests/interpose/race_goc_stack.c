/* race_goc_stack: a goroutine passes the address of a local to main over
 * a channel and then writes the local; main reads it after that write
 * (e2e_wait: time, not happens-before). The memory is on the goroutine's
 * stack. The goroutine waits (waitgroup) until main is done with it.
 * expect-location: stack G2
 */
#include "e2e.h"

#include <goc/goc.h>

static goc_chan *ch;
static goc_waitgroup read_done;

static void owner(void *arg)
{
	(void)arg;
	int local = 1;
	int *p = &local;
	goc_chan_send(ch, &p);
	*p = 2; /* race */ /* prev: G2 write */
	e2e_post(1);
	goc_waitgroup_wait(&read_done);
}

int main(void)
{
	ch = goc_chan_new(sizeof(int *), 0);
	goc_waitgroup_add(&read_done, 1);
	goc_go(owner, NULL);
	int *p = NULL;
	goc_chan_recv(ch, &p);
	e2e_wait(1);
	int seen = *p; /* race */ /* cur: T0 read */
	goc_waitgroup_done(&read_done);
	goc_chan_free(ch);
	return seen == 2 ? 0 : 1;
}
