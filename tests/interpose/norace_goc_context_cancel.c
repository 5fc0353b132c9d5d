/* norace_goc_context_cancel: cancel happens before every receive that
 * returns because the context's done channel is closed, and before
 * goc_context_err returns non-zero. Main writes data, then cancels; one
 * goroutine receives from done (in a select, as Go code does), another
 * polls err; both then read data and write their own result. */
#include <goc/goc.h>

static goc_context *ctx;
static goc_chan *idle;
static goc_waitgroup wg;
int data, by_done, by_err;

static void on_done(void *arg)
{
	(void)arg;
	bool ok = true;
	goc_select_case cases[] = {GOC_RECV(idle, NULL, NULL),
	                           GOC_RECV(goc_context_done(ctx), NULL, &ok)};
	if (goc_select(cases, 2) == 1 && !ok)
		by_done = data;
	goc_waitgroup_done(&wg);
}

static void on_err(void *arg)
{
	(void)arg;
	while (goc_context_err(ctx) == 0)
		goc_yield();
	by_err = data;
	goc_waitgroup_done(&wg);
}

int main(void)
{
	ctx = goc_context_with_cancel(goc_context_background());
	idle = goc_chan_new(0, 0);
	goc_waitgroup_add(&wg, 2);
	goc_go(on_done, NULL);
	goc_go(on_err, NULL);
	data = 42;
	goc_context_cancel(ctx);
	goc_waitgroup_wait(&wg);
	goc_context_free(ctx);
	goc_chan_free(idle);
	return by_done == 42 && by_err == 42 ? 0 : 1;
}
