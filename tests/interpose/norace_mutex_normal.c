/* norace_mutex_normal: unlock happens before the next lock, with
 * a normal mutex. The thread's critical section runs first. */
#include "e2e.h"

#include <pthread.h>

static pthread_mutex_t mu;
int shared;

static void lock(void)
{
	pthread_mutex_lock(&mu);
}

static void unlock(void)
{
	pthread_mutex_unlock(&mu);
}

static void *worker(void *arg)
{
	(void)arg;
	lock();
	shared += 1;
	unlock();
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_NORMAL);
	pthread_mutex_init(&mu, &a);
	pthread_mutexattr_destroy(&a);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	lock();
	shared += 1;
	int v = shared;
	unlock();
	pthread_join(t, NULL);
	pthread_mutex_destroy(&mu);
	return v == 2 ? 0 : 1;
}
