/* race_use_after_free_kept: main frees a block and unlocks; the writer
 * locks and writes into the freed block (a use after free, but ordered
 * after the free: no race). The reader, ordered with neither, reads the
 * block: that races with the free, and the report names the free, not the
 * writer's write: a write does not forget a free it happens after.
 * expect-title: DATA RACE: heap use after free
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

static long *block, *live;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
volatile long sink;

static void *writer(void *arg)
{
	(void)arg;
	e2e_wait(1);
	pthread_mutex_lock(&mu);
	/* the same write twice: first to a live block beside it, so that
	 * the second finds its shadow and calling context cached and takes
	 * the quick check */
	for (int i = 0; i < 2; i++)
		(i == 0 ? live : block)[1] = 7;
	pthread_mutex_unlock(&mu);
	e2e_post(2);
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	e2e_wait(2);
	sink = block[1]; /* race */ /* cur: T2 read */
	return NULL;
}

int main(void)
{
	block = calloc(4, sizeof *block);
	live = calloc(4, sizeof *live);
	pthread_t w, r;
	pthread_create(&w, NULL, writer, NULL);
	pthread_create(&r, NULL, reader, NULL);
	pthread_mutex_lock(&mu);
	free(block); /* race */ /* prev: T0 free */
	pthread_mutex_unlock(&mu);
	e2e_post(1);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	free(live);
	return 0;
}
