/*
 * chan.c — channel producer/consumer with libgoc: max(T-1, 1) producer
 * goroutines send their share of the int64 values 0..N-1 on one buffered
 * goc channel of capacity 100; a consumer goroutine receives N values and
 * sums them, then hands the sum to the main thread over a second channel;
 * main waits for all of them (a WaitGroup) before it frees the jobs and
 * the channels.
 * libgoc runs them on T workers (goc_set_maxprocs(T)). Measures the
 * detector's cost for channel edges (per-slot release/acquire from libgoc's
 * tracer table, or real TSan's annotations in a TSan-built libgoc) and
 * goroutine switches. Under Valgrind, which knows neither goroutines nor
 * libgoc's atomics, see condq.c for the same shape on pthreads.
 *
 * Unit of work: one value sent and received.
 * HB: the k-th receive happens before the (k+100)-th send completes, a send
 * before its receive completes; goc_go before the goroutine starts; each
 * goroutine's done before main's wait returns (without it, a producer's last
 * loop test of j->hi races with free(jobs): goc-race reported exactly that).
 * Checksum: N(N-1)/2.
 */
#include <goc/goc.h>

#include "race.h"

#define CAP 100

struct job {
	goc_chan *c; /* int64_t, cap CAP */
	goc_waitgroup *wg; /* done when the producer has sent its share */
	int64_t lo, hi;
};

struct consumer {
	goc_chan *c, *result; /* result: int64_t, cap 1 */
	goc_waitgroup *wg;
	int64_t n;
};

static void producer(void *arg)
{
	struct job *j = arg;

	for (int64_t v = j->lo; v < j->hi; v++)
		goc_chan_send(j->c, &v);
	goc_waitgroup_done(j->wg);
}

static void consume(void *arg)
{
	struct consumer *k = arg;
	int64_t sum = 0, v;

	for (int64_t i = 0; i < k->n; i++) {
		if (!goc_chan_recv(k->c, &v))
			race_die("chan", "channel closed");
		sum += v;
	}
	goc_chan_send(k->result, &sum);
	goc_waitgroup_done(k->wg);
}

int main(int argc, char **argv)
{
	int64_t n = race_arg("chan", argc, argv, 1, 2000000);
	int64_t t = race_arg("chan", argc, argv, 2, 2);
	int64_t np = t > 1 ? t - 1 : 1, sum = 0;
	goc_waitgroup wg = GOC_WAITGROUP_INIT;
	struct job *jobs = race_calloc("chan", (size_t)np, sizeof *jobs);
	struct consumer k = { goc_chan_new(sizeof(int64_t), CAP),
	                      goc_chan_new(sizeof(int64_t), 1), &wg, n };

	if (k.c == NULL || k.result == NULL)
		race_die("chan", "out of memory");
	if (goc_set_maxprocs((int)(t < 256 ? t : 256)) < 0)
		race_die("chan", "goc_set_maxprocs failed");
	goc_waitgroup_add(&wg, np + 1);
	if (goc_go(consume, &k) < 0)
		race_die("chan", "goc_go failed");
	for (int64_t p = 0; p < np; p++) {
		jobs[p] = (struct job){ k.c, &wg, n * p / np, n * (p + 1) / np };
		if (goc_go(producer, &jobs[p]) < 0)
			race_die("chan", "goc_go failed");
	}
	if (!goc_chan_recv(k.result, &sum))
		race_die("chan", "result channel closed");
	goc_waitgroup_wait(&wg);
	race_check("chan", n, t, "", sum, n * (n - 1) / 2);
	goc_chan_free(k.result);
	goc_chan_free(k.c);
	free(jobs);
	return 0;
}
