/* race_rwlock_readers: two threads write under a READ lock. Readers do not
 * order each other (Go's RWMutex model), so this is a race.
 * expect-location: global data
 */
#include "e2e.h"

#include <pthread.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
int data;

static void *worker(void *arg)
{
	(void)arg;
	pthread_rwlock_rdlock(&rw);
	data = 1; /* race */ /* prev: T1 write */
	pthread_rwlock_unlock(&rw);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pthread_rwlock_rdlock(&rw);
	data = 2; /* race */ /* cur: T0 write */
	pthread_rwlock_unlock(&rw);
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
