/* norace_goc_once: the once function's return happens before every
 * goc_once_do returns, also a later one that does not call it. Main runs
 * init through the once; a goroutine, which waits for that (e2e_wait:
 * time, not happens-before), calls goc_once_do too (init is not called
 * again) and then reads and writes what init wrote. */
#include "e2e.h"

#include <goc/goc.h>

static goc_once once = GOC_ONCE_INIT;
static goc_waitgroup wg;
int config, calls, seen;

static void init(void *arg)
{
	(void)arg;
	config = 42;
	calls++;
}

static void user(void *arg)
{
	(void)arg;
	e2e_wait(1);
	goc_once_do(&once, init, NULL);
	seen = config;
	config = 7;
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 1);
	goc_go(user, NULL);
	goc_once_do(&once, init, NULL);
	e2e_post(1);
	goc_waitgroup_wait(&wg);
	return seen == 42 && calls == 1 ? 0 : 1;
}
