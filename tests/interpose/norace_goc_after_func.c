/* norace_goc_after_func: goc_after_func happens before its function
 * starts (in a goroutine the timer starts). Main writes data, then arms
 * the timer; the function reads and writes data. Main waits on a channel
 * the function closes before it reads the result. */
#include <goc/goc.h>

static goc_chan *done;
int data, seen;

static void fire(void *arg)
{
	(void)arg;
	seen = data;
	data = 7;
	goc_chan_close(done);
}

int main(void)
{
	done = goc_chan_new(0, 0);
	data = 42;
	goc_timer *t = goc_after_func(GOC_MILLISECOND, fire, NULL);
	goc_chan_recv(done, NULL);
	goc_timer_free(t);
	goc_chan_free(done);
	return seen == 42 ? 0 : 1;
}
