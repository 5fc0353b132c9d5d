/* norace_goc_cond: goc_cond_wait gives up the mutex and takes it back, so
 * what the signaller wrote under the mutex is visible to the waiter when
 * its wait returns (the mutex's edge; cond has none of its own). The
 * goroutine is inside goc_cond_wait before main takes the mutex: it holds
 * the mutex when it lets main go (e2e_post), and main's lock returns only
 * once the wait has released it. */
#include "e2e.h"

#include <goc/goc.h>

static goc_mutex mu = GOC_MUTEX_INIT;
static goc_cond cond = GOC_COND_INIT;
static goc_waitgroup wg;
int ready, data, seen;

static void waiter(void *arg)
{
	(void)arg;
	goc_mutex_lock(&mu);
	e2e_post(1);
	while (!ready)
		goc_cond_wait(&cond, &mu);
	seen = data;
	data = 7;
	goc_mutex_unlock(&mu);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 1);
	goc_go(waiter, NULL);
	e2e_wait(1);
	goc_mutex_lock(&mu);
	data = 42;
	ready = 1;
	goc_cond_signal(&cond);
	goc_mutex_unlock(&mu);
	goc_waitgroup_wait(&wg);
	return seen == 42 ? 0 : 1;
}
