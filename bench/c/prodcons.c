/*
 * prodcons.c — one producer, one consumer, a buffered channel of capacity 100.
 *
 * The producer sends the int64_t values 0..n-1 and closes the channel; the
 * consumer (the root goroutine) receives until the channel is closed and sums
 * them. Measures the buffered fast path and the cost of waking a parked
 * partner when the buffer runs full or empty. Mirrors
 * bench/go/prodcons/main.go.
 *
 * Checksum: n(n-1)/2.
 */
#include "bench.h"

struct job {
	goc_chan *c; /* int64_t, cap 100 */
	int64_t n;
};

static void producer(void *arg)
{
	struct job *j = arg;

	for (int64_t i = 0; i < j->n; i++)
		goc_chan_send(j->c, &i);
	goc_chan_close(j->c);
}

static int64_t body(int64_t n)
{
	struct job j = { bench_chan(sizeof(int64_t), 100), n };
	int64_t sum = 0, v;

	bench_go(producer, &j);
	while (goc_chan_recv(j.c, &v))
		sum += v;
	return sum;
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 5000000);

	bench_check("prodcons", n, bench_run(body, n), n * (n - 1) / 2);
	return 0;
}
