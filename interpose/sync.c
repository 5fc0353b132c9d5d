/*
 * sync.c — the synchronisation objects' interceptors: pthread mutexes,
 * rwlocks, condition variables, barriers, spinlocks, semaphores and once,
 * C11's mutexes, condition variables and once, and libstdc++'s guards of
 * function-local statics, turned into clock operations (DESIGN.md
 * "Happens-before edges"; the conventions of tsan-abi.md §1.9 and §4.3).
 * S is the detector's clock at the address:
 *
 *   mutex (every type)  lock/trylock/timedlock/clocklock success (and a
 *                       robust mutex's EOWNERDEAD, which also acquires the
 *                       ends of the threads that locked robust mutexes:
 *                       the dead owner's among them): acquire(m); unlock:
 *                       release(m) before the real unlock, unless glibc
 *                       will refuse it (an error-checking, recursive or
 *                       robust mutex the caller does not own: EPERM);
 *                       init and destroy forget m.
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
 *                       it returns (it re-locked the mutex), or when the
 *                       thread is cancelled in it (glibc re-locks the
 *                       mutex before the cleanup handlers); neither when
 *                       the mutex's unlock would be refused (EPERM at
 *                       once, no wait). signal and
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
 *   C11 <threads.h>     mtx_* as a mutex, cnd_* as a cond, call_once as
 *                       once (glibc runs them through its pthread
 *                       functions' internal names, which no preload sees).
 *
 * The objects' own bytes (TSan's model of them): each init and destroy
 * writes the object's first byte; every other operation on it reads that
 * byte atomically (atomic reads never race with each other) — a lock or
 * wait before the real call (so its check is outside the critical
 * section), an unlock, post, signal or barrier arrival before its release.
 * The read takes the instrumented hooks' quick path (gocrace_check_small):
 * through the full check, two reads per lock and unlock doubled the cost
 * of a contended mutex. So destroying, freeing or initialising an object
 * that another thread uses without an order is a race with that use,
 * reported at both calls' lines. A cond wait reads the cond before it
 * unlocks, and the mutex at its unlock and its re-lock.
 *
 * Known gaps (as TSan): a barrier reused at once, before a slow thread has
 * left the previous round, may order that thread after the next round's
 * arrivals.
 *
 * State: wheld[] and once_cur, per OS thread; nothing else.
 */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <semaphore.h>
#include <threads.h>
#include <sys/syscall.h>
#include <unistd.h>

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
			gocrace_forget(m, sizeof *m);                                     \
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

/* Robust mutexes whose owner died holding them. The kernel marks such a
 * lock at the owner's exit, and the next lock finds it so (EOWNERDEAD):
 * what the owner did happens before that lock, though it never unlocked.
 * So a thread that ever locked a robust mutex releases into owner_deaths
 * when it ends (gocrace_sync_thread_end), and an EOWNERDEAD lock
 * acquires it (every such dead thread's clock: more order than the one
 * owner's, only on that path). */
static char owner_deaths;
static TLS bool locked_robust;

void gocrace_sync_thread_end(det_thread *t)
{
	if (locked_robust)
		gocrace_release_merge(t, &owner_deaths);
}

/* A mutex lock by t returned r: whether t holds m now (0, or a robust
 * mutex's EOWNERDEAD). */
static bool mutex_locked(det_thread *t, pthread_mutex_t *m, int r)
{
	if (r == EOWNERDEAD)
		gocrace_acquire(t, &owner_deaths);
	else if (r != 0)
		return false;
	if (__atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) & 16) /* ROBUST_NORMAL_NP */
		locked_robust = true;
	return true;
}

ACQUIRE_WRAPPER(pthread_mutex_lock, pthread_mutex_t, mutex_locked(t, m, r), , )
ACQUIRE_WRAPPER(pthread_mutex_trylock, pthread_mutex_t, mutex_locked(t, m, r), , )
ACQUIRE_WRAPPER(pthread_mutex_timedlock, pthread_mutex_t, mutex_locked(t, m, r),
                P_(const struct timespec *abs), P_(abs))
ACQUIRE_WRAPPER(pthread_mutex_clocklock, pthread_mutex_t, mutex_locked(t, m, r),
                P_(clockid_t clk, const struct timespec *abs), P_(clk, abs))
ACQUIRE_WRAPPER(pthread_spin_lock, pthread_spinlock_t, r == 0, , )
ACQUIRE_WRAPPER(pthread_spin_trylock, pthread_spinlock_t, r == 0, , )

/* The calling thread's kernel thread id, as glibc records a mutex's or
 * rwlock's owner (0: not asked yet; a fork child asks again: the fork
 * child handler, pthread.c's, clears it). */
static TLS pid_t self_tid;

static pid_t tid(void)
{
	if (GOCRACE_UNLIKELY(self_tid == 0))
		self_tid = (pid_t)syscall(SYS_gettid);
	return self_tid;
}

void gocrace_sync_fork_child(void)
{
	self_tid = 0;
}

/* Whether glibc's unlock of mutex m (a pthread_mutex_t, or a C11 mtx_t,
 * which is one) refuses, EPERM, and so releases nothing: an
 * error-checking, recursive or robust mutex checks that the caller owns
 * it (its tid in __data.__owner); a normal one does not (its unlock by
 * another thread unlocks it, and is the edge). Read before the real
 * call: the owner field changes only under the lock, and the caller's
 * own tid there cannot be another's. */
static bool unlock_refused(const volatile void *m)
{
	const volatile pthread_mutex_t *mu = m;
	int kind = __atomic_load_n(&mu->__data.__kind, __ATOMIC_RELAXED);
	int type = kind & 3; /* glibc's PTHREAD_MUTEX_KIND_MASK_NP */
	bool checks = type == PTHREAD_MUTEX_ERRORCHECK || type == PTHREAD_MUTEX_RECURSIVE ||
	              (kind & 16) != 0; /* PTHREAD_MUTEX_ROBUST_NORMAL_NP */
	if (!checks)
		return false;
	int owner = __atomic_load_n(&mu->__data.__owner, __ATOMIC_RELAXED);
	return (owner & 0x3fffffff) != tid(); /* FUTEX_TID_MASK */
}

static bool never_refused(const volatile void *m)
{
	(void)m;
	return false;
}

/* An unlock or post: release (or release-merge) before the real call,
 * unless the call will refuse (refused: only a mutex unlock can). */
#define RELEASE_WRAPPER(name, obj_t, release, refused)                       \
	GOCRACE_REAL(int, name, obj_t *);                                        \
	GOCRACE_EXPORT int name(obj_t *m)                                        \
	{                                                                        \
		GOCRACE_RESOLVE(name);                                               \
		det_thread *t = gocrace_thr();                                       \
		if (t != NULL) {                                                     \
			obj_use(t, m, GOCRACE_CALLER_PC());                              \
			if (!refused(m))                                                 \
				release(t, m);                                               \
		}                                                                    \
		return real_##name(m);                                               \
	}

RELEASE_WRAPPER(pthread_mutex_unlock, pthread_mutex_t, gocrace_release, unlock_refused)
RELEASE_WRAPPER(pthread_spin_unlock, pthread_spinlock_t, gocrace_release, never_refused)

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
			gocrace_forget(m, sizeof *m);                                    \
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
	    rw->__data.__cur_writer == tid()) {
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
		if (t != NULL)                                                        \
			obj_use(t, rw, GOCRACE_CALLER_PC());                              \
		int r = real_##name(rw args);                                         \
		if (r == 0)                                                           \
			wheld_push(rw);                                                   \
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
			gocrace_forget(rw, sizeof *rw);
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

/* glibc's cancellation buffers (what pthread_cleanup_push makes in C
 * without exceptions); <pthread.h> declares them only then, and the
 * runtime is built with -fexceptions. */
void __pthread_register_cancel(__pthread_unwind_buf_t *buf);
void __pthread_unregister_cancel(__pthread_unwind_buf_t *buf);
void __pthread_unwind_next(__pthread_unwind_buf_t *buf) __attribute__((noreturn));

/* A wait's re-lock of its mutex m by t at pc. */
static void relocked(det_thread *t, const void *m, uintptr_t pc)
{
	obj_use(t, m, pc);
	gocrace_acquire(t, m);
}

/* A wait unlocks m and locks it again, whatever it returns; unless it
 * cannot unlock m (a checking mutex the caller does not own: EPERM at
 * once, no wait), and then it does neither. A thread cancelled in the
 * wait has m again too: glibc re-locks it before the unwinding reaches
 * the program's cleanup handlers, which may use what it protects. So the
 * wait runs under a cancellation buffer of the runtime's own, as glibc's
 * pthread_cleanup_push without exceptions makes one (TSan's
 * call_pthread_cancel_with_cleanup): the unwinding jumps to it from the
 * wait, the re-lock is modelled, and the unwinding goes on. (A cleanup
 * attribute would not do: the unwinding jumps past the frame, to the
 * caller's own buffer, without running it.) */
#define COND_WAIT_WRAPPER(name, resolve, cond_t, mutex_t, params, args)     \
	GOCRACE_REAL(int, name, cond_t *, mutex_t * params);                     \
	GOCRACE_EXPORT int name(cond_t *c, mutex_t *m params)                    \
	{                                                                        \
		resolve(name);                                                       \
		det_thread *t = gocrace_thr();                                       \
		uintptr_t pc = GOCRACE_CALLER_PC();                                  \
		if (t == NULL || unlock_refused(m))                                  \
			return real_##name(c, m args);                                   \
		obj_use(t, c, pc);                                                   \
		obj_use(t, m, pc);                                                   \
		gocrace_release(t, m);                                               \
		__pthread_unwind_buf_t cancel;                                       \
		if (GOCRACE_UNLIKELY(gocrace_sigsetjmp_unrecorded(                   \
			    cancel.__cancel_jmp_buf, 0) != 0)) {                         \
			relocked(t, m, pc);                                              \
			__pthread_unwind_next(&cancel);                                  \
		}                                                                    \
		__pthread_register_cancel(&cancel);                                  \
		int r = real_##name(c, m args);                                      \
		__pthread_unregister_cancel(&cancel);                                \
		relocked(t, m, pc);                                                  \
		return r;                                                            \
	}

COND_WAIT_WRAPPER(pthread_cond_wait, RESOLVE_VERSIONED, pthread_cond_t, pthread_mutex_t, , )
COND_WAIT_WRAPPER(pthread_cond_timedwait, RESOLVE_VERSIONED, pthread_cond_t, pthread_mutex_t,
                  P_(const struct timespec *abs), P_(abs))
COND_WAIT_WRAPPER(pthread_cond_clockwait, GOCRACE_RESOLVE, pthread_cond_t, pthread_mutex_t,
                  P_(clockid_t clk, const struct timespec *abs), P_(clk, abs))

/* signal and broadcast only read the cond (the header): the edge a
 * waiter needs comes through the mutex. */
#define COND_USE_WRAPPER(name, resolve, cond_t)                              \
	GOCRACE_REAL(int, name, cond_t *);                                       \
	GOCRACE_EXPORT int name(cond_t *c)                                       \
	{                                                                        \
		resolve(name);                                                       \
		det_thread *t = gocrace_thr();                                       \
		if (t != NULL)                                                       \
			obj_use(t, c, GOCRACE_CALLER_PC());                              \
		return real_##name(c);                                               \
	}

COND_USE_WRAPPER(pthread_cond_signal, RESOLVE_VERSIONED, pthread_cond_t)
COND_USE_WRAPPER(pthread_cond_broadcast, RESOLVE_VERSIONED, pthread_cond_t)

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

RELEASE_WRAPPER(sem_post, sem_t, gocrace_release_merge, never_refused)
ACQUIRE_WRAPPER(sem_wait, sem_t, r == 0, , )
ACQUIRE_WRAPPER(sem_trywait, sem_t, r == 0, , )
ACQUIRE_WRAPPER(sem_timedwait, sem_t, r == 0, P_(const struct timespec *abs), P_(abs))
ACQUIRE_WRAPPER(sem_clockwait, sem_t, r == 0, P_(clockid_t clk, const struct timespec *abs),
                P_(clk, abs))

/* ---- once ------------------------------------------------------------- */

struct once_frame {
	void (*routine)(void);
	void *once;
};

/* The frame of the innermost pthread_once or call_once running on this
 * thread. */
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
GOCRACE_REAL(void, call_once, once_flag *, void (*)(void));

/* pthread_once's or (c11) call_once's real call on once, with routine
 * behind once_trampoline and the call site pc as a shadow frame while it
 * runs; then the acquire. */
static int run_once(det_thread *t, void *once, void (*routine)(void), uintptr_t pc, bool c11)
{
	struct once_frame f = {routine, once};
	struct once_frame *saved = once_cur;
	once_cur = &f;
	int r = 0;
	{
		det_thread *st __attribute__((cleanup(gocrace_call_cleanup))) = gocrace_stack_thr();
		gocrace_call_begin(st, pc);
		if (c11)
			real_call_once(once, once_trampoline);
		else
			r = real_pthread_once(once, once_trampoline);
	}
	once_cur = saved;
	gocrace_acquire(t, once);
	return r;
}

GOCRACE_EXPORT int pthread_once(pthread_once_t *once, void (*routine)(void))
{
	GOCRACE_RESOLVE(pthread_once);
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return real_pthread_once(once, routine);
	return run_once(t, once, routine, GOCRACE_CALLER_PC(), false);
}

/* ---- C11 threads' objects (<threads.h>) -------------------------------- */

/* glibc's mtx_*, cnd_* and call_once run its pthread functions through
 * internal names, which no preload sees: without these, a C11 program's
 * mutexes ordered nothing (false races on everything they protect). Each
 * is its pthread twin's model; thrd_success is 0. */
INIT_WRAPPER(mtx_init, mtx_t, P_(int type), P_(type))
ACQUIRE_WRAPPER(mtx_lock, mtx_t, r == thrd_success, , )
ACQUIRE_WRAPPER(mtx_trylock, mtx_t, r == thrd_success, , )
ACQUIRE_WRAPPER(mtx_timedlock, mtx_t, r == thrd_success, P_(const struct timespec *abs),
                P_(abs))
RELEASE_WRAPPER(mtx_unlock, mtx_t, gocrace_release, unlock_refused)
COND_WAIT_WRAPPER(cnd_wait, GOCRACE_RESOLVE, cnd_t, mtx_t, , )
COND_WAIT_WRAPPER(cnd_timedwait, GOCRACE_RESOLVE, cnd_t, mtx_t, P_(const struct timespec *abs),
                  P_(abs))
COND_USE_WRAPPER(cnd_signal, GOCRACE_RESOLVE, cnd_t)
COND_USE_WRAPPER(cnd_broadcast, GOCRACE_RESOLVE, cnd_t)

GOCRACE_REAL(void, mtx_destroy, mtx_t *);
GOCRACE_REAL(int, cnd_init, cnd_t *);
GOCRACE_REAL(void, cnd_destroy, cnd_t *);

GOCRACE_EXPORT void mtx_destroy(mtx_t *m)
{
	GOCRACE_RESOLVE(mtx_destroy);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		obj_write(t, m, GOCRACE_CALLER_PC());
	real_mtx_destroy(m);
	if (t != NULL)
		gocrace_forget(m, sizeof *m);
}

GOCRACE_EXPORT int cnd_init(cnd_t *c)
{
	GOCRACE_RESOLVE(cnd_init);
	det_thread *t = gocrace_thr();
	int r = real_cnd_init(c);
	if (t != NULL && r == thrd_success)
		obj_write(t, c, GOCRACE_CALLER_PC());
	return r;
}

GOCRACE_EXPORT void cnd_destroy(cnd_t *c)
{
	GOCRACE_RESOLVE(cnd_destroy);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		obj_write(t, c, GOCRACE_CALLER_PC());
	real_cnd_destroy(c);
}

GOCRACE_EXPORT void call_once(once_flag *once, void (*routine)(void))
{
	GOCRACE_RESOLVE(call_once);
	det_thread *t = gocrace_thr();
	if (t == NULL) {
		real_call_once(once, routine);
		return;
	}
	run_once(t, once, routine, GOCRACE_CALLER_PC(), true);
}
