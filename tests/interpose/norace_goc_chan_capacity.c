/* norace_goc_chan_capacity: on a channel of capacity C the k-th receive
 * happens before the (k+C)-th send completes. C = 1: main fills the
 * buffer (send 1); a goroutine writes data, then receives (receive 1);
 * main's send 2 can only complete after that receive, and then main reads
 * and writes data. Only the capacity rule orders the goroutine's write
 * before main's accesses (race_goc_chan_capacity is the C = 2 twin). */
#include <goc/goc.h>

static goc_chan *ch;
static goc_waitgroup wg;
int data;

static void consumer(void *arg)
{
	(void)arg;
	data = 42;
	goc_chan_recv(ch, NULL); /* receive 1 */
	goc_waitgroup_done(&wg);
}

int main(void)
{
	ch = goc_chan_new(sizeof(int), 1);
	int v = 1;
	goc_chan_send(ch, &v); /* send 1: into the buffer */
	goc_waitgroup_add(&wg, 1);
	goc_go(consumer, NULL);
	goc_chan_send(ch, &v); /* send 2: waits for receive 1 */
	int seen = data;
	data = 7;
	goc_waitgroup_wait(&wg);
	goc_chan_free(ch);
	return seen == 42 ? 0 : 1;
}
