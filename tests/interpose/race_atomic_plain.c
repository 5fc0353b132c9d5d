/* race_atomic_plain: an atomic store and a plain read of the same int
 * race (report_atomic_races, on by default, as in TSan).
 * expect-location: global flag
 */
#include "e2e.h"

#include <pthread.h>

int flag;
volatile int sink;

static void *worker(void *arg)
{
	(void)arg;
	__atomic_store_n(&flag, 1, __ATOMIC_RELAXED); /* race */ /* prev: T1 atomic write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	sink = flag; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
