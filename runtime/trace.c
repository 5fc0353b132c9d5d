/*
 * trace.c — the two ways libgoc tells a detector what happens: the goc
 * tracer table (installed by goc-race's preload runtime) and the public
 * ThreadSanitizer annotations (present when the program is built with real
 * TSan, which exports them; weak references here and, for acquire and
 * release, inline in internal.h).
 *
 * When a tracer is installed the TSan annotations are skipped, so a program
 * running under goc-race is never described twice.
 * The installed table is copied into a full-size table, zero beyond the
 * size the detector was built with, so an older detector's missing hooks
 * read as NULL. Installation is expected before goroutines start; the
 * pointer is published with release and read relaxed at each hook site
 * (an install racing with running goroutines may miss a few events).
 *
 * goc__hooked (read by goc.h's inline mutex fast paths) is 1 while a tracer
 * is installed or the TSan runtime is present, so that those fast paths
 * defer to libgoc, which reports the edges. Set by the constructor and by
 * each install, before goroutines start, as the table itself.
 *
 * TSan fibers: each goroutine is a fiber; a worker switches fibers right
 * before it switches stacks (sched.c, switch_to_g/switch_to_g0), with
 * synchronisation, so the scheduler's own bookkeeping is ordered. As a
 * consequence, goroutines that run back to back on one worker are ordered
 * for TSan; channel and sync edges are coarse (whole object). Real TSan
 * never reports a false race on libgoc's account; goc-race is precise.
 */
#include "internal.h"

#include <string.h>

const goc_tracer *_Atomic goc__tracer;
static goc_tracer installed;
static const goc_tracer *installed_from;
unsigned char goc__hooked;

extern void *__tsan_get_current_fiber(void) __attribute__((weak));
extern void *__tsan_create_fiber(unsigned flags) __attribute__((weak));
extern void __tsan_switch_to_fiber(void *fiber, unsigned flags) __attribute__((weak));

/* A plain byte, shared with goc.h's inline code: the builtin stands for
 * atomic_store_explicit. relaxed: like the table, set before goroutines
 * start. */
static void update_hooked(void)
{
	unsigned char on = goc__trace() != NULL || __tsan_acquire != NULL;
	__atomic_store_n(&goc__hooked, on, __ATOMIC_RELAXED);
}

/* The tracer may be installed before or after this runs (the preload's
 * constructor and ours are not ordered). */
__attribute__((constructor)) static void hooked_init(void)
{
	update_hooked();
}

const goc_tracer *goc_tracer_install(const goc_tracer *t)
{
	const goc_tracer *old = installed_from;
	if (t == NULL) {
		atomic_store_explicit(&goc__tracer, NULL, memory_order_release);
		installed_from = NULL;
		update_hooked();
		return old;
	}
	goc_tracer copy;
	memset(&copy, 0, sizeof(copy));
	size_t n = t->size < sizeof(copy) ? t->size : sizeof(copy);
	memcpy(&copy, t, n);
	atomic_store_explicit(&goc__tracer, NULL, memory_order_release);
	installed = copy;
	installed_from = t;
	/* release: pairs with the loads in goc__trace (installed before use) */
	atomic_store_explicit(&goc__tracer, &installed, memory_order_release);
	update_hooked();
	return old;
}

/* A real TSan runtime: __tsan_acquire tells (goc-race's no-op hooks
 * library defines the fiber calls, returning NULL fibers, but not it). */
static bool tsan_on(void)
{
	return __tsan_acquire != NULL && __tsan_switch_to_fiber != NULL && goc__trace() == NULL;
}

void *goc__tsan_fiber_create(void)
{
	return tsan_on() ? __tsan_create_fiber(0) : NULL;
}

void *goc__tsan_fiber_current(void)
{
	return tsan_on() ? __tsan_get_current_fiber() : NULL;
}

/* Not instrumented: its __tsan_func_exit would run on the fiber just
 * switched to and pop that fiber's (possibly empty) shadow stack. */
GOC_NO_TSAN
void goc__tsan_fiber_switch(void *fiber)
{
	if (fiber != NULL && __tsan_switch_to_fiber != NULL)
		__tsan_switch_to_fiber(fiber, 0);
}
