/*
 * epochs.c — a thread's own memory at a new epoch: T threads each own a
 * slice of one 512 KiB array (2^16 int64) and sweep it N times
 * (a[i] += i & 7), locking and unlocking a mutex of their own after each
 * pass. The unlock is a release, so every pass runs in a new epoch and no
 * access is "the same as before": each one takes the detector's full
 * check, against cells that only the thread itself wrote. Next to sweep
 * (the same loop, never a new epoch) this is the cost of the check itself;
 * readshare adds other threads' cells to it.
 *
 * Unit of work: one pass over the whole array (2^16 element updates, a
 * read and a write each).
 * HB: pthread_create and pthread_join; each thread's own mutex.
 * Checksum: N * 28 * 2^13 (each block of 8 elements gains 0+1+...+7 a pass).
 */
#include "race.h"

#define M (1 << 16) /* array elements */

struct part {
	int64_t *a, lo, hi, passes, sum;
	pthread_mutex_t mu;
};

static void *sweeper(void *arg)
{
	struct part *p = arg;

	for (int64_t n = 0; n < p->passes; n++) {
		for (int64_t i = p->lo; i < p->hi; i++)
			p->a[i] += i & 7;
		pthread_mutex_lock(&p->mu); /* the unlock starts a new epoch */
		pthread_mutex_unlock(&p->mu);
	}
	int64_t s = 0;
	for (int64_t i = p->lo; i < p->hi; i++)
		s += p->a[i];
	p->sum = s;
	return NULL;
}

int main(int argc, char **argv)
{
	int64_t n = race_arg("epochs", argc, argv, 1, 4000);
	int64_t t = race_arg("epochs", argc, argv, 2, 2);
	int64_t *a = race_calloc("epochs", M, sizeof *a);
	struct part *parts = race_calloc("epochs", (size_t)t, sizeof *parts);
	pthread_t *tid = race_calloc("epochs", (size_t)t, sizeof *tid);

	for (int64_t k = 0; k < t; k++) {
		parts[k] = (struct part){ .a = a, .lo = M * k / t, .hi = M * (k + 1) / t, .passes = n };
		pthread_mutex_init(&parts[k].mu, NULL);
	}
	race_start("epochs", tid, t, sweeper, parts, sizeof *parts);
	race_join(tid, t);

	int64_t sum = 0;
	for (int64_t k = 0; k < t; k++) {
		sum += parts[k].sum;
		pthread_mutex_destroy(&parts[k].mu);
	}
	race_check("epochs", n, t, "", sum, n * 28 * (M / 8));
	free(tid);
	free(parts);
	free(a);
	return 0;
}
