/*
 * blocked.c — n goroutines parked at once on one channel, then all released.
 *
 * Goroutine i signals on `ready` (buffered, capacity n, no payload) and then
 * blocks receiving from `gate`. Once the root goroutine has n ready signals
 * every goroutine is alive, and it closes `gate`, which wakes them all; each
 * then sends i on `done` (buffered, capacity n) and ends, and the root sums
 * the n values. Measured mainly for peak RSS: the memory cost of n live,
 * blocked goroutines. Mirrors bench/go/blocked/main.go.
 *
 * Checksum: n(n-1)/2.
 */
#include "bench.h"

/* Set by body before the first spawn (HB: goc_go), never changed after. */
static goc_chan *ready; /* elem 0, cap n */
static goc_chan *gate;  /* elem 0, unbuffered, only ever closed */
static goc_chan *done;  /* int64_t, cap n */
static const char token; /* what a send on a 0-byte channel copies: nothing */

static void waiter(void *arg)
{
	int64_t i = (int64_t)(intptr_t)arg;

	goc_chan_send(ready, &token);
	goc_chan_recv(gate, NULL);
	goc_chan_send(done, &i);
}

static int64_t body(int64_t n)
{
	int64_t sum = 0, v;

	ready = bench_chan(0, (size_t)n);
	gate = bench_chan(0, 0);
	done = bench_chan(sizeof(int64_t), (size_t)n);
	for (int64_t i = 0; i < n; i++)
		bench_go(waiter, (void *)(intptr_t)i);
	for (int64_t i = 0; i < n; i++)
		goc_chan_recv(ready, NULL);
	goc_chan_close(gate);
	for (int64_t i = 0; i < n; i++) {
		goc_chan_recv(done, &v);
		sum += v;
	}
	return sum;
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 1000000);

	bench_check("blocked", n, bench_run(body, n), n * (n - 1) / 2);
	return 0;
}
