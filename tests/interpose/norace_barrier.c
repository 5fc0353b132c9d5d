/* norace_barrier: everything before any thread's pthread_barrier_wait
 * happens before everything after every thread's. Each side writes a
 * value before the barrier and reads the other's after it. */
#include "e2e.h"

#include <pthread.h>

static pthread_barrier_t bar;
int from_main, from_thread;
volatile int seen_main, seen_thread;

static void *worker(void *arg)
{
	(void)arg;
	from_thread = 1;
	e2e_post(1); /* main waits for this: its arrival comes second */
	pthread_barrier_wait(&bar);
	seen_thread = from_main;
	return NULL;
}

int main(void)
{
	pthread_barrier_init(&bar, NULL, 2);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	from_main = 2;
	pthread_barrier_wait(&bar);
	seen_main = from_thread;
	pthread_join(t, NULL);
	pthread_barrier_destroy(&bar);
	return seen_main == 1 && seen_thread == 2 ? 0 : 1;
}
