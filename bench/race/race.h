/*
 * race.h — what the race-detector workloads in bench/race share.
 *
 * Each workload is one C program run as `PROG [N [T]]`: N is the amount of
 * work (its unit is stated in the program's opening comment; the driver,
 * bench/race_compare.sh, runs Valgrind's tools at a smaller N and compares
 * time per unit), T the number of threads (default 2). It prints one line
 * "<name> n=<N> threads=<T> ... checksum=<sum> want=<expected>" and exits 1
 * if the sum is not the one the work must produce.
 *
 * The same source is built four ways — plain, for goc-race, for real TSan,
 * and plain again under Helgrind and DRD — so nothing here may depend on
 * which: plain pthreads, libc and (chan only) libgoc.
 *
 * Header-only (static functions): the workloads are separate executables.
 */
#ifndef GOC_BENCH_RACE_H
#define GOC_BENCH_RACE_H

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* race_die prints "NAME: what" on stderr and exits 1. */
static inline void race_die(const char *name, const char *what)
{
	fprintf(stderr, "%s: %s\n", name, what);
	exit(1);
}

/* race_arg returns argv[i] as a positive integer, or def when absent. */
static inline int64_t race_arg(const char *name, int argc, char **argv, int i,
                               int64_t def)
{
	if (argc <= i)
		return def;
	char *end;
	long long v = strtoll(argv[i], &end, 10);
	if (*end != '\0' || v <= 0) {
		fprintf(stderr, "usage: %s [N [THREADS]] (positive integers)\n", name);
		exit(1);
	}
	return (int64_t)v;
}

/* race_calloc is calloc that exits (with "NAME: out of memory") when it
 * fails. */
static inline void *race_calloc(const char *name, size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		race_die(name, "out of memory");
	return p;
}

/* race_start starts t threads running fn(arg + i * size) for i = 0..t-1 and
 * fills tid[]. Exits on failure. HB: pthread_create's. */
static inline void race_start(const char *name, pthread_t *tid, int64_t t,
                              void *(*fn)(void *), void *arg, size_t size)
{
	for (int64_t i = 0; i < t; i++) {
		int err = pthread_create(&tid[i], NULL, fn, (char *)arg + i * size);
		if (err != 0)
			race_die(name, strerror(err));
	}
}

/* race_join joins the t threads in tid[]. HB: pthread_join's. */
static inline void race_join(pthread_t *tid, int64_t t)
{
	for (int64_t i = 0; i < t; i++)
		pthread_join(tid[i], NULL);
}

/* race_check prints the result line (extra: more "key=value" text, or ""),
 * ending "checksum=SUM want=WANT" so that a driver can check it even when a
 * wrapper hides the exit status, and exits 1 if sum != want. */
static inline void race_check(const char *name, int64_t n, int64_t t,
                              const char *extra, int64_t sum, int64_t want)
{
	printf("%s n=%" PRId64 " threads=%" PRId64 "%s%s checksum=%" PRId64
	       " want=%" PRId64 "\n", name, n, t, *extra ? " " : "", extra, sum, want);
	fflush(stdout);
	if (sum != want) {
		fprintf(stderr, "%s: checksum %" PRId64 ", want %" PRId64 "\n", name, sum, want);
		exit(1);
	}
}

#endif /* GOC_BENCH_RACE_H */
