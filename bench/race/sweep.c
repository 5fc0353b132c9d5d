/*
 * sweep.c — disjoint array sweep: T threads each own a contiguous slice of
 * one 8 MiB array (2^20 int64) and sweep it N times (a[i] += i & 7), then
 * sum it. Nothing is shared at element granularity, so a detector does no
 * race work beyond the access check itself: this measures the raw cost of
 * an instrumented plain access (the fast path) and of the shadow memory for
 * a large array (peak RSS).
 *
 * Unit of work: one pass over the whole array (2^20 element updates).
 * HB: pthread_create and pthread_join only.
 * Checksum: N * 28 * 2^17 (each block of 8 elements gains 0+1+...+7 a pass).
 */
#include "race.h"

#define M (1 << 20) /* array elements */

struct part {
	int64_t *a, lo, hi, passes, sum;
};

static void *sweeper(void *arg)
{
	struct part *p = arg;

	for (int64_t n = 0; n < p->passes; n++) {
		for (int64_t i = p->lo; i < p->hi; i++)
			p->a[i] += i & 7;
		/* Keep each pass a pass: no folding of N passes into one. */
		__asm__ volatile("" ::: "memory");
	}
	int64_t s = 0;
	for (int64_t i = p->lo; i < p->hi; i++)
		s += p->a[i];
	p->sum = s;
	return NULL;
}

int main(int argc, char **argv)
{
	int64_t n = race_arg("sweep", argc, argv, 1, 300);
	int64_t t = race_arg("sweep", argc, argv, 2, 2);
	int64_t *a = race_calloc("sweep", M, sizeof *a);
	struct part *parts = race_calloc("sweep", (size_t)t, sizeof *parts);
	pthread_t *tid = race_calloc("sweep", (size_t)t, sizeof *tid);

	for (int64_t k = 0; k < t; k++)
		parts[k] = (struct part){ a, M * k / t, M * (k + 1) / t, n, 0 };
	race_start("sweep", tid, t, sweeper, parts, sizeof *parts);
	race_join(tid, t);

	int64_t sum = 0;
	for (int64_t k = 0; k < t; k++)
		sum += parts[k].sum;
	race_check("sweep", n, t, "", sum, n * 28 * (M / 8));
	free(tid);
	free(parts);
	free(a);
	return 0;
}
