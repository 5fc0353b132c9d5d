/* norace_goc_chan_recv: on an unbuffered channel a receive happens before
 * the send completes (capacity 0 of the capacity-C rule). A goroutine
 * writes data, then receives; main sends, then writes data. The channel
 * is their only edge (the waitgroup comes after main's write). */
#include <goc/goc.h>

static goc_chan *ch;
static goc_waitgroup wg;
int data;

static void consumer(void *arg)
{
	(void)arg;
	data = 42;
	goc_chan_recv(ch, NULL);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	ch = goc_chan_new(sizeof(int), 0);
	goc_waitgroup_add(&wg, 1);
	goc_go(consumer, NULL);
	int v = 1;
	goc_chan_send(ch, &v);
	data = 7;
	goc_waitgroup_wait(&wg);
	goc_chan_free(ch);
	return 0;
}
