/* race_realloc_kept: the bytes realloc keeps are the new block's, written
 * by the thread that reallocated (copied, or left in place). A thread
 * grows a block and publishes the new pointer with a relaxed store; main
 * loads it with no order and reads a kept byte: a race with the realloc.
 * expect-location: heap T1
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

static char *shared;
volatile char sink;

static void *grower(void *arg)
{
	char *p = arg;
	p = realloc(p, 4096); /* alloc */ /* race */ /* prev: T1 write */
	__atomic_store_n(&shared, p, __ATOMIC_RELAXED);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	char *p = malloc(16);
	for (int i = 0; i < 16; i++)
		p[i] = (char)i;
	pthread_t t;
	pthread_create(&t, NULL, grower, p);
	e2e_wait(1);
	char *q = __atomic_load_n(&shared, __ATOMIC_RELAXED);
	sink = q[5]; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	free(q);
	return 0;
}
