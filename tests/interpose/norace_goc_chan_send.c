/* norace_goc_chan_send: a send happens before the matching receive
 * completes (unbuffered channel). A goroutine writes data, then sends;
 * main receives, then reads and writes data. The channel is their only
 * edge (the waitgroup comes after main's accesses). */
#include <goc/goc.h>

static goc_chan *ch;
static goc_waitgroup wg;
int data;

static void producer(void *arg)
{
	(void)arg;
	data = 42;
	int v = 1;
	goc_chan_send(ch, &v);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	ch = goc_chan_new(sizeof(int), 0);
	goc_waitgroup_add(&wg, 1);
	goc_go(producer, NULL);
	int v = 0;
	goc_chan_recv(ch, &v);
	int seen = data;
	data = 7;
	goc_waitgroup_wait(&wg);
	goc_chan_free(ch);
	return seen == 42 && v == 1 ? 0 : 1;
}
