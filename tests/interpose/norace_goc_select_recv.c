/* norace_goc_select_recv: a send happens before the receive that select
 * chooses completes, whether the value was waiting in a buffer or select
 * had to park for it. A goroutine writes buffered_data and sends on a
 * buffered channel, then writes unbuffered_data and sends on an
 * unbuffered one; main takes each value with a select that also offers a
 * never-ready channel, then reads and writes the data. */
#include <goc/goc.h>

static goc_chan *buffered, *unbuffered, *idle;
static goc_waitgroup wg;
int buffered_data, unbuffered_data;

static void producer(void *arg)
{
	(void)arg;
	int v = 1;
	buffered_data = 42;
	goc_chan_send(buffered, &v);
	unbuffered_data = 43;
	goc_chan_send(unbuffered, &v);
	goc_waitgroup_done(&wg);
}

static int take(goc_chan *c)
{
	int v = 0;
	bool ok = false;
	goc_select_case cases[] = {GOC_RECV(idle, NULL, NULL), GOC_RECV(c, &v, &ok)};
	return goc_select(cases, 2) == 1 && ok ? v : -1;
}

int main(void)
{
	buffered = goc_chan_new(sizeof(int), 1);
	unbuffered = goc_chan_new(sizeof(int), 0);
	idle = goc_chan_new(sizeof(int), 0);
	goc_waitgroup_add(&wg, 1);
	goc_go(producer, NULL);
	int ok = take(buffered) == 1;
	int seen = buffered_data;
	buffered_data = 7;
	ok &= take(unbuffered) == 1;
	seen += unbuffered_data;
	unbuffered_data = 8;
	goc_waitgroup_wait(&wg);
	goc_chan_free(buffered);
	goc_chan_free(unbuffered);
	goc_chan_free(idle);
	return ok && seen == 85 ? 0 : 1;
}
