/*
 * timer.c — sleep, after, timers, tickers and after_func, on one binary
 * min-heap served by one timer thread (not a thread per timer).
 *
 * The timer thread sleeps on a futex until the earliest deadline (or until
 * an earlier timer is added), pops every expired timer, and runs its
 * callback without the heap lock: readying a sleeper, sending the time on a
 * timer's channel (dropped if full, as Go's tickers do), or starting an
 * after_func goroutine. It is the runtime's own thread: never a thread G.
 *
 * Invariants (heap lock): a timer is in the heap iff state == WAITING;
 * `pending` counts timers that are WAITING or FIRING and drops only after a
 * one-shot callback has returned, so the deadlock check (sched.c) never
 * sees "no timer" while a firing is still about to ready someone.
 * Ownership: a sleep or goc_after timer is never touched by the thread after
 * its callback (the sleeper may have returned, the after timer frees
 * itself). An owned timer (goc_timer, goc_ticker) is freed only by its
 * owner, who first waits for any firing in progress to end.
 *
 * Stop/reset follow Go 1.23: after they return, no value from before the
 * call is received: the channel (cap 1) is drained once the timer can no
 * longer fire. Lock order: a channel lock is never taken with the heap lock
 * held (the drain happens after dropping it).
 * HB: values sent carry the channel's edges. Besides, to the tracer: the
 * firing of an owned timer RELEASEs the timer once its callback has
 * returned, and stop, reset and free ACQUIRE it once they have waited out a
 * firing in progress (under the heap lock, which the tracer does not see),
 * so what a firing did, such as a tick's send dropped on a full channel,
 * happens before they return.
 */
#include "internal.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct goc_timer {
	goc__timer t;
	goc_chan *c;       /* NULL for after_func */
	goc_fn fn;         /* after_func */
	void *arg;
};

struct goc_ticker {
	struct goc_timer tm;
};

/* A heap entry keeps its deadline inline: sifting compares without touching
 * the timers, which live on many different goroutine stacks. */
struct hent {
	int64_t when;
	goc__timer *t;
};

static struct {
	goc__lock_t lock;
	struct hent *heap;  /* lock */
	size_t len, cap;    /* lock */
	_Atomic int64_t pending;
	_Atomic uint32_t wake_seq; /* futex word the timer thread sleeps on */
	bool started;       /* lock */
	_Atomic bool running; /* the thread exists (read in signal context) */
} T = { .lock = GOC_LOCK_INIT };

bool goc__timers_unlock_cb(void *arg)
{
	(void)arg;
	goc__unlock(&T.lock);
	return true;
}

int64_t goc__timers_pending(void)
{
	return atomic_load_explicit(&T.pending, memory_order_acquire);
}

/* ----------------------------------------------------------------- heap */

static void heap_set(size_t i, struct hent e)
{
	T.heap[i] = e;
	e.t->heap_index = (int)i;
}

static void sift_up(size_t i)
{
	struct hent e = T.heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (T.heap[parent].when <= e.when)
			break;
		heap_set(i, T.heap[parent]);
		i = parent;
	}
	heap_set(i, e);
}

static void sift_down(size_t i)
{
	struct hent e = T.heap[i];
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		int64_t best = e.when;
		if (l < T.len && T.heap[l].when < best) {
			m = l;
			best = T.heap[l].when;
		}
		if (l + 1 < T.len && T.heap[l + 1].when < best)
			m = l + 1;
		if (m == i)
			break;
		heap_set(i, T.heap[m]);
		i = m;
	}
	heap_set(i, e);
}

static void heap_remove(goc__timer *t)
{
	size_t i = (size_t)t->heap_index;
	GOC_CHECK(t->heap_index >= 0 && i < T.len && T.heap[i].t == t);
	T.len--;
	if (i != T.len) {
		heap_set(i, T.heap[T.len]);
		sift_down(i);
		sift_up((size_t)T.heap[i].t->heap_index);
	}
	t->heap_index = -1;
}

static void *timer_thread(void *arg);

static void wake_timer_thread(void)
{
	atomic_fetch_add_explicit(&T.wake_seq, 1, memory_order_release);
	goc__futex_wake(&T.wake_seq, 1);
}

/* Async-signal-safe: an atomic add and a futex wake. */
void goc__timers_kick(void)
{
	wake_timer_thread();
}

static void start_thread_locked(void)
{
	if (T.started)
		return;
	T.started = true;
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&th, &attr, timer_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		goc__throw("cannot create the timer thread");
	atomic_store_explicit(&T.running, true, memory_order_release);
}

bool goc__timers_started(void)
{
	return atomic_load_explicit(&T.running, memory_order_acquire);
}

void goc__timers_start(void)
{
	goc__lock(&T.lock);
	start_thread_locked();
	goc__unlock(&T.lock);
}

/* Put t (state IDLE) into the heap; heap lock held. */
static void heap_add(goc__timer *t)
{
	if (T.len == T.cap) {
		size_t ncap = T.cap ? 2 * T.cap : 64;
		struct hent *nh = realloc(T.heap, ncap * sizeof(*nh));
		if (nh == NULL)
			goc__throw("out of memory growing the timer heap");
		T.heap = nh;
		T.cap = ncap;
	}
	T.heap[T.len] = (struct hent){ t->when, t };
	t->heap_index = (int)T.len;
	T.len++;
	sift_up(T.len - 1);
	atomic_store_explicit(&t->state, TIMER_WAITING, memory_order_relaxed);
	start_thread_locked();
	if (T.heap[0].t == t)
		wake_timer_thread();
}

void goc__timer_add_locked(goc__timer *t)
{
	atomic_fetch_add_explicit(&T.pending, 1, memory_order_relaxed);
	heap_add(t);
}

/* ---------------------------------------------------------- the thread */

static void sleep_fire(goc__timer *t, int64_t now);

#define SLEEP_BATCH 256

/* Ready the collected sleepers at once; heap lock not held. Only then do
 * their timers stop counting as pending (see the invariants above). */
static void flush_sleepers(goc__g **batch, int *n)
{
	if (*n == 0)
		return;
	goc__ready_batch(batch, *n);
	atomic_fetch_sub_explicit(&T.pending, *n, memory_order_release);
	*n = 0;
}

static void *timer_thread(void *arg)
{
	(void)arg;
	goc__set_internal_thread();
	goc__g *batch[SLEEP_BATCH];
	int nbatch = 0;
	for (;;) {
		if (GOC_UNLIKELY(goc__sigquit_pending()))
			goc__sigquit_report(); /* does not return */
		goc__lock(&T.lock);
		int64_t now = goc__nanotime();
		while (T.len > 0 && T.heap[0].when <= now) {
			goc__timer *t = T.heap[0].t;
			heap_remove(t);
			if (t->fn == sleep_fire) {
				/* The common case, batched: the sleeper is parked until
				 * readied, so t (on its stack) stays valid until then. */
				atomic_store_explicit(&t->state, TIMER_IDLE, memory_order_relaxed);
				batch[nbatch++] = t->arg;
				if (nbatch == SLEEP_BATCH) {
					goc__unlock(&T.lock);
					flush_sleepers(batch, &nbatch);
					goc__lock(&T.lock);
				}
				continue;
			}
			bool owned = t->period > 0 || t->owned;
			if (t->fn == NULL) /* never: every timer has a callback */
				goc__throw("timer without callback");
			atomic_store_explicit(&t->state, owned ? TIMER_FIRING : TIMER_IDLE,
					memory_order_relaxed);
			goc__unlock(&T.lock);
			t->fn(t, now);
			/* Pairs with the acquire in disarm_locked. (The timer thread
			 * has no goroutine: gid 0.) A timer not owned may be gone. */
			if (owned)
				goc__sync(0, GOC_SYNC_RELEASE, t);
			goc__lock(&T.lock);
			if (owned && t->period > 0) {
				t->when += t->period;
				if (t->when <= now)
					t->when = now + t->period; /* fell behind: skip ticks */
				heap_add(t);
			} else {
				if (owned)
					atomic_store_explicit(&t->state, TIMER_IDLE, memory_order_relaxed);
				/* release: pairs with the acquire in goc__timers_pending */
				atomic_fetch_sub_explicit(&T.pending, 1, memory_order_release);
			}
			now = goc__nanotime();
		}
		int64_t wait = T.len > 0 ? T.heap[0].when - now : -1;
		uint32_t seq = atomic_load_explicit(&T.wake_seq, memory_order_acquire);
		goc__unlock(&T.lock);
		if (nbatch > 0) {
			flush_sleepers(batch, &nbatch);
			continue; /* time has passed: look again before sleeping */
		}
		/* The SIGQUIT handler raises its flag before it bumps wake_seq: a
		 * kick that seq already includes must be seen here, or we would
		 * sleep through it. */
		if (goc__sigquit_pending())
			continue;
		goc__futex_wait(&T.wake_seq, seq, wait);
	}
	return NULL;
}

/* ---------------------------------------------------------------- sleep */

static void sleep_fire(goc__timer *t, int64_t now)
{
	(void)now;
	goc__ready(t->arg, false);
}

void goc_sleep(int64_t ns)
{
	if (ns <= 0)
		return;
	goc__g *g = goc__curg();
	if (g == NULL) {
		struct timespec ts = { ns / 1000000000, ns % 1000000000 };
		while (nanosleep(&ts, &ts) != 0)
			;
		return;
	}
	goc__timer *t = &g->sleep_timer;
	memset(t, 0, sizeof(*t));
	t->fn = sleep_fire;
	t->arg = g;
	t->heap_index = -1;
	t->when = goc__nanotime() + ns;
	GOC_TRACE(timer, g->id, t, t->when);
	goc__lock(&T.lock);
	goc__timer_add_locked(t);
	goc__park(GOC_WAIT_SLEEP, t, goc__timers_unlock_cb, NULL);
}

/* --------------------------------------------------------------- timers */

static void chan_fire(goc__timer *t, int64_t now)
{
	struct goc_timer *tm = (struct goc_timer *)t;
	goc_chan_trysend(tm->c, &now); /* full: the reader is behind; drop */
}

static void after_fire(goc__timer *t, int64_t now)
{
	struct goc_timer *tm = (struct goc_timer *)t;
	goc_chan_trysend(tm->c, &now);
	goc__chan_unref(tm->c);
	free(tm);
}

static void func_fire(goc__timer *t, int64_t now)
{
	(void)now;
	struct goc_timer *tm = (struct goc_timer *)t;
	goc_go(tm->fn, tm->arg);
}

static struct goc_timer *timer_make(int64_t ns, int64_t period, goc__timer_fn fn,
		bool owned, bool with_chan)
{
	struct goc_timer *tm = calloc(1, sizeof(*tm));
	if (tm == NULL)
		return NULL;
	if (with_chan) {
		tm->c = goc_chan_new(sizeof(int64_t), 1);
		if (tm->c == NULL) {
			free(tm);
			return NULL;
		}
	}
	tm->t.owned = owned;
	tm->t.fn = fn;
	tm->t.period = period;
	tm->t.heap_index = -1;
	tm->t.when = goc__nanotime() + (ns > 0 ? ns : 0);
	goc__g *g = goc__getg();
	GOC_TRACE(timer, g != NULL ? g->id : 0, &tm->t, tm->t.when);
	return tm;
}

static void timer_start(struct goc_timer *tm)
{
	goc__lock(&T.lock);
	goc__timer_add_locked(&tm->t);
	goc__unlock(&T.lock);
}

goc_chan *goc_after(int64_t ns)
{
	struct goc_timer *tm = timer_make(ns, 0, after_fire, false, true);
	if (tm == NULL)
		return NULL;
	goc_chan *c = tm->c;
	atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed); /* the timer's */
	timer_start(tm);
	return c;
}

goc_timer *goc_timer_new(int64_t ns)
{
	struct goc_timer *tm = timer_make(ns, 0, chan_fire, true, true);
	if (tm != NULL)
		timer_start(tm);
	return tm;
}

goc_timer *goc_after_func(int64_t ns, goc_fn fn, void *arg)
{
	struct goc_timer *tm = timer_make(ns, 0, func_fire, true, false);
	if (tm == NULL)
		return NULL;
	tm->fn = fn;
	tm->arg = arg;
	timer_start(tm);
	return tm;
}

goc_chan *goc_timer_chan(goc_timer *t)
{
	return t->c;
}

/* Take t out of the heap, waiting out a firing in progress. Returns true
 * if it was armed. Heap lock held on entry and exit. */
static bool disarm_locked(struct goc_timer *tm)
{
	while (atomic_load_explicit(&tm->t.state, memory_order_relaxed) == TIMER_FIRING) {
		goc__unlock(&T.lock);
		sched_yield();
		goc__lock(&T.lock);
	}
	/* Every firing so far has ended: pairs with its release in the timer
	 * thread. */
	goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, &tm->t);
	if (atomic_load_explicit(&tm->t.state, memory_order_relaxed) != TIMER_WAITING)
		return false;
	heap_remove(&tm->t);
	atomic_store_explicit(&tm->t.state, TIMER_IDLE, memory_order_relaxed);
	atomic_fetch_sub_explicit(&T.pending, 1, memory_order_release);
	return true;
}

/* Discard a value sent but not received; true if there was one. */
static bool drain(struct goc_timer *tm)
{
	return tm->c != NULL && goc_chan_tryrecv(tm->c, NULL, NULL) == 0;
}

bool goc_timer_stop(goc_timer *t)
{
	goc__lock(&T.lock);
	bool was = disarm_locked(t);
	goc__unlock(&T.lock);
	/* A fired but unreceived value counts as not yet expired (Go 1.23). */
	if (drain(t) && t->t.period == 0)
		was = true;
	return was;
}

/* Stop t (waiting out a firing), discard an unreceived value, then arm it
 * again to fire ns from now with the given period. Returns what stop
 * would have: whether it was armed or had an unreceived value. */
static bool rearm(struct goc_timer *t, int64_t ns, int64_t period)
{
	goc__lock(&T.lock);
	bool was = disarm_locked(t);
	goc__unlock(&T.lock);
	if (drain(t))
		was = true;
	goc__lock(&T.lock);
	if (atomic_load_explicit(&t->t.state, memory_order_relaxed) == TIMER_IDLE) {
		t->t.period = period;
		t->t.when = goc__nanotime() + (ns > 0 ? ns : 0);
		goc__timer_add_locked(&t->t);
	}
	goc__unlock(&T.lock);
	return was;
}

bool goc_timer_reset(goc_timer *t, int64_t ns)
{
	return rearm(t, ns, 0);
}

void goc_timer_free(goc_timer *t)
{
	if (t == NULL)
		return;
	goc_timer_stop(t);
	if (t->c != NULL)
		goc__chan_unref(t->c);
	free(t);
}

/* -------------------------------------------------------------- tickers */

goc_ticker *goc_ticker_new(int64_t period)
{
	if (period <= 0)
		return NULL;
	struct goc_timer *tm = timer_make(period, period, chan_fire, true, true);
	if (tm == NULL)
		return NULL;
	timer_start(tm);
	return (goc_ticker *)tm;
}

goc_chan *goc_ticker_chan(goc_ticker *t)
{
	return t->tm.c;
}

void goc_ticker_stop(goc_ticker *t)
{
	goc_timer_stop(&t->tm);
}

int goc_ticker_reset(goc_ticker *t, int64_t period)
{
	if (period <= 0)
		return GOC_EINVAL;
	rearm(&t->tm, period, period);
	return 0;
}

void goc_ticker_free(goc_ticker *t)
{
	if (t != NULL)
		goc_timer_free(&t->tm);
}
