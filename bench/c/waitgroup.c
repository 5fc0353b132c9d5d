/*
 * waitgroup.c — fan out n goroutines and join them with a WaitGroup.
 *
 * Each of ROUNDS rounds: for each of n children, goc_waitgroup_add(1) then
 * start the child, which marks its slot in ran[] and calls done; then wait,
 * and sum (and clear) ran[] — the marks are the children's writes that the
 * wait must make visible. Measures add/done/wait on one shared counter under
 * n goroutines, and goroutine creation and exit. Mirrors
 * bench/go/waitgroup/main.go.
 *
 * Usage: bench_waitgroup [N]. Checksum: ROUNDS * n.
 */
#include "bench.h"

#define ROUNDS 10

static goc_waitgroup wg = GOC_WAITGROUP_INIT;
static unsigned char *ran; /* n flags; slot i written by child i only */

static void child(void *arg)
{
	ran[(intptr_t)arg] = 1;
	goc_waitgroup_done(&wg);
}

static int64_t body(int64_t n)
{
	int64_t sum = 0;

	ran = bench_calloc((size_t)n + 1, 1);
	for (int r = 0; r < ROUNDS; r++) {
		for (int64_t i = 0; i < n; i++) {
			goc_waitgroup_add(&wg, 1);
			bench_go(child, (void *)(intptr_t)i);
		}
		/* HB: every done happens before wait returns. */
		goc_waitgroup_wait(&wg);
		for (int64_t i = 0; i < n; i++) {
			sum += ran[i];
			ran[i] = 0;
		}
	}
	free(ran);
	return sum;
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 100000);

	bench_check("waitgroup", n, bench_run(body, n), ROUNDS * n);
	return 0;
}
