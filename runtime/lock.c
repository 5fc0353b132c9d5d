/*
 * lock.c — the runtime's own blocking primitives: a futex mutex, notes
 * (one-shot sleep/wakeup), raw futex wait/wake, and the monotonic clock.
 *
 * Invariants: goc__lock_t.state is 0 (free), 1 (locked) or 2 (locked, maybe
 * waiters). A note's key is 0 (clear) or 1 (woken).
 * HB: unlock (release store/exchange) pairs with the acquire CAS/exchange of
 * the next lock; note_wakeup (release) pairs with the acquire load in
 * note_sleep. These are the only edges the scheduler relies on besides the
 * run queues (runq.c).
 */
#include "internal.h"

#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int64_t goc__nanotime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t goc_now(void)
{
	return goc__nanotime();
}

pid_t goc__gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

bool goc__futex_wait(_Atomic uint32_t *addr, uint32_t val, int64_t timeout_ns)
{
	struct timespec ts, *tsp = NULL;
	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		tsp = &ts;
	}
	long r = syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, tsp, NULL, 0);
	return !(r == -1 && errno == ETIMEDOUT);
}

void goc__futex_wake(_Atomic uint32_t *addr, int n)
{
	syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

bool goc__trylock(goc__lock_t *l)
{
	uint32_t zero = 0;
	/* acquire: pairs with the release in goc__unlock */
	return atomic_compare_exchange_strong_explicit(&l->state, &zero, 1,
			memory_order_acquire, memory_order_relaxed);
}

void goc__lock(goc__lock_t *l)
{
	if (GOC_LIKELY(goc__trylock(l)))
		return;
	/* Spin briefly: critical sections are a few dozen instructions. */
	for (int i = 0; i < 100; i++) {
		if (atomic_load_explicit(&l->state, memory_order_relaxed) == 0 && goc__trylock(l))
			return;
		__builtin_ia32_pause();
	}
	/* acquire: pairs with the release in goc__unlock */
	while (atomic_exchange_explicit(&l->state, 2, memory_order_acquire) != 0)
		goc__futex_wait(&l->state, 2, -1);
}

void goc__unlock(goc__lock_t *l)
{
	/* release: pairs with the acquire in goc__lock/goc__trylock */
	if (atomic_exchange_explicit(&l->state, 0, memory_order_release) == 2)
		goc__futex_wake(&l->state, 1);
}

void goc__note_clear(goc__note *n)
{
	atomic_store_explicit(&n->key, 0, memory_order_relaxed);
}

void goc__note_wakeup(goc__note *n)
{
	/* release: pairs with the acquire load in note_sleep */
	atomic_store_explicit(&n->key, 1, memory_order_release);
	goc__futex_wake(&n->key, 1);
}

void goc__note_sleep(goc__note *n)
{
	/* acquire: pairs with the release in note_wakeup */
	while (atomic_load_explicit(&n->key, memory_order_acquire) == 0)
		goc__futex_wait(&n->key, 0, -1);
}

bool goc__note_sleep_until(goc__note *n, int64_t deadline)
{
	for (;;) {
		if (atomic_load_explicit(&n->key, memory_order_acquire) != 0)
			return true;
		int64_t now = goc__nanotime();
		if (now >= deadline)
			return false;
		goc__futex_wait(&n->key, 0, deadline - now);
	}
}

bool goc__unlock_cb(void *lock)
{
	goc__unlock(lock);
	return true;
}
