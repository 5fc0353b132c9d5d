/* norace_sem: sem_post happens before the sem_wait it satisfies (and
 * sem_trywait, sem_timedwait). */
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

static sem_t s1, s2, s3;
int d1, d2, d3;

static void *worker(void *arg)
{
	(void)arg;
	d1 = 1;
	sem_post(&s1);
	d2 = 2;
	sem_post(&s2);
	d3 = 3;
	sem_post(&s3);
	return NULL;
}

int main(void)
{
	sem_init(&s1, 0, 0);
	sem_init(&s2, 0, 0);
	sem_init(&s3, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	sem_wait(&s1);
	int v = d1;
	while (sem_trywait(&s2) != 0)
		;
	v += d2;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 60;
	sem_timedwait(&s3, &ts);
	v += d3;
	d1 = d2 = d3 = 0; /* written after the waits: no race with the thread */
	pthread_join(t, NULL);
	sem_destroy(&s1);
	sem_destroy(&s2);
	sem_destroy(&s3);
	return v == 6 ? 0 : 1;
}
