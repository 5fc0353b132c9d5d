/* race_signal_during_wait: a handler that interrupts a waiting thread
 * (inside libc's sigsuspend, so inside no instrumented frame) races with
 * main; its stack goes on into the function that waited, as TSan shows
 * it. The thread blocks SIGUSR1 and waits with it unblocked, so the
 * signal can only land inside the wait: no timing involved.
 * expect-location: global value
 * expect-stack: prev on_usr1 wait_for_signal waiter
 */
#include "e2e.h"

#include <pthread.h>
#include <signal.h>

int value;

static void on_usr1(int sig)
{
	(void)sig;
	value = 1; /* race */ /* prev: T1 write */
	e2e_post(2);
}

__attribute__((noinline)) static void wait_for_signal(const sigset_t *open)
{
	sigsuspend(open);
}

static void *waiter(void *arg)
{
	(void)arg;
	sigset_t usr1, open;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, &open);
	sigdelset(&open, SIGUSR1);
	e2e_post(1);
	wait_for_signal(&open);
	return NULL;
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	pthread_t t;
	pthread_create(&t, NULL, waiter, NULL);
	e2e_wait(1);
	pthread_kill(t, SIGUSR1);
	e2e_wait(2);
	int v = value; /* race */ /* cur: T0 read */
	pthread_join(t, NULL);
	return v == 1 ? 0 : 1;
}
