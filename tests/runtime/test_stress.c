/*
 * test_stress.c — the runtime under load: 10^6 values through a 4-stage
 * pipeline (sum conserved), 100,000 goroutines ping-ponging in pairs, and
 * 1,000,000 goroutines blocked at once then all released (peak RSS printed to
 * stderr). Under ThreadSanitizer every size is 1/100.
 *
 * Exact counts and sums are asserted, never times; each test ends with
 * expect_no_leftovers(). Run one test at a time (-j1, not parallel in meson):
 * the machine has two cores.
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(stress, .timeout = GOC_TEST_TSAN ? 600.0 : 280.0);

static void report(const char *what, int64_t t0)
{
	goc_stats st;
	goc_read_stats(&st);
	fprintf(stderr,
	        "stress: %s: %.2f s, peak RSS %ld MiB, stacks cached %lld, guarded %lld, "
	        "workers %lld\n",
	        what, (double)(goc_now() - t0) / GOC_SECOND, peak_rss_kib() / 1024,
	        (long long)st.stacks_cached, (long long)st.stacks_guarded, (long long)st.workers);
}

/* ---- pipeline ------------------------------------------------------------ */

#define PIPE_N ((int64_t)TEST_SCALE(1000000))

struct stage {
	goc_chan *in, *out;
	int64_t mul, add; /* out = in * mul + add */
};

static void generate(void *p)
{
	struct stage *s = p;
	for (int64_t i = 1; i <= PIPE_N; i++)
		goc_chan_send(s->out, &i);
	goc_chan_close(s->out);
}

static void transform(void *p)
{
	struct stage *s = p;
	int64_t v;
	while (goc_chan_recv(s->in, &v)) {
		v = v * s->mul + s->add;
		goc_chan_send(s->out, &v);
	}
	goc_chan_close(s->out);
}

struct sink {
	goc_chan *in, *result;
	int64_t sum, count;
};

static void consume_all(void *p)
{
	struct sink *s = p;
	int64_t v;
	while (goc_chan_recv(s->in, &v)) {
		s->sum += v;
		s->count++;
	}
	goc_chan_send(s->result, NULL);
}

Test(stress, a_million_values_through_a_4_stage_pipeline_conserve_the_sum)
{
	int64_t t0 = goc_now();
	/* Mixed capacities: unbuffered, small and larger buffers. */
	goc_chan *c1 = chan_or_fail(sizeof(int64_t), 0);
	goc_chan *c2 = chan_or_fail(sizeof(int64_t), 16);
	goc_chan *c3 = chan_or_fail(sizeof(int64_t), 1);
	goc_chan *c4 = chan_or_fail(sizeof(int64_t), 128);
	struct stage gen = {NULL, c1, 0, 0};
	struct stage s2 = {c1, c2, 1, 1};  /* i + 1 */
	struct stage s3 = {c2, c3, 2, 0};  /* 2i + 2 */
	struct stage s4 = {c3, c4, 1, -1}; /* 2i + 1 */
	struct sink sink = {c4, chan_or_fail(0, 0), 0, 0};
	go_or_fail(generate, &gen);
	go_or_fail(transform, &s2);
	go_or_fail(transform, &s3);
	go_or_fail(transform, &s4);
	go_or_fail(consume_all, &sink);
	cr_assert(goc_chan_recv(sink.result, NULL));
	report("pipeline", t0);
	cr_assert_eq(sink.count, PIPE_N, "%lld values out of %lld", (long long)sink.count,
	             (long long)PIPE_N);
	int64_t want = PIPE_N * (PIPE_N + 1) + PIPE_N; /* sum of 2i + 1 */
	cr_assert_eq(sink.sum, want, "sum %lld, want %lld", (long long)sink.sum, (long long)want);
	goc_chan_free(c1);
	goc_chan_free(c2);
	goc_chan_free(c3);
	goc_chan_free(c4);
	goc_chan_free(sink.result);
	expect_no_leftovers();
}

/* ---- ping-pong pairs ---------------------------------------------------------- */

#define PAIRS TEST_SCALE(50000)
enum { PP_ROUNDS = 10 };

struct pair {
	goc_chan *ping, *pong;
	goc_chan *done; /* shared: int, the pair's verified rounds */
};

static void pinger(void *p)
{
	struct pair *pr = p;
	int good = 0;
	for (int i = 0; i < PP_ROUNDS; i++) {
		int v = i, w = -1;
		goc_chan_send(pr->ping, &v);
		if (goc_chan_recv(pr->pong, &w) && w == 2 * i + 1)
			good++;
	}
	goc_chan_send(pr->done, &good);
}

static void ponger(void *p)
{
	struct pair *pr = p;
	for (int i = 0; i < PP_ROUNDS; i++) {
		int v;
		if (!goc_chan_recv(pr->ping, &v))
			return;
		v = 2 * v + 1;
		goc_chan_send(pr->pong, &v);
	}
}

Test(stress, a_hundred_thousand_goroutines_ping_pong_in_pairs)
{
	int64_t t0 = goc_now();
	struct pair *pairs = calloc(PAIRS, sizeof *pairs);
	cr_assert_not_null(pairs);
	goc_chan *done = chan_or_fail(sizeof(int), 1024);
	for (int i = 0; i < PAIRS; i++) {
		pairs[i].ping = chan_or_fail(sizeof(int), 0);
		pairs[i].pong = chan_or_fail(sizeof(int), 0);
		pairs[i].done = done;
		go_or_fail(ponger, &pairs[i]);
		go_or_fail(pinger, &pairs[i]);
	}
	long good = 0;
	for (int i = 0; i < PAIRS; i++) {
		int g = -1;
		cr_assert(goc_chan_recv(done, &g));
		good += g;
	}
	report("ping-pong pairs", t0);
	cr_assert_eq(good, (long)PAIRS * PP_ROUNDS, "%ld good rounds of %ld", good,
	             (long)PAIRS * PP_ROUNDS);
	expect_no_leftovers();
	for (int i = 0; i < PAIRS; i++) {
		goc_chan_free(pairs[i].ping);
		goc_chan_free(pairs[i].pong);
	}
	goc_chan_free(done);
	free(pairs);
}

/* ---- a million blocked goroutines ---------------------------------------------- */

#define BLOCKED_N TEST_SCALE(1000000)

struct crowd {
	goc_chan *gate; /* elem 0, closed to release everyone */
	goc_chan *done; /* the last one out signals */
	atomic_long arrived, released, wrong;
};

static void wait_at_gate(void *p)
{
	struct crowd *c = p;
	atomic_fetch_add(&c->arrived, 1);
	if (goc_chan_recv(c->gate, NULL))
		atomic_fetch_add(&c->wrong, 1); /* nobody sends: only close wakes us */
	if (atomic_fetch_add(&c->released, 1) + 1 == BLOCKED_N)
		goc_chan_send(c->done, NULL);
}

Test(stress, a_million_goroutines_block_at_once_then_all_are_released)
{
	static struct crowd c;
	int64_t t0 = goc_now();
	c.gate = chan_or_fail(0, 0);
	c.done = chan_or_fail(0, 1);
	atomic_init(&c.arrived, 0);
	atomic_init(&c.released, 0);
	atomic_init(&c.wrong, 0);
	for (long i = 0; i < BLOCKED_N; i++) {
		int64_t id = goc_go(wait_at_gate, &c);
		if (id <= 0)
			cr_assert_fail("goc_go failed (%lld) at goroutine %ld", (long long)id, i);
	}
	/* No one can leave before the gate closes: all are alive at once. */
	goc_stats st;
	goc_read_stats(&st);
	int64_t live = goc_num_goroutine();
	report("a million goroutines started", t0);
	cr_assert_eq(live, (int64_t)BLOCKED_N + 1);
	cr_assert_eq(st.goroutines, BLOCKED_N);
	cr_assert_eq(st.stacks_in_use, BLOCKED_N);
	cr_assert_eq(atomic_load(&c.released), 0);
	/* Let every one of them run up to its receive. */
	int64_t deadline = goc_now() + 10 * TEST_WAIT_LIMIT;
	while (atomic_load(&c.arrived) < BLOCKED_N && goc_now() < deadline)
		goc_yield();
	cr_assert_eq(atomic_load(&c.arrived), BLOCKED_N);
	report("a million goroutines at the gate", t0);

	goc_chan_close(c.gate);
	cr_assert(goc_chan_recv(c.done, NULL));
	report("a million goroutines released", t0);
	cr_assert_eq(atomic_load(&c.released), BLOCKED_N);
	cr_assert_eq(atomic_load(&c.wrong), 0, "receives on the gate returned true");
	expect_no_leftovers();
	goc_chan_free(c.gate);
	goc_chan_free(c.done);
}
