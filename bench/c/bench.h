/*
 * bench.h — the little every C benchmark in bench/c shares.
 *
 * Each benchmark runs its whole body in one goroutine (bench_run), so that the
 * work is scheduled by goc's workers exactly as Go's main goroutine is
 * scheduled by its Ps; the main thread only parks until the body hands back
 * its checksum. The checksum is printed as "<name> n=<n> ... checksum=<sum>",
 * the same line the Go twin in bench/go prints, and a wrong one exits 1.
 *
 * Header-only (static functions): the benchmarks are separate executables and
 * link nothing but libgoc.
 */
#ifndef GOC_BENCH_H
#define GOC_BENCH_H

#include <goc/goc.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* The body of a benchmark: does the work for n and returns the checksum. */
typedef int64_t (*bench_body)(int64_t n);

struct bench__root {
	bench_body body;
	int64_t n;
	goc_chan *result; /* int64_t, cap 1: the body's checksum */
};

static void bench__root_main(void *arg)
{
	struct bench__root *r = arg;
	int64_t sum = r->body(r->n);

	/* HB: this send happens before bench_run's receive returns. */
	goc_chan_send(r->result, &sum);
}

/* bench_die prints "bench: what" on stderr and exits 1. */
static inline void bench_die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(1);
}

/* bench_go is goc_go that exits the benchmark when no goroutine can be had. */
static inline void bench_go(goc_fn fn, void *arg)
{
	if (goc_go(fn, arg) < 0)
		bench_die("goc_go failed (out of memory or stacks)");
}

/* bench_calloc is calloc that exits the benchmark when it fails. */
static inline void *bench_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		bench_die("out of memory");
	return p;
}

/* bench_chan is goc_chan_new that exits the benchmark on ENOMEM. */
static inline goc_chan *bench_chan(size_t elem_size, size_t cap)
{
	goc_chan *c = goc_chan_new(elem_size, cap);

	if (c == NULL)
		bench_die("goc_chan_new failed");
	return c;
}

/* bench_arg returns argv[i] as an integer of at least min, or def when
 * there is no such argument; anything else exits 1 with a usage line. */
static inline int64_t bench_arg(int argc, char **argv, int i, int64_t def, int64_t min)
{
	if (argc <= i)
		return def;
	char *end;
	long long v = strtoll(argv[i], &end, 10);
	if (*argv[i] == '\0' || *end != '\0' || v < min) {
		fprintf(stderr, "%s: argument %d must be an integer >= %" PRId64 ", got '%s'\n",
			argv[0], i, min, argv[i]);
		exit(1);
	}
	return (int64_t)v;
}

/* bench_n returns argv[1] as the problem size, or def without one. */
static inline int64_t bench_n(int argc, char **argv, int64_t def)
{
	return bench_arg(argc, argv, 1, def, 0);
}

/* bench_run runs body(n) in a new goroutine, waits for it from the calling
 * (main) thread and returns its checksum. */
static inline int64_t bench_run(bench_body body, int64_t n)
{
	struct bench__root r = { body, n, bench_chan(sizeof(int64_t), 1) };
	int64_t sum = 0;

	bench_go(bench__root_main, &r);
	if (!goc_chan_recv(r.result, &sum))
		bench_die("result channel closed");
	return sum;
}

/* bench_check prints the checksum line and exits 1 if sum != want. */
static inline void bench_check(const char *name, int64_t n, int64_t sum, int64_t want)
{
	printf("%s n=%" PRId64 " checksum=%" PRId64 "\n", name, n, sum);
	fflush(stdout);
	if (sum != want) {
		fprintf(stderr, "%s: checksum %" PRId64 ", want %" PRId64 "\n", name, sum, want);
		exit(1);
	}
}

#endif /* GOC_BENCH_H */
