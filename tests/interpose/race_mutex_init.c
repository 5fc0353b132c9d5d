/* race_mutex_init: a thread initialises a mutex and uses it; main then
 * locks it with nothing ordering the init before its lock (the order the
 * lock itself gives comes from the thread's unlock, after the lock has
 * read the mutex), so the init's write races with the lock's read.
 * expect-location: global mu
 */
#include "e2e.h"

#include <pthread.h>

pthread_mutex_t mu;
int count;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_init(&mu, NULL); /* race */ /* prev: T1 write */
	pthread_mutex_lock(&mu);
	count++;
	pthread_mutex_unlock(&mu);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pthread_mutex_lock(&mu); /* race */ /* cur: T0 atomic read */
	count++;
	pthread_mutex_unlock(&mu);
	pthread_join(t, NULL);
	pthread_mutex_destroy(&mu);
	return 0;
}
