/* race_fresh_granule_memset: race_fresh_granule_writes with one of the two
 * writes a memset longer than 16 bytes, which takes the range path
 * (write_whole_granules). Regression: that path stored into a fresh
 * granule without claiming it and lost the other thread's write in about
 * 2 % of runs; hence the many runs, each of which must report the race.
 * expect-location: global fresh
 * expect-any-order
 * expect-runs: 200
 */
#include "e2e.h"

#include <pthread.h>
#include <string.h>

/* a page of its own, so that its shadow page is touched first here */
struct { long x; char rest[4096 - sizeof(long)]; } fresh __attribute__((aligned(4096)));

static void *filler(void *arg)
{
	(void)arg;
	e2e_wait(1);
	memset(&fresh, 1, 64); /* race */ /* prev: T1 write */
	return NULL;
}

static void *storer(void *arg)
{
	(void)arg;
	e2e_wait(1);
	fresh.x = 2; /* race */ /* cur: T2 write */
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	pthread_create(&a, NULL, filler, NULL);
	pthread_create(&b, NULL, storer, NULL);
	e2e_post(1);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
