/*
 * goc.h — Go-style concurrency for C: goroutines, channels, select, timers,
 * sync primitives, Map and Pool, context and errgroup.
 *
 * This header is the contract. Each declaration says whether it blocks, what
 * it returns on error, who may call it, and which happens-before edge it
 * creates (the Go memory model, https://go.dev/ref/mem, carried over).
 *
 * Who may call: every function may be called from a goroutine, from the main
 * thread, or from any other pthread ("foreign thread"). A goroutine blocks by
 * switching to another goroutine; a thread blocks by parking on a futex. The
 * main thread is goroutine 1. A foreign thread gets a goroutine id the first
 * time it calls into goc.
 *
 * Fatal errors: misuse that Go treats as fatal prints Go's own message on
 * stderr — "panic: send on closed channel", "panic: close of closed channel",
 * "panic: close of nil channel" for what Go panics on (C has no recover),
 * "fatal error: ..." for what Go throws — then a goroutine dump, then aborts
 * (SIGABRT). A goroutine that overflows its stack dies the same way, with
 * "fatal error: stack overflow in goroutine N (stack size S bytes; raise
 * GOC_STACK_SIZE)" (a thread overflowing its own pthread stack gets the
 * plain SIGSEGV). When every goroutine and
 * every thread that uses goc is blocked on goc objects, no timer is pending
 * and nothing is inside goc_blocking_begin/end, the runtime prints
 * "fatal error: all goroutines are asleep - deadlock!" and a goroutine dump,
 * and exits with status 2, as Go does. A thread counts for this check from
 * its first call into goc; threads that never call goc are invisible to it,
 * as C threads are to Go's.
 *
 * Atomics: goc has none of its own; C11 <stdatomic.h> is the atomics API
 * (docs/atomics.md maps Go's sync/atomic onto it and shows the patterns).
 * An acquire load that reads a release store is a happens-before edge;
 * relaxed operations are atomic but order nothing.
 *
 * Environment: GOC_MAXPROCS (worker threads, default: online CPUs),
 * GOC_STACK_SIZE (bytes per goroutine stack, default 64 KiB, rounded up to
 * whole pages), GOC_STACK_GUARDS (how many stacks get a guard page; the
 * default is derived from vm.max_map_count).
 */
#ifndef GOC_GOC_H
#define GOC_GOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define GOC_API __attribute__((visibility("default")))
#else
#define GOC_API
#endif

/* Error codes: public functions return 0 or one of these (negative). */
enum {
	GOC_OK = 0,
	GOC_EINVAL = -22, /* an argument is out of range */
	GOC_ENOMEM = -12, /* out of memory (or address space for stacks) */
	GOC_EAGAIN = -11, /* a try-operation would have blocked */
	GOC_ECANCELED = -125, /* context canceled */
	GOC_EDEADLINE = -110, /* context deadline exceeded */
};

/* Durations are int64_t nanoseconds. */
#define GOC_NANOSECOND ((int64_t)1)
#define GOC_MICROSECOND ((int64_t)1000)
#define GOC_MILLISECOND ((int64_t)1000000)
#define GOC_SECOND ((int64_t)1000000000)

typedef void (*goc_fn)(void *arg);
typedef struct goc_chan goc_chan;
typedef struct goc_timer goc_timer;
typedef struct goc_ticker goc_ticker;

/* ------------------------------------------------------------------------
 * Goroutines and the scheduler
 * ------------------------------------------------------------------------ */

/*
 * goc_go starts fn(arg) in a new goroutine and returns its id (> 0), or
 * GOC_ENOMEM when no stack could be had. Does not block, but a goroutine
 * that spawns faster than its worker runs what it spawns yields when the
 * worker's run queue is full (where Go would preempt it). The goroutine runs
 * on one of GOC_MAXPROCS worker threads and may move between them whenever it
 * blocks or yields. When fn returns, the goroutine ends and its stack is
 * reused.
 * HB: everything before goc_go happens before fn starts.
 */
GOC_API int64_t goc_go(goc_fn fn, void *arg);

/* goc_go_named is goc_go with a name shown in goroutine dumps and reports.
 * The string is copied (at most 31 bytes kept). */
GOC_API int64_t goc_go_named(const char *name, goc_fn fn, void *arg);

/* goc_yield lets other runnable goroutines run; the caller goes behind them
 * (to the tail of its worker's run queue; other workers may steal it). From a thread it is sched_yield().
 * Never blocks indefinitely. No HB edge. */
GOC_API void goc_yield(void);

/* goc_id returns the calling goroutine's id; the main thread is 1. A foreign
 * thread is given an id on its first call into goc. */
GOC_API int64_t goc_id(void);

/* goc_num_goroutine returns the number of live goroutines, counting the main
 * thread (as Go's runtime.NumGoroutine does) and foreign threads currently
 * known to goc. */
GOC_API int64_t goc_num_goroutine(void);

/* goc_maxprocs returns the number of worker threads that run goroutines. */
GOC_API int goc_maxprocs(void);

/* goc_set_maxprocs changes it (1..256) at run time and returns the previous
 * value, or GOC_EINVAL. Goroutines queued on a retired worker move to the
 * global queue. Does not block. */
GOC_API int goc_set_maxprocs(int n);

/*
 * goc_blocking_begin / goc_blocking_end bracket a call that may block in the
 * kernel (read(2), a pthread lock, sleep(3)...). On a worker thread, begin
 * hands the worker's processor to another thread so other goroutines keep
 * running (Go's entersyscall/handoff); end takes a processor back, waiting
 * for one if needed. While inside, the caller does not count as blocked for
 * the global deadlock check. Calls must pair on the same goroutine; goc
 * functions other than these two must not be called in between. No HB edge.
 */
GOC_API void goc_blocking_begin(void);
GOC_API void goc_blocking_end(void);

/* ------------------------------------------------------------------------
 * Channels
 * ------------------------------------------------------------------------ */

/*
 * goc_chan_new makes a channel of elements of elem_size bytes (0 is allowed:
 * a signalling channel) with a buffer of cap elements (0: unbuffered).
 * Returns NULL on ENOMEM (or if elem_size * cap overflows). Does not block.
 */
GOC_API goc_chan *goc_chan_new(size_t elem_size, size_t cap);

/*
 * goc_chan_free releases a channel. The caller must be the last user: freeing
 * a channel that goroutines are blocked on is a fatal error ("fatal error:
 * free of a channel that goroutines are blocked on"). A channel
 * returned by goc_after, or owned by a timer or ticker, is released when both
 * the user has freed it and its timer is done with it. NULL is ignored.
 */
GOC_API void goc_chan_free(goc_chan *c);

/*
 * goc_chan_send copies elem_size bytes from elem into the channel. Blocks
 * until a receiver takes it (unbuffered) or there is buffer space. On a NULL
 * channel it blocks forever. On a closed channel (or one closed while the
 * sender waits) it is a fatal error: "send on closed channel".
 * HB: a send happens before the corresponding receive completes. For a
 * channel of capacity C, the k-th receive happens before the (k+C)-th send
 * completes (for C = 0: a receive happens before the send completes).
 */
GOC_API void goc_chan_send(goc_chan *c, const void *elem);

/*
 * goc_chan_recv receives one element into elem (which may be NULL to discard
 * it). Blocks until a value is available or the channel is closed. Returns
 * true for a value sent by a send, false once the channel is closed and
 * drained (elem is then zero-filled). On a NULL channel it blocks forever.
 * HB: as for goc_chan_send; also, goc_chan_close happens before a receive
 * that returns false because the channel is closed.
 */
GOC_API bool goc_chan_recv(goc_chan *c, void *elem);

/* goc_chan_trysend sends only if it can do so without blocking: returns 0 if
 * it sent, GOC_EAGAIN otherwise (also for a NULL channel). A closed channel
 * is fatal, as for goc_chan_send. HB: as goc_chan_send when it sends. */
GOC_API int goc_chan_trysend(goc_chan *c, const void *elem);

/* goc_chan_tryrecv receives only if it can do so without blocking: returns 0
 * and sets *ok (if ok is not NULL) as goc_chan_recv would, or GOC_EAGAIN
 * (also for a NULL channel). HB: as goc_chan_recv when it receives. */
GOC_API int goc_chan_tryrecv(goc_chan *c, void *elem, bool *ok);

/*
 * goc_chan_close closes the channel: every blocked receiver wakes with
 * ok = false, every blocked sender hits the fatal "send on closed channel",
 * buffered values can still be received. Closing a closed channel ("close of
 * closed channel") or NULL ("close of nil channel") is a fatal error. Does
 * not block. HB: close happens before every receive that returns because the
 * channel is closed.
 */
GOC_API void goc_chan_close(goc_chan *c);

/* goc_chan_len returns the number of buffered elements; goc_chan_cap the
 * buffer size. Both return 0 for NULL. No HB edge. */
GOC_API size_t goc_chan_len(const goc_chan *c);
GOC_API size_t goc_chan_cap(const goc_chan *c);

/* goc_chan_elem_size returns the element size given at creation. */
GOC_API size_t goc_chan_elem_size(const goc_chan *c);

/* ------------------------------------------------------------------------
 * Select
 * ------------------------------------------------------------------------ */

typedef enum goc_select_dir {
	GOC_SELECT_SEND = 1,
	GOC_SELECT_RECV = 2,
} goc_select_dir;

/* One case of a select. For a send, elem points at the value to send; for a
 * receive, elem receives the value (NULL discards it) and *ok (if ok is not
 * NULL) is set as goc_chan_recv's result. A case whose channel is NULL is
 * never chosen. */
typedef struct goc_select_case {
	goc_chan *chan;
	goc_select_dir dir;
	void *elem;
	bool *ok;
} goc_select_case;

#define GOC_SEND(c, p) ((goc_select_case){(c), GOC_SELECT_SEND, (void *)(p), NULL})
#define GOC_RECV(c, p, okp) ((goc_select_case){(c), GOC_SELECT_RECV, (p), (okp)})

/*
 * goc_select waits until one of the n cases can proceed, performs it, and
 * returns its index. When several are ready, one is chosen uniformly at
 * random. With no cases (or only NULL channels) it blocks forever. A send
 * case on a closed channel is fatal when chosen. Channels are locked in
 * address order, so concurrent selects over the same channels never deadlock
 * each other. HB: exactly those of the operation performed.
 */
GOC_API int goc_select(goc_select_case *cases, size_t n);

/* goc_select_try is select with a default case: if no case is ready it
 * returns -1 at once. */
GOC_API int goc_select_try(goc_select_case *cases, size_t n);

/* ------------------------------------------------------------------------
 * Time and timers
 * ------------------------------------------------------------------------ */

/* goc_now returns a monotonic clock reading in nanoseconds. */
GOC_API int64_t goc_now(void);

/* goc_sleep blocks the caller for at least ns nanoseconds (returns at once
 * for ns <= 0). While it sleeps, a timer is pending, so the global deadlock
 * check does not fire. No HB edge (as in Go: sleeping synchronises nothing). */
GOC_API void goc_sleep(int64_t ns);

/*
 * goc_after returns a channel (elem: int64_t, goc_now() at firing, cap 1)
 * that receives one value after ns nanoseconds. Free it with goc_chan_free
 * when done; the runtime keeps it alive until the timer has fired. Returns
 * NULL on ENOMEM. HB: none beyond the channel's own.
 */
GOC_API goc_chan *goc_after(int64_t ns);

/*
 * Timers. goc_timer_new returns a timer whose channel (goc_timer_chan,
 * elem int64_t, cap 1) receives goc_now() once, ns nanoseconds from now.
 * goc_timer_stop prevents the firing: it returns true if the call stopped the
 * timer — including one that fired but whose value nobody received, which
 * stop discards (Go 1.23) — and false if its value was already received or
 * it had been stopped. goc_timer_reset re-arms the timer to fire ns from
 * now and returns what stop would have. As in Go 1.23, after stop or reset returns, no value from before
 * the call is received from the channel. goc_timer_free stops and releases
 * the timer and its channel. None of these block.
 */
GOC_API goc_timer *goc_timer_new(int64_t ns);
GOC_API goc_chan *goc_timer_chan(goc_timer *t);
GOC_API bool goc_timer_stop(goc_timer *t);
GOC_API bool goc_timer_reset(goc_timer *t, int64_t ns);
GOC_API void goc_timer_free(goc_timer *t);

/* goc_after_func runs fn(arg) in a new goroutine after ns nanoseconds. The
 * returned timer has no channel (goc_timer_chan returns NULL); stop, reset
 * and free work as above. HB: goc_after_func happens before fn starts. */
GOC_API goc_timer *goc_after_func(int64_t ns, goc_fn fn, void *arg);

/*
 * Tickers. goc_ticker_new (period > 0, else NULL) returns a ticker whose
 * channel (elem int64_t, cap 1) receives goc_now() every period; ticks are
 * dropped when the reader is slow. goc_ticker_stop stops it (no value from
 * before the call is received afterwards); goc_ticker_reset changes the
 * period and restarts it (GOC_EINVAL if period <= 0); goc_ticker_free stops
 * and releases it.
 */
GOC_API goc_ticker *goc_ticker_new(int64_t period);
GOC_API goc_chan *goc_ticker_chan(goc_ticker *t);
GOC_API void goc_ticker_stop(goc_ticker *t);
GOC_API int goc_ticker_reset(goc_ticker *t, int64_t period);
GOC_API void goc_ticker_free(goc_ticker *t);

/* ------------------------------------------------------------------------
 * Sync: mutex, rwmutex, waitgroup, once, cond, semaphore
 *
 * Each object is plain memory: zero-initialise it (or use its *_INIT) and it
 * is ready; no destroy call is needed. They may be used from goroutines and
 * threads alike; a blocked caller parks (a goroutine switches away, a thread
 * sleeps on a futex) with the wait reason shown in dumps. Misuse that Go
 * treats as fatal is fatal here too, with Go's message ("fatal error: sync:
 * unlock of unlocked mutex", "panic: sync: negative WaitGroup counter", ...)
 * and a dump.
 * ------------------------------------------------------------------------ */

/* Opaque storage: the layout is the runtime's. (goc_mutex's first word is
 * named for the inline fast paths below.) */
typedef struct goc_mutex { uint32_t state_; uint32_t pad_; uint64_t opaque_[2]; } goc_mutex;
typedef struct goc_rwmutex { uint64_t opaque_[7]; } goc_rwmutex;
typedef struct goc_waitgroup { uint64_t opaque_[4]; } goc_waitgroup;
typedef struct goc_once { uint64_t opaque_[4]; } goc_once;
typedef struct goc_cond { uint64_t opaque_[3]; } goc_cond;
typedef struct goc_sem { uint64_t opaque_[5]; } goc_sem;

#define GOC_MUTEX_INIT {0, 0, {0, 0}}
#define GOC_RWMUTEX_INIT {{0}}
#define GOC_WAITGROUP_INIT {{0}}
#define GOC_ONCE_INIT {{0}}
#define GOC_COND_INIT {{0}}

/* Anything with lock and unlock, for goc_cond_wait_locker. */
typedef struct goc_locker {
	void *obj;
	void (*lock)(void *obj);
	void (*unlock)(void *obj);
} goc_locker;

/*
 * Mutex. goc_mutex_lock blocks until the caller holds m (it may spin
 * briefly first). Waiters queue in FIFO order; a woken waiter competes with
 * new lockers, and one that has waited more than 1 ms switches the mutex
 * to starvation mode, in which every unlock hands it directly to the
 * longest waiter (Go's sync.Mutex), so no waiter waits unboundedly.
 * goc_mutex_trylock returns true if it took the lock, never blocks; it
 * returns false while m is held, and also while m, free for an instant, is
 * being handed to a waiter in starvation mode (as Go's TryLock).
 * goc_mutex_unlock releases it; any goroutine or thread may unlock (Go
 * semantics); unlocking an unlocked mutex is fatal ("sync: unlock of
 * unlocked mutex").
 * HB: the n-th unlock happens before the (n+1)-th lock returns.
 *
 * lock and unlock are inline in C compiled by clang or gcc (C99 inline
 * semantics): an uncontended lock is one CAS and an unlock one atomic
 * subtract, without a call, as Go inlines its own. Everything else (a
 * contended mutex, the first lock on a thread, a detector or ThreadSanitizer
 * present) goes to libgoc, which also exports both as ordinary functions
 * (define GOC_NO_INLINE before including goc.h to call those).
 */
GOC_API bool goc_mutex_trylock(goc_mutex *m);
GOC_API goc_locker goc_mutex_locker(goc_mutex *m);

#if defined(__GNUC__) && defined(__GNUC_STDC_INLINE__) && !defined(__cplusplus) && \
	!defined(GOC_NO_INLINE)
#define GOC_MUTEX_INLINE 1

/* Not API: what the inline fast paths use. goc__hooked is nonzero while a
 * tracer (goc_tracer_install) or ThreadSanitizer's runtime is present: then
 * every lock and unlock goes through libgoc, which reports its edges.
 * goc__thread_known is set once the calling thread is known to goc (the
 * deadlock check must see a thread that holds a mutex). */
extern GOC_API unsigned char goc__hooked;
extern GOC_API __thread unsigned char goc__thread_known
	__attribute__((tls_model("initial-exec")));
GOC_API void goc__mutex_lock(goc_mutex *m);
GOC_API void goc__mutex_unlock(goc_mutex *m);
GOC_API void goc__mutex_unlock_slow(goc_mutex *m, uint32_t old);

GOC_API inline void goc_mutex_lock(goc_mutex *m)
{
	uint32_t unlocked = 0;
	if (__builtin_expect(!__atomic_load_n(&goc__hooked, __ATOMIC_RELAXED) &&
			goc__thread_known &&
			__atomic_compare_exchange_n(&m->state_, &unlocked, 1, 0,
				__ATOMIC_ACQUIRE, __ATOMIC_RELAXED), 1))
		return;
	goc__mutex_lock(m);
}

GOC_API inline void goc_mutex_unlock(goc_mutex *m)
{
	if (__builtin_expect(__atomic_load_n(&goc__hooked, __ATOMIC_RELAXED) != 0, 0)) {
		goc__mutex_unlock(m);
		return;
	}
	uint32_t old = __atomic_fetch_sub(&m->state_, 1, __ATOMIC_RELEASE);
	if (__builtin_expect(old != 1, 0))
		goc__mutex_unlock_slow(m, old);
}
#else
GOC_API void goc_mutex_lock(goc_mutex *m);
GOC_API void goc_mutex_unlock(goc_mutex *m);
#endif

/*
 * Reader/writer mutex. Any number of readers or one writer. A writer that
 * waits blocks new readers (so writers are not starved by a stream of
 * readers); a writer's unlock admits the readers that were waiting before
 * the next writer (so readers are not starved either). Try-variants never
 * block. Unlocking what is not locked is fatal ("sync: RUnlock of unlocked
 * RWMutex", "sync: Unlock of unlocked RWMutex").
 * HB: Unlock happens before every later Lock and RLock returns; RUnlock
 * happens before the next Lock returns. Readers are not ordered with each
 * other.
 */
GOC_API void goc_rwmutex_rlock(goc_rwmutex *rw);
GOC_API bool goc_rwmutex_tryrlock(goc_rwmutex *rw);
GOC_API void goc_rwmutex_runlock(goc_rwmutex *rw);
GOC_API void goc_rwmutex_lock(goc_rwmutex *rw);
GOC_API bool goc_rwmutex_trylock(goc_rwmutex *rw);
GOC_API void goc_rwmutex_unlock(goc_rwmutex *rw);

/*
 * WaitGroup. goc_waitgroup_add adds delta (may be negative) to the counter;
 * at zero every waiter is released. goc_waitgroup_done is add(-1).
 * goc_waitgroup_wait blocks until the counter is zero. A negative counter is
 * fatal ("sync: negative WaitGroup counter"), and so is reuse — an add from
 * zero while waiters released by the previous zero have not all returned
 * ("sync: WaitGroup is reused before previous Wait has returned").
 * HB: every done (add < 0) happens before the wait it releases returns.
 */
GOC_API void goc_waitgroup_add(goc_waitgroup *wg, int64_t delta);
GOC_API void goc_waitgroup_done(goc_waitgroup *wg);
GOC_API void goc_waitgroup_wait(goc_waitgroup *wg);

/*
 * Once. goc_once_do calls fn(arg) if and only if no call to goc_once_do for
 * this once has done so before; concurrent callers block until that first
 * call has returned. HB: fn's return happens before every goc_once_do
 * returns.
 */
GOC_API void goc_once_do(goc_once *o, goc_fn fn, void *arg);

/*
 * Cond. goc_cond_wait atomically unlocks m and parks the caller, then
 * re-locks m before returning (spurious wakeups do not happen, but as in
 * Go, re-check the condition in a loop: another goroutine may run first).
 * goc_cond_signal wakes the longest waiter, goc_cond_broadcast all of them;
 * neither blocks, and neither needs the lock held. goc_cond_wait_locker
 * waits with any locker. HB: none of its own (the locker's).
 */
GOC_API void goc_cond_wait(goc_cond *c, goc_mutex *m);
GOC_API void goc_cond_wait_locker(goc_cond *c, goc_locker l);
GOC_API void goc_cond_signal(goc_cond *c);
GOC_API void goc_cond_broadcast(goc_cond *c);

/*
 * Weighted semaphore (golang.org/x/sync/semaphore). goc_sem_init sets its
 * capacity (> 0; else GOC_EINVAL). goc_sem_acquire blocks until n units are
 * free and takes them; waiters are served in FIFO order, so a large request
 * is not starved by small ones; n > capacity returns GOC_EINVAL at once.
 * goc_sem_tryacquire takes n only if it can without waiting (never when
 * others wait). goc_sem_release returns n units; releasing more than held is
 * fatal ("semaphore: released more than held").
 * HB: a release happens before the acquire it lets through returns.
 */
GOC_API int goc_sem_init(goc_sem *s, int64_t capacity);
GOC_API int goc_sem_acquire(goc_sem *s, int64_t n);
GOC_API bool goc_sem_tryacquire(goc_sem *s, int64_t n);
GOC_API void goc_sem_release(goc_sem *s, int64_t n);

/* ------------------------------------------------------------------------
 * Map (Go's sync.Map)
 *
 * A concurrent map from byte-string keys to void * values, for the two cases
 * sync.Map serves: entries written once and read many times, and goroutines
 * working on disjoint sets of keys. Keys are copied in; values are the
 * caller's (the map never frees them). No operation blocks for long: each
 * holds one shard's lock for a hash-table step, never while calling out.
 * HB (Go's): a store of a key happens before every load (load_or_store,
 * load_and_delete, range) that observes that stored value, and a delete
 * happens before every load or load_and_delete that then finds the key
 * absent.
 * ------------------------------------------------------------------------ */

typedef struct goc_map goc_map;

/* A new empty map, or NULL on ENOMEM. goc_map_free frees the map and its
 * copies of the keys (not the values); no other call may be in flight. */
GOC_API goc_map *goc_map_new(void);
GOC_API void goc_map_free(goc_map *m);

/* goc_map_load: true and *value (if value is not NULL) when key is present. */
GOC_API bool goc_map_load(goc_map *m, const void *key, size_t keylen, void **value);
/* goc_map_store sets key → value. GOC_ENOMEM if a new key could not be
 * copied (the map is unchanged), else 0. */
GOC_API int goc_map_store(goc_map *m, const void *key, size_t keylen, void *value);
/* goc_map_load_or_store: if key is present, *actual = its value and returns
 * true (loaded); otherwise stores value, *actual = value and returns false.
 * On ENOMEM it stores nothing, sets *actual = NULL and returns false. */
GOC_API bool goc_map_load_or_store(goc_map *m, const void *key, size_t keylen,
                                   void *value, void **actual);
/* goc_map_load_and_delete: removes key; true and *value if it was present. */
GOC_API bool goc_map_load_and_delete(goc_map *m, const void *key, size_t keylen,
                                     void **value);
GOC_API void goc_map_delete(goc_map *m, const void *key, size_t keylen);

/* goc_map_range calls fn for each key present, until fn returns false. As
 * Go's Range: no key is visited twice; an entry stored or deleted while the
 * range runs may or may not be visited. fn may call any goc_map function on
 * m (no lock is held while it runs). */
typedef bool (*goc_map_range_fn)(const void *key, size_t keylen, void *value, void *arg);
GOC_API void goc_map_range(goc_map *m, goc_map_range_fn fn, void *arg);
/* The number of keys present (a snapshot). */
GOC_API size_t goc_map_len(goc_map *m);

/* ------------------------------------------------------------------------
 * Pool (Go's sync.Pool)
 *
 * A cache of interchangeable objects, kept per worker (P) so that get and
 * put rarely touch shared state. goc has no garbage collector, so a pool is
 * bounded: each P keeps up to a fixed number of objects plus a shared
 * overflow list, and what exceeds the bound is destroyed at once.
 * HB (Go's): a put of x happens before the get that returns x.
 * ------------------------------------------------------------------------ */

typedef struct goc_pool goc_pool;

/* goc_pool_new: make(arg) creates an object when the pool has none (it may
 * be NULL: get then returns NULL), destroy(x, arg) frees one the pool does
 * not keep (NULL: objects are left alone). NULL on ENOMEM. */
GOC_API goc_pool *goc_pool_new(void *(*make)(void *arg),
                               void (*destroy)(void *obj, void *arg), void *arg);
/* goc_pool_get returns a cached object or make(arg)'s result; never blocks.
 * As in Go, the caller must not assume anything about which object it gets
 * or its contents. goc_pool_put gives x (not NULL) back. */
GOC_API void *goc_pool_get(goc_pool *p);
GOC_API void goc_pool_put(goc_pool *p, void *x);
/* goc_pool_free destroys every cached object and the pool; no other call
 * may be in flight. */
GOC_API void goc_pool_free(goc_pool *p);

/* ------------------------------------------------------------------------
 * Context (Go's context package)
 *
 * Ownership: every goc_context_with_* call returns a context the caller
 * owns and must release with goc_context_free, which also cancels it (Go's
 * "defer cancel()"). A child keeps its parent's memory alive, so a parent
 * may be freed before its children: freeing cancels the parent and with it
 * every descendant, and the memory goes when the last child is freed too.
 * Background and todo are static: freeing them does nothing.
 * ------------------------------------------------------------------------ */

typedef struct goc_context goc_context;

/* The empty root: never canceled, no deadline, no values. */
GOC_API goc_context *goc_context_background(void);
GOC_API goc_context *goc_context_todo(void);

/* A child canceled by goc_context_cancel, by its parent's cancellation, or
 * (with_deadline/with_timeout) when the deadline passes — whichever comes
 * first. A deadline later than the parent's has the parent's. NULL on
 * ENOMEM. */
GOC_API goc_context *goc_context_with_cancel(goc_context *parent);
GOC_API goc_context *goc_context_with_deadline(goc_context *parent, int64_t deadline);
GOC_API goc_context *goc_context_with_timeout(goc_context *parent, int64_t ns);
/* A child carrying key → value (keys compared by address); it is canceled
 * exactly when its parent is. */
GOC_API goc_context *goc_context_with_value(goc_context *parent, const void *key, void *value);

/* goc_context_cancel cancels ctx and every descendant (err GOC_ECANCELED);
 * idempotent, never blocks; no-op for contexts that cannot be canceled.
 * goc_context_free cancels, then drops the caller's reference.
 * HB: cancel happens before every receive that returns because done is
 * closed, and before err returns non-zero. */
GOC_API void goc_context_cancel(goc_context *ctx);
GOC_API void goc_context_free(goc_context *ctx);

/* A channel (elem size 0) closed when ctx is canceled; NULL (blocks forever
 * in select, as a nil channel) when it can never be. Owned by the context. */
GOC_API goc_chan *goc_context_done(goc_context *ctx);
/* 0 while not canceled, then GOC_ECANCELED or GOC_EDEADLINE. */
GOC_API int goc_context_err(goc_context *ctx);
/* true and *deadline (goc_now() clock) if ctx has a deadline. */
GOC_API bool goc_context_deadline(goc_context *ctx, int64_t *deadline);
/* The value for key from the nearest with_value ancestor, or NULL. */
GOC_API void *goc_context_value(goc_context *ctx, const void *key);

/* ------------------------------------------------------------------------
 * errgroup (golang.org/x/sync/errgroup)
 * ------------------------------------------------------------------------ */

typedef struct goc_errgroup goc_errgroup;
typedef int (*goc_task)(void *arg); /* 0: success; anything else is an error */

/* goc_errgroup_new: a group with no context. goc_errgroup_with_context:
 * *ctx is set to a child of parent that is canceled when a task first
 * fails or wait returns; the group owns it (freed by goc_errgroup_free).
 * NULL on ENOMEM. */
GOC_API goc_errgroup *goc_errgroup_new(void);
GOC_API goc_errgroup *goc_errgroup_with_context(goc_context *parent, goc_context **ctx);

/* At most n tasks run at once (n < 0: no limit). Changing it while tasks
 * run is fatal, as in Go. */
GOC_API void goc_errgroup_set_limit(goc_errgroup *g, int n);

/* goc_errgroup_go runs fn(arg) in a new goroutine, first blocking while the
 * limit is reached. goc_errgroup_try_go starts it only if the limit allows
 * now; returns whether it did. HB: go happens before fn starts. */
GOC_API void goc_errgroup_go(goc_errgroup *g, goc_task fn, void *arg);
GOC_API bool goc_errgroup_try_go(goc_errgroup *g, goc_task fn, void *arg);

/* goc_errgroup_wait blocks until every task has returned, cancels the
 * group's context, and returns the first non-zero task result (0 if none).
 * HB: every task's return happens before wait returns. */
GOC_API int goc_errgroup_wait(goc_errgroup *g);
GOC_API void goc_errgroup_free(goc_errgroup *g);

/* ------------------------------------------------------------------------
 * Diagnostics
 * ------------------------------------------------------------------------ */

/*
 * goc_dump_goroutines writes a dump of every goroutine to fd, in Go's
 * format: "goroutine N [wait reason]:", the stack as function() and
 * "\tfile:line +0xoff" lines, and "created by F in goroutine P" with its
 * file:line. As Go puts extras inside the brackets, so does goc: a named
 * goroutine shows `, "name"`, a foreign thread `, thread`
 * ("goroutine 7 [chan receive, "worker"]:"). Goroutines running on other threads are listed without a stack.
 * SIGQUIT prints the same dump to stderr and exits with status 2 (unless the
 * program installed its own SIGQUIT handler first).
 */
GOC_API void goc_dump_goroutines(int fd);

/* Counters of what the runtime holds, for tests and monitoring. */
typedef struct goc_stats {
	int64_t goroutines;     /* live goroutines on stacks (not counting threads) */
	int64_t threads;        /* main and foreign threads known to goc */
	int64_t timers;         /* armed timers, including sleeps */
	int64_t stacks_in_use;  /* stacks owned by live goroutines */
	int64_t stacks_cached;  /* stacks kept for reuse */
	int64_t stacks_guarded; /* stacks that have a guard page */
	int64_t workers;        /* worker threads started */
	int64_t stack_size;     /* bytes per stack */
} goc_stats;

/* goc_read_stats fills *s with a snapshot (each counter read atomically, the
 * set not atomically as a whole). Never blocks. */
GOC_API void goc_read_stats(goc_stats *s);

/* ------------------------------------------------------------------------
 * Detector interface (used by goc-race; programs do not call this)
 * ------------------------------------------------------------------------ */

/* Why a goroutine is blocked; the strings are Go's (goc_wait_reason_string). */
typedef enum goc_wait_reason {
	GOC_WAIT_NONE = 0,
	GOC_WAIT_CHAN_SEND,      /* "chan send" */
	GOC_WAIT_CHAN_RECV,      /* "chan receive" */
	GOC_WAIT_CHAN_SEND_NIL,  /* "chan send (nil chan)" */
	GOC_WAIT_CHAN_RECV_NIL,  /* "chan receive (nil chan)" */
	GOC_WAIT_SELECT,         /* "select" */
	GOC_WAIT_SELECT_NO_CASES, /* "select (no cases)" */
	GOC_WAIT_SLEEP,          /* "sleep" */
	GOC_WAIT_MUTEX,          /* "sync.Mutex.Lock" */
	GOC_WAIT_RWMUTEX_RLOCK,  /* "sync.RWMutex.RLock" */
	GOC_WAIT_RWMUTEX_LOCK,   /* "sync.RWMutex.Lock" */
	GOC_WAIT_WAITGROUP,      /* "sync.WaitGroup.Wait" */
	GOC_WAIT_COND,           /* "sync.Cond.Wait" */
	GOC_WAIT_SEMACQUIRE,     /* "semacquire" */
	GOC_WAIT_BLOCKING,       /* "syscall": inside goc_blocking_begin/end */
	GOC_WAIT__COUNT
} goc_wait_reason;

GOC_API const char *goc_wait_reason_string(goc_wait_reason r);

/* Synchronisation operations reported through goc_tracer.sync, with the
 * clock semantics of ThreadSanitizer's Go interface: ACQUIRE: g joins the
 * object's clock; RELEASE: the object's clock becomes g's (store);
 * RELEASE_MERGE: the object's clock joins g's; RELEASE_ACQUIRE: both, the
 * object keeping g's clock from before the acquire. */
typedef enum goc_sync_op {
	GOC_SYNC_ACQUIRE = 1,
	GOC_SYNC_RELEASE,
	GOC_SYNC_RELEASE_MERGE,
	GOC_SYNC_RELEASE_ACQUIRE,
} goc_sync_op;

/* Channel operations reported through goc_tracer.chan_op. */
typedef enum goc_chan_event {
	GOC_CHAN_MAKE = 1,
	GOC_CHAN_SEND,  /* a send completed into slot (or handed off if unbuffered) */
	GOC_CHAN_RECV,  /* a receive completed from slot */
	GOC_CHAN_CLOSE,
	GOC_CHAN_FREE,
} goc_chan_event;

/*
 * The tracer table. libgoc calls through it when a detector has installed
 * one; otherwise every hook site costs one predictable branch. Goroutine ids
 * are goc_id() values. Each hook runs on the thread where the event happens,
 * before the event becomes visible to other goroutines where that matters
 * (go_create before the child can run; sync RELEASE before the partner can
 * observe it). Hooks must not call back into goc. Any field may be NULL.
 */
typedef struct goc_tracer {
	size_t size; /* sizeof(goc_tracer) as the detector was built */
	void (*go_create)(int64_t parent, int64_t child, const void *pc);
	void (*go_start)(int64_t g);             /* first run, on its thread */
	void (*go_exit)(int64_t g);              /* fn returned */
	void (*go_switch)(int64_t from, int64_t to); /* worker switches goroutines;
	                                              * 0: its scheduler */
	void (*block)(int64_t g, goc_wait_reason why, const void *obj);
	void (*unblock)(int64_t g, int64_t waker);
	void (*sync)(int64_t g, goc_sync_op op, const void *addr);
	void (*access)(int64_t g, const void *addr, size_t size, bool write, const void *pc);
	void (*chan_op)(int64_t g, goc_chan_event ev, const goc_chan *c, size_t slot);
	void (*timer)(int64_t g, const void *timer, int64_t when); /* armed */
	/* g runs on [lo, lo + size): called on g's first run, right before
	 * go_start. Stacks are reused, so a detector forgets what it knew about
	 * that memory here. */
	void (*go_stack)(int64_t g, const void *lo, size_t size);
} goc_tracer;

/* goc_tracer_install installs t (NULL uninstalls) and returns the previous
 * table. The table must outlive its installation. Install before the first
 * goroutine starts (the preload runtime does it from its constructor). */
GOC_API const goc_tracer *goc_tracer_install(const goc_tracer *t);

#ifdef __cplusplus
}
#endif

#endif /* GOC_GOC_H */
