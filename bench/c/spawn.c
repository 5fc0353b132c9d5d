/*
 * spawn.c — start n goroutines and join them.
 *
 * Goroutine i sends i on a buffered channel of capacity n (so it never
 * blocks) and ends; the spawner then receives n values and sums them. goc has
 * no WaitGroup yet, so both sides join through the channel. Measures
 * goroutine creation, first run, exit and stack reuse. Mirrors
 * bench/go/spawn/main.go.
 *
 * Checksum: n(n-1)/2.
 */
#include "bench.h"

static goc_chan *done; /* int64_t, cap n; set before the first spawn */

static void child(void *arg)
{
	int64_t i = (int64_t)(intptr_t)arg;

	goc_chan_send(done, &i);
}

static int64_t body(int64_t n)
{
	int64_t sum = 0, v;

	done = bench_chan(sizeof(int64_t), (size_t)n);
	for (int64_t i = 0; i < n; i++)
		bench_go(child, (void *)(intptr_t)i);
	for (int64_t i = 0; i < n; i++) {
		goc_chan_recv(done, &v);
		sum += v;
	}
	return sum;
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 1000000);

	bench_check("spawn", n, bench_run(body, n), n * (n - 1) / 2);
	return 0;
}
