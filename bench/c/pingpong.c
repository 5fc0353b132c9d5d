/*
 * pingpong.c — unbuffered round trips between two goroutines.
 *
 * The pinger (the benchmark's root goroutine) sends i on the unbuffered
 * channel ping; the ponger receives it and sends i + 1 back on the unbuffered
 * channel pong. Each round trip is two rendezvous hand-offs and two goroutine
 * switches. Mirrors bench/go/pingpong/main.go.
 *
 * Checksum: the sum of the replies, n(n+1)/2.
 */
#include "bench.h"

static goc_chan *ping, *pong; /* int64_t, unbuffered; set before ponger starts */

static void ponger(void *arg)
{
	(void)arg;
	int64_t v;

	while (goc_chan_recv(ping, &v)) {
		v++;
		goc_chan_send(pong, &v);
	}
}

static int64_t body(int64_t n)
{
	int64_t sum = 0, v;

	ping = bench_chan(sizeof(int64_t), 0);
	pong = bench_chan(sizeof(int64_t), 0);
	bench_go(ponger, NULL);
	for (int64_t i = 0; i < n; i++) {
		goc_chan_send(ping, &i);
		goc_chan_recv(pong, &v);
		sum += v;
	}
	goc_chan_close(ping);
	return sum;
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 1000000);

	bench_check("pingpong", n, bench_run(body, n), n * (n + 1) / 2);
	return 0;
}
