/* race_heap: a thread writes a heap block that main then reads; the
 * report names the block and where main allocated it.
 * expect-location: heap T0
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

static int *block;
volatile int sink;

static void *worker(void *arg)
{
	(void)arg;
	block[3] = 7; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	block = malloc(16 * sizeof *block); /* alloc */
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	sink = block[3]; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	free(block);
	return 0;
}
