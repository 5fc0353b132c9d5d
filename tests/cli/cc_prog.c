/*
 * cc_prog.c — built by `goc-race cc` in tests/cli/cli_test.sh (cases cc_*):
 * a goc program with goroutines, a channel, a WaitGroup, C11 atomics of
 * three widths (including 128-bit, which -mcx16 routes through the hooks)
 * and a struct copy. With nothing preloaded it must print exactly
 * "sum 5050 count 100 wide 100 copy 13".
 */
#include <goc/goc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { WORKERS = 4, JOBS = 100 };

static goc_chan *jobs;
static goc_waitgroup wg = GOC_WAITGROUP_INIT;
static _Atomic int64_t sum;
static _Atomic int32_t count;
static __int128 wide;

struct big {
	long w[16];
};
static struct big a, b;

static void worker(void *arg)
{
	(void)arg;
	int64_t n;
	while (goc_chan_recv(jobs, &n)) {
		atomic_fetch_add_explicit(&sum, n, memory_order_relaxed);
		atomic_fetch_add_explicit(&count, 1, memory_order_relaxed);
		__atomic_fetch_add(&wide, 1, __ATOMIC_SEQ_CST);
	}
	goc_waitgroup_done(&wg);
}

int main(void)
{
	jobs = goc_chan_new(sizeof(int64_t), 8);
	goc_waitgroup_add(&wg, WORKERS);
	for (int i = 0; i < WORKERS; i++)
		goc_go(worker, NULL);
	for (int64_t i = 1; i <= JOBS; i++)
		goc_chan_send(jobs, &i);
	goc_chan_close(jobs);
	goc_waitgroup_wait(&wg);
	for (int i = 0; i < 16; i++)
		a.w[i] = i;
	b = a;
	printf("sum %lld count %d wide %lld copy %ld\n", (long long)atomic_load(&sum),
	       atomic_load(&count), (long long)__atomic_load_n(&wide, __ATOMIC_SEQ_CST), b.w[13]);
	return 0;
}
