/* norace_thread_churn: many threads created, joined and detached at once
 * from several creators, so glibc reuses pthread_t values all the time.
 * Regression: join and detach looked their thread up by pthread_t AFTER
 * the real call returned, when the value may already name a new thread;
 * they marked that one joined, freed its entry while it was starting, and
 * the runtime crashed. Results are handed over by a mutex (joined
 * threads) and a semaphore (detached ones). */
#include <pthread.h>
#include <semaphore.h>

enum { ROUNDS = 6, CREATORS = 8, CHILDREN = 24 };

static sem_t detached_done;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long total;

static void *child(void *arg)
{
	long v = (long)arg;
	pthread_mutex_lock(&mu);
	total += v;
	pthread_mutex_unlock(&mu);
	if (v & 1)
		sem_post(&detached_done);
	return arg;
}

static void *creator(void *arg)
{
	(void)arg;
	for (long i = 0; i < CHILDREN; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, child, (void *)i) != 0)
			return (void *)1;
		if (i & 1)
			pthread_detach(t);
		else
			pthread_join(t, NULL);
	}
	return NULL;
}

int main(void)
{
	sem_init(&detached_done, 0, 0);
	int bad = 0;
	for (int r = 0; r < ROUNDS; r++) {
		pthread_t c[CREATORS];
		for (int i = 0; i < CREATORS; i++)
			pthread_create(&c[i], NULL, creator, NULL);
		for (int i = 0; i < CREATORS; i++) {
			void *ret;
			pthread_join(c[i], &ret);
			bad |= ret != NULL;
		}
	}
	for (int i = 0; i < ROUNDS * CREATORS * CHILDREN / 2; i++)
		sem_wait(&detached_done);
	pthread_mutex_lock(&mu);
	long want = (long)ROUNDS * CREATORS * (CHILDREN * (CHILDREN - 1) / 2);
	bad |= total != want;
	pthread_mutex_unlock(&mu);
	return bad;
}
