/* race_cond_destroy: a thread sets the flag under the mutex and signals
 * after unlocking; main sees the flag and destroys the condition variable.
 * Nothing orders the signal before the destroy (main's lock orders it
 * after the unlock, which came first): the signal may run on a destroyed
 * cond. The destroy's write races with the signal's read.
 * expect-location: global cv
 */
#include "e2e.h"

#include <pthread.h>

pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
int done;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	done = 1;
	pthread_mutex_unlock(&mu);
	pthread_cond_signal(&cv); /* race */ /* prev: T1 atomic read */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pthread_mutex_lock(&mu);
	while (!done)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	pthread_cond_destroy(&cv); /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
