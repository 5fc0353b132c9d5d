/* norace_rwlock: a writer's unlock happens before the readers' locks; two
 * readers then hold the lock at the same time (both read); every reader's
 * unlock happens before the next writer's lock (Go's RWMutex edges).
 * T1 writes first, T2 and T3 read concurrently, main writes last. */
#include "e2e.h"

#include <pthread.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
int data;
volatile int seen2, seen3;

static void *writer(void *arg)
{
	(void)arg;
	pthread_rwlock_wrlock(&rw);
	data = 1;
	pthread_rwlock_unlock(&rw);
	e2e_post(1);
	return NULL;
}

static void *reader_a(void *arg)
{
	(void)arg;
	e2e_wait(1);
	pthread_rwlock_rdlock(&rw);
	e2e_post(2);
	e2e_wait(3); /* reader_b holds it too now */
	seen2 = data;
	pthread_rwlock_unlock(&rw);
	e2e_post(4);
	return NULL;
}

static void *reader_b(void *arg)
{
	(void)arg;
	e2e_wait(2);
	if (pthread_rwlock_tryrdlock(&rw) != 0)
		pthread_rwlock_rdlock(&rw);
	e2e_post(3);
	seen3 = data;
	e2e_wait(4); /* reader_a unlocked first */
	pthread_rwlock_unlock(&rw);
	e2e_post(5);
	return NULL;
}

int main(void)
{
	pthread_t w, a, b;
	pthread_create(&w, NULL, writer, NULL);
	pthread_create(&a, NULL, reader_a, NULL);
	pthread_create(&b, NULL, reader_b, NULL);
	e2e_wait(5);
	pthread_rwlock_wrlock(&rw);
	data = 2;
	pthread_rwlock_unlock(&rw);
	pthread_join(w, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	pthread_rwlock_destroy(&rw);
	return seen2 == 1 && seen3 == 1 ? 0 : 1;
}
