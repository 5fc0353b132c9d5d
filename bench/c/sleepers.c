/*
 * sleepers.c — many goroutines sleeping in short naps.
 *
 * n goroutines (10,000) each sleep 1 ms, NAPS times (100), then send the
 * number of naps taken on a buffered channel; the root goroutine sums them.
 * The ideal wall time is NAPS ms (0.1 s); the rest is timer insertion, expiry
 * and wake-up cost with n timers pending. Mirrors bench/go/sleepers/main.go.
 *
 * Checksum: n * NAPS.
 */
#include "bench.h"

#define NAPS 100

static goc_chan *done; /* int64_t, cap n; set before the first spawn */

static void sleeper(void *arg)
{
	(void)arg;
	int64_t k;

	for (k = 0; k < NAPS; k++)
		goc_sleep(GOC_MILLISECOND);
	goc_chan_send(done, &k);
}

static int64_t body(int64_t n)
{
	int64_t sum = 0, v;

	done = bench_chan(sizeof(int64_t), (size_t)n);
	for (int64_t i = 0; i < n; i++)
		bench_go(sleeper, NULL);
	for (int64_t i = 0; i < n; i++) {
		goc_chan_recv(done, &v);
		sum += v;
	}
	return sum;
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 10000);

	bench_check("sleepers", n, bench_run(body, n), n * NAPS);
	return 0;
}
