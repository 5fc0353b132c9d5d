/*
 * select2.c — uncontended select over two ready channels.
 *
 * Two buffered channels of capacity 1 each hold one value. One goroutine
 * selects a receive from either (both are always ready, so goc_select picks
 * one at random), then puts the value back into the channel it came from, so
 * both are ready again. No other goroutine touches them: this is the cost of
 * select's fast path (lock both channels, pick, copy) plus one buffered send.
 * Mirrors bench/go/select2/main.go.
 *
 * Checksum: the number of selects, n; fails if either case was never chosen.
 */
#include "bench.h"

static int64_t body(int64_t n)
{
	goc_chan *a = bench_chan(sizeof(int64_t), 1);
	goc_chan *b = bench_chan(sizeof(int64_t), 1);
	int64_t va = 1, vb = 2, count[2] = { 0, 0 };
	goc_select_case cases[2] = { GOC_RECV(a, &va, NULL), GOC_RECV(b, &vb, NULL) };

	goc_chan_send(a, &va);
	goc_chan_send(b, &vb);
	for (int64_t i = 0; i < n; i++) {
		int k = goc_select(cases, 2);

		if (k == 0) {
			goc_chan_send(a, &va);
		} else if (k == 1) {
			goc_chan_send(b, &vb);
		} else {
			bench_die("goc_select returned neither case");
		}
		count[k]++;
	}
	printf("select2 a=%" PRId64 " b=%" PRId64 "\n", count[0], count[1]);
	if (n >= 100 && (count[0] == 0 || count[1] == 0))
		bench_die("select2: one case was never chosen");
	return count[0] + count[1];
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 2000000);

	bench_check("select2", n, bench_run(body, n), n);
	return 0;
}
