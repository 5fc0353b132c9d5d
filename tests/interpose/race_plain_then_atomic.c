/* race_plain_then_atomic: the worker writes a global plainly, then
 * stores to it atomically; main's atomic load, unordered with both,
 * races with the plain write only. The atomic store must not take the
 * plain write's place in the shadow (it did: the race went unreported).
 * expect-location: global level
 */
#include "e2e.h"

#include <pthread.h>

int level;
volatile int sink;

static void *worker(void *arg)
{
	(void)arg;
	level = 1; /* race */ /* prev: T1 write */
	__atomic_store_n(&level, 2, __ATOMIC_RELAXED);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	sink = __atomic_load_n(&level, __ATOMIC_RELAXED); /* race */ /* cur: T0 atomic read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
