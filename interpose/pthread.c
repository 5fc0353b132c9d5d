/*
 * pthread.c — the pthread interceptors: thread life and every pthread
 * synchronisation object, turned into detector events (DESIGN.md
 * "Happens-before edges"; the conventions of tsan-abi.md §1.9 and §4.3).
 *
 * Shape (STYLE.md "The interceptor shape", internal.h): gocrace_thr() NULL
 * passes straight through; otherwise the pre-event, the real call, and on
 * success the post-event, each detector call with gocrace_ignore raised.
 *
 * Threads.
 *   pthread_create   the child's det_thread is made in the parent before the
 *                    real create (create happens before the child's first
 *                    event, except in an AnnotateIgnoreSync region); a
 *                    trampoline in the child makes it current and starts it
 *                    on its stack. A failed create finishes it.
 *   thread end       det_thread_finish from a pthread key destructor, so a
 *                    return, pthread_exit and cancellation all end the same
 *                    way; the destructor re-arms itself until glibc's last
 *                    destructor round (TSan's trick), so the program's own
 *                    key destructors still run as the thread. After the
 *                    finish the OS thread's gocrace_ignore stays raised:
 *                    whatever glibc still does on it is nobody's event.
 *   pthread_join, tryjoin_np, timedjoin_np, clockjoin_np
 *                    on success: everything the child did happens before
 *                    the joiner's next event (det_thread_join; not in an
 *                    AnnotateIgnoreSync region). The thread is looked up
 *                    before the real call (after it, the pthread_t may
 *                    already name a new thread). A pthread_t the runtime
 *                    did not create, or one already joined, is simply not
 *                    found: the real result is returned.
 *   pthread_detach   the det_thread is released when the thread finishes.
 *   pthread_exit     a thread of ours ends through the key destructor; a
 *                    thread we did not start (main, foreign) is finished
 *                    here, before the real exit.
 *   pthread_setname_np, prctl(PR_SET_NAME)
 *                    on success the named thread's det_thread takes the
 *                    name (reports show it); a pthread_t other than the
 *                    caller's is looked up before the real call, as for a
 *                    join. The name is copied while a report may read it:
 *                    a report made at that instant may show a torn name.
 *   fork             in the child, everything the parent process did
 *                    happens before the child's next event
 *                    (det_fork_child); the other threads do not exist
 *                    there. The thread table's lock is held across the
 *                    real fork; the detector's locks are released in the
 *                    child (their holders are gone), so a child forked
 *                    while another thread was inside the detector goes on.
 *                    _Fork likewise. vfork is run as a fork (as TSan does):
 *                    its child would otherwise run on the parent's memory
 *                    and thread state, as the parent thread.
 *
 * Sync objects (S is the detector's clock at the address):
 *   mutex (every type)  lock/trylock/timedlock/clocklock success (and a
 *                       robust mutex's EOWNERDEAD): acquire(m); unlock:
 *                       release(m) before the real unlock; init and destroy
 *                       forget m.
 *   rwlock              Go's RWMutex (tsan-abi.md §4.3): a read lock
 *                       acquires m; a write lock acquires m and m+1; a
 *                       writer's unlock releases m (S := t); a reader's
 *                       unlock release-merges into m+1. So unlock → lock and
 *                       unlock → rdlock go through m, every rdunlock → lock
 *                       through m+1, and readers never order each other (two
 *                       readers writing is a race, as it should be). Whether
 *                       the unlocking thread holds the lock for writing is
 *                       tracked per OS thread (wheld[] below).
 *   cond                wait/timedwait/clockwait: release(mutex) before the
 *                       real wait, acquire(mutex) after it returns, whatever
 *                       it returns (it re-locked the mutex). signal and
 *                       broadcast are no edge, only a read of the cond
 *                       (below): the edge a waiter needs comes through the
 *                       mutex (as Go's sync.Cond).
 *                       The real calls are the GLIBC_2.3.2 versions
 *                       (dlvsym): the unversioned lookup may find 2.2.5's.
 *   barrier             wait: release-merge(b) before, acquire(b) after:
 *                       every arrival happens before every departure.
 *   spinlock            as a mutex.
 *   semaphore           sem_post: release-merge(s) before; sem_wait,
 *                       trywait, timedwait, clockwait success: acquire(s).
 *   once                the init routine's end releases the once object;
 *                       every pthread_once return acquires it. The routine
 *                       takes no argument, so it is passed through a
 *                       thread-local frame (saved and restored: an init
 *                       routine may itself call pthread_once).
 *
 * The objects' own bytes (TSan's model of them): each init and destroy
 * writes the object's first byte; every other operation on it reads that
 * byte atomically (atomic reads never race with each other) — a lock or
 * wait before the real call (so its check is outside the critical
 * section), an unlock, post, signal or barrier arrival before its release.
 * The read takes the instrumented hooks' quick path (gocrace_check_small):
 * through the full check, two reads per lock and unlock doubled the cost
 * of a contended mutex. So destroying, freeing or
 * initialising an object that another thread uses without an order is a
 * race with that use, reported at both calls' lines. A cond wait reads the
 * cond before it unlocks, and the mutex at its unlock and its re-lock.
 *
 * Known gaps (as TSan): a barrier reused at once, before a slow thread has
 * left the previous round, may order that thread after the next round's
 * arrivals; a cancelled cond wait re-locks the mutex without the acquire.
 *
 * State and locks: the thread table (pthread_t → det_thread), a chained
 * hash under one spinlock (table_lock), memory from __libc_malloc (never
 * the program's malloc). Detector calls made under table_lock take only
 * detector-internal locks; nothing here is taken from inside the detector.
 * wheld[], once_cur and self are per OS thread.
 */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_calloc(size_t, size_t);

#define TLS __thread __attribute__((tls_model("initial-exec")))
/* An extra parameter list for the wrapper macros below: P_(int x, int y) */
#define P_(...) , __VA_ARGS__

static inline void guard_forget(const volatile void *addr, size_t size)
{
	gocrace_guard();
	det_sync_forget((uintptr_t)addr, size);
	gocrace_unguard();
}

/* ---- the thread table ------------------------------------------------- */

/* One thread created through pthread_create. It stays in the table while
 * the program may still name its pthread_t; it leaves when it is joined, or
 * detached and finished — but never before the creator's pthread_create has
 * returned (creator_done), since the creator still uses the entry then, nor
 * while a join or detach holds it (pins).
 *
 * Join and detach find the entry BEFORE the real call and keep it pinned:
 * once the real join or detach returns, glibc may hand the same pthread_t
 * to a new thread, whose entry a lookup by tid would find instead. */
typedef struct thr_entry thr_entry;
struct thr_entry {
	det_thread *dt;          /* set before the real create; immutable */
	void *(*fn)(void *);     /* the program's start routine; immutable */
	void *arg;
	pthread_t tid;           /* table_lock; valid while in_table */
	thr_entry *next;         /* table_lock */
	bool in_table;           /* table_lock */
	bool creator_done;       /* table_lock */
	bool detached;           /* table_lock */
	bool finished;           /* table_lock */
	bool joined;             /* table_lock */
	int pins;                /* table_lock: joins/detaches in progress */
	bool unblock;            /* the child unblocks sigmask; immutable */
	sigset_t sigmask;        /* the creator's signal mask; immutable */
};

#define TABLE_SIZE 256
static thr_entry *table[TABLE_SIZE];   /* table_lock */
/* acquire on lock, release on unlock; held across fork */
static atomic_int table_lock;

static void table_lock_take(void)
{
	gocrace_spin_take(&table_lock);
}

static void table_lock_drop(void)
{
	gocrace_spin_drop(&table_lock);
}

static size_t tid_hash(pthread_t tid)
{
	return (size_t)(((uint64_t)tid * 0x9e3779b97f4a7c15ull) >> 56) & (TABLE_SIZE - 1);
}

/* Under table_lock. Idempotent: the creator and the child both insert. */
static void table_insert(thr_entry *e, pthread_t tid)
{
	if (e->in_table)
		return;
	size_t h = tid_hash(tid);
	e->tid = tid;
	e->next = table[h];
	table[h] = e;
	e->in_table = true;
}

/* Under table_lock: the live entry the program means by tid, or NULL.
 * Joined entries and finished detached ones can no longer be named (their
 * pthread_t may already belong to a new thread). */
static thr_entry *table_find(pthread_t tid)
{
	for (thr_entry *e = table[tid_hash(tid)]; e != NULL; e = e->next)
		if (pthread_equal(e->tid, tid) && !e->joined && !(e->detached && e->finished))
			return e;
	return NULL;
}

/* Under table_lock: unlinks e if nobody will use it again; true if so (the
 * caller then releases its det_thread and frees it). */
static bool table_maybe_remove(thr_entry *e)
{
	if (!e->creator_done || e->pins != 0 ||
	    !(e->joined || (e->detached && e->finished)))
		return false;
	if (e->in_table) {
		for (thr_entry **pp = &table[tid_hash(e->tid)]; *pp != NULL; pp = &(*pp)->next)
			if (*pp == e) {
				*pp = e->next;
				break;
			}
		e->in_table = false;
	}
	det_thread_release_ref(e->dt);
	return true;
}

/* ---- thread start and end ---------------------------------------------- */

static pthread_key_t end_key;
static bool end_key_ok;
static TLS thr_entry *self; /* this OS thread's entry, until it finishes */

/* The calling OS thread ends: t (if any) finishes, and the guard is
 * raised for good, since the rest of the thread's life is glibc's (its
 * signals then no longer wait for the guard to come down). */
static void finish_for_good(det_thread *t)
{
	gocrace_signal_thread_end();
	gocrace_guard();
	if (t != NULL)
		det_thread_finish(t);
}

static void thread_end(void)
{
	thr_entry *e = self;
	if (e == NULL)
		return;
	self = NULL;
	finish_for_good(e->dt);
	table_lock_take();
	e->finished = true;
	bool gone = table_maybe_remove(e);
	table_lock_drop();
	if (gone)
		__libc_free(e);
}

static void end_key_destructor(void *v)
{
	uintptr_t round = (uintptr_t)v;
	if (round < PTHREAD_DESTRUCTOR_ITERATIONS) {
		/* Run again in the next round, after the program's destructors. */
		pthread_setspecific(end_key, (void *)(round + 1));
		return;
	}
	thread_end();
}

static void *trampoline(void *p)
{
	thr_entry *e = p;
	gocrace_set_home(e->dt);
	det_set_current(e->dt);
	gocrace_guard(); /* getattr_np allocates; setspecific may */
	pthread_attr_t attr;
	void *lo = NULL;
	size_t size = 0;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &lo, &size) != 0)
			lo = NULL, size = 0;
		pthread_attr_destroy(&attr);
	}
	det_thread_start(e->dt, (uintptr_t)lo, size);
	self = e;
	if (end_key_ok)
		pthread_setspecific(end_key, (void *)1);
	table_lock_take();
	table_insert(e, pthread_self());
	table_lock_drop();
	gocrace_unguard();
	/* the signals that came meanwhile run their handlers now, as this
	 * thread's code */
	if (e->unblock)
		gocrace_sigmask(SIG_SETMASK, &e->sigmask, NULL);
	return e->fn(e->arg);
}

void gocrace_pthread_init(void)
{
	end_key_ok = pthread_key_create(&end_key, end_key_destructor) == 0;
}

GOCRACE_REAL(int, pthread_create, pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

/* attr gives the new thread a signal mask of its own
 * (pthread_attr_setsigmask_np). */
static bool attr_has_sigmask(const pthread_attr_t *attr)
{
	sigset_t set;
	return attr != NULL && pthread_attr_getsigmask_np(attr, &set) == 0;
}

GOCRACE_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr,
                                  void *(*fn)(void *), void *arg)
{
	GOCRACE_RESOLVE(pthread_create);
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return real_pthread_create(th, attr, fn, arg);
	gocrace_guard();
	thr_entry *e = __libc_calloc(1, sizeof *e);
	if (e == NULL) {
		gocrace_unguard();
		return EAGAIN;
	}
	e->fn = fn;
	e->arg = arg;
	int ds = PTHREAD_CREATE_JOINABLE;
	if (attr != NULL && pthread_attr_getdetachstate(attr, &ds) == 0 &&
	    ds == PTHREAD_CREATE_DETACHED)
		e->detached = true;
	/* inside an ignore-sync region the creation orders nothing, as TSan */
	det_thread *parent = gocrace_ignore_sync == 0 ? t : NULL;
	e->dt = det_thread_create(parent, DET_KIND_THREAD, -1, gocrace_stack_here(t, 1));
	gocrace_unguard();

	/* The child starts with every signal blocked, and the trampoline
	 * unblocks them once the thread is known: a handler that ran before
	 * would be a thread of its own, ordered with nothing (false races;
	 * TSan blocks them too). A mask in attr is the child's own: then
	 * not. The creator's mask goes straight into e (no copy the runtime
	 * would see as the program's). */
	sigset_t all;
	sigfillset(&all);
	e->unblock = !attr_has_sigmask(attr) &&
	             gocrace_sigmask(SIG_SETMASK, &all, &e->sigmask) == 0;
	int r = real_pthread_create(th, attr, trampoline, e);
	if (e->unblock)
		gocrace_sigmask(SIG_SETMASK, &e->sigmask, NULL);

	gocrace_guard();
	if (r != 0) {
		det_thread_finish(e->dt);
		det_thread_release_ref(e->dt);
		__libc_free(e);
	} else {
		table_lock_take();
		table_insert(e, *th);
		e->creator_done = true;
		bool gone = table_maybe_remove(e);
		table_lock_drop();
		if (gone)
			__libc_free(e);
	}
	gocrace_unguard();
	return r;
}

/* The live entry for tid, pinned; NULL if the runtime did not create that
 * thread (or it is already joined). */
static thr_entry *pin(pthread_t tid)
{
	gocrace_guard();
	table_lock_take();
	thr_entry *e = table_find(tid);
	if (e != NULL)
		e->pins++;
	table_lock_drop();
	gocrace_unguard();
	return e;
}

enum { UNPIN_ONLY, UNPIN_JOINED, UNPIN_DETACHED };

/* Drops a pin after the real call; joined: everything e's thread did
 * happens before t's next event. */
static void unpin(det_thread *t, thr_entry *e, int outcome)
{
	gocrace_guard();
	table_lock_take();
	e->pins--;
	if (outcome == UNPIN_JOINED) {
		if (gocrace_ignore_sync == 0)
			det_thread_join(t, e->dt);
		e->joined = true;
	} else if (outcome == UNPIN_DETACHED) {
		e->detached = true;
	}
	bool gone = table_maybe_remove(e);
	table_lock_drop();
	if (gone)
		__libc_free(e);
	gocrace_unguard();
}

#define JOIN_WRAPPER(name, params, args)                                      \
	GOCRACE_REAL(int, name, pthread_t, void ** params);                       \
	GOCRACE_EXPORT int name(pthread_t tid, void **ret params)                 \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		det_thread *t = gocrace_thr();                                        \
		thr_entry *e = t != NULL ? pin(tid) : NULL;                           \
		int r = real_##name(tid, ret args);                                   \
		if (e != NULL)                                                        \
			unpin(t, e, r == 0 ? UNPIN_JOINED : UNPIN_ONLY);                  \
		return r;                                                             \
	}

JOIN_WRAPPER(pthread_join, , )
JOIN_WRAPPER(pthread_tryjoin_np, , )
JOIN_WRAPPER(pthread_timedjoin_np, P_(const struct timespec *abs), P_(abs))
JOIN_WRAPPER(pthread_clockjoin_np, P_(clockid_t clk, const struct timespec *abs), P_(clk, abs))

GOCRACE_REAL(int, pthread_detach, pthread_t);

GOCRACE_EXPORT int pthread_detach(pthread_t tid)
{
	GOCRACE_RESOLVE(pthread_detach);
	det_thread *t = gocrace_thr();
	thr_entry *e = t != NULL ? pin(tid) : NULL;
	int r = real_pthread_detach(tid);
	if (e != NULL)
		unpin(t, e, r == 0 ? UNPIN_DETACHED : UNPIN_ONLY);
	return r;
}

GOCRACE_REAL(void, pthread_exit, void *);

GOCRACE_EXPORT void pthread_exit(void *ret)
{
	GOCRACE_RESOLVE(pthread_exit);
	det_thread *t = gocrace_thr();
	if (t != NULL && self == NULL) {
		/* Not started by our trampoline (the main thread, or one that
		 * began before init): finish its own det_thread now, as
		 * thread_end does. */
		finish_for_good(gocrace_home());
	}
	real_pthread_exit(ret);
	__builtin_unreachable();
}

/* ---- SIGEV_THREAD timers ----------------------------------------------- */

/* timer_create with SIGEV_THREAD: glibc runs the notify function on a
 * thread it creates itself, without the pthread_create the runtime sees.
 * So the runtime puts its own function in between (timer_thunk_run): the
 * notify thread is a thread of the runtime's, created at timer_create's
 * call, and it acquires what timer_create and every timer_settime of the
 * timer released (the arming happens before the expiry it arms); it
 * finishes when the notify function returns, so that its slot comes back.
 * timer_delete unlinks the timer's thunk but does not free it: a notify
 * call may still be running, and glibc gives no way to wait for it (one
 * small block per timer). */
typedef struct timer_thunk timer_thunk;
struct timer_thunk {
	void (*fn)(union sigval);
	union sigval value;
	det_ctx created_at;
	timer_t id;          /* thunks_lock */
	timer_thunk *next;   /* thunks_lock */
};

static timer_thunk *thunks;     /* thunks_lock */
static atomic_int thunks_lock;

static timer_thunk *thunk_of(timer_t id, bool unlink)
{
	gocrace_spin_take(&thunks_lock);
	timer_thunk **pp = &thunks;
	while (*pp != NULL && (*pp)->id != id)
		pp = &(*pp)->next;
	timer_thunk *k = *pp;
	if (k != NULL && unlink)
		*pp = k->next;
	gocrace_spin_drop(&thunks_lock);
	return k;
}

static void timer_thunk_run(union sigval v)
{
	timer_thunk *k = v.sival_ptr;
	if (!gocrace_ready || self != NULL || (gocrace_ignore & GOCRACE_GUARD) != 0) {
		k->fn(k->value);
		return;
	}
	/* glibc's own calls on this thread (its free, say) may have made it a
	 * thread of the runtime's already, with no creator: that one ends
	 * here too */
	det_thread *before = det_current();
	det_thread *t = gocrace_thr_adopt(k->created_at);
	gocrace_acquire(t, k);
	k->fn(k->value);
	/* the thread ends when this returns: its slots come back, and glibc's
	 * own code after it is not the program's */
	finish_for_good(t);
	det_thread_release_ref(t);
	if (before != NULL && before != t) {
		det_thread_finish(before);
		det_thread_release_ref(before);
	}
}

GOCRACE_REAL(int, timer_create, clockid_t, struct sigevent *, timer_t *);
GOCRACE_REAL(int, timer_settime, timer_t, int, const struct itimerspec *, struct itimerspec *);
GOCRACE_REAL(int, timer_delete, timer_t);

GOCRACE_EXPORT int timer_create(clockid_t clock, struct sigevent *ev, timer_t *id)
{
	GOCRACE_RESOLVE(timer_create);
	det_thread *t = gocrace_thr();
	if (t == NULL || ev == NULL || ev->sigev_notify != SIGEV_THREAD)
		return real_timer_create(clock, ev, id);
	gocrace_guard(); /* the copies are the runtime's own */
	timer_thunk *k = __libc_calloc(1, sizeof *k);
	if (k == NULL) {
		gocrace_unguard();
		return real_timer_create(clock, ev, id);
	}
	k->fn = ev->sigev_notify_function;
	k->value = ev->sigev_value;
	k->created_at = gocrace_stack_here(t, 1);
	struct sigevent mine = *ev;
	mine.sigev_notify_function = timer_thunk_run;
	mine.sigev_value.sival_ptr = k;
	gocrace_unguard();
	gocrace_release(t, k);
	int r = real_timer_create(clock, &mine, id);
	if (r != 0) {
		__libc_free(k);
		return r;
	}
	k->id = *id;
	gocrace_spin_take(&thunks_lock);
	k->next = thunks;
	thunks = k;
	gocrace_spin_drop(&thunks_lock);
	return r;
}

GOCRACE_EXPORT int timer_settime(timer_t id, int flags, const struct itimerspec *value,
                                 struct itimerspec *old)
{
	GOCRACE_RESOLVE(timer_settime);
	det_thread *t = gocrace_thr();
	timer_thunk *k = t != NULL ? thunk_of(id, false) : NULL;
	if (k != NULL)
		gocrace_release_merge(t, k);
	return real_timer_settime(id, flags, value, old);
}

GOCRACE_EXPORT int timer_delete(timer_t id)
{
	GOCRACE_RESOLVE(timer_delete);
	(void)thunk_of(id, true);
	return real_timer_delete(id);
}

/* ---- C++ function-local statics --------------------------------------- */

/* A function-local static with a dynamic initialiser is guarded by libstdc++
 * (the Itanium C++ ABI's __cxa_guard_*), whose own atomics the detector
 * does not see: without these, every thread that uses the static after
 * the one that initialised it is a false race with the initialiser. The
 * compiler inlines the check of the guard's first byte (an acquire load,
 * instrumented: an acquire on the guard's address) and calls
 * __cxa_guard_acquire only when it is clear. So, as in TSan: the
 * initialiser's release (release: everything it did, before the real
 * __cxa_guard_release publishes the byte), and an acquire by a thread
 * whose __cxa_guard_acquire found the static initialised meanwhile (it
 * returns 0). __cxa_guard_abort (the initialiser threw) orders nothing. */
GOCRACE_REAL(int, __cxa_guard_acquire, uint64_t *);
GOCRACE_REAL(void, __cxa_guard_release, uint64_t *);

GOCRACE_EXPORT int __cxa_guard_acquire(uint64_t *guard)
{
	GOCRACE_RESOLVE(__cxa_guard_acquire);
	int r = real___cxa_guard_acquire(guard);
	det_thread *t = gocrace_thr();
	if (r == 0 && t != NULL)
		gocrace_acquire(t, guard);
	return r;
}

GOCRACE_EXPORT void __cxa_guard_release(uint64_t *guard)
{
	GOCRACE_RESOLVE(__cxa_guard_release);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_release(t, guard);
	real___cxa_guard_release(guard);
}

/* ---- thread names ------------------------------------------------------ */

/* The det_thread of the OS thread tid names, or NULL if the runtime does
 * not know it. A det_thread outlives its table entry (detector.h), so it
 * may be used after the lock is dropped. */
static det_thread *thread_of(pthread_t tid)
{
	if (pthread_equal(tid, pthread_self()))
		return gocrace_home();
	gocrace_guard();
	table_lock_take();
	thr_entry *e = table_find(tid);
	det_thread *dt = e != NULL ? e->dt : NULL;
	table_lock_drop();
	gocrace_unguard();
	return dt;
}

GOCRACE_REAL(int, pthread_setname_np, pthread_t, const char *);

/* The thread is looked up before the real call, as for a join: after it,
 * the pthread_t may name a new thread. */
GOCRACE_EXPORT int pthread_setname_np(pthread_t tid, const char *name)
{
	GOCRACE_RESOLVE(pthread_setname_np);
	det_thread *t = gocrace_thr();
	det_thread *dt = t != NULL ? thread_of(tid) : NULL;
	int r = real_pthread_setname_np(tid, name);
	if (dt != NULL && r == 0)
		gocrace_name_thread(dt, name);
	return r;
}

GOCRACE_REAL(int, prctl, int, ...);

/* prctl(PR_SET_NAME, name) names the calling thread. glibc's prctl takes
 * four more words whatever the option; they are passed on unchanged. */
GOCRACE_EXPORT int prctl(int option, ...)
{
	va_list ap;
	va_start(ap, option);
	unsigned long a2 = va_arg(ap, unsigned long);
	unsigned long a3 = va_arg(ap, unsigned long);
	unsigned long a4 = va_arg(ap, unsigned long);
	unsigned long a5 = va_arg(ap, unsigned long);
	va_end(ap);
	GOCRACE_RESOLVE(prctl);
	det_thread *self = option == PR_SET_NAME && gocrace_thr() != NULL ? gocrace_home() : NULL;
	int r = real_prctl(option, a2, a3, a4, a5);
	if (self != NULL && r == 0) {
		/* The kernel takes at most 15 bytes and need not find a NUL. */
		const char *s = (const char *)a2;
		char name[16];
		size_t i = 0;
		for (; i < sizeof name - 1 && s[i] != '\0'; i++)
			name[i] = s[i];
		name[i] = '\0';
		gocrace_name_thread(self, name);
	}
	return r;
}

/* ---- fork ------------------------------------------------------------- */

GOCRACE_REAL(pid_t, fork, void);
GOCRACE_REAL(pid_t, _Fork, void);

static pid_t fork_common(pid_t (*real)(void))
{
	det_thread *t = gocrace_thr();
	/* The table is consistent in the child: nobody is half-way through
	 * an update when the lock is ours. The detector's locks are reset in
	 * the child instead: a thread inside the detector at the fork does not
	 * exist there, and the state it was updating is a remembered access
	 * or a clock at worst. */
	table_lock_take();
	pid_t pid = real();
	table_lock_drop();
	if (pid == 0) {
		gocrace_guard();
		det_fork_child(t);
		gocrace_signal_fork_child();
		gocrace_fork_child_sinks();
		gocrace_unguard();
	}
	return pid;
}

GOCRACE_EXPORT pid_t fork(void)
{
	GOCRACE_RESOLVE(fork);
	return fork_common(real_fork);
}

/* glibc's fork without the atfork handlers: the same for the detector. */
GOCRACE_EXPORT pid_t _Fork(void)
{
	GOCRACE_RESOLVE(_Fork);
	return fork_common(real__Fork);
}

/* A vfork child would run in the parent's memory, on the parent's thread
 * state (TLS, shadow stack, det_thread) until it execs: whatever it did
 * there — an instrumented call left unreturned by the exec, a report, an
 * exit handler — would be the parent's. A wrapper cannot run the real
 * vfork either (its child must not return from the function that called
 * vfork, and the wrapper's return would). So vfork is a fork, as in TSan:
 * correct for every child that only execs or _exits, which is all POSIX
 * allows it to do. */
GOCRACE_EXPORT pid_t vfork(void)
{
	GOCRACE_RESOLVE(fork);
	return fork_common(real_fork);
}

/* ---- mutexes and spinlocks -------------------------------------------- */

/* An operation's read of the object's first byte, at pc (the header). */
static inline void obj_use(det_thread *t, const volatile void *obj, uintptr_t pc)
{
	if (!gocrace_in_region())
		gocrace_check_small(t, obj, 1, pc, DET_READ | DET_ATOMIC);
}

/* An init's or destroy's write of it. */
static inline void obj_write(det_thread *t, const volatile void *obj, uintptr_t pc)
{
	gocrace_access(t, obj, 1, pc, DET_WRITE);
}

/* An init: on success the object is written, and is new: no clock. */
#define INIT_WRAPPER(name, obj_t, params, args)                               \
	GOCRACE_REAL(int, name, obj_t * params);                                  \
	GOCRACE_EXPORT int name(obj_t *m params)                                  \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		det_thread *t = gocrace_thr();                                        \
		int r = real_##name(m args);                                          \
		if (t != NULL && r == 0) {                                            \
			obj_write(t, m, GOCRACE_CALLER_PC());                             \
			guard_forget(m, sizeof *m);                                       \
		}                                                                     \
		return r;                                                             \
	}

INIT_WRAPPER(pthread_mutex_init, pthread_mutex_t, P_(const pthread_mutexattr_t *a), P_(a))
INIT_WRAPPER(pthread_spin_init, pthread_spinlock_t, P_(int pshared), P_(pshared))
INIT_WRAPPER(pthread_rwlock_init, pthread_rwlock_t, P_(const pthread_rwlockattr_t *a), P_(a))
INIT_WRAPPER(pthread_barrier_init, pthread_barrier_t,
             P_(const pthread_barrierattr_t *a, unsigned count), P_(a, count))
INIT_WRAPPER(sem_init, sem_t, P_(int pshared, unsigned value), P_(pshared, value))

/* A lock or wait that, when ok holds of its result r, acquires the
 * object's clock: mutex and spinlock locks, read locks, semaphore waits. */
#define ACQUIRE_WRAPPER(name, obj_t, ok, params, args)                       \
	GOCRACE_REAL(int, name, obj_t * params);                                 \
	GOCRACE_EXPORT int name(obj_t *m params)                                 \
	{                                                                        \
		GOCRACE_RESOLVE(name);                                               \
		det_thread *t = gocrace_thr();                                       \
		if (t != NULL)                                                       \
			obj_use(t, m, GOCRACE_CALLER_PC());                              \
		int r = real_##name(m args);                                         \
		if (t != NULL && (ok))                                               \
			gocrace_acquire(t, m);                                           \
		return r;                                                            \
	}

/* A robust mutex whose owner died is locked by the caller (EOWNERDEAD). */
ACQUIRE_WRAPPER(pthread_mutex_lock, pthread_mutex_t, r == 0 || r == EOWNERDEAD, , )
ACQUIRE_WRAPPER(pthread_mutex_trylock, pthread_mutex_t, r == 0 || r == EOWNERDEAD, , )
ACQUIRE_WRAPPER(pthread_mutex_timedlock, pthread_mutex_t, r == 0 || r == EOWNERDEAD,
                P_(const struct timespec *abs), P_(abs))
ACQUIRE_WRAPPER(pthread_mutex_clocklock, pthread_mutex_t, r == 0 || r == EOWNERDEAD,
                P_(clockid_t clk, const struct timespec *abs), P_(clk, abs))
ACQUIRE_WRAPPER(pthread_spin_lock, pthread_spinlock_t, r == 0, , )
ACQUIRE_WRAPPER(pthread_spin_trylock, pthread_spinlock_t, r == 0, , )

/* An unlock or post: release (or release-merge) before the real call. */
#define RELEASE_WRAPPER(name, obj_t, release)                                \
	GOCRACE_REAL(int, name, obj_t *);                                        \
	GOCRACE_EXPORT int name(obj_t *m)                                        \
	{                                                                        \
		GOCRACE_RESOLVE(name);                                               \
		det_thread *t = gocrace_thr();                                       \
		if (t != NULL) {                                                     \
			obj_use(t, m, GOCRACE_CALLER_PC());                              \
			release(t, m);                                                   \
		}                                                                    \
		return real_##name(m);                                               \
	}

RELEASE_WRAPPER(pthread_mutex_unlock, pthread_mutex_t, gocrace_release)
RELEASE_WRAPPER(pthread_spin_unlock, pthread_spinlock_t, gocrace_release)

/* A destroy writes the object, failed or not (TSan's rule: it was
 * attempted); on success its clock is forgotten. */
#define DESTROY_WRAPPER(name, obj_t)                                         \
	GOCRACE_REAL(int, name, obj_t *);                                        \
	GOCRACE_EXPORT int name(obj_t *m)                                        \
	{                                                                        \
		GOCRACE_RESOLVE(name);                                               \
		det_thread *t = gocrace_thr();                                       \
		if (t != NULL)                                                       \
			obj_write(t, m, GOCRACE_CALLER_PC());                            \
		int r = real_##name(m);                                              \
		if (t != NULL && r == 0)                                             \
			guard_forget(m, sizeof *m);                                      \
		return r;                                                            \
	}

DESTROY_WRAPPER(pthread_mutex_destroy, pthread_mutex_t)
DESTROY_WRAPPER(pthread_spin_destroy, pthread_spinlock_t)
DESTROY_WRAPPER(pthread_barrier_destroy, pthread_barrier_t)
DESTROY_WRAPPER(sem_destroy, sem_t)

/* ---- rwlocks ---------------------------------------------------------- */

/* The rwlocks this OS thread holds for writing (a writer's unlock must
 * release, a reader's must merge). Per OS thread loses nothing: glibc's
 * own pthread_rwlock_unlock tells a writer by comparing the lock's
 * __cur_writer with the calling thread's tid, so a write lock must be
 * unlocked on the thread that took it (a goroutine cannot move in between).
 * Past WHELD_MAX, that same test of glibc's decides. */
#define WHELD_MAX 32
static TLS pthread_rwlock_t *wheld[WHELD_MAX];
static TLS int nwheld;
static TLS int wheld_overflow;

static void wheld_push(pthread_rwlock_t *rw)
{
	if (nwheld < WHELD_MAX)
		wheld[nwheld++] = rw;
	else
		wheld_overflow++;
}

/* true (and forgotten) if this thread holds rw for writing */
static bool wheld_pop(pthread_rwlock_t *rw)
{
	for (int i = nwheld - 1; i >= 0; i--)
		if (wheld[i] == rw) {
			wheld[i] = wheld[--nwheld];
			return true;
		}
	if (wheld_overflow > 0 &&
	    rw->__data.__cur_writer == (int)syscall(SYS_gettid)) {
		wheld_overflow--;
		return true;
	}
	return false;
}

ACQUIRE_WRAPPER(pthread_rwlock_rdlock, pthread_rwlock_t, r == 0, , )
ACQUIRE_WRAPPER(pthread_rwlock_tryrdlock, pthread_rwlock_t, r == 0, , )
ACQUIRE_WRAPPER(pthread_rwlock_timedrdlock, pthread_rwlock_t, r == 0,
                P_(const struct timespec *abs), P_(abs))
ACQUIRE_WRAPPER(pthread_rwlock_clockrdlock, pthread_rwlock_t, r == 0,
                P_(clockid_t clk, const struct timespec *abs), P_(clk, abs))

#define WRLOCK_WRAPPER(name, params, args)                                    \
	GOCRACE_REAL(int, name, pthread_rwlock_t * params);                       \
	GOCRACE_EXPORT int name(pthread_rwlock_t *rw params)                      \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		det_thread *t = gocrace_thr();                                        \
		int r = real_##name(rw args);                                         \
		if (r == 0)                                                           \
			wheld_push(rw);                                                   \
		if (t != NULL)                                                        \
			obj_use(t, rw, GOCRACE_CALLER_PC());                              \
		if (t != NULL && r == 0) {                                            \
			gocrace_acquire(t, rw);                                           \
			gocrace_acquire(t, (const char *)rw + 1);                         \
		}                                                                     \
		return r;                                                             \
	}

WRLOCK_WRAPPER(pthread_rwlock_wrlock, , )
WRLOCK_WRAPPER(pthread_rwlock_trywrlock, , )
WRLOCK_WRAPPER(pthread_rwlock_timedwrlock, P_(const struct timespec *abs), P_(abs))
WRLOCK_WRAPPER(pthread_rwlock_clockwrlock, P_(clockid_t clk, const struct timespec *abs),
               P_(clk, abs))

GOCRACE_REAL(int, pthread_rwlock_unlock, pthread_rwlock_t *);
GOCRACE_REAL(int, pthread_rwlock_destroy, pthread_rwlock_t *);

GOCRACE_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
	GOCRACE_RESOLVE(pthread_rwlock_destroy);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		obj_write(t, rw, GOCRACE_CALLER_PC());
	int r = real_pthread_rwlock_destroy(rw);
	if (r == 0) {
		/* a stale entry would make the next rwlock here a writer's */
		while (wheld_pop(rw))
			;
		if (t != NULL)
			guard_forget(rw, sizeof *rw);
	}
	return r;
}

GOCRACE_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
	GOCRACE_RESOLVE(pthread_rwlock_unlock);
	det_thread *t = gocrace_thr();
	bool writer = wheld_pop(rw); /* always: an ignored lock is still held */
	if (t != NULL) {
		obj_use(t, rw, GOCRACE_CALLER_PC());
		if (writer)
			gocrace_release(t, rw);
		else
			gocrace_release_merge(t, (const char *)rw + 1);
	}
	return real_pthread_rwlock_unlock(rw);
}

/* ---- condition variables ---------------------------------------------- */

/* The current implementation, not the 2.2.5 compatibility one that an
 * unversioned dlsym may find; elsewhere (one version only) dlsym's. */
static void *real_versioned(const char *name)
{
	void *p = dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2");
	return p != NULL ? p : gocrace_real(name);
}

#define RESOLVE_VERSIONED(name)                                              \
	do {                                                                     \
		if (GOCRACE_UNLIKELY(real_##name == NULL))                           \
			real_##name = real_versioned(#name);                             \
	} while (0)

/* A wait unlocks m and locks it again, whatever it returns. */
#define COND_WAIT_WRAPPER(name, resolve, params, args)                       \
	GOCRACE_REAL(int, name, pthread_cond_t *, pthread_mutex_t * params);     \
	GOCRACE_EXPORT int name(pthread_cond_t *c, pthread_mutex_t *m params)    \
	{                                                                        \
		resolve(name);                                                       \
		det_thread *t = gocrace_thr();                                       \
		uintptr_t pc = GOCRACE_CALLER_PC();                                  \
		if (t != NULL) {                                                     \
			obj_use(t, c, pc);                                               \
			obj_use(t, m, pc);                                               \
			gocrace_release(t, m);                                           \
		}                                                                    \
		int r = real_##name(c, m args);                                      \
		if (t != NULL) {                                                     \
			obj_use(t, m, pc);                                               \
			gocrace_acquire(t, m);                                           \
		}                                                                    \
		return r;                                                            \
	}

COND_WAIT_WRAPPER(pthread_cond_wait, RESOLVE_VERSIONED, , )
COND_WAIT_WRAPPER(pthread_cond_timedwait, RESOLVE_VERSIONED, P_(const struct timespec *abs),
                  P_(abs))
COND_WAIT_WRAPPER(pthread_cond_clockwait, GOCRACE_RESOLVE,
                  P_(clockid_t clk, const struct timespec *abs), P_(clk, abs))

/* signal and broadcast only read the cond (the header): the edge a
 * waiter needs comes through the mutex. */
#define COND_USE_WRAPPER(name)                                               \
	GOCRACE_REAL(int, name, pthread_cond_t *);                               \
	GOCRACE_EXPORT int name(pthread_cond_t *c)                               \
	{                                                                        \
		RESOLVE_VERSIONED(name);                                             \
		det_thread *t = gocrace_thr();                                       \
		if (t != NULL)                                                       \
			obj_use(t, c, GOCRACE_CALLER_PC());                              \
		return real_##name(c);                                               \
	}

COND_USE_WRAPPER(pthread_cond_signal)
COND_USE_WRAPPER(pthread_cond_broadcast)

GOCRACE_REAL(int, pthread_cond_init, pthread_cond_t *, const pthread_condattr_t *);
GOCRACE_REAL(int, pthread_cond_destroy, pthread_cond_t *);

GOCRACE_EXPORT int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	RESOLVE_VERSIONED(pthread_cond_init);
	det_thread *t = gocrace_thr();
	int r = real_pthread_cond_init(c, a);
	if (t != NULL && r == 0)
		obj_write(t, c, GOCRACE_CALLER_PC());
	return r;
}

GOCRACE_EXPORT int pthread_cond_destroy(pthread_cond_t *c)
{
	RESOLVE_VERSIONED(pthread_cond_destroy);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		obj_write(t, c, GOCRACE_CALLER_PC());
	return real_pthread_cond_destroy(c);
}

/* ---- barriers --------------------------------------------------------- */

GOCRACE_REAL(int, pthread_barrier_wait, pthread_barrier_t *);

GOCRACE_EXPORT int pthread_barrier_wait(pthread_barrier_t *b)
{
	GOCRACE_RESOLVE(pthread_barrier_wait);
	det_thread *t = gocrace_thr();
	if (t != NULL) {
		obj_use(t, b, GOCRACE_CALLER_PC());
		gocrace_release_merge(t, b);
	}
	int r = real_pthread_barrier_wait(b);
	if (t != NULL && (r == 0 || r == PTHREAD_BARRIER_SERIAL_THREAD))
		gocrace_acquire(t, b);
	return r;
}

/* ---- semaphores ------------------------------------------------------- */

RELEASE_WRAPPER(sem_post, sem_t, gocrace_release_merge)
ACQUIRE_WRAPPER(sem_wait, sem_t, r == 0, , )
ACQUIRE_WRAPPER(sem_trywait, sem_t, r == 0, , )
ACQUIRE_WRAPPER(sem_timedwait, sem_t, r == 0, P_(const struct timespec *abs), P_(abs))
ACQUIRE_WRAPPER(sem_clockwait, sem_t, r == 0, P_(clockid_t clk, const struct timespec *abs),
                P_(clk, abs))

/* ---- once ------------------------------------------------------------- */

struct once_frame {
	void (*routine)(void);
	pthread_once_t *once;
};

/* The frame of the innermost pthread_once running on this thread. */
static TLS struct once_frame *once_cur;

static void once_trampoline(void)
{
	struct once_frame *f = once_cur;
	f->routine();
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_release(t, f->once);
}

GOCRACE_REAL(int, pthread_once, pthread_once_t *, void (*)(void));

GOCRACE_EXPORT int pthread_once(pthread_once_t *once, void (*routine)(void))
{
	GOCRACE_RESOLVE(pthread_once);
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return real_pthread_once(once, routine);
	struct once_frame f = {routine, once};
	struct once_frame *saved = once_cur;
	once_cur = &f;
	int r;
	{
		det_thread *st __attribute__((cleanup(gocrace_call_cleanup))) = gocrace_stack_thr();
		gocrace_call_begin(st, GOCRACE_CALLER_PC());
		r = real_pthread_once(once, once_trampoline);
	}
	once_cur = saved;
	gocrace_acquire(t, once);
	return r;
}
