/* norace_cancel_cond_wait: a thread cancelled inside pthread_cond_wait
 * gets its mutex back before its cleanup handler runs (glibc re-locks it
 * during the unwinding), so the handler's update under the mutex is
 * ordered after main's. Regression: the wait's re-lock was modelled only
 * when the wait returned, so the handler's update raced with main's. */
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int waiting, state;

static void unlock_it(void *arg)
{
	state += 100;
	pthread_mutex_unlock(arg);
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	pthread_cleanup_push(unlock_it, &m);
	waiting = 1;
	pthread_cond_signal(&c);
	for (;;)
		pthread_cond_wait(&c, &m); /* cancelled here */
	pthread_cleanup_pop(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_mutex_lock(&m);
	while (!waiting)
		pthread_cond_wait(&c, &m);
	state = 1;
	pthread_mutex_unlock(&m);
	pthread_cancel(t);
	pthread_join(t, NULL);
	pthread_mutex_lock(&m);
	int got = state;
	pthread_mutex_unlock(&m);
	return got == 101 ? 0 : 1;
}
