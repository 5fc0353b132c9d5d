/*
 * signal.c — signal handlers installed through sigaction and signal.
 *
 * The runtime installs its own handler (on_signal) in front of each one
 * the program installs, for two things TSan does too:
 *
 *  - The edge from sigaction: what the installing thread did before it
 *    happens before the handler runs (a release at sigaction on the
 *    signal's entry in `actions`, memory no program object can occupy; an
 *    acquire when the handler starts). Without it, a handler that reads
 *    what main set up before installing it, running on a thread created
 *    earlier, is a false race.
 *  - Deferral: a signal that comes while the runtime's own code runs on
 *    the thread (its guard raised: a detector call, the allocator, a
 *    report) runs its handler when the guard comes down (below), so that
 *    the handler's events are seen and the detector is never re-entered.
 *
 * The program sees only its own handlers: sigaction's old action, and a
 * query, give back what it installed. SA_RESETHAND resets the table as the
 * kernel resets on_signal. signal(), bsd_signal, ssignal and sysv_signal
 * are glibc's semantics over this sigaction (glibc's call its own
 * internally, which the preload would not see). sigset() and handlers
 * installed by a raw rt_sigaction system call are not seen: they run at
 * once, without the edge, and unseen if they interrupt the runtime.
 */
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <ucontext.h>

GOCRACE_REAL(int, sigaction, int, const struct sigaction *, struct sigaction *);

/* What the program installed for each signal (its handler behind
 * on_signal: SIG_DFL and SIG_IGN go to the kernel as they are). fn and
 * flags are read by on_signal without the lock; act is the whole action
 * as installed, under actions_lock. */
static struct action {
	_Atomic(uintptr_t) fn;
	atomic_int flags;
	struct sigaction act;
	bool set;               /* act holds the program's action */
} actions[NSIG];

/* Taken with every signal blocked, so a handler never interrupts its
 * holder on the same thread. */
static atomic_int actions_lock;

static void lock_actions(sigset_t *saved)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, saved);
	int free_ = 0;
	/* acquire: pairs with the release in unlock_actions */
	while (!atomic_compare_exchange_weak_explicit(&actions_lock, &free_, 1,
	                                              memory_order_acquire,
	                                              memory_order_relaxed)) {
		free_ = 0;
		sched_yield();
	}
}

static void unlock_actions(const sigset_t *saved)
{
	/* release: pairs with the acquire in lock_actions */
	atomic_store_explicit(&actions_lock, 0, memory_order_release);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

void gocrace_signal_fork_child(void)
{
	/* its holder, if any, is a thread the child does not have */
	atomic_store_explicit(&actions_lock, 0, memory_order_relaxed);
}

/* ---- deferred handlers ------------------------------------------------ */

/* A signal that comes while the guard is raised (the runtime's own code is
 * running on the thread) waits: the detector is not reentrant, so its
 * handler would have to run unseen. It runs when the guard comes down
 * (gocrace_unguard), with the signal mask the kernel would have given it
 * and the siginfo it came with; its ucontext is then the delivery point's
 * (getcontext), not the interrupted one. One of each signal waits, as the
 * kernel keeps one of each pending. Not deferred: the synchronous signals
 * (faults, abort, SIGPIPE, SIGSYS; TSan's list), whose handler must run
 * before the faulting instruction is retried, and every signal once the
 * thread is ending (its guard stays up: gocrace_signal_thread_end). */
__thread int gocrace_sig_pending __attribute__((tls_model("initial-exec")));

static __thread struct deferred {
	siginfo_t info;
	uintptr_t fn;
	int flags;
} deferred[NSIG] __attribute__((tls_model("initial-exec")));
static __thread _Atomic uint64_t deferred_set __attribute__((tls_model("initial-exec")));
static __thread bool delivering __attribute__((tls_model("initial-exec")));
static __thread bool ending __attribute__((tls_model("initial-exec")));

void gocrace_signal_thread_end(void)
{
	ending = true;
}

static bool synchronous(int sig, const siginfo_t *info)
{
	if (info != NULL && info->si_code == SI_TIMER)
		return false;
	switch (sig) {
	case SIGSEGV: case SIGBUS: case SIGILL: case SIGTRAP:
	case SIGABRT: case SIGFPE: case SIGPIPE: case SIGSYS:
		return true;
	default:
		return false;
	}
}

/* The program's handler fn (flags: its sa_flags) for sig, after the edge
 * from sigaction; errno as it was. */
static void run_handler(int sig, siginfo_t *info, void *uc, uintptr_t fn, int flags)
{
	int saved_errno = errno;
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_acquire(t, &actions[sig]);
	errno = saved_errno;
	if (fn == (uintptr_t)SIG_DFL || fn == (uintptr_t)SIG_IGN)
		return; /* replaced since the kernel chose on_signal */
	if (flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))fn)(sig, info, uc);
	else
		((void (*)(int))fn)(sig);
}

void gocrace_signal_deliver(void)
{
	if (delivering)
		return; /* the loop below takes what came meanwhile */
	delivering = true;
	while (gocrace_sig_pending != 0) {
		gocrace_sig_pending = 0;
		uint64_t set = atomic_exchange_explicit(&deferred_set, 0, memory_order_relaxed);
		for (int sig = 1; sig < NSIG; sig++) {
			if (!(set & (1ull << (sig - 1))))
				continue;
			gocrace_guard(); /* copies of the runtime's own */
			struct deferred d = deferred[sig];
			sigset_t block, saved;
			lock_actions(&saved);
			block = actions[sig].act.sa_mask;
			unlock_actions(&saved);
			gocrace_unguard();
			if (!(d.flags & SA_NODEFER))
				sigaddset(&block, sig);
			pthread_sigmask(SIG_BLOCK, &block, &saved);
			ucontext_t uc;
			getcontext(&uc);
			run_handler(sig, &d.info, &uc, d.fn, d.flags);
			pthread_sigmask(SIG_SETMASK, &saved, NULL);
		}
	}
	delivering = false;
}

static void on_signal(int sig, siginfo_t *info, void *uc)
{
	uintptr_t fn = atomic_load_explicit(&actions[sig].fn, memory_order_relaxed);
	int flags = atomic_load_explicit(&actions[sig].flags, memory_order_relaxed);
	if (flags & SA_RESETHAND) {
		/* the kernel reset on_signal to SIG_DFL on this delivery */
		sigset_t saved;
		lock_actions(&saved);
		if (actions[sig].set && actions[sig].act.sa_handler != SIG_DFL &&
		    actions[sig].act.sa_handler != SIG_IGN) {
			actions[sig].act.sa_handler = SIG_DFL;
			actions[sig].act.sa_flags &= ~SA_SIGINFO;
			atomic_store_explicit(&actions[sig].fn, (uintptr_t)SIG_DFL,
			                      memory_order_relaxed);
		}
		unlock_actions(&saved);
	}
	if ((gocrace_ignore & GOCRACE_GUARD) != 0 && !ending && !synchronous(sig, info)) {
		uint64_t bit = 1ull << (sig - 1);
		if (!(atomic_load_explicit(&deferred_set, memory_order_relaxed) & bit)) {
			deferred[sig] = (struct deferred){ *info, fn, flags };
			atomic_fetch_or_explicit(&deferred_set, bit, memory_order_relaxed);
		}
		gocrace_sig_pending = 1;
		return;
	}
	run_handler(sig, info, uc, fn, flags);
}

/* The handler an action names: sa_sigaction with SA_SIGINFO. */
static uintptr_t handler_of(const struct sigaction *act)
{
	return (act->sa_flags & SA_SIGINFO) ? (uintptr_t)act->sa_sigaction
	                                    : (uintptr_t)act->sa_handler;
}

GOCRACE_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	GOCRACE_RESOLVE(sigaction);
	if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP)
		return real_sigaction(sig, act, old); /* the kernel's answer */
	det_thread *t = act != NULL ? gocrace_thr() : NULL;
	/* the copies below are the runtime's own, not the program's accesses
	 * (an unoptimized build makes them memcpy calls, which the runtime
	 * intercepts) */
	gocrace_guard();
	struct sigaction mine;
	const struct sigaction *give = act;
	uintptr_t fn = 0;
	if (act != NULL) {
		fn = handler_of(act);
		if (fn != (uintptr_t)SIG_DFL && fn != (uintptr_t)SIG_IGN) {
			mine = *act;
			mine.sa_flags |= SA_SIGINFO;
			mine.sa_sigaction = on_signal;
			give = &mine;
		}
		if (t != NULL)
			gocrace_release(t, &actions[sig]);
	}
	sigset_t saved;
	lock_actions(&saved);
	struct sigaction before = actions[sig].act;
	bool before_set = actions[sig].set;
	int r = real_sigaction(sig, give, old);
	int err = errno;
	if (r == 0 && act != NULL) {
		actions[sig].act = *act;
		actions[sig].set = true;
		atomic_store_explicit(&actions[sig].flags, act->sa_flags, memory_order_relaxed);
		atomic_store_explicit(&actions[sig].fn, fn, memory_order_relaxed);
	}
	unlock_actions(&saved);
	/* the program's own action, where the kernel has on_signal */
	if (r == 0 && old != NULL && (old->sa_flags & SA_SIGINFO) &&
	    old->sa_sigaction == on_signal && before_set)
		*old = before;
	gocrace_unguard();
	errno = err;
	return r;
}

/* signal() as glibc's: BSD semantics (the handler stays, the signal is
 * blocked while it runs, system calls restart), or System V's (reset to
 * SIG_DFL on delivery, not blocked, not restarted). */
static __sighandler_t install(int sig, __sighandler_t h, bool sysv)
{
	struct sigaction act, old;
	gocrace_guard(); /* the runtime's own memset */
	memset(&act, 0, sizeof act);
	gocrace_unguard();
	act.sa_handler = h;
	sigemptyset(&act.sa_mask);
	if (sysv) {
		act.sa_flags = SA_RESETHAND | SA_NODEFER;
	} else {
		if (sig > 0 && sig < NSIG)
			sigaddset(&act.sa_mask, sig);
		act.sa_flags = SA_RESTART;
	}
	if (h == SIG_ERR) {
		errno = EINVAL;
		return SIG_ERR;
	}
	if (sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return (old.sa_flags & SA_SIGINFO) ? (__sighandler_t)(uintptr_t)old.sa_sigaction
	                                   : old.sa_handler;
}

GOCRACE_EXPORT __sighandler_t signal(int sig, __sighandler_t h)
{
	return install(sig, h, false);
}

GOCRACE_EXPORT __sighandler_t bsd_signal(int sig, __sighandler_t h)
{
	return install(sig, h, false);
}

GOCRACE_EXPORT __sighandler_t ssignal(int sig, __sighandler_t h)
{
	return install(sig, h, false);
}

GOCRACE_EXPORT __sighandler_t sysv_signal(int sig, __sighandler_t h)
{
	return install(sig, h, true);
}

GOCRACE_EXPORT __sighandler_t __sysv_signal(int sig, __sighandler_t h)
{
	return install(sig, h, true);
}
