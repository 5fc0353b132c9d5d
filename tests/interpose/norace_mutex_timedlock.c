/* norace_mutex_timedlock: pthread_mutex_timedlock and
 * pthread_mutex_clocklock acquire like lock (deadlines far away: they
 * never time out here). */
#include "e2e.h"

#include <pthread.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
int shared;

static struct timespec later(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	ts.tv_sec += 60;
	return ts;
}

static void *worker(void *arg)
{
	(void)arg;
	struct timespec ts = later(CLOCK_REALTIME);
	if (pthread_mutex_timedlock(&mu, &ts) != 0)
		return (void *)1;
	shared += 1;
	pthread_mutex_unlock(&mu);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	struct timespec ts = later(CLOCK_MONOTONIC);
	if (pthread_mutex_clocklock(&mu, CLOCK_MONOTONIC, &ts) != 0)
		return 1;
	shared += 1;
	int v = shared;
	pthread_mutex_unlock(&mu);
	void *r;
	pthread_join(t, &r);
	return v == 2 && r == NULL ? 0 : 1;
}
