/*
 * mutex_contended.c — g goroutines take turns on one mutex.
 *
 * The root goroutine starts g workers (argv[2], default 2) and waits for
 * them on a goc_waitgroup. Worker k does its share of n rounds (n/g, the
 * first n%g one more) of lock; count++; unlock on the same goc_mutex, so the
 * total work is n whatever g is. With one worker (GOC_MAXPROCS=1) goc never
 * preempts, so each goroutine runs its share alone; with two, the lock
 * bounces between threads and the slow path (spin, queue, park, wake) runs.
 * Mirrors bench/go/mutex_contended/main.go.
 *
 * Usage: bench_mutex_contended [N [G]]. Checksum: the count, n.
 */
#include "bench.h"

static struct {
	goc_mutex mu;
	int64_t count; /* mu */
} shared = { GOC_MUTEX_INIT, 0 };

static goc_waitgroup wg = GOC_WAITGROUP_INIT;
static int64_t goroutines = 2; /* set by main before bench_run */

static void worker(void *arg)
{
	int64_t share = (int64_t)(intptr_t)arg;

	for (int64_t i = 0; i < share; i++) {
		goc_mutex_lock(&shared.mu);
		shared.count++;
		goc_mutex_unlock(&shared.mu);
	}
	goc_waitgroup_done(&wg);
}

static int64_t body(int64_t n)
{
	goc_waitgroup_add(&wg, goroutines);
	for (int64_t k = 0; k < goroutines; k++) {
		int64_t share = n / goroutines + (k < n % goroutines);
		bench_go(worker, (void *)(intptr_t)share);
	}
	goc_waitgroup_wait(&wg);
	goc_mutex_lock(&shared.mu);
	int64_t sum = shared.count;
	goc_mutex_unlock(&shared.mu);
	return sum;
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 20000000);
	char name[64];

	goroutines = bench_arg(argc, argv, 2, goroutines, 1);
	snprintf(name, sizeof(name), "mutex_contended goroutines=%" PRId64, goroutines);
	bench_check(name, n, bench_run(body, n), n);
	return 0;
}
