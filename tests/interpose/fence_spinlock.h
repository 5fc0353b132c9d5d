/*
 * fence_spinlock.h — a test-and-set spinlock made of plain C11 atomics: a
 * relaxed exchange to take it and a relaxed store to give it back, ordered
 * by an acquire and a release fence. Correct C11, but the detector (like
 * TSan) does not model fences, so it sees no edge between the critical
 * sections — unless the lock says what it is with the custom-mutex
 * annotations (__tsan_mutex_*), which it does when FENCE_SPINLOCK_ANNOTATED
 * is defined before this header is included. The lock's own atomics then
 * run inside the annotations' ignore regions.
 */
#ifndef GOC_TESTS_FENCE_SPINLOCK_H
#define GOC_TESTS_FENCE_SPINLOCK_H

#include "annotate.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

#ifdef FENCE_SPINLOCK_ANNOTATED
#define FENCE_SPIN_ANNOTATE(call) call
#else
#define FENCE_SPIN_ANNOTATE(call) ((void)0)
#endif

typedef struct fence_spinlock {
	atomic_int locked;
} fence_spinlock;

static inline void fence_spin_init(fence_spinlock *l)
{
	atomic_init(&l->locked, 0);
	FENCE_SPIN_ANNOTATE(__tsan_mutex_create(l, 0));
}

static inline void fence_spin_lock(fence_spinlock *l)
{
	FENCE_SPIN_ANNOTATE(__tsan_mutex_pre_lock(l, 0));
	while (atomic_exchange_explicit(&l->locked, 1, memory_order_relaxed) != 0)
		sched_yield();
	atomic_thread_fence(memory_order_acquire);
	FENCE_SPIN_ANNOTATE(__tsan_mutex_post_lock(l, 0, 0));
}

static inline bool fence_spin_trylock(fence_spinlock *l)
{
	FENCE_SPIN_ANNOTATE(__tsan_mutex_pre_lock(l, __tsan_mutex_try_lock));
	bool ok = atomic_exchange_explicit(&l->locked, 1, memory_order_relaxed) == 0;
	if (ok)
		atomic_thread_fence(memory_order_acquire);
	FENCE_SPIN_ANNOTATE(__tsan_mutex_post_lock(
		l, ok ? __tsan_mutex_try_lock : __tsan_mutex_try_lock | __tsan_mutex_try_lock_failed, 0));
	return ok;
}

static inline void fence_spin_unlock(fence_spinlock *l)
{
	FENCE_SPIN_ANNOTATE(__tsan_mutex_pre_unlock(l, 0));
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&l->locked, 0, memory_order_relaxed);
	FENCE_SPIN_ANNOTATE(__tsan_mutex_post_unlock(l, 0));
}

#endif
