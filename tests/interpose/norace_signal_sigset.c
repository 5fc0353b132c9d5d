/* norace_signal_sigset: a handler installed with System V's sigset()
 * (glibc's calls its sigaction by an internal name) reads what main wrote
 * before installing it, on a thread created earlier, which raises the
 * signal itself: the installation happens before the handler runs. Also
 * checks sigset's results (the old disposition; SIG_HOLD for a blocked
 * signal).
 */
#include "e2e.h"

#include <pthread.h>
#include <signal.h>

/* sigset is what this checks, deprecated or not */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

int value, seen;

static void on_usr1(int sig)
{
	(void)sig;
	seen = value;
}

static void *raiser(void *arg)
{
	(void)arg;
	e2e_wait(1);
	raise(SIGUSR1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, raiser, NULL);
	value = 42;
	if (sigset(SIGUSR1, on_usr1) != SIG_DFL)
		return 2;
	e2e_post(1);
	pthread_join(t, NULL);
	int ok = seen == 42;
	/* SIG_HOLD blocks; a second hold reports the signal held */
	ok &= sigset(SIGUSR2, SIG_HOLD) == SIG_DFL;
	ok &= sigset(SIGUSR2, SIG_HOLD) == SIG_HOLD;
	ok &= sigset(SIGUSR2, SIG_DFL) == SIG_HOLD;
	ok &= sigset(SIGUSR1, SIG_DFL) == on_usr1;
	return ok ? 0 : 1;
}
