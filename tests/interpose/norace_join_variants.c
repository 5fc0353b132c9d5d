/* norace_join_variants: pthread_tryjoin_np (retried while the thread
 * runs), pthread_timedjoin_np and pthread_clockjoin_np order the thread's
 * work before their successful return, like pthread_join. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

int r1, r2, r3;

static void *one(void *arg)
{
	(void)arg;
	r1 = 1;
	return NULL;
}

static void *two(void *arg)
{
	(void)arg;
	r2 = 2;
	return NULL;
}

static void *three(void *arg)
{
	(void)arg;
	r3 = 3;
	return NULL;
}

static struct timespec later(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	ts.tv_sec += 60;
	return ts;
}

int main(void)
{
	pthread_t a, b, c;
	pthread_create(&a, NULL, one, NULL);
	pthread_create(&b, NULL, two, NULL);
	pthread_create(&c, NULL, three, NULL);
	int rc;
	while ((rc = pthread_tryjoin_np(a, NULL)) == EBUSY)
		sched_yield();
	struct timespec ts = later(CLOCK_REALTIME);
	int rc2 = pthread_timedjoin_np(b, NULL, &ts);
	ts = later(CLOCK_MONOTONIC);
	int rc3 = pthread_clockjoin_np(c, NULL, CLOCK_MONOTONIC, &ts);
	int v = r1 + r2 + r3;
	r1 = r2 = r3 = 0;
	return rc == 0 && rc2 == 0 && rc3 == 0 && v == 6 ? 0 : 1;
}
