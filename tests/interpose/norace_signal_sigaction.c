/* norace_signal_sigaction: what a thread did before installing a handler
 * happens before the handler runs, on any thread (TSan's edge). A worker
 * is created first; main then sets up `config` and installs handlers,
 * with sigaction (SA_SIGINFO) and with signal(); each handler runs on the
 * worker and reads config. The program also sees its own handlers, not
 * the runtime's: sigaction's old action (also in the struct it gave), a
 * query, SA_RESETHAND's reset to SIG_DFL and siginterrupt's SA_RESTART.
 * Exits 1 when libc's behaviour is not kept. */
#include "e2e.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

static long config[4];
static atomic_long got;
static atomic_int handled;

static void on_usr1(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	if (sig == SIGUSR1 && info->si_signo == SIGUSR1)
		atomic_fetch_add(&got, config[0]);
	atomic_fetch_add(&handled, 1);
}

static void on_usr2(int sig)
{
	atomic_fetch_add(&got, config[1] + (sig == SIGUSR2 ? 0 : 1000));
	atomic_fetch_add(&handled, 1);
}

static void on_once(int sig)
{
	(void)sig;
	atomic_fetch_add(&got, config[2]);
	atomic_fetch_add(&handled, 1);
}

static void *worker(void *arg)
{
	(void)arg;
	e2e_post(1);
	while (atomic_load(&handled) < 3)
		;
	return NULL;
}

/* The handler the program has for sig, by a query. */
static void *installed(int sig)
{
	struct sigaction cur;
	sigaction(sig, NULL, &cur);
	return (cur.sa_flags & SA_SIGINFO) ? (void *)cur.sa_sigaction : (void *)cur.sa_handler;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	config[0] = 1;
	config[1] = 20;
	config[2] = 300;

	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	if (signal(SIGUSR2, on_usr2) != SIG_DFL)
		return 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_once;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGALRM, &sa, NULL);
	if (installed(SIGUSR1) != (void *)on_usr1 || installed(SIGUSR2) != (void *)on_usr2)
		return 1;

	pthread_kill(t, SIGUSR1);
	pthread_kill(t, SIGUSR2);
	pthread_kill(t, SIGALRM);
	pthread_join(t, NULL);
	if (atomic_load(&got) != 321)
		return 1;
	if (installed(SIGALRM) != (void *)SIG_DFL)
		return 1; /* SA_RESETHAND */
	/* the old action is the program's own, flags and all */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &sa, &old);
	if (!(old.sa_flags & SA_SIGINFO) || old.sa_sigaction != on_usr1)
		return 1;
	if (signal(SIGUSR2, SIG_DFL) != on_usr2)
		return 1;
	/* the action given and the old one in the same struct */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGUSR1, &sa, &sa) != 0 || sa.sa_handler != SIG_IGN)
		return 1;
	if (installed(SIGUSR1) != (void *)on_usr1)
		return 1;
	sigaction(SIGUSR1, NULL, &old);
	if (!(old.sa_flags & SA_SIGINFO))
		return 1;
	raise(SIGUSR1); /* on_usr1 needs its siginfo */
	if (atomic_load(&got) != 322)
		return 1;
	/* siginterrupt: signal() then installs without SA_RESTART */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
	siginterrupt(SIGUSR2, 1); /* deprecated, still used */
#pragma clang diagnostic pop
	signal(SIGUSR2, on_usr2);
	sigaction(SIGUSR2, NULL, &old);
	if (old.sa_flags & SA_RESTART)
		return 1;
	return 0;
}
