/*
 * mutex.c — mutex-heavy counter: T threads share N rounds of
 * (pthread_mutex_lock; counter++; unlock) on one default mutex, each doing
 * its share. Measures a detector's cost per lock and unlock (clock
 * acquire/release on the mutex's sync object, lock-order bookkeeping) under
 * contention.
 *
 * Unit of work: one lock; increment; unlock.
 * HB: unlock happens before the next lock; create/join.
 * Checksum: N.
 */
#include "race.h"

struct shared {
	pthread_mutex_t mu;
	int64_t counter; /* protected by mu */
};

struct part {
	struct shared *s;
	int64_t rounds;
};

static void *worker(void *arg)
{
	struct part *p = arg;

	for (int64_t i = 0; i < p->rounds; i++) {
		pthread_mutex_lock(&p->s->mu);
		p->s->counter++;
		pthread_mutex_unlock(&p->s->mu);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int64_t n = race_arg("mutex", argc, argv, 1, 8000000);
	int64_t t = race_arg("mutex", argc, argv, 2, 2);
	struct shared s = { PTHREAD_MUTEX_INITIALIZER, 0 };
	struct part *parts = race_calloc("mutex", (size_t)t, sizeof *parts);
	pthread_t *tid = race_calloc("mutex", (size_t)t, sizeof *tid);

	for (int64_t k = 0; k < t; k++)
		parts[k] = (struct part){ &s, n * (k + 1) / t - n * k / t };
	race_start("mutex", tid, t, worker, parts, sizeof *parts);
	race_join(tid, t);
	race_check("mutex", n, t, "", s.counter, n);
	free(tid);
	free(parts);
	return 0;
}
