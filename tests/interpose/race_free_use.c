/* race_free_use: a thread reads a heap block that main then frees with no
 * synchronisation: the free (a write over the whole block) races with the
 * read. The report names the block (the free is checked before the block
 * is forgotten).
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
	sink = block[2]; /* race */ /* prev: T1 read */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	block = calloc(8, sizeof *block); /* alloc */
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	free(block); /* race */ /* cur: T0 free */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
