/* norace_mutex_types: unlock happens before the next lock, whatever the
 * mutex's type. Built once per type (tests/interpose/meson.build):
 * norace_mutex_normal, norace_mutex_errorcheck, and norace_mutex_recursive,
 * whose sides each lock it twice. The thread's critical section runs first. */
#include "e2e.h"

#include <pthread.h>

#ifndef MUTEX_TYPE
#error "build with -DMUTEX_TYPE=PTHREAD_MUTEX_..."
#endif

static pthread_mutex_t mu;
int shared;

static void lock(void)
{
	pthread_mutex_lock(&mu);
	if (MUTEX_TYPE == PTHREAD_MUTEX_RECURSIVE)
		pthread_mutex_lock(&mu);
}

static void unlock(void)
{
	if (MUTEX_TYPE == PTHREAD_MUTEX_RECURSIVE)
		pthread_mutex_unlock(&mu);
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
	if (pthread_mutexattr_settype(&a, MUTEX_TYPE) != 0)
		return 2;
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
