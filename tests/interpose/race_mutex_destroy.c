/* race_mutex_destroy: main destroys a mutex that a thread locked with no
 * order between the two: the destroy writes the mutex, the lock read it
 * (TSan's model of a pthread object's own bytes).
 * expect-location: global mu
 */
#include "e2e.h"

#include <pthread.h>

pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
int count;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu); /* race */ /* prev: T1 atomic read */
	count++;
	pthread_mutex_unlock(&mu);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pthread_mutex_destroy(&mu); /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
