/*
 * e2e_order.c — the fixtures' hidden ordering (e2e.h). Not instrumented:
 * the detector never sees these atomics, so they order threads in time
 * without ordering them in happens-before.
 */
#include "e2e.h"

#include <sched.h>
#include <stdatomic.h>

static atomic_int step; /* seq_cst; what it orders is time, not memory */

void e2e_post(int n)
{
	atomic_store(&step, n);
}

void e2e_wait(int n)
{
	while (atomic_load(&step) < n)
		sched_yield();
}
