/* norace_goc_rwmutex_writer: a writer's Unlock happens before a later
 * RLock returns. Main writes data under Lock; a goroutine, which waits
 * for that (e2e_wait: time, not happens-before), reads data under RLock.
 * Only the rwmutex orders the two. */
#include "e2e.h"

#include <goc/goc.h>

static goc_rwmutex rw = GOC_RWMUTEX_INIT;
static goc_waitgroup wg;
int data, seen;

static void reader(void *arg)
{
	(void)arg;
	e2e_wait(1);
	goc_rwmutex_rlock(&rw);
	seen = data;
	goc_rwmutex_runlock(&rw);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 1);
	goc_go(reader, NULL);
	goc_rwmutex_lock(&rw);
	data = 42;
	goc_rwmutex_unlock(&rw);
	e2e_post(1);
	goc_waitgroup_wait(&wg);
	return seen == 42 ? 0 : 1;
}
