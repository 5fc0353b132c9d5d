/* norace_cond_timedwait: as norace_cond, with pthread_cond_timedwait and
 * pthread_cond_clockwait (deadlines far away) and a broadcast waking two
 * consumers. */
#include "e2e.h"

#include <pthread.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static int ready, waiting;
int data;
volatile int seen1, seen2;

static struct timespec later(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	ts.tv_sec += 60;
	return ts;
}

static void *timed(void *arg)
{
	(void)arg;
	struct timespec ts = later(CLOCK_REALTIME);
	pthread_mutex_lock(&mu);
	waiting++;
	e2e_post(waiting);
	while (!ready)
		pthread_cond_timedwait(&cv, &mu, &ts);
	pthread_mutex_unlock(&mu);
	seen1 = data;
	return NULL;
}

static void *clocked(void *arg)
{
	(void)arg;
	struct timespec ts = later(CLOCK_MONOTONIC);
	pthread_mutex_lock(&mu);
	waiting++;
	e2e_post(waiting);
	while (!ready)
		pthread_cond_clockwait(&cv, &mu, CLOCK_MONOTONIC, &ts);
	pthread_mutex_unlock(&mu);
	seen2 = data;
	return NULL;
}

int main(void)
{
	pthread_cond_init(&cv, NULL);
	pthread_t a, b;
	pthread_create(&a, NULL, timed, NULL);
	pthread_create(&b, NULL, clocked, NULL);
	e2e_wait(2);
	data = 7;
	pthread_mutex_lock(&mu);
	ready = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	pthread_cond_destroy(&cv);
	return seen1 == 7 && seen2 == 7 ? 0 : 1;
}
