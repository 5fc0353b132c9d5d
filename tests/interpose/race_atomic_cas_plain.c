/* race_atomic_cas_plain: a compare-exchange (clang emits
 * __tsan_atomicN_compare_exchange_val for every one) races with a plain
 * write of the same int; the CAS is reported at its own line.
 * Regression: compare_exchange_val called the exported _strong through
 * the PLT, so the CAS's pc was in libgoc-race.so and the report named
 * __tsan_atomic32_compare_exchange_val instead of main.
 * expect-location: global flag
 */
#include "e2e.h"

#include <pthread.h>

int flag;

static void *worker(void *arg)
{
	(void)arg;
	flag = 2; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	__sync_bool_compare_and_swap(&flag, 2, 3); /* race */ /* cur: T0 atomic write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
