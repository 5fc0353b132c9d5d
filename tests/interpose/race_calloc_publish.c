/* race_calloc_publish: calloc's zeroing is a write by the allocating
 * thread. A thread callocs a counter block and publishes the pointer with
 * a relaxed store; main loads it (relaxed: no order) and reads the zero
 * the thread's calloc wrote. The race's previous access is the calloc.
 * expect-location: heap T1
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

static long *shared;
volatile long sink;

static void *maker(void *arg)
{
	(void)arg;
	long *p = calloc(4, sizeof *p); /* alloc */ /* race */ /* prev: T1 write */
	__atomic_store_n(&shared, p, __ATOMIC_RELAXED);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, maker, NULL);
	e2e_wait(1);
	long *p = __atomic_load_n(&shared, __ATOMIC_RELAXED);
	sink = p[2]; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	free(p);
	return 0;
}
