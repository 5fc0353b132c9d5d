/* race_tsan_mutex_unannotated: norace_tsan_mutex_spinlock without the
 * annotations. The spinlock's atomics are inline assembly the detector
 * never sees, so it sees two unordered increments: what the annotations
 * are for.
 * expect-location: global counter
 */
#include "hidden_spinlock.h"

#include "e2e.h"

#include <pthread.h>

static hidden_spinlock lock;
int counter;

static void *worker(void *arg)
{
	(void)arg;
	hidden_spin_lock(&lock);
	counter++; /* race */ /* prev: T1 write */
	hidden_spin_unlock(&lock);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	hidden_spin_init(&lock);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	hidden_spin_lock(&lock);
	counter++; /* race */ /* cur: T0 write */
	hidden_spin_unlock(&lock);
	pthread_join(t, NULL);
	return counter == 2 ? 0 : 1;
}
