/* race_annotate_benign_other_field: only stats.hits is declared benign
 * (AnnotateBenignRaceSized of its 4 bytes). The threads race on hits and
 * then on misses, in the same two functions: the race on hits is dropped
 * and the one on misses reported. Regression guard: the benign check runs
 * before deduplication, so the dropped race, which has the same
 * fingerprint, does not hide the real one.
 * expect-location: global stats
 */
#include "annotate.h"
#include "e2e.h"

#include <pthread.h>

struct {
	int hits, misses;
} stats;

static void *worker(void *arg)
{
	(void)arg;
	stats.hits++;
	stats.misses++; /* race */ /* prev: T1 write */
	e2e_post(1);
	return NULL;
}

int main(void)
{
	AnnotateBenignRaceSized(__FILE__, __LINE__, &stats.hits, sizeof stats.hits, "hit counter");
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	stats.hits++;
	stats.misses++; /* race */ /* cur: T0 write */
	pthread_join(t, NULL);
	return 0;
}
