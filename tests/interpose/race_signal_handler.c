/* race_signal_handler: a handler running on a worker reads what main
 * wrote after installing it, with nothing ordering the two (the edge
 * from sigaction covers only what came before it). The report names the
 * handler's line and main's.
 * expect-location: global limit
 */
#include "e2e.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

long limit;
static atomic_long got;
static atomic_int handled;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_store(&got, limit); /* race */ /* cur: T1 read */
	atomic_store(&handled, 1);
}

static void *worker(void *arg)
{
	(void)arg;
	e2e_post(1);
	while (!atomic_load(&handled))
		;
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	limit = 10; /* race */ /* prev: T0 write */
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	return atomic_load(&got) == 10 ? 0 : 1;
}
