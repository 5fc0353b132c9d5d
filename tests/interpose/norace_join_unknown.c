/* norace_join_unknown: joining (and detaching) threads the runtime did not
 * create must not crash it (TSan crashes here): the threads are created
 * inside an ignore region, so the runtime passes those creates through. */
#include <pthread.h>

void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);

static void *worker(void *arg)
{
	return arg;
}

int main(void)
{
	pthread_t a, b;
	__tsan_ignore_thread_begin();
	pthread_create(&a, NULL, worker, (void *)1);
	pthread_create(&b, NULL, worker, (void *)2);
	__tsan_ignore_thread_end();
	void *r = NULL;
	int rc = pthread_join(a, &r);
	int rc2 = pthread_detach(b);
	return rc == 0 && r == (void *)1 && rc2 == 0 ? 0 : 1;
}
