/* norace_cond: the classic predicate loop. The consumer is inside
 * pthread_cond_wait before the producer takes the mutex; data written
 * before the producer's unlock is read after the consumer's wait returns,
 * outside the lock. Also checks that pthread_cond_wait works at all under
 * the runtime (glibc's versioned symbol). */
#include "e2e.h"

#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;
int data;
volatile int seen;

static void *consumer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	e2e_post(1); /* holding mu: the producer cannot lock it until we wait */
	while (!ready)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	seen = data;
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, consumer, NULL);
	e2e_wait(1);
	data = 42;
	pthread_mutex_lock(&mu);
	ready = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(t, NULL);
	return seen == 42 ? 0 : 1;
}
