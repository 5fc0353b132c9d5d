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
 * query, give back what it installed. SA_RESETHAND is done by the runtime
 * when the handler runs (run_handler), not by the kernel. signal(),
 * bsd_signal, ssignal and sysv_signal are glibc's semantics over this
 * sigaction (glibc's call its own internally, which the preload would not
 * see), siginterrupt included, and sigset System V's. Handlers
 * installed by a raw rt_sigaction system call are not seen: they run at
 * once, without the edge, and unseen if they interrupt the runtime.
 */
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

GOCRACE_REAL(int, sigaction, int, const struct sigaction *, struct sigaction *);
GOCRACE_REAL(int, siginterrupt, int, int);

/* What on_signal reads of the program's action, in one atomic word: the
 * handler's address, with SA_SIGINFO and SA_RESETHAND in the top bits
 * (user-space code addresses leave them clear). */
#define W_SIGINFO (1ull << 63)
#define W_RESETHAND (1ull << 62)
#define W_FN(w) ((uintptr_t)((w) & ~(W_SIGINFO | W_RESETHAND)))

/* What the program installed for each signal: its handler behind
 * on_signal (SIG_DFL and SIG_IGN go to the kernel as they are). act is
 * the whole action as installed and set whether there is one, under
 * actions_lock; word is act's, for on_signal. */
static struct action {
	_Atomic uint64_t word;
	struct sigaction act;
	bool set;
} actions[NSIG];

/* The signals siginterrupt(sig, 1) made interrupting: signal() then
 * installs them without SA_RESTART, as glibc's does. */
static _Atomic uint64_t interrupting;

/* Taken with every signal blocked, so a handler never interrupts its
 * holder on the same thread. */
static atomic_int actions_lock;

static void lock_actions(sigset_t *saved)
{
	sigset_t all;
	sigfillset(&all);
	gocrace_sigmask(SIG_SETMASK, &all, saved);
	gocrace_spin_take(&actions_lock);
}

static void unlock_actions(const sigset_t *saved)
{
	gocrace_spin_drop(&actions_lock);
	gocrace_sigmask(SIG_SETMASK, saved, NULL);
}

void gocrace_signal_fork_child(void)
{
	/* its holder, if any, is a thread the child does not have */
	atomic_store_explicit(&actions_lock, 0, memory_order_relaxed);
}

/* A copy of a siginfo_t made word by word: a struct copy is a memcpy
 * call in an unoptimized build, which the runtime intercepts. */
static void copy_info(siginfo_t *to, const siginfo_t *from)
{
	const volatile uint64_t *f = (const volatile uint64_t *)(const void *)from;
	uint64_t *t = (uint64_t *)(void *)to;
	for (size_t i = 0; i < sizeof *to / sizeof *t; i++)
		t[i] = f[i];
}

/* ---- running the program's handler ------------------------------------ */

/* SA_RESETHAND, done here rather than by the kernel (which would reset
 * on_signal before a deferred handler ran): the program's action w
 * becomes SIG_DFL, unless it was replaced meanwhile. */
static void reset_to_default(int sig, uint64_t w)
{
	sigset_t saved;
	gocrace_guard(); /* the runtime's own memset */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	lock_actions(&saved);
	if (atomic_load_explicit(&actions[sig].word, memory_order_relaxed) == w) {
		real_sigaction(sig, &dfl, NULL);
		actions[sig].act.sa_handler = SIG_DFL;
		actions[sig].act.sa_flags &= ~(SA_SIGINFO | SA_RESETHAND);
		atomic_store_explicit(&actions[sig].word, (uint64_t)(uintptr_t)SIG_DFL,
		                      memory_order_relaxed);
	}
	unlock_actions(&saved);
	gocrace_ignore--; /* no delivery from here: the caller runs one */
}

/* The program's handler (w: its action's word) for sig, after the edge
 * from sigaction; errno as it was. */
static void run_handler(int sig, siginfo_t *info, void *uc, uint64_t w)
{
	uintptr_t fn = W_FN(w);
	if (fn == (uintptr_t)SIG_DFL || fn == (uintptr_t)SIG_IGN)
		return; /* replaced since the kernel chose on_signal */
	if (w & W_RESETHAND)
		reset_to_default(sig, w);
	int saved_errno = errno;
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_acquire(t, &actions[sig]);
	errno = saved_errno;
	if (w & W_SIGINFO)
		((void (*)(int, siginfo_t *, void *))fn)(sig, info, uc);
	else
		((void (*)(int))fn)(sig);
}

/* ---- deferred handlers ------------------------------------------------ */

/* A signal that comes while the guard is raised (the runtime's own code is
 * running on the thread) waits: the detector is not reentrant, so its
 * handler would have to run unseen. It runs when the guard comes down
 * (gocrace_unguard), as the kernel would run it: with the action's mask
 * blocked and its siginfo, or, if the program has blocked the signal
 * since, left pending for the kernel (sent to the thread again, as from
 * tgkill). Its ucontext is then the delivery point's (getcontext), and it
 * runs on the current stack even with SA_ONSTACK. One of each signal
 * waits, as the kernel keeps one of each pending.
 *
 * Not deferred: the synchronous signals (faults, abort, SIGPIPE, SIGSYS;
 * TSan's list), whose handler must run before the faulting instruction is
 * retried; every signal once the thread is ending (its guard stays up:
 * gocrace_signal_thread_end); and signals that come while only the
 * program's own custom-mutex regions hold the guard (no runtime code is
 * running then, and the program may be waiting inside its lock for what
 * the handler does): those run at once, with the regions' counts taken
 * off the guard meanwhile, so that the handler's events are seen. */
__thread int gocrace_sig_pending __attribute__((tls_model("initial-exec")));

static __thread siginfo_t deferred[NSIG] __attribute__((tls_model("initial-exec")));
static __thread _Atomic uint64_t deferred_set __attribute__((tls_model("initial-exec")));
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

/* One deferred signal, now that the guard is down. */
static void deliver_one(int sig, siginfo_t *info)
{
	sigset_t block, saved;
	gocrace_sigmask(SIG_BLOCK, NULL, &block);
	if (sigismember(&block, sig)) {
		syscall(SYS_tgkill, (pid_t)syscall(SYS_getpid), (pid_t)syscall(SYS_gettid), sig);
		return;
	}
	gocrace_guard(); /* the runtime's own copies */
	lock_actions(&saved);
	uint64_t w = atomic_load_explicit(&actions[sig].word, memory_order_relaxed);
	block = actions[sig].act.sa_mask;
	bool nodefer = (actions[sig].act.sa_flags & SA_NODEFER) != 0;
	unlock_actions(&saved);
	gocrace_ignore--; /* gocrace_signal_deliver looks at what came meanwhile */
	if (!nodefer)
		sigaddset(&block, sig);
	gocrace_sigmask(SIG_BLOCK, &block, &saved);
	ucontext_t uc;
	getcontext(&uc);
	run_handler(sig, info, &uc, w);
	gocrace_sigmask(SIG_SETMASK, &saved, NULL);
}

void gocrace_signal_deliver(void)
{
	/* Each signal's siginfo is copied before its bit goes: one that comes
	 * again meanwhile joins the waiting one, as the kernel coalesces.
	 * gocrace_sig_pending is cleared only once none waits, so a handler
	 * that does not return (siglongjmp) leaves the others for the next
	 * time the guard comes down. */
	for (;;) {
		uint64_t set = atomic_load_explicit(&deferred_set, memory_order_relaxed);
		if (set == 0) {
			gocrace_sig_pending = 0;
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			if (atomic_load_explicit(&deferred_set, memory_order_relaxed) == 0)
				return;
			gocrace_sig_pending = 1;
			continue;
		}
		int sig = __builtin_ctzll(set) + 1;
		siginfo_t info;
		copy_info(&info, &deferred[sig]);
		atomic_fetch_and_explicit(&deferred_set, ~(1ull << (sig - 1)), memory_order_relaxed);
		deliver_one(sig, &info);
	}
}

static void on_signal(int sig, siginfo_t *info, void *uc)
{
	uint64_t w = atomic_load_explicit(&actions[sig].word, memory_order_relaxed);
	int guard = gocrace_ignore & GOCRACE_GUARD;
	int regions = gocrace_mutex_region_guard();
	if (guard != 0 && guard != regions && !ending && !synchronous(sig, info)) {
		uint64_t bit = 1ull << (sig - 1);
		if (!(atomic_load_explicit(&deferred_set, memory_order_relaxed) & bit)) {
			copy_info(&deferred[sig], info);
			atomic_fetch_or_explicit(&deferred_set, bit, memory_order_relaxed);
		}
		gocrace_sig_pending = 1;
		return;
	}
	/* The interrupted instruction is a frame under the handler's (as a
	 * return address: one past it), so that the handler's stack shows
	 * where the signal came, not only the caller of the function it
	 * interrupted: the shadow stack keeps call sites, and this is none.
	 * A jump out of the handler drops it with the handler's frames. */
	det_thread *st = gocrace_stack_thr();
	uintptr_t at = (uintptr_t)((const ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
	/* The interrupted code may be a hook half-way through updating the
	 * detector's caches, which takes no guard: they are put back after
	 * the handler (det_signal_enter). */
	det_signal_state saved;
	gocrace_guard();
	det_signal_enter(&saved);
	gocrace_unguard();
	gocrace_call_begin(st, at + 1);
	if (guard != 0 && guard == regions && !ending) {
		gocrace_ignore -= regions;
		run_handler(sig, info, uc, w);
		gocrace_ignore += regions;
	} else {
		run_handler(sig, info, uc, w);
	}
	gocrace_call_end(st);
	gocrace_guard();
	det_signal_exit(&saved);
	gocrace_unguard();
}

/* ---- installing ------------------------------------------------------- */

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
	struct sigaction want, give; /* *act, copied first: old may be act */
	const struct sigaction *kernel = NULL;
	uint64_t word = 0;
	if (act != NULL) {
		want = *act;
		give = want;
		uintptr_t fn = handler_of(&want);
		word = fn;
		if (fn != (uintptr_t)SIG_DFL && fn != (uintptr_t)SIG_IGN) {
			/* SA_RESETHAND is run_handler's: the kernel would reset
			 * on_signal before a deferred handler ran */
			give.sa_flags = (want.sa_flags | SA_SIGINFO) & ~SA_RESETHAND;
			give.sa_sigaction = on_signal;
			word |= ((want.sa_flags & SA_SIGINFO) ? W_SIGINFO : 0) |
			        ((want.sa_flags & SA_RESETHAND) ? W_RESETHAND : 0);
		}
		kernel = &give;
		if (t != NULL)
			gocrace_release(t, &actions[sig]);
	}
	sigset_t saved;
	lock_actions(&saved);
	struct sigaction before = actions[sig].act;
	bool before_set = actions[sig].set;
	int r = real_sigaction(sig, kernel, old);
	int err = errno;
	if (r == 0 && act != NULL) {
		actions[sig].act = want;
		actions[sig].set = true;
		atomic_store_explicit(&actions[sig].word, word, memory_order_relaxed);
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

GOCRACE_EXPORT int siginterrupt(int sig, int flag)
{
	GOCRACE_RESOLVE(siginterrupt);
	if (sig > 0 && sig < NSIG) {
		uint64_t bit = 1ull << (sig - 1);
		if (flag)
			atomic_fetch_or_explicit(&interrupting, bit, memory_order_relaxed);
		else
			atomic_fetch_and_explicit(&interrupting, ~bit, memory_order_relaxed);
	}
	/* glibc's changes SA_RESTART of the kernel's action (on_signal's);
	 * the program's own, which queries give back, changes too */
	int r = real_siginterrupt(sig, flag);
	if (r == 0) {
		sigset_t saved;
		lock_actions(&saved);
		if (actions[sig].set) {
			if (flag)
				actions[sig].act.sa_flags &= ~SA_RESTART;
			else
				actions[sig].act.sa_flags |= SA_RESTART;
		}
		unlock_actions(&saved);
	}
	return r;
}

/* signal() as glibc's: BSD semantics (the handler stays, the signal is
 * blocked while it runs, system calls restart unless siginterrupt said
 * otherwise), or System V's (reset to SIG_DFL on delivery, not blocked,
 * not restarted). */
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
		bool intr = false;
		if (sig > 0 && sig < NSIG) {
			sigaddset(&act.sa_mask, sig);
			intr = (atomic_load_explicit(&interrupting, memory_order_relaxed) >>
			        (sig - 1)) & 1;
		}
		act.sa_flags = intr ? 0 : SA_RESTART;
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

/* System V's sigset (glibc's calls its sigaction by an internal name):
 * SIG_HOLD blocks sig; anything else installs it with no flags and an
 * empty mask, then unblocks sig. The result is the old disposition, or
 * SIG_HOLD when sig was blocked. */
GOCRACE_EXPORT __sighandler_t sigset(int sig, __sighandler_t disp)
{
	if (disp == SIG_ERR || sig < 1 || sig >= NSIG) {
		errno = EINVAL;
		return SIG_ERR;
	}
	sigset_t one, was;
	sigemptyset(&one);
	sigaddset(&one, sig);
	struct sigaction act, old;
	if (disp == SIG_HOLD) {
		if (sigprocmask(SIG_BLOCK, &one, &was) != 0)
			return SIG_ERR;
		if (sigismember(&was, sig))
			return SIG_HOLD;
		if (sigaction(sig, NULL, &old) != 0)
			return SIG_ERR;
		return old.sa_handler;
	}
	gocrace_guard(); /* the runtime's own memset */
	memset(&act, 0, sizeof act);
	gocrace_unguard();
	act.sa_handler = disp;
	sigemptyset(&act.sa_mask);
	if (sigaction(sig, &act, &old) != 0 || sigprocmask(SIG_UNBLOCK, &one, &was) != 0)
		return SIG_ERR;
	return sigismember(&was, sig) ? SIG_HOLD : old.sa_handler;
}

/* ---- sending signals ----------------------------------------------------- */

/* A signal a thread sends itself runs its handler inside the sending call,
 * and one sent to a sleeping or waiting thread interrupts the sleep or
 * wait: inside libc either way, so no frame of the shadow stack says
 * where. The call site is a frame while the call runs, so that the
 * handler's stack goes on into the function that raised the signal or
 * slept, as TSan's interceptors show it. */
#define FRAMED_WRAPPER(ret, name, params, args)                                 \
	static ret (*real_##name) params;                                         \
	GOCRACE_EXPORT ret name params                                            \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		det_thread *st __attribute__((cleanup(gocrace_call_cleanup))) =       \
			gocrace_stack_thr();                                              \
		gocrace_call_begin(st, GOCRACE_CALLER_PC());                          \
		return real_##name args;                                              \
	}

FRAMED_WRAPPER(int, raise, (int sig), (sig))
FRAMED_WRAPPER(int, kill, (pid_t pid, int sig), (pid, sig))
/* glibc's default pthread_kill (GLIBC_2.34); its compat version of 2.2.5
 * refuses glibc's own signals 32 and 33, which a program has no reason to
 * send. */
FRAMED_WRAPPER(int, pthread_kill, (pthread_t th, int sig), (th, sig))
FRAMED_WRAPPER(int, tgkill, (pid_t tgid, pid_t tid, int sig), (tgid, tid, sig))
FRAMED_WRAPPER(int, sigqueue, (pid_t pid, int sig, const union sigval v), (pid, sig, v))
FRAMED_WRAPPER(unsigned, sleep, (unsigned s), (s))
FRAMED_WRAPPER(int, usleep, (useconds_t us), (us))
FRAMED_WRAPPER(int, nanosleep, (const struct timespec *d, struct timespec *rem), (d, rem))
FRAMED_WRAPPER(int, clock_nanosleep,
               (clockid_t clk, int fl, const struct timespec *d, struct timespec *rem),
               (clk, fl, d, rem))
FRAMED_WRAPPER(int, pause, (void), ())
FRAMED_WRAPPER(int, sigsuspend, (const sigset_t *mask), (mask))
