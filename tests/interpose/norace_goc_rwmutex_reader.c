/* norace_goc_rwmutex_reader: a reader's RUnlock happens before the next
 * Lock returns. A goroutine reads data under RLock; main, which waits for
 * that (e2e_wait: time, not happens-before), writes data under Lock. Only
 * the rwmutex orders the two. */
#include "e2e.h"

#include <goc/goc.h>

static goc_rwmutex rw = GOC_RWMUTEX_INIT;
static goc_waitgroup wg;
int data = 42, seen;

static void reader(void *arg)
{
	(void)arg;
	goc_rwmutex_rlock(&rw);
	seen = data;
	goc_rwmutex_runlock(&rw);
	e2e_post(1);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 1);
	goc_go(reader, NULL);
	e2e_wait(1);
	goc_rwmutex_lock(&rw);
	data = 7;
	goc_rwmutex_unlock(&rw);
	goc_waitgroup_wait(&wg);
	return seen == 42 ? 0 : 1;
}
