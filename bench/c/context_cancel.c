/*
 * context_cancel.c — cancel a tree of contexts with a goroutine blocked on
 * every node.
 *
 * Each of ROUNDS rounds builds a 10-ary tree of n cancelable contexts
 * (node 0 is goc_context_with_cancel(background), node i > 0 a child of node
 * (i-1)/10: depth 3 for n = 1000), then starts one goroutine per node. Each
 * goroutine signals `ready` (a WaitGroup) and blocks receiving from its
 * node's done channel; once all are ready the root goroutine cancels node 0
 * and waits on `observed` (a second WaitGroup) until every goroutine has
 * seen the close and checked that its node's err is GOC_ECANCELED. Then it
 * frees the contexts, leaves first (Go: calls each cancel func). Measures
 * cancel propagation through the tree, closing n done channels and waking n
 * parked goroutines; also building the tree and spawning. Mirrors
 * bench/go/context_cancel/main.go.
 *
 * Usage: bench_context_cancel [N]. Checksum: ROUNDS * n.
 */
#include "bench.h"

#define ROUNDS 300

static goc_waitgroup ready = GOC_WAITGROUP_INIT;
static goc_waitgroup observed = GOC_WAITGROUP_INIT;
static goc_context **nodes; /* n; set before the goroutines of a round start */
static unsigned char *seen; /* n flags; slot i written by goroutine i only */

static void watcher(void *arg)
{
	intptr_t i = (intptr_t)arg;

	goc_waitgroup_done(&ready);
	goc_chan_recv(goc_context_done(nodes[i]), NULL);
	seen[i] = goc_context_err(nodes[i]) == GOC_ECANCELED;
	goc_waitgroup_done(&observed);
}

static int64_t body(int64_t n)
{
	int64_t sum = 0;

	nodes = bench_calloc((size_t)n + 1, sizeof(*nodes));
	seen = bench_calloc((size_t)n + 1, 1);
	for (int r = 0; r < ROUNDS; r++) {
		for (int64_t i = 0; i < n; i++) {
			nodes[i] = goc_context_with_cancel(
				i == 0 ? goc_context_background() : nodes[(i - 1) / 10]);
			if (nodes[i] == NULL)
				bench_die("goc_context_with_cancel failed");
		}
		goc_waitgroup_add(&ready, n);
		goc_waitgroup_add(&observed, n);
		for (int64_t i = 0; i < n; i++)
			bench_go(watcher, (void *)(intptr_t)i);
		goc_waitgroup_wait(&ready);
		goc_context_cancel(nodes[0]);
		/* HB: every watcher's done happens before wait returns. */
		goc_waitgroup_wait(&observed);
		for (int64_t i = n - 1; i >= 0; i--) {
			sum += seen[i];
			seen[i] = 0;
			goc_context_free(nodes[i]);
		}
	}
	free(seen);
	free(nodes);
	return sum;
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 1000);

	bench_check("context_cancel", n, bench_run(body, n), ROUNDS * n);
	return 0;
}
