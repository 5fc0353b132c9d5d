/* race_trylock_busy: a trylock that fails (EBUSY) orders nothing. The
 * thread writes under the mutex, unlocks, and locks it again; main's
 * trylock then fails and its write races with the thread's — had the
 * failed trylock acquired, the thread's unlock would have hidden it.
 * expect-location: global data
 */
#include "e2e.h"

#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
int data;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	data = 1; /* race */ /* prev: T1 write */
	pthread_mutex_unlock(&mu);
	pthread_mutex_lock(&mu);
	e2e_post(1);
	e2e_wait(2);
	pthread_mutex_unlock(&mu);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	if (pthread_mutex_trylock(&mu) == 0)
		return 1; /* cannot happen: the thread holds it */
	data = 2; /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
