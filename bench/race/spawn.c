/*
 * spawn.c — thread create storm: N short threads, started T at a time and
 * joined before the next T start. Each writes its number into its own slot
 * of a shared array that the main thread reads after the join. Measures a
 * detector's per-thread cost: thread state and clock allocation at create,
 * the create and join edges, and releasing (or reusing) it all at exit.
 *
 * Unit of work: one pthread_create + run + pthread_join.
 * HB: pthread_create (parent before child) and pthread_join (child before
 * the joiner) — the only edges ordering the slot's write and read.
 * Checksum: N(N-1)/2.
 */
#include "race.h"

struct slot {
	int64_t i, v;
};

static void *child(void *arg)
{
	struct slot *s = arg;

	s->v = s->i;
	return NULL;
}

int main(int argc, char **argv)
{
	int64_t n = race_arg("spawn", argc, argv, 1, 6000);
	int64_t t = race_arg("spawn", argc, argv, 2, 2);
	struct slot *slots = race_calloc("spawn", (size_t)n, sizeof *slots);
	pthread_t *tid = race_calloc("spawn", (size_t)t, sizeof *tid);
	int64_t sum = 0;

	for (int64_t base = 0; base < n; base += t) {
		int64_t k = n - base < t ? n - base : t;
		for (int64_t j = 0; j < k; j++)
			slots[base + j].i = base + j;
		race_start("spawn", tid, k, child, slots + base, sizeof *slots);
		race_join(tid, k);
		for (int64_t j = 0; j < k; j++)
			sum += slots[base + j].v;
	}
	race_check("spawn", n, t, "", sum, n * (n - 1) / 2);
	free(tid);
	free(slots);
	return 0;
}
