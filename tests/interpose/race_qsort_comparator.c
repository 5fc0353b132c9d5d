/* race_qsort_comparator: the comparator qsort calls reads a global a
 * worker writes. The report's stack goes from the comparator on into
 * main at the qsort call, as TSan's does (before, it stopped at the
 * comparator: the call came from libc).
 * expect-location: global bias
 * expect-stack: cur by_value main
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

int bias;

static int by_value(const void *a, const void *b)
{
	int x = *(const int *)a + bias, y = *(const int *)b; /* race */ /* cur: T0 read */
	return (x > y) - (x < y);
}

static void *worker(void *arg)
{
	(void)arg;
	bias = 1; /* race */ /* prev: T1 write */
	e2e_post(1);
	return NULL;
}

int main(void)
{
	int v[4] = {3, 1, 2, 0};
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	qsort(v, 4, sizeof v[0], by_value);
	pthread_join(t, NULL);
	return 0;
}
