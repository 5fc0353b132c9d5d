/* race_goc_chan_capacity: the capacity rule with C = 2 orders receive k
 * only before send k+2. Main sends 1; a goroutine writes data, then takes
 * that value (receive 1); main's send 2 goes into the free slot without
 * waiting for anything, so main's read after it races with the write.
 * (norace_goc_chan_capacity is the C = 1 twin, where send 2 waits.)
 * A detector that treats the channel as one lock misses this race.
 * expect-location: global data
 */
#include "e2e.h"

#include <goc/goc.h>

static goc_chan *ch;
static goc_waitgroup wg;
int data;

static void consumer(void *arg)
{
	(void)arg;
	data = 42; /* race */ /* prev: G2 write */
	goc_chan_recv(ch, NULL); /* receive 1 */
	e2e_post(1);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	ch = goc_chan_new(sizeof(int), 2);
	int v = 1;
	goc_chan_send(ch, &v); /* send 1 */
	goc_waitgroup_add(&wg, 1);
	goc_go(consumer, NULL);
	e2e_wait(1);
	goc_chan_send(ch, &v); /* send 2: the buffer has room, no edge */
	int seen = data; /* race */ /* cur: T0 read */
	goc_waitgroup_wait(&wg);
	goc_chan_free(ch);
	return seen == 42 ? 0 : 1;
}
