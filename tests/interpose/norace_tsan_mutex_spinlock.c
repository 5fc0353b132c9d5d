/* norace_tsan_mutex_spinlock: a spinlock whose atomics the detector
 * cannot see (inline assembly, hidden_spinlock.h) announces itself with
 * the custom-mutex annotations (__tsan_mutex_*): unlock happens before
 * the next lock, so the two increments of counter are ordered. Its twin without the annotations, race_tsan_mutex_unannotated,
 * draws the race.
 */
#define HIDDEN_SPINLOCK_ANNOTATED
#include "hidden_spinlock.h"

#include "e2e.h"

#include <pthread.h>

static hidden_spinlock lock;
int counter;

static void *worker(void *arg)
{
	(void)arg;
	hidden_spin_lock(&lock);
	counter++;
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
	counter++;
	hidden_spin_unlock(&lock);
	pthread_join(t, NULL);
	return counter == 2 ? 0 : 1;
}
