/*
 * readshare.c — read-shared, then write: N rounds of (every thread sums the
 * whole shared table; barrier; each thread adds 1 to each element of its own
 * slice; barrier). The table is 2^16 int64 (512 KiB). Each element goes
 * from read by all T threads to written by one, every round: the transition
 * a FastTrack-style detector pays for (a read-shared cell must be checked
 * against every reader before the write), and the barrier's edges.
 *
 * Unit of work: one round (T * 2^16 reads, 2^16 writes, two barriers).
 * HB: pthread_create/join, and pthread_barrier_wait (all arrivals happen
 * before every departure) between the phases.
 * Checksum: T * sum over rounds r of (M(M-1)/2 + r*M), M = 2^16: in round
 * r every element j holds j + r.
 */
#include "race.h"

#define M (1 << 16) /* table elements */

struct part {
	int64_t *tab, lo, hi, rounds, sum;
	pthread_barrier_t *bar;
};

static void *worker(void *arg)
{
	struct part *p = arg;
	int64_t s = 0;

	for (int64_t r = 0; r < p->rounds; r++) {
		for (int64_t j = 0; j < M; j++)
			s += p->tab[j];
		pthread_barrier_wait(p->bar);
		for (int64_t j = p->lo; j < p->hi; j++)
			p->tab[j] += 1;
		pthread_barrier_wait(p->bar);
	}
	p->sum = s;
	return NULL;
}

int main(int argc, char **argv)
{
	int64_t n = race_arg("readshare", argc, argv, 1, 2500);
	int64_t t = race_arg("readshare", argc, argv, 2, 2);
	int64_t *tab = race_calloc("readshare", M, sizeof *tab);
	struct part *parts = race_calloc("readshare", (size_t)t, sizeof *parts);
	pthread_t *tid = race_calloc("readshare", (size_t)t, sizeof *tid);
	pthread_barrier_t bar;

	for (int64_t j = 0; j < M; j++)
		tab[j] = j;
	pthread_barrier_init(&bar, NULL, (unsigned)t);
	for (int64_t k = 0; k < t; k++)
		parts[k] = (struct part){ tab, M * k / t, M * (k + 1) / t, n, 0, &bar };
	race_start("readshare", tid, t, worker, parts, sizeof *parts);
	race_join(tid, t);
	pthread_barrier_destroy(&bar);

	int64_t sum = 0, want = 0;
	for (int64_t k = 0; k < t; k++)
		sum += parts[k].sum;
	for (int64_t r = 0; r < n; r++)
		want += (int64_t)M * (M - 1) / 2 + r * M;
	race_check("readshare", n, t, "", sum, want * t);
	free(tid);
	free(parts);
	free(tab);
	return 0;
}
