/* norace_annotate_benign_race: two unordered writes of stats.hits race, but
 * main declared the memory benign with AnnotateBenignRaceSized: the race is
 * dropped (and counted as suppressed), so there is no finding.
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
	e2e_post(1);
	return NULL;
}

int main(void)
{
	AnnotateBenignRaceSized(__FILE__, __LINE__, &stats, sizeof stats, "approximate statistics");
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	stats.hits++;
	pthread_join(t, NULL);
	return 0;
}
