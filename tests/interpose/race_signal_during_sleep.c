/* race_signal_during_sleep: a handler that interrupts a sleeping thread
 * (inside libc's nanosleep, so inside no instrumented frame) races with
 * main; its stack goes on into the function that slept, as TSan shows it.
 * expect-location: global value
 * expect-stack: prev on_usr1 doze sleeper
 */
#include "e2e.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

int value;
static atomic_int handled;

static void on_usr1(int sig)
{
	(void)sig;
	value = 1; /* race */ /* prev: T1 write */
	atomic_store(&handled, 1);
}

/* Sleeps until a signal interrupts the sleep (EINTR): the only code
 * the thread runs meanwhile is this loop and libc's. */
__attribute__((noinline)) static void doze(void)
{
	e2e_post(1);
	while (usleep(100000) == 0)
		;
}

static void *sleeper(void *arg)
{
	(void)arg;
	doze();
	return NULL;
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	pthread_t t;
	pthread_create(&t, NULL, sleeper, NULL);
	e2e_wait(1);
	usleep(50000); /* the thread is asleep by then */
	while (!atomic_load_explicit(&handled, memory_order_relaxed)) {
		pthread_kill(t, SIGUSR1);
		usleep(20000);
	}
	int v = value; /* race */ /* cur: T0 read */
	pthread_join(t, NULL);
	return v == 1 ? 0 : 1;
}
