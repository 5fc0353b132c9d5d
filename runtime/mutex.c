/*
 * mutex.c — goc_mutex: a state word plus a FIFO queue of parked waiters,
 * with Go's sync.Mutex protocol (normal mode with a woken bit, and
 * starvation mode).
 *
 * state: MUTEX_LOCKED (held), MUTEX_WAITERS (the queue is not empty),
 * MUTEX_WOKEN (a locker is awake and competing: a spinner that set it, or a
 * waiter that unlock woke; unlock then wakes nobody), MUTEX_STARVING (unlock
 * hands the mutex to the queue's head; nobody else may take it).
 *
 * Fast paths (inline in goc.h): lock is one CAS 0 -> LOCKED, unlock one
 * atomic subtract of LOCKED. Lock, when that fails: if the mutex is free
 * with other bits set (the usual state of a contended one), a CAS from
 * the state read (try_take; again only if the state changed and the mutex
 * is still free); else spin (only while the holder can be running
 * elsewhere and this P has nothing else to run, as Go's canSpin), setting
 * WOKEN if waiters exist so that unlock does not wake one we would race;
 * then queue under `wl` and park. Unlock, when other bits
 * are set: the mutex is already released; if there are waiters and no
 * locker is awake, claim WOKEN and wake the queue's head, which competes
 * (spins, then re-queues at the front keeping its start time).
 *
 * Starvation: a waiter that has waited over 1 ms, found either by itself
 * when it re-queues or by the unlocker about to wake it, switches the mutex
 * to STARVING. Then every unlock passes the mutex straight to the queue's
 * head (its subtract clears LOCKED, STARVING keeps newcomers out, and it
 * sets LOCKED again for the head under wl), and new lockers queue at the
 * tail. The mode ends when the queue empties or the
 * head it was handed to had waited less than 1 ms. As in Go, the clock is
 * read only by a waiter that was woken or queued again and by an unlocker
 * about to wake one: a queued waiter is not timed while spinners keep
 * taking the mutex, but spinners give up after 4 rounds and queue behind it.
 *
 * Invariants: WAITERS and STARVING change only under wl; STARVING implies
 * WAITERS, and that the mutex is held or being handed over (LOCKED, or an
 * unlocker holding wl is about to set it again for the head); WOKEN has
 * one owner at a time, and only the owner clears it: the spinner that set
 * it (its `awoke`), or the unlocker that claimed it to wake the head, which
 * passes it to that waiter or drops it if there is nobody to wake.
 * Locks: wl protects the
 * queue. HB: unlock's release subtract pairs with lock's acquire CAS; a
 * handoff is ordered by ready(). Reported to the tracer as Go's race
 * annotations: ACQUIRE after lock, RELEASE at unlock; to ThreadSanitizer,
 * when its runtime is present, by __tsan_acquire/__tsan_release on the
 * mutex (so a TSan program sees the edges even with an uninstrumented
 * libgoc). Either presence sets goc__hooked (trace.c), which sends goc.h's
 * inline fast paths here, so no lock or unlock escapes them.
 *
 * A thread counts for the deadlock check from its first call into goc
 * (goc.h). The fast paths never park, so a thread's first lock comes here
 * (goc__thread_known is clear) and registers it: otherwise a thread could
 * hold the mutex unseen while every known goroutine and thread waits for
 * it, and the check would report a false "all goroutines are asleep". The
 * flag is per thread; a goroutine that reads another thread's flag (it
 * moved between the read and a later one) does no harm: goroutines need no
 * registration, and a thread G never moves.
 */
#include "internal.h"

#include <assert.h>
#include <stddef.h>

#if !GOC_MUTEX_INLINE
#error "libgoc is built with goc.h's inline mutex fast paths (clang or gcc, C99 inline)"
#endif

enum {
	MUTEX_LOCKED = 1,
	MUTEX_WAITERS = 2,
	MUTEX_WOKEN = 4,
	MUTEX_STARVING = 8,
};
#define STARVATION_NS (1000 * 1000)
#define SPIN_ROUNDS 4   /* Go's active_spin */
#define SPIN_PAUSES 30  /* Go's active_spin_cnt */

struct mutex {
	_Atomic uint32_t state; /* goc_mutex.state_, which goc.h's fast paths use */
	goc__lock_t wl;
	goc__waitq q; /* wl */
};

static_assert(sizeof(struct mutex) <= sizeof(goc_mutex), "goc_mutex too small");
static_assert(offsetof(goc_mutex, state_) == offsetof(struct mutex, state),
		"goc.h's fast paths use the state word");

/* The external definitions of goc.h's inline fast paths. */
extern inline void goc_mutex_lock(goc_mutex *m);
extern inline void goc_mutex_unlock(goc_mutex *m);

__thread unsigned char goc__thread_known __attribute__((tls_model("initial-exec")));

/* relaxed: set before goroutines start (trace.c); a plain byte, shared
 * with goc.h's inline code, so the builtin stands for atomic_load_explicit. */
static inline bool hooks_on(void)
{
	return __atomic_load_n(&goc__hooked, __ATOMIC_RELAXED) != 0;
}

static inline struct mutex *M(goc_mutex *m)
{
	return (struct mutex *)m;
}

static GOC_NOINLINE void know_thread_slow(void)
{
	(void)goc__curg(); /* registers a foreign thread */
	goc__thread_known = 1;
}

static inline void know_thread(void)
{
	if (GOC_UNLIKELY(!goc__thread_known))
		know_thread_slow();
}

/* The edges, out of line: the paths that call them are the ones goc.h did
 * not inline. */
static GOC_NOINLINE void acquired(goc_mutex *m)
{
	goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, m);
	goc__tsan_acquire(m);
}

static GOC_NOINLINE void releasing(goc_mutex *m)
{
	goc__sync(goc__gid(), GOC_SYNC_RELEASE, m);
	goc__tsan_release(m);
}

/* Takes the mutex if it is free and not being handed over (STARVING),
 * keeping the other bits: trylock, and the contended entry's first try. */
static inline bool try_take(struct mutex *mu)
{
	uint32_t s = atomic_load_explicit(&mu->state, memory_order_relaxed);
	while (!(s & (MUTEX_LOCKED | MUTEX_STARVING))) {
		/* acquire: pairs with the release subtract in unlock */
		if (atomic_compare_exchange_weak_explicit(&mu->state, &s, s | MUTEX_LOCKED,
				memory_order_acquire, memory_order_relaxed))
			return true;
	}
	return false;
}

/* Go's canSpin: a few rounds, only with more than one P, only while some
 * other P is running (it may be the holder), and only if this P has nothing
 * else to run (spinning would delay it; with 8 goroutines on 2 Ps it is
 * better to park at once and let the holder keep the mutex's cache line).
 * A thread G has no P: it spins by the first two rules. */
static bool can_spin(int iter)
{
	if (iter >= SPIN_ROUNDS)
		return false;
	int procs = goc_maxprocs();
	if (procs <= 1)
		return false;
	goc__m *m = goc__getm();
	if (m == NULL || m->p == NULL)
		return true;
	int idle = atomic_load_explicit(&goc__sched.npidle, memory_order_relaxed) +
		atomic_load_explicit(&goc__sched.nmspinning, memory_order_relaxed);
	return procs > idle + 1 && goc__runqempty(m->p);
}

static void spin_pause(void)
{
	for (int i = 0; i < SPIN_PAUSES; i++)
		__builtin_ia32_pause();
}

/* The contended lock. awoke: this locker owns MUTEX_WOKEN (set it while
 * spinning, or was woken by unlock) and must clear it when it takes the
 * mutex or queues. */
static GOC_NOINLINE void lock_slow(struct mutex *mu, goc_mutex *m)
{
	goc__waiter w = { .since = 0 };
	bool awoke = false;
	int iter = 0;
	uint32_t s = atomic_load_explicit(&mu->state, memory_order_relaxed);
	for (;;) {
		if ((s & (MUTEX_LOCKED | MUTEX_STARVING)) == MUTEX_LOCKED && can_spin(iter)) {
			/* Tell unlock not to wake a waiter: we are about to
			 * take the mutex ourselves. */
			if (!awoke && !(s & MUTEX_WOKEN) && (s & MUTEX_WAITERS) &&
			    atomic_compare_exchange_weak_explicit(&mu->state, &s, s | MUTEX_WOKEN,
					memory_order_relaxed, memory_order_relaxed))
				awoke = true;
			spin_pause();
			iter++;
			s = atomic_load_explicit(&mu->state, memory_order_relaxed);
			continue;
		}
		GOC_CHECK(!awoke || (s & MUTEX_WOKEN));
		if (!(s & (MUTEX_LOCKED | MUTEX_STARVING))) {
			uint32_t n = (s | MUTEX_LOCKED) & ~(awoke ? MUTEX_WOKEN : 0u);
			/* acquire: pairs with the release subtract in unlock */
			if (atomic_compare_exchange_weak_explicit(&mu->state, &s, n,
					memory_order_acquire, memory_order_relaxed))
				return;
			continue;
		}
		/* Held, or being handed over: queue and park. */
		goc__lock(&mu->wl);
		s = atomic_load_explicit(&mu->state, memory_order_relaxed);
		if (!(s & (MUTEX_LOCKED | MUTEX_STARVING))) {
			goc__unlock(&mu->wl);
			continue; /* just released: compete */
		}
		uint32_t n = s | MUTEX_WAITERS;
		if (awoke)
			n &= ~(uint32_t)MUTEX_WOKEN;
		bool requeue = w.since != 0;
		if (requeue && goc__nanotime() - w.since > STARVATION_NS)
			n |= MUTEX_STARVING; /* the holder's unlock hands it to us */
		if (!atomic_compare_exchange_strong_explicit(&mu->state, &s, n,
				memory_order_relaxed, memory_order_relaxed)) {
			goc__unlock(&mu->wl);
			continue;
		}
		awoke = false;
		w.granted = false;
		if (requeue) {
			goc__waitq_push_front(&mu->q, &w); /* keep our place */
		} else {
			w.g = goc__curg();
			w.since = goc__nanotime();
			goc__waitq_push(&mu->q, &w);
		}
		goc__park(GOC_WAIT_MUTEX, m, goc__unlock_cb, &mu->wl);
		if (w.granted)
			return; /* handed over: we hold it (the acquire is ready()'s) */
		/* Woken by unlock, which set MUTEX_WOKEN for us: compete. */
		awoke = true;
		iter = 0;
		s = atomic_load_explicit(&mu->state, memory_order_relaxed);
	}
}

/* Not inlined by goc.h's fast path: the first lock on a thread, a detector
 * or TSan present, or the fast CAS failed. try_take comes first, before
 * lock_slow and its frame: the fast path's CAS from 0 also fails when the
 * mutex is free but WOKEN or WAITERS is set, which is the usual state of a
 * contended one (uprobe counts: 19M of 20M locks in mutex_contended8 at 2
 * workers came here). */
void goc__mutex_lock(goc_mutex *m)
{
	struct mutex *mu = M(m);
	know_thread();
	if (GOC_UNLIKELY(!try_take(mu)))
		lock_slow(mu, m);
	if (GOC_UNLIKELY(hooks_on()))
		acquired(m);
}

bool goc_mutex_trylock(goc_mutex *m)
{
	struct mutex *mu = M(m);
	know_thread();
	if (!try_take(mu))
		return false;
	if (GOC_UNLIKELY(hooks_on()))
		acquired(m);
	return true;
}

/* Starvation mode: the mutex (released by the subtract, or still free) goes
 * to the queue's head. Stays STARVING while others wait and the head had
 * waited over 1 ms. wl held; returns the waiter to ready, granted. */
static goc__waiter *hand_off_locked(struct mutex *mu, uint32_t s)
{
	goc__waiter *w = goc__waitq_pop(&mu->q);
	GOC_CHECK(w != NULL);
	uint32_t keep = mu->q.head != NULL ? MUTEX_WAITERS : 0; /* for the rest */
	if (keep != 0 && goc__nanotime() - w->since > STARVATION_NS)
		keep |= MUTEX_STARVING;
	for (;;) {
		GOC_CHECK(!(s & MUTEX_LOCKED));
		/* Only WOKEN can change under us (a spinner that started
		 * before STARVING); it stays its owner's to clear. */
		uint32_t n = MUTEX_LOCKED | keep | (s & MUTEX_WOKEN);
		/* release: pairs with the acquire CAS of a locker that reads it */
		if (atomic_compare_exchange_weak_explicit(&mu->state, &s, n,
				memory_order_release, memory_order_relaxed))
			break;
	}
	w->granted = true;
	return w;
}

/* The part of unlock that takes wl: hand the mutex over (starving: we
 * came in starving, or we claimed WOKEN), or wake the queue's head. */
static GOC_NOINLINE void unlock_wake(struct mutex *mu, bool starving)
{
	goc__waiter *w = NULL;
	goc__lock(&mu->wl);
	uint32_t s = atomic_load_explicit(&mu->state, memory_order_relaxed);
	if (starving) {
		/* Ours to hand over: nobody else can take it meanwhile. */
		w = hand_off_locked(mu, s);
	} else if ((s & MUTEX_STARVING) || mu->q.head == NULL) {
		/* Nobody to wake (the queue was emptied meanwhile), or a
		 * handoff is under way: drop our WOKEN. */
		atomic_fetch_and_explicit(&mu->state, ~(uint32_t)MUTEX_WOKEN, memory_order_relaxed);
	} else if (goc__nanotime() - mu->q.head->since > STARVATION_NS) {
		/* The head has waited too long: starvation mode. If the mutex
		 * is still free, take it for the head now (STARVING keeps
		 * newcomers out meanwhile); else its holder's unlock hands it
		 * over. */
		for (;;) {
			uint32_t n = (s | MUTEX_STARVING) & ~(uint32_t)MUTEX_WOKEN;
			if (atomic_compare_exchange_weak_explicit(&mu->state, &s, n,
					memory_order_relaxed, memory_order_relaxed)) {
				if (!(n & MUTEX_LOCKED))
					w = hand_off_locked(mu, n);
				break;
			}
		}
	} else {
		/* Normal mode: wake the head to compete; WOKEN is now its. */
		w = goc__waitq_pop(&mu->q);
		if (mu->q.head == NULL)
			atomic_fetch_and_explicit(&mu->state, ~(uint32_t)MUTEX_WAITERS,
					memory_order_relaxed);
	}
	goc__unlock(&mu->wl);
	if (w != NULL)
		goc__ready(w->g, true);
}

/* An unlock that found other bits set; the subtract has released the mutex
 * already (old: the state before it). Usually a locker is awake and this
 * returns at once, so the part that takes wl is a call of its own. */
void goc__mutex_unlock_slow(goc_mutex *m, uint32_t old)
{
	struct mutex *mu = M(m);
	if (GOC_UNLIKELY(!(old & MUTEX_LOCKED)))
		goc__throw("sync: unlock of unlocked mutex");
	uint32_t s = old - MUTEX_LOCKED;
	if (s & MUTEX_STARVING) {
		unlock_wake(mu, true);
		return;
	}
	/* Wake one waiter, unless there is none, the mutex has been taken
	 * again, or a locker is awake already. Claim WOKEN to do it. */
	for (;;) {
		if (!(s & MUTEX_WAITERS) || (s & (MUTEX_LOCKED | MUTEX_WOKEN | MUTEX_STARVING)))
			return;
		if (atomic_compare_exchange_weak_explicit(&mu->state, &s, s | MUTEX_WOKEN,
				memory_order_relaxed, memory_order_relaxed))
			break;
	}
	unlock_wake(mu, false);
}

/* Not inlined by goc.h: a detector or TSan present. */
void goc__mutex_unlock(goc_mutex *m)
{
	struct mutex *mu = M(m);
	releasing(m);
	/* release: pairs with the acquire CAS in lock */
	uint32_t old = atomic_fetch_sub_explicit(&mu->state, MUTEX_LOCKED, memory_order_release);
	if (GOC_UNLIKELY(old != MUTEX_LOCKED))
		goc__mutex_unlock_slow(m, old);
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
