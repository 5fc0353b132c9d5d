/*
 * pthread.c — the thread interceptors: thread life (pthread and C11),
 * SIGEV_THREAD timers, thread names and fork, turned into detector events
 * (DESIGN.md "Happens-before edges"). The synchronisation objects are
 * sync.c's.
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
 *   thrd_create, thrd_join, thrd_detach, thrd_exit (C11)
 *                    as their pthread twins: glibc calls those by internal
 *                    names, which the preload does not see.
 *   pthread_setname_np, prctl(PR_SET_NAME)
 *                    on success the named thread's det_thread takes the
 *                    name (reports show it); a pthread_t other than the
 *                    caller's is looked up before the real call, as for a
 *                    join. The name is copied while a report may read it:
 *                    a report made at that instant may show a torn name.
 *   fork             (atfork handlers, so also glibc's own forks: daemon,
 *                    forkpty) in the child, everything the parent process
 *                    did happens before the child's next event
 *                    (det_fork_child); the other threads do not exist
 *                    there. The thread table's lock is held across the
 *                    real fork; the detector's locks are released in the
 *                    child (their holders are gone), so a child forked
 *                    while another thread was inside the detector goes on.
 *                    _Fork, which runs no atfork handlers, runs the
 *                    runtime's own (not the program's). vfork is run as
 *                    a fork (as TSan does):
 *                    its child would otherwise run on the parent's memory
 *                    and thread state, as the parent thread.
 *
 * State and locks: the thread table (pthread_t → det_thread), a chained
 * hash under one spinlock (table_lock), memory from __libc_malloc (never
 * the program's malloc). Detector calls made under table_lock take only
 * detector-internal locks; nothing here is taken from inside the detector.
 * self is per OS thread.
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
#include <threads.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_calloc(size_t, size_t);

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
	int (*c11_fn)(void *);   /* or its thrd_create start routine */
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
	if (t != NULL)
		gocrace_sync_thread_end(t);
	gocrace_guard();
	if (t != NULL)
		det_thread_finish(t);
	/* whatever is current (a goroutine, a fiber) stops being current here */
	det_set_current(NULL);
}

static void thread_end(void)
{
	thr_entry *e = self;
	if (e == NULL) {
		/* a thread the runtime adopted (gocrace_watch_end): whatever is
		 * current on it stops being current, its thread-local block
		 * going with it */
		gocrace_guard();
		det_set_current(NULL);
		return;
	}
	self = NULL;
	finish_for_good(e->dt);
	table_lock_take();
	e->finished = true;
	bool gone = table_maybe_remove(e);
	table_lock_drop();
	if (gone)
		__libc_free(e);
}

void gocrace_watch_end(void)
{
	if (end_key_ok && self == NULL)
		pthread_setspecific(end_key, (void *)1);
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
	gocrace_guard(); /* getattr_np allocates; setspecific may; and
	                  * det_thread_start's det_set_current wants no
	                  * signal handler */
	gocrace_set_home(e->dt);
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
	if (e->c11_fn != NULL) /* glibc's own start_thread makes the same cast */
		return (void *)(intptr_t)e->c11_fn(e->arg);
	return e->fn(e->arg);
}

static void fork_prepare(void), fork_parent(void), fork_child(void);

void gocrace_pthread_init(void)
{
	end_key_ok = pthread_key_create(&end_key, end_key_destructor) == 0;
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

GOCRACE_REAL(int, pthread_create, pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

/* attr gives the new thread a signal mask of its own
 * (pthread_attr_setsigmask_np). */
static bool attr_has_sigmask(const pthread_attr_t *attr)
{
	sigset_t set;
	return attr != NULL && pthread_attr_getsigmask_np(attr, &set) == 0;
}

/* The stack where the calling exported function was called (its caller's
 * and up), the guard raised: inlined into that function, so that
 * gocrace_stack_here's one frame skipped is the function's own. */
static inline __attribute__((always_inline)) det_ctx called_from(det_thread *t)
{
	gocrace_guard();
	det_ctx at = gocrace_stack_here(t, 1);
	gocrace_unguard();
	return at;
}

/* pthread_create's and thrd_create's work, for a thread t of ours: the
 * child's det_thread before the real create (created_at), its start
 * routine (fn, or c11_fn) behind the trampoline. */
static int create_thread(det_thread *t, pthread_t *th, const pthread_attr_t *attr,
                         void *(*fn)(void *), int (*c11_fn)(void *), void *arg,
                         det_ctx created_at)
{
	GOCRACE_RESOLVE(pthread_create);
	gocrace_guard();
	thr_entry *e = __libc_calloc(1, sizeof *e);
	if (e == NULL) {
		gocrace_unguard();
		return EAGAIN;
	}
	e->fn = fn;
	e->c11_fn = c11_fn;
	e->arg = arg;
	int ds = PTHREAD_CREATE_JOINABLE;
	if (attr != NULL && pthread_attr_getdetachstate(attr, &ds) == 0 &&
	    ds == PTHREAD_CREATE_DETACHED)
		e->detached = true;
	/* inside an ignore-sync region the creation orders nothing, as TSan */
	det_thread *parent = gocrace_ignore_sync == 0 ? t : NULL;
	e->dt = det_thread_create(parent, DET_KIND_THREAD, -1, created_at);
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

GOCRACE_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr,
                                  void *(*fn)(void *), void *arg)
{
	GOCRACE_RESOLVE(pthread_create);
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return real_pthread_create(th, attr, fn, arg);
	return create_thread(t, th, attr, fn, NULL, arg, called_from(t));
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

/* A join or detach of thread tid (the parameter named so in params; the
 * lists are parenthesised): the entry is pinned around the real call, and
 * its success (0, which is also C11's thrd_success) is done as outcome. */
#define PINNED_WRAPPER(name, outcome, params, args)                           \
	static int (*real_##name) params;                                         \
	GOCRACE_EXPORT int name params                                            \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		det_thread *t = gocrace_thr();                                        \
		thr_entry *e = t != NULL ? pin(tid) : NULL;                           \
		int r = real_##name args;                                             \
		if (e != NULL)                                                        \
			unpin(t, e, r == 0 ? outcome : UNPIN_ONLY);                       \
		return r;                                                             \
	}

PINNED_WRAPPER(pthread_join, UNPIN_JOINED, (pthread_t tid, void **ret), (tid, ret))
PINNED_WRAPPER(pthread_tryjoin_np, UNPIN_JOINED, (pthread_t tid, void **ret), (tid, ret))
PINNED_WRAPPER(pthread_timedjoin_np, UNPIN_JOINED,
               (pthread_t tid, void **ret, const struct timespec *abs), (tid, ret, abs))
PINNED_WRAPPER(pthread_clockjoin_np, UNPIN_JOINED,
               (pthread_t tid, void **ret, clockid_t clk, const struct timespec *abs),
               (tid, ret, clk, abs))
PINNED_WRAPPER(pthread_detach, UNPIN_DETACHED, (pthread_t tid), (tid))

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

/* ---- C11 threads (<threads.h>) ------------------------------------------ */

/* glibc's thrd_create, thrd_join, thrd_detach and thrd_exit call its
 * pthread functions by internal names, which no preload sees: a C11
 * thread was unknown (its first event made it a thread ordered with
 * nothing) and its join no edge. thrd_create is pthread_create with the
 * int-returning routine behind the trampoline (which casts its result as
 * glibc does, so the real thrd_join reads it back); the others are their
 * pthread twins around the real C11 call. thrd_success is 0. */
GOCRACE_REAL(int, thrd_create, thrd_t *, thrd_start_t, void *);
GOCRACE_REAL(void, thrd_exit, int);

GOCRACE_EXPORT int thrd_create(thrd_t *th, thrd_start_t fn, void *arg)
{
	GOCRACE_RESOLVE(thrd_create);
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return real_thrd_create(th, fn, arg);
	pthread_t pt;
	int r = create_thread(t, &pt, NULL, NULL, fn, arg, called_from(t));
	if (r == 0)
		*th = pt;
	/* glibc's mapping of a pthread_create error */
	return r == 0 ? thrd_success : r == ENOMEM ? thrd_nomem : thrd_error;
}

_Static_assert(thrd_success == 0, "PINNED_WRAPPER takes 0 for success");
PINNED_WRAPPER(thrd_join, UNPIN_JOINED, (thrd_t tid, int *res), (tid, res))
PINNED_WRAPPER(thrd_detach, UNPIN_DETACHED, (thrd_t tid), (tid))

GOCRACE_EXPORT void thrd_exit(int res)
{
	GOCRACE_RESOLVE(thrd_exit);
	det_thread *t = gocrace_thr();
	if (t != NULL && self == NULL) /* as pthread_exit */
		finish_for_good(gocrace_home());
	real_thrd_exit(res);
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

/* The detector's side of a fork, as atfork handlers: glibc runs them for
 * every fork made through its own fork, including the ones it makes by
 * an internal name that no wrapper sees (daemon, forkpty). Registered at
 * init, before the program's own handlers, so in the child the detector
 * is whole again before the program's child handlers run, and in the
 * parent its prepare runs after theirs; except for handlers a library
 * registers in a constructor that runs before the runtime's init (glibc
 * runs child handlers in the order of registration): theirs run before
 * the reset, with the parent's detector state. The table is consistent
 * in the child: nobody is half-way through an update when the lock is
 * ours. The detector's locks are reset in the child instead: a thread
 * inside the detector at the fork does not exist there, and the state it
 * was updating is a remembered access or a clock at worst. */
static void fork_prepare(void)
{
	table_lock_take();
}

static void fork_parent(void)
{
	table_lock_drop();
}

static void fork_child(void)
{
	table_lock_drop();
	/* the forking thread's det_thread, if it has one: not gocrace_thr,
	 * which would make one, taking detector locks not reset yet (and
	 * answers NULL once guarded) */
	det_thread *t = gocrace_ready ? det_current() : NULL;
	gocrace_guard();
	det_fork_child(t);
	gocrace_signal_fork_child();
	gocrace_io_fork_child();
	gocrace_environ_fork_child();
	gocrace_sync_fork_child();
	gocrace_fork_child_sinks();
	gocrace_unguard();
}

GOCRACE_REAL(pid_t, fork, void);
GOCRACE_REAL(pid_t, _Fork, void);

/* glibc's fork without the atfork handlers: the runtime's own are run
 * here (the program's are not, as _Fork promises). */
GOCRACE_EXPORT pid_t _Fork(void)
{
	GOCRACE_RESOLVE(_Fork);
	fork_prepare();
	pid_t pid = real__Fork();
	if (pid == 0)
		fork_child();
	else
		fork_parent();
	return pid;
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
	return real_fork();
}
