/*
 * racy.c — racy counter: T threads share N increments of one plain
 * (volatile, so that every increment loads and stores memory) int64 with no
 * synchronization. Every detector reports this race; the driver makes sure
 * it reported it, lets it go on (no halt) and keeps its exit status 0, so
 * the run measures the steady state of a race that has already been
 * reported: each further access is still checked, found racing, and must
 * be deduplicated cheaply (same pair of stacks).
 *
 * The threads meet at a barrier after their first increment, which races
 * (and is reported) before it, so that every tool runs the rest with the
 * threads side by side. Without it a tool whose report is slow (TSan
 * symbolizes out of process) holds one thread in the report while the
 * other runs its whole share alone, which spares it the counter's cache
 * line moving between the cores that the others pay: TSan took 0.47 s
 * that way and 1.60 s with the barrier, goc-race 0.75 s and 0.84 s, in
 * one interleaved run (bench/RESULTS.md, "goc-race with the quick check").
 *
 * Unit of work: one racy increment (a load and a store).
 * HB: create/join, and the barrier after the first increment (the race
 * after it is between the increments that follow).
 * Checksum: N, counted by each thread in a local; the shared counter's
 * final value (lost updates make it smaller) is printed as final=.
 */
#include "race.h"

static volatile int64_t counter; /* racy on purpose: no protection */

struct part {
	int64_t rounds, done;
	pthread_barrier_t *bar;
};

static void *worker(void *arg)
{
	struct part *p = arg;
	int64_t done = 0;

	for (int64_t i = 0; i < p->rounds; i++) {
		counter++; /* the race */
		done++;
		if (i == 0)
			pthread_barrier_wait(p->bar);
	}
	if (p->rounds == 0)
		pthread_barrier_wait(p->bar); /* n < T: still meet the others */
	p->done = done;
	return NULL;
}

int main(int argc, char **argv)
{
	int64_t n = race_arg("racy", argc, argv, 1, 200000000);
	int64_t t = race_arg("racy", argc, argv, 2, 2);
	struct part *parts = race_calloc("racy", (size_t)t, sizeof *parts);
	pthread_t *tid = race_calloc("racy", (size_t)t, sizeof *tid);
	char extra[64];

	pthread_barrier_t bar;
	pthread_barrier_init(&bar, NULL, (unsigned)t);
	for (int64_t k = 0; k < t; k++) {
		parts[k].rounds = n * (k + 1) / t - n * k / t;
		parts[k].bar = &bar;
	}
	race_start("racy", tid, t, worker, parts, sizeof *parts);
	race_join(tid, t);
	pthread_barrier_destroy(&bar);

	int64_t done = 0;
	for (int64_t k = 0; k < t; k++)
		done += parts[k].done;
	snprintf(extra, sizeof extra, "final=%" PRId64, counter);
	race_check("racy", n, t, extra, done, n);
	free(tid);
	free(parts);
	return 0;
}
