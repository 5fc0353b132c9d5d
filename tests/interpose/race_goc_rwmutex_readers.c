/* race_goc_rwmutex_readers: a goroutine and main write data, each under a
 * READ lock of the same goc_rwmutex. Readers are not ordered with each
 * other (goc.h, Go's RWMutex), so this is a race.
 * expect-location: global data
 */
#include "e2e.h"

#include <goc/goc.h>

static goc_rwmutex rw = GOC_RWMUTEX_INIT;
static goc_waitgroup wg;
int data;

static void writer(void *arg)
{
	(void)arg;
	goc_rwmutex_rlock(&rw);
	data = 1; /* race */ /* prev: G2 write */
	goc_rwmutex_runlock(&rw);
	e2e_post(1);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 1);
	goc_go(writer, NULL);
	e2e_wait(1);
	goc_rwmutex_rlock(&rw);
	data = 2; /* race */ /* cur: T0 write */
	goc_rwmutex_runlock(&rw);
	goc_waitgroup_wait(&wg);
	return 0;
}
