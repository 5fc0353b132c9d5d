/* race_goc_go_after: goc_go orders only what comes before it. Main starts
 * a goroutine, then writes data; the goroutine's read (after main's write
 * in time, e2e_wait) races with it.
 * expect-location: global data
 */
#include "e2e.h"

#include <goc/goc.h>

static goc_waitgroup wg;
int data, seen;

static void child(void *arg)
{
	(void)arg;
	e2e_wait(1);
	seen = data; /* race */ /* cur: G2 read */
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 1);
	goc_go(child, NULL);
	data = 1; /* race */ /* prev: T0 write */
	e2e_post(1);
	goc_waitgroup_wait(&wg);
	return 0;
}
