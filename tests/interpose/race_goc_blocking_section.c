/* race_goc_blocking_section: a goroutine writes a global inside
 * goc_blocking_begin/end, and main writes it with no order: the report
 * names the goroutine (its worker thread is not the one racing).
 * expect-location: global value
 */
#include "e2e.h"

#include <goc/goc.h>

static goc_waitgroup wg;
int value;

static void writer(void *arg)
{
	(void)arg;
	goc_blocking_begin();
	value = 1; /* race */ /* prev: G2 write */
	goc_blocking_end();
	e2e_post(1);
	e2e_wait(2);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 1);
	goc_go(writer, NULL);
	e2e_wait(1);
	value = 2; /* race */ /* cur: T0 write */
	e2e_post(2);
	goc_waitgroup_wait(&wg);
	return 0;
}
