/* race_signal_raise: a handler run by raise() (inside libc, so inside no
 * instrumented frame) races with a thread; its stack goes on into the
 * function that called raise, as TSan shows it.
 * expect-location: global value
 * expect-stack: cur on_usr1 fire main
 */
#include "e2e.h"

#include <pthread.h>
#include <signal.h>

int value;

static void on_usr1(int sig)
{
	(void)sig;
	value = 1; /* race */ /* cur: T0 write */
}

static void *writer(void *arg)
{
	(void)arg;
	value = 2; /* race */ /* prev: T1 write */
	e2e_post(1);
	return NULL;
}

__attribute__((noinline)) static void fire(void)
{
	raise(SIGUSR1);
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	e2e_wait(1);
	fire();
	pthread_join(t, NULL);
	return 0;
}
