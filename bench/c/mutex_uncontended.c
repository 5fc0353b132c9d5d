/*
 * mutex_uncontended.c — lock and unlock a mutex nobody else wants.
 *
 * The root goroutine does n rounds of lock; count++; unlock on one
 * goc_mutex that no other goroutine touches, so every lock and unlock takes
 * the fast path (one CAS each). The mutex and the count share a struct whose
 * address the lock calls see, so the count is loaded and stored in every
 * round, as in Go. Mirrors bench/go/mutex_uncontended/main.go.
 *
 * Checksum: the count, n.
 */
#include "bench.h"

struct guarded {
	goc_mutex mu;
	int64_t count; /* mu */
};

static int64_t body(int64_t n)
{
	struct guarded g = { GOC_MUTEX_INIT, 0 };

	for (int64_t i = 0; i < n; i++) {
		goc_mutex_lock(&g.mu);
		g.count++;
		goc_mutex_unlock(&g.mu);
	}
	return g.count;
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 50000000);

	bench_check("mutex_uncontended", n, bench_run(body, n), n);
	return 0;
}
