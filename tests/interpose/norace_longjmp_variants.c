/* norace_longjmp_variants: the setjmp and longjmp entry points the other
 * longjmp fixtures do not reach, each still doing libc's job through the
 * preload runtime: setjmp called as a function (not the _setjmp macro)
 * with _longjmp, sigsetjmp's saved signal mask restored by siglongjmp (the
 * runtime's entry point must pass savemask on), and siglongjmp out of a
 * signal handler. Exits 1 when libc's behaviour is not kept.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static jmp_buf env;
static sigjmp_buf senv;
static volatile sig_atomic_t handled;

__attribute__((noinline)) static void dive(int n)
{
	volatile int after = n;
	if (n == 0)
		_longjmp(env, 7);
	dive(n - 1);
	(void)after;
}

static void on_usr1(int sig)
{
	(void)sig;
	handled = 1;
	siglongjmp(senv, 2);
}

/* SIGUSR2 is blocked in the calling thread. */
static int usr2_blocked(void)
{
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	return sigismember(&cur, SIGUSR2);
}

int main(void)
{
	/* setjmp as a function: the runtime's `setjmp` entry point */
	int (*set)(jmp_buf) = setjmp;
	volatile int rounds = 0;
	int r = set(env);
	if (r == 0)
		dive(4);
	if (r != 7) {
		fprintf(stderr, "_longjmp returned %d, want 7\n", r);
		return 1;
	}

	/* the mask: saved unblocked, blocked, restored by the jump */
	if (sigsetjmp(senv, 1) == 0) {
		sigset_t usr2;
		sigemptyset(&usr2);
		sigaddset(&usr2, SIGUSR2);
		sigprocmask(SIG_BLOCK, &usr2, NULL);
		siglongjmp(senv, 1);
	}
	if (usr2_blocked()) {
		fprintf(stderr, "siglongjmp did not restore the signal mask\n");
		return 1;
	}

	/* out of a handler, a few times (its mask is restored each time) */
	struct sigaction sa = {.sa_handler = on_usr1};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	while (rounds < 3) {
		handled = 0;
		if (sigsetjmp(senv, 1) == 0)
			raise(SIGUSR1);
		if (!handled) {
			fprintf(stderr, "the handler did not run\n");
			return 1;
		}
		rounds++;
	}
	return 0;
}
