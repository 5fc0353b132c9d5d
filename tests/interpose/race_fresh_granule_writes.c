/* race_fresh_granule_writes: two threads released at once each write a
 * global that nothing touched before, so its shadow is a page nobody has
 * written yet. Regression: both found the cells empty, both stored into
 * the first one (the page fault of the store kept the window open for
 * microseconds), the later store replaced the earlier, and neither saw
 * the other: the race went unreported in 5-18 % of runs. So the check is
 * made in many runs, each of which must report it.
 * expect-location: global fresh
 * expect-any-order
 * expect-runs: 40
 */
#include "e2e.h"

#include <pthread.h>

/* a page of its own, so that its shadow page is touched first by the race */
struct { long x; char rest[4096 - sizeof(long)]; } fresh __attribute__((aligned(4096)));

static void *writer(void *arg)
{
	e2e_wait(1);
	fresh.x = (long)arg; /* race */ /* prev: T1 write */ /* cur: T2 write */
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	pthread_create(&a, NULL, writer, (void *)1);
	pthread_create(&b, NULL, writer, (void *)2);
	e2e_post(1);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
