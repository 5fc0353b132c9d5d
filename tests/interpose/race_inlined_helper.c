/* race_inlined_helper: the racing accesses are in helpers inlined into
 * their callers (one into another into main). Each report's top frame is
 * the inlined helper at its own line, and its callers follow, each at its
 * call's line, as TSan shows them.
 * Regression: the symbolizer named the caller at the helper's line; two
 * races in other helpers of the same two callers then had one
 * fingerprint, and only one was reported.
 * expect-location: global hits
 * expect-stack: cur peek_hits get_hits main
 * expect-stack: prev add_hit worker
 */
#include "e2e.h"

#include <pthread.h>

long hits;

static inline __attribute__((always_inline)) void add_hit(void)
{
	hits++; /* race */ /* prev: T1 write */
}

static inline __attribute__((always_inline)) long peek_hits(void)
{
	return hits; /* race */ /* cur: T0 read */
}

static inline __attribute__((always_inline)) long get_hits(void)
{
	return peek_hits();
}

static void *worker(void *arg)
{
	(void)arg;
	add_hit();
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	long v = get_hits();
	pthread_join(t, NULL);
	return v == 1 ? 0 : 2;
}
