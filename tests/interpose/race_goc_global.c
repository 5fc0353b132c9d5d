/* race_goc_global: two goroutines write a global, unsynchronised. Main
 * starts the second only after the first has written (e2e_wait: time, not
 * happens-before); goc_go gives the second main's history, which holds
 * nothing of the first's write.
 * expect-location: global counter
 */
#include "e2e.h"

#include <goc/goc.h>

static goc_waitgroup wg;
int counter;

static void first(void *arg)
{
	(void)arg;
	counter = 1; /* race */ /* prev: G2 write */
	e2e_post(1);
	goc_waitgroup_done(&wg);
}

static void second(void *arg)
{
	(void)arg;
	counter = 2; /* race */ /* cur: G3 write */
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 2);
	goc_go(first, NULL);
	e2e_wait(1);
	goc_go(second, NULL);
	goc_waitgroup_wait(&wg);
	return 0;
}
