/*
 * skynet.c — the classic skynet benchmark (github.com/atemerev/skynet).
 *
 * A 10-ary tree of goroutines with n leaves (1,111,111 goroutines for
 * n = 1,000,000): each inner node makes an unbuffered channel, spawns ten
 * children over its range of numbers, receives their ten sums and sends the
 * total to its parent; each leaf sends its own number. Measures spawn, exit
 * and unbuffered hand-off with up to n goroutines alive. Mirrors
 * bench/go/skynet/main.go.
 *
 * A node's arguments live in its parent's frame: the parent does not return
 * before it has received from every child, and a child reads its arguments
 * before it sends. The parent frees its channel after the tenth receive, when
 * every child's send has completed.
 *
 * Checksum: the sum of 0..n-1 (499999500000 for n = 1,000,000).
 */
#include "bench.h"

#define DIV 10

struct node {
	goc_chan *out; /* int64_t, unbuffered: the parent's channel */
	int64_t num;   /* first number in this subtree */
	int64_t size;  /* numbers in this subtree (a power of DIV) */
};

static void skynet(void *arg)
{
	struct node *nd = arg;

	if (nd->size == 1) {
		goc_chan_send(nd->out, &nd->num);
		return;
	}

	goc_chan *rc = bench_chan(sizeof(int64_t), 0);
	struct node kids[DIV];
	int64_t sub = nd->size / DIV, sum = 0, v;

	for (int i = 0; i < DIV; i++) {
		kids[i] = (struct node){ rc, nd->num + i * sub, sub };
		bench_go(skynet, &kids[i]);
	}
	for (int i = 0; i < DIV; i++) {
		goc_chan_recv(rc, &v);
		sum += v;
	}
	goc_chan_free(rc);
	goc_chan_send(nd->out, &sum);
}

static int64_t body(int64_t n)
{
	struct node root = { bench_chan(sizeof(int64_t), 0), 0, n };
	int64_t sum = 0;

	bench_go(skynet, &root);
	goc_chan_recv(root.out, &sum);
	return sum;
}

int main(int argc, char **argv)
{
	int64_t n = bench_n(argc, argv, 1000000); /* must be a power of DIV */

	bench_check("skynet", n, bench_run(body, n), n * (n - 1) / 2);
	return 0;
}
