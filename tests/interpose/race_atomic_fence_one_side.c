/* race_atomic_fence_one_side: a release fence alone orders nothing for a
 * reader that loads the flag relaxed and uses the data with no acquire
 * (no acquire fence, no acquire load): the data's write and read race.
 */
#include "e2e.h"

#include <pthread.h>
#include <stdatomic.h>

int data;
static atomic_int flag;
volatile int sink;

static void *producer(void *arg)
{
	(void)arg;
	data = 42; /* race */ /* prev: T1 write */
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&flag, 1, memory_order_relaxed);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, producer, NULL);
	e2e_wait(1);
	while (atomic_load_explicit(&flag, memory_order_relaxed) == 0)
		;
	sink = data; /* race */ /* cur: T0 read */
	atomic_thread_fence(memory_order_acquire);
	pthread_join(t, NULL);
	return 0;
}
