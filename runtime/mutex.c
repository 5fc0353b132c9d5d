/*
 * mutex.c — goc_mutex: a lock word plus a FIFO queue of parked waiters.
 *
 * state: MUTEX_LOCKED | MUTEX_WAITERS (the queue may be non-empty). The fast
 * paths are one CAS each way. A locker that finds the mutex held spins
 * briefly (with more than one worker), then queues under `wl` and parks.
 * unlock takes the queue's head: if it has waited more than 1 ms it is
 * handed the mutex directly (state stays LOCKED: Go's starvation mode), else
 * the mutex is released and the head woken to compete; a waiter that loses
 * goes back to the front, keeping its place and its start time. A woken
 * waiter can lose to newcomers only until it has waited 1 ms; after that
 * every unlock hands the mutex to the queue's head, so no waiter waits
 * unboundedly.
 *
 * Invariants: MUTEX_WAITERS changes only under wl; while MUTEX_LOCKED is
 * set, only its holder clears it. Locks: wl protects the queue.
 * HB: unlock's release (CAS or store) pairs with lock's acquire CAS; a
 * handoff is ordered by ready(). Reported to the tracer as Go's race
 * annotations: ACQUIRE after lock, RELEASE at unlock.
 *
 * A thread counts for the deadlock check from its first call into goc
 * (goc.h). The fast paths never park, so lock and trylock register an
 * unknown thread themselves (know_thread): otherwise a thread could hold the
 * mutex unseen while every known goroutine and thread waits for it, and the
 * check would report a false "all goroutines are asleep".
 */
#include "internal.h"

#include <assert.h>

enum { MUTEX_LOCKED = 1, MUTEX_WAITERS = 2 };
#define STARVATION_NS (1000 * 1000)

struct mutex {
	_Atomic uint32_t state;
	goc__lock_t wl;
	goc__waitq q; /* wl */
};

static_assert(sizeof(struct mutex) <= sizeof(goc_mutex), "goc_mutex too small");

static inline struct mutex *M(goc_mutex *m)
{
	return (struct mutex *)m;
}

/* Set once this OS thread is known to goc (or is a worker): after the first
 * call, the fast path pays one TLS load. Read before anything can switch
 * goroutines, so a goroutine never sees another thread's flag. */
static __thread bool thread_known __attribute__((tls_model("initial-exec")));

static GOC_NOINLINE void know_thread_slow(void)
{
	(void)goc__curg(); /* registers a foreign thread */
	thread_known = true;
}

static inline void know_thread(void)
{
	if (GOC_UNLIKELY(!thread_known))
		know_thread_slow();
}

static bool try_take(struct mutex *mu)
{
	uint32_t s = atomic_load_explicit(&mu->state, memory_order_relaxed);
	while (!(s & MUTEX_LOCKED)) {
		/* acquire: pairs with the release in goc_mutex_unlock */
		if (atomic_compare_exchange_weak_explicit(&mu->state, &s, s | MUTEX_LOCKED,
				memory_order_acquire, memory_order_relaxed))
			return true;
	}
	return false;
}

static void acquired(goc_mutex *m)
{
	goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, m);
}

/* Spin briefly for a mutex held by a goroutine running on another worker:
 * only with more than one worker (with one, the holder cannot run while we
 * spin). */
static bool spin_take(struct mutex *mu)
{
	if (goc_maxprocs() <= 1)
		return false;
	for (int i = 0; i < 100; i++) {
		if (try_take(mu))
			return true;
		__builtin_ia32_pause();
	}
	return false;
}

/* The contended path, out of line so the fast path saves no registers. */
static GOC_NOINLINE void lock_slow(goc_mutex *m)
{
	struct mutex *mu = M(m);
	if (spin_take(mu))
		return;
	goc__waiter w = { .g = goc__curg(), .since = goc__nanotime() };
	bool front = false;
	for (;;) {
		goc__lock(&mu->wl);
		uint32_t s = atomic_load_explicit(&mu->state, memory_order_relaxed);
		if (!(s & MUTEX_LOCKED)) {
			bool took = try_take(mu);
			goc__unlock(&mu->wl);
			if (took)
				return;
			continue;
		}
		if (!atomic_compare_exchange_strong_explicit(&mu->state, &s, s | MUTEX_WAITERS,
				memory_order_relaxed, memory_order_relaxed)) {
			goc__unlock(&mu->wl);
			continue; /* it was just unlocked: try again */
		}
		w.granted = false;
		if (front)
			goc__waitq_push_front(&mu->q, &w);
		else
			goc__waitq_push(&mu->q, &w);
		goc__park(GOC_WAIT_MUTEX, m, goc__unlock_cb, &mu->wl);
		if (w.granted)
			return; /* handed over: we hold it */
		/* Woken but not handed the mutex: compete by spinning before
		 * queueing again (at the front, keeping our place). */
		if (spin_take(mu))
			return;
		front = true;
	}
}

void goc_mutex_lock(goc_mutex *m)
{
	struct mutex *mu = M(m);
	uint32_t zero = 0;
	know_thread();
	/* acquire: pairs with the release in goc_mutex_unlock */
	if (GOC_UNLIKELY(!atomic_compare_exchange_strong_explicit(&mu->state, &zero, MUTEX_LOCKED,
			memory_order_acquire, memory_order_relaxed)))
		lock_slow(m);
	acquired(m);
}

bool goc_mutex_trylock(goc_mutex *m)
{
	know_thread();
	if (!try_take(M(m)))
		return false;
	acquired(m);
	return true;
}

/* Unlock with waiters queued (or of an unlocked mutex), out of line. */
static GOC_NOINLINE void unlock_slow(struct mutex *mu, uint32_t s)
{
	if (!(s & MUTEX_LOCKED))
		goc__throw("sync: unlock of unlocked mutex");
	goc__lock(&mu->wl);
	goc__waiter *w = goc__waitq_pop(&mu->q);
	uint32_t keep = mu->q.head != NULL ? MUTEX_WAITERS : 0;
	if (w != NULL && goc__nanotime() - w->since > STARVATION_NS) {
		w->granted = true; /* ownership passes to w: stays locked */
		atomic_store_explicit(&mu->state, MUTEX_LOCKED | keep, memory_order_release);
	} else {
		atomic_store_explicit(&mu->state, keep, memory_order_release);
	}
	goc__unlock(&mu->wl);
	if (w != NULL)
		goc__ready(w->g, true);
}

void goc_mutex_unlock(goc_mutex *m)
{
	struct mutex *mu = M(m);
	goc__sync(goc__gid(), GOC_SYNC_RELEASE, m);
	uint32_t s = MUTEX_LOCKED;
	/* release: pairs with the acquire CAS in lock */
	if (GOC_UNLIKELY(!atomic_compare_exchange_strong_explicit(&mu->state, &s, 0,
			memory_order_release, memory_order_relaxed)))
		unlock_slow(mu, s);
}

static void locker_lock(void *m)
{
	goc_mutex_lock(m);
}

static void locker_unlock(void *m)
{
	goc_mutex_unlock(m);
}

goc_locker goc_mutex_locker(goc_mutex *m)
{
	return (goc_locker){ m, locker_lock, locker_unlock };
}
