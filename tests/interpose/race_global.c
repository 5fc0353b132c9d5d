/* race_global: two threads write a global, unsynchronised.
 * expect-location: global counter
 */
#include "e2e.h"

#include <pthread.h>

int counter;

static void *worker(void *arg)
{
	(void)arg;
	counter = 1; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	counter = 2; /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
