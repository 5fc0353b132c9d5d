/*
 * hidden_spinlock.h — a test-and-set spinlock whose atomics the detector
 * cannot see: an x86-64 xchg to take it and a plain mov to give it back,
 * in inline assembly (which -fsanitize=thread does not instrument), as a
 * lock written in assembly or inside an uninstrumented library would be.
 * Correct on x86-64 (a locked xchg is a full barrier, and a store is a
 * release under TSO), but the detector sees no edge between the critical
 * sections — unless the lock says what it is with the custom-mutex
 * annotations (__tsan_mutex_*), which it does when HIDDEN_SPINLOCK_ANNOTATED
 * is defined before this header is included.
 */
#ifndef GOC_TESTS_HIDDEN_SPINLOCK_H
#define GOC_TESTS_HIDDEN_SPINLOCK_H

#include "annotate.h"

#include <sched.h>
#include <stdbool.h>

#ifdef HIDDEN_SPINLOCK_ANNOTATED
#define HIDDEN_SPIN_ANNOTATE(call) call
#else
#define HIDDEN_SPIN_ANNOTATE(call) ((void)0)
#endif

typedef struct hidden_spinlock {
	int locked;
} hidden_spinlock;

/* *p := v, returning the old value: a locked exchange. */
static inline int hidden_xchg(int *p, int v)
{
	__asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}

static inline void hidden_store(int *p, int v)
{
	__asm__ volatile("movl %1, %0" : "=m"(*p) : "r"(v) : "memory");
}

static inline void hidden_spin_init(hidden_spinlock *l)
{
	hidden_store(&l->locked, 0);
	HIDDEN_SPIN_ANNOTATE(__tsan_mutex_create(l, 0));
}

static inline void hidden_spin_lock(hidden_spinlock *l)
{
	HIDDEN_SPIN_ANNOTATE(__tsan_mutex_pre_lock(l, 0));
	while (hidden_xchg(&l->locked, 1) != 0)
		sched_yield();
	HIDDEN_SPIN_ANNOTATE(__tsan_mutex_post_lock(l, 0, 0));
}

static inline bool hidden_spin_trylock(hidden_spinlock *l)
{
	HIDDEN_SPIN_ANNOTATE(__tsan_mutex_pre_lock(l, __tsan_mutex_try_lock));
	bool ok = hidden_xchg(&l->locked, 1) == 0;
	HIDDEN_SPIN_ANNOTATE(__tsan_mutex_post_lock(
		l, ok ? __tsan_mutex_try_lock : __tsan_mutex_try_lock | __tsan_mutex_try_lock_failed, 0));
	return ok;
}

static inline void hidden_spin_unlock(hidden_spinlock *l)
{
	HIDDEN_SPIN_ANNOTATE(__tsan_mutex_pre_unlock(l, 0));
	hidden_store(&l->locked, 0);
	HIDDEN_SPIN_ANNOTATE(__tsan_mutex_post_unlock(l, 0));
}

#endif
