/* norace_rwlock_timed: the timed and clock variants of rwlock locking
 * carry the same edges as the plain ones: a timed write lock's unlock
 * orders a clock read lock; that reader's unlock orders a clock write
 * lock (deadlines far away: they never time out here). */
#include "e2e.h"

#include <pthread.h>
#include <time.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
int data;
volatile int seen;

static struct timespec later(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	ts.tv_sec += 60;
	return ts;
}

static void *writer(void *arg)
{
	(void)arg;
	struct timespec ts = later(CLOCK_REALTIME);
	pthread_rwlock_timedwrlock(&rw, &ts);
	data = 1;
	pthread_rwlock_unlock(&rw);
	e2e_post(1);
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	e2e_wait(1);
	struct timespec ts = later(CLOCK_MONOTONIC);
	pthread_rwlock_clockrdlock(&rw, CLOCK_MONOTONIC, &ts);
	seen = data;
	pthread_rwlock_unlock(&rw);
	e2e_post(2);
	return NULL;
}

int main(void)
{
	pthread_t w, r;
	pthread_create(&w, NULL, writer, NULL);
	pthread_create(&r, NULL, reader, NULL);
	e2e_wait(2);
	struct timespec ts = later(CLOCK_MONOTONIC);
	pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &ts);
	data = 2;
	pthread_rwlock_unlock(&rw);
	ts = later(CLOCK_REALTIME);
	pthread_rwlock_timedrdlock(&rw, &ts);
	int v = data;
	pthread_rwlock_unlock(&rw);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	return seen == 1 && v == 2 ? 0 : 1;
}
