/* race_goc_waitgroup_after_done: Done orders only what comes before it. A
 * goroutine calls Done and then writes data; main's read after Wait races
 * with that write.
 * expect-location: global data
 */
#include "e2e.h"

#include <goc/goc.h>

static goc_waitgroup wg;
int data;

static void worker(void *arg)
{
	(void)arg;
	goc_waitgroup_done(&wg);
	data = 1; /* race */ /* prev: G2 write */
	e2e_post(1);
}

int main(void)
{
	goc_waitgroup_add(&wg, 1);
	goc_go(worker, NULL);
	goc_waitgroup_wait(&wg);
	e2e_wait(1);
	return data; /* race */ /* cur: T0 read */
}
