/* race_rand_r_seed: rand_r reads and updates the caller's seed; two
 * threads drawing from one seed unordered race on it. (TSan checks no
 * rand_r.)
 * expect-location: global seed
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

unsigned int seed = 42;

static void *worker(void *arg)
{
	(void)arg;
	int r = rand_r(&seed); /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return (void *)(long)r;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	int r = rand_r(&seed); /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return r >= 0 ? 0 : 1;
}
