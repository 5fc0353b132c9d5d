/* race_tsan_mutex_unannotated: norace_tsan_mutex_spinlock without the
 * annotations. The spinlock's relaxed atomics create no edge and its fences
 * are not modelled (as in TSan), so the detector sees two unordered
 * increments: what the annotations are for.
 * expect-location: global counter
 */
#include "fence_spinlock.h"

#include "e2e.h"

#include <pthread.h>

static fence_spinlock lock;
int counter;

static void *worker(void *arg)
{
	(void)arg;
	fence_spin_lock(&lock);
	counter++; /* race */ /* prev: T1 write */
	fence_spin_unlock(&lock);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	fence_spin_init(&lock);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	fence_spin_lock(&lock);
	counter++; /* race */ /* cur: T0 write */
	fence_spin_unlock(&lock);
	pthread_join(t, NULL);
	return counter == 2 ? 0 : 1;
}
