/* race_free_locked_mutex: a thread waits out the critical section of a
 * heap object's mutex (lock, unlock); main then frees the object with
 * nothing ordering the thread's use of the mutex before the free. The
 * free's write over the block races with the lock's read of the mutex.
 * expect-location: heap T0
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

struct obj {
	int refs;
	pthread_mutex_t mu;
};

static struct obj *o;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&o->mu); /* race */ /* prev: T1 atomic read */
	pthread_mutex_unlock(&o->mu);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	o = calloc(1, sizeof *o); /* alloc */
	pthread_mutex_init(&o->mu, NULL);
	o->refs = 1;
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	free(o); /* race */ /* cur: T0 free */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
