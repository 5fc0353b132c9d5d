/* race_mutex_two_locks: each thread holds a lock, but not the same one:
 * a mutex orders only the critical sections of that mutex.
 * expect-location: global data
 */
#include "e2e.h"

#include <pthread.h>

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;
int data;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m1);
	data++; /* race */ /* prev: T1 write */
	pthread_mutex_unlock(&m1);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pthread_mutex_lock(&m2);
	data++; /* race */ /* cur: T0 write */
	pthread_mutex_unlock(&m2);
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
