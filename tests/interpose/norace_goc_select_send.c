/* norace_goc_select_send: a send chosen by select happens before the
 * receive of its value completes. A goroutine writes data, then selects
 * between sending on ch and receiving from idle (never ready); main
 * receives from ch, then reads and writes data. */
#include <goc/goc.h>

static goc_chan *ch, *idle;
static goc_waitgroup wg;
int data;

static void producer(void *arg)
{
	(void)arg;
	data = 42;
	int v = 1;
	goc_select_case cases[] = {GOC_RECV(idle, NULL, NULL), GOC_SEND(ch, &v)};
	if (goc_select(cases, 2) != 1)
		data = -1;
	goc_waitgroup_done(&wg);
}

int main(void)
{
	ch = goc_chan_new(sizeof(int), 0);
	idle = goc_chan_new(sizeof(int), 0);
	goc_waitgroup_add(&wg, 1);
	goc_go(producer, NULL);
	int v = 0;
	goc_chan_recv(ch, &v);
	int seen = data;
	data = 7;
	goc_waitgroup_wait(&wg);
	goc_chan_free(ch);
	goc_chan_free(idle);
	return seen == 42 && v == 1 ? 0 : 1;
}
