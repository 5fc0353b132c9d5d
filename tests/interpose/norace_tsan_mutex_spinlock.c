/* norace_tsan_mutex_spinlock: a spinlock ordered by fences, which the
 * detector does not model, announces itself with the custom-mutex
 * annotations (__tsan_mutex_*, fence_spinlock.h): unlock happens before
 * the next lock, so the two increments of counter are ordered, and the
 * lock's own relaxed atomics (inside the annotations' ignore regions) do
 * not count. Its twin without the annotations, race_tsan_mutex_unannotated,
 * draws the race.
 */
#define FENCE_SPINLOCK_ANNOTATED
#include "fence_spinlock.h"

#include "e2e.h"

#include <pthread.h>

static fence_spinlock lock;
int counter;

static void *worker(void *arg)
{
	(void)arg;
	fence_spin_lock(&lock);
	counter++;
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
	counter++;
	fence_spin_unlock(&lock);
	pthread_join(t, NULL);
	return counter == 2 ? 0 : 1;
}
