/* race_tsan_mutex_trylock_failed: an annotated try-lock that fails
 * (__tsan_mutex_try_lock_failed) orders nothing. The thread writes under
 * the lock, unlocks, and takes it again; main's try-lock then fails and its
 * write races with the thread's — had the failed try-lock acquired, the
 * thread's first unlock would have hidden it.
 * expect-location: global data
 */
#define HIDDEN_SPINLOCK_ANNOTATED
#include "hidden_spinlock.h"

#include "e2e.h"

#include <pthread.h>

static hidden_spinlock lock;
int data;

static void *worker(void *arg)
{
	(void)arg;
	hidden_spin_lock(&lock);
	data = 1; /* race */ /* prev: T1 write */
	hidden_spin_unlock(&lock);
	hidden_spin_lock(&lock);
	e2e_post(1);
	e2e_wait(2);
	hidden_spin_unlock(&lock);
	return NULL;
}

int main(void)
{
	hidden_spin_init(&lock);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	if (hidden_spin_trylock(&lock))
		return 1; /* cannot happen: the thread holds it */
	data = 2; /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
