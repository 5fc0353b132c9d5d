/* norace_mutex_trylock: a successful trylock acquires like lock. Both
 * sides take the mutex with trylock (retrying while it is busy). */
#include "e2e.h"

#include <pthread.h>
#include <sched.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
int shared;

static void lock(void)
{
	while (pthread_mutex_trylock(&mu) != 0)
		sched_yield();
}

static void *worker(void *arg)
{
	(void)arg;
	lock();
	shared += 1;
	pthread_mutex_unlock(&mu);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	lock();
	shared += 1;
	int v = shared;
	pthread_mutex_unlock(&mu);
	pthread_join(t, NULL);
	return v == 2 ? 0 : 1;
}
