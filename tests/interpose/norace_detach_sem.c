/* norace_detach_sem: detached threads (one by attribute, one by
 * pthread_detach) hand their results over with a semaphore; nobody joins
 * them. */
#include <pthread.h>
#include <semaphore.h>

static sem_t done;
int r1, r2;

static void *one(void *arg)
{
	(void)arg;
	r1 = 1;
	sem_post(&done);
	return NULL;
}

static void *two(void *arg)
{
	(void)arg;
	r2 = 2;
	sem_post(&done);
	return NULL;
}

int main(void)
{
	sem_init(&done, 0, 0);
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_t t1, t2;
	pthread_create(&t1, &a, one, NULL);
	pthread_attr_destroy(&a);
	pthread_create(&t2, NULL, two, NULL);
	pthread_detach(t2);
	sem_wait(&done);
	sem_wait(&done);
	int v = r1 + r2;
	r1 = r2 = 0;
	return v == 3 ? 0 : 1;
}
