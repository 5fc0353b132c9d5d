/* race_atomic_cas_relaxed: a relaxed compare-exchange and a relaxed load
 * of the flag it set publish nothing: the data written before the CAS
 * still races with the read after the load. (norace_atomic_cas: the same
 * with acquire/release orders.)
 * expect-location: global data
 */
#include "e2e.h"

#include <pthread.h>
#include <stdatomic.h>

int data;
static atomic_int flag;
volatile int sink;

static void *worker(void *arg)
{
	(void)arg;
	data = 1; /* race */ /* prev: T1 write */
	int zero = 0;
	atomic_compare_exchange_strong_explicit(&flag, &zero, 1, memory_order_relaxed,
						memory_order_relaxed);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	if (atomic_load_explicit(&flag, memory_order_relaxed) == 1)
		sink = data; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
