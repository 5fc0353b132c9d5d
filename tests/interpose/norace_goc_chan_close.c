/* norace_goc_chan_close: close happens before a receive that returns
 * because the channel is closed. A goroutine writes data, then closes;
 * main's receive returns false (the zero value), then main reads and
 * writes data. */
#include <goc/goc.h>

static goc_chan *ch;
static goc_waitgroup wg;
int data;

static void closer(void *arg)
{
	(void)arg;
	data = 42;
	goc_chan_close(ch);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	ch = goc_chan_new(sizeof(int), 0);
	goc_waitgroup_add(&wg, 1);
	goc_go(closer, NULL);
	int v = -1;
	bool ok = goc_chan_recv(ch, &v);
	int seen = data;
	data = 7;
	goc_waitgroup_wait(&wg);
	goc_chan_free(ch);
	return !ok && v == 0 && seen == 42 ? 0 : 1;
}
