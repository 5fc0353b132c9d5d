/*
 * test_timer.c — tests for runtime/timer.c: goc_now, goc_sleep, goc_after,
 * timers (stop, reset, free, no stale value after stop/reset), after_func,
 * tickers, and many timers at once.
 *
 * These tests measure time, so they are the one place where sleeping is
 * allowed. Lower bounds (never early) and firing order are asserted
 * strictly. A timer that sends its fire time is held to its deadline by
 * deadline order, not by the clock: it must fire no later than a reference
 * timer due REF_GAP after it, which holds however late the timer thread
 * runs. Sleeps, after_func and a ticker's later ticks cannot be ordered so
 * (see SLACK) and keep a loose upper bound. Every test ends with
 * expect_no_leftovers(): no armed timer remains.
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(timer, .timeout = TEST_TIMEOUT_S);

#define MS GOC_MILLISECOND
/* Loose upper bound on lateness, for what has no fire time to order (sleeps,
 * after_func) and for a ticker's later ticks (which slide when the thread
 * falls behind): the two-core machine is shared, and 50 ms was seen
 * exceeded under load. Wrong periods are off by seconds here, so this still
 * catches them. */
#define SLACK (GOC_TEST_TSAN ? 250 * MS : 100 * MS)

static int64_t recv_time(goc_chan *c)
{
	int64_t v = -1;
	cr_assert(goc_chan_recv(c, &v));
	return v;
}

/*
 * The timer thread fires expired timers in deadline order, each with the
 * time it fires at, so a timer due before another sends a fire time no
 * later than the other's. reference(ns), armed right after a timer due
 * within ns, is due REF_GAP later than it; expect_not_after(v, ref) checks
 * the timer's fire time v against the reference's. A timer armed for a
 * wrong deadline (a reset that did not take, a wrong period: seconds off)
 * fails it; a loaded machine cannot make a right one fail.
 */
#define REF_GAP (20 * MS)

static goc_chan *reference(int64_t ns)
{
	goc_chan *ref = goc_after(ns + REF_GAP);
	cr_assert_not_null(ref);
	return ref;
}

static void expect_not_after(int64_t v, goc_chan *ref, const char *what)
{
	int64_t vr = recv_time(ref);
	cr_assert_leq(v, vr, "%s fired %lld us after a timer due %lld ms after its deadline", what,
	              (long long)((v - vr) / GOC_MICROSECOND), (long long)(REF_GAP / MS));
	goc_chan_free(ref);
}

/* wait_until_fired returns once no timer is armed: the test's one timer has
 * fired and its callback has returned (a goc_after's has dropped its
 * reference to the channel). goc.h: a fired timer whose value nobody
 * received is still stopped by stop, which returns true, and reset, which
 * returns what stop would. */
static void wait_until_fired(void)
{
	int64_t limit = goc_now() + TEST_WAIT_LIMIT;
	while (armed_timers() != 0 && goc_now() < limit)
		goc_yield();
	cr_assert_eq(armed_timers(), 0, "the timer never fired");
}

/* ---- goc_now and goc_sleep ------------------------------------------------ */

Test(timer, now_never_goes_backwards)
{
	int64_t prev = goc_now();
	for (int i = 0; i < 100000; i++) {
		int64_t t = goc_now();
		cr_assert_geq(t, prev, "goc_now went back from %lld to %lld", (long long)prev,
		              (long long)t);
		prev = t;
	}
	expect_no_leftovers();
}

Test(timer, sleep_lasts_at_least_its_duration_on_the_main_thread)
{
	static const int64_t d[] = {1 * MS, 10 * MS, 30 * MS};
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
		int64_t t0 = goc_now();
		goc_sleep(d[i]);
		int64_t el = goc_now() - t0;
		cr_assert_geq(el, d[i], "slept %lld ns of %lld", (long long)el, (long long)d[i]);
		cr_assert_lt(el, d[i] + SLACK, "slept %lld ns for %lld", (long long)el,
		             (long long)d[i]);
	}
	expect_no_leftovers();
}

struct sleep_arg {
	int64_t d;
	goc_chan *out; /* int64_t elapsed */
};

static void sleep_and_report(void *p)
{
	struct sleep_arg *a = p;
	int64_t t0 = goc_now();
	goc_sleep(a->d);
	int64_t el = goc_now() - t0;
	goc_chan_send(a->out, &el);
}

Test(timer, sleep_lasts_at_least_its_duration_in_a_goroutine)
{
	static const int64_t d[] = {1 * MS, 10 * MS, 30 * MS};
	goc_chan *out = chan_or_fail(sizeof(int64_t), 0);
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
		struct sleep_arg a = {d[i], out};
		go_or_fail(sleep_and_report, &a);
		int64_t el = recv_time(out);
		cr_assert_geq(el, d[i], "slept %lld ns of %lld", (long long)el, (long long)d[i]);
		cr_assert_lt(el, d[i] + SLACK, "slept %lld ns for %lld", (long long)el,
		             (long long)d[i]);
		expect_no_leftovers();
	}
	goc_chan_free(out);
}

Test(timer, sleeping_goroutine_holds_one_armed_timer)
{
	/* Long enough that the dump polling (slow under TSan) ends before the
	 * sleep does; checked below, by its state, rather than assumed. */
	const int64_t d = GOC_TEST_TSAN ? 10 * GOC_SECOND : 1 * GOC_SECOND;
	goc_chan *out = chan_or_fail(sizeof(int64_t), 0);
	struct sleep_arg a = {d, out};
	int64_t g = go_or_fail(sleep_and_report, &a);
	wait_until_blocked(g, "sleep");
	int64_t timers = armed_timers();
	char *dump = test_dump(), now[64] = "";
	bool asleep = dump != NULL && dump_reason(dump, g, now, sizeof now) &&
	              strcmp(now, "sleep") == 0;
	free(dump);
	cr_assert(asleep, "the goroutine was [%s], not asleep, after the count: cannot check", now);
	cr_assert_eq(timers, 1, "timers %lld while one goroutine sleeps", (long long)timers);
	cr_assert_geq(recv_time(out), d);
	goc_chan_free(out);
	expect_no_leftovers();
}

Test(timer, sleep_of_zero_or_less_returns_at_once)
{
	int64_t t0 = goc_now();
	goc_sleep(0);
	goc_sleep(-5 * GOC_SECOND);
	cr_assert_lt(goc_now() - t0, SLACK, "took %lld ms", (long long)((goc_now() - t0) / MS));
	expect_no_leftovers();
}

Test(timer, goroutines_sleep_concurrently)
{
	enum { N = 100 };
	struct sleep_arg a = {20 * MS, chan_or_fail(sizeof(int64_t), N)};
	int64_t t0 = goc_now();
	for (int i = 0; i < N; i++)
		go_or_fail(sleep_and_report, &a);
	for (int i = 0; i < N; i++)
		cr_assert_geq(recv_time(a.out), 20 * MS);
	int64_t el = goc_now() - t0;
	/* Serialised, 100 sleeps of 20 ms would take 2 s. */
	cr_assert_lt(el, 20 * MS + 5 * SLACK, "100 concurrent 20 ms sleeps took %lld ms",
	             (long long)(el / MS));
	goc_chan_free(a.out);
	expect_no_leftovers();
}

/* ---- goc_after --------------------------------------------------------------- */

Test(timer, after_delivers_its_fire_time_once)
{
	int64_t t0 = goc_now();
	goc_chan *c = goc_after(10 * MS);
	cr_assert_not_null(c);
	goc_chan *ref = reference(10 * MS);
	cr_assert_eq(goc_chan_cap(c), 1);
	cr_assert_eq(goc_chan_elem_size(c), sizeof(int64_t));
	int64_t v = recv_time(c);
	int64_t t1 = goc_now();
	cr_assert_geq(v, t0 + 10 * MS, "fired %lld ns early", (long long)(t0 + 10 * MS - v));
	cr_assert_leq(v, t1, "fire time is in the future");
	expect_not_after(v, ref, "goc_after(10 ms)");
	goc_sleep(30 * MS);
	cr_assert_eq(goc_chan_tryrecv(c, &v, NULL), GOC_EAGAIN, "goc_after fired twice");
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(timer, after_of_zero_fires_at_once)
{
	int64_t t0 = goc_now();
	goc_chan *c = goc_after(0);
	cr_assert_not_null(c);
	goc_chan *ref = reference(0);
	int64_t v = recv_time(c);
	cr_assert_geq(v, t0);
	expect_not_after(v, ref, "goc_after(0)");
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(timer, after_channel_freed_before_firing_still_releases_its_timer)
{
	goc_chan *c = goc_after(10 * MS);
	cr_assert_not_null(c);
	cr_assert_eq(armed_timers(), 1, "an unfired goc_after is one armed timer");
	goc_chan_free(c); /* the runtime keeps it alive until it fires */
	goc_sleep(30 * MS);
	expect_no_leftovers();
}

/*
 * Regression: goc-race (suite shim) reported the free of a goc_after
 * channel that nobody received from as racing with the timer thread's send
 * on it. The timer's reference, dropped after the send, was an atomic the
 * detector does not see.
 */
Test(timer, after_channel_freed_unreceived_after_firing_is_ordered_after_the_send)
{
	goc_chan *c = goc_after(1 * MS);
	cr_assert_not_null(c);
	wait_until_fired();
	cr_assert_eq(goc_chan_len(c), 1, "the fire time was not sent");
	goc_chan_free(c);
	expect_no_leftovers();
}

/* ---- timers ------------------------------------------------------------------ */

Test(timer, timer_fires_once_then_stop_returns_false)
{
	int64_t t0 = goc_now();
	goc_timer *t = goc_timer_new(10 * MS);
	cr_assert_not_null(t);
	goc_chan *ref = reference(10 * MS);
	goc_chan *c = goc_timer_chan(t);
	cr_assert_not_null(c);
	int64_t v = recv_time(c);
	cr_assert_geq(v, t0 + 10 * MS);
	expect_not_after(v, ref, "a 10 ms timer");
	goc_sleep(30 * MS);
	cr_assert_eq(goc_chan_tryrecv(c, &v, NULL), GOC_EAGAIN, "timer fired twice");
	cr_assert(!goc_timer_stop(t), "stop after the timer fired must return false");
	goc_timer_free(t);
	expect_no_leftovers();
}

Test(timer, stop_before_firing_returns_true_and_nothing_is_received)
{
	goc_timer *t = goc_timer_new(20 * MS);
	cr_assert_not_null(t);
	cr_assert(goc_timer_stop(t));
	goc_sleep(50 * MS);
	int64_t v;
	cr_assert_eq(goc_chan_tryrecv(goc_timer_chan(t), &v, NULL), GOC_EAGAIN,
	             "a stopped timer delivered a value");
	cr_assert(!goc_timer_stop(t), "second stop must return false");
	goc_timer_free(t);
	expect_no_leftovers();
}

Test(timer, stop_after_firing_leaves_no_stale_value)
{
	goc_timer *t = goc_timer_new(1 * MS);
	cr_assert_not_null(t);
	wait_until_fired(); /* the value is not received */
	cr_assert(goc_timer_stop(t), "stop of a timer whose value nobody received must return true");
	int64_t v;
	cr_assert_eq(goc_chan_tryrecv(goc_timer_chan(t), &v, NULL), GOC_EAGAIN,
	             "a value from before stop was received after it");
	cr_assert_eq(goc_chan_len(goc_timer_chan(t)), 0);
	goc_timer_free(t);
	expect_no_leftovers();
}

Test(timer, reset_of_active_timer_returns_true_and_rearms_it)
{
	goc_timer *t = goc_timer_new(10 * GOC_SECOND);
	cr_assert_not_null(t);
	int64_t t1 = goc_now();
	cr_assert(goc_timer_reset(t, 10 * MS));
	goc_chan *ref = reference(10 * MS);
	int64_t v = recv_time(goc_timer_chan(t));
	cr_assert_geq(v, t1 + 10 * MS);
	expect_not_after(v, ref, "a 10 s timer reset to 10 ms");
	goc_timer_free(t);
	expect_no_leftovers();
}

Test(timer, reset_after_firing_returns_false_and_fires_again)
{
	goc_timer *t = goc_timer_new(1 * MS);
	cr_assert_not_null(t);
	recv_time(goc_timer_chan(t));
	int64_t t1 = goc_now();
	cr_assert(!goc_timer_reset(t, 5 * MS), "the timer was no longer active");
	goc_chan *ref = reference(5 * MS);
	int64_t v = recv_time(goc_timer_chan(t));
	cr_assert_geq(v, t1 + 5 * MS);
	expect_not_after(v, ref, "a fired timer reset to 5 ms");
	goc_timer_free(t);
	expect_no_leftovers();
}

Test(timer, reset_of_stopped_timer_returns_false_and_fires)
{
	goc_timer *t = goc_timer_new(10 * GOC_SECOND);
	cr_assert_not_null(t);
	cr_assert(goc_timer_stop(t));
	int64_t t1 = goc_now();
	cr_assert(!goc_timer_reset(t, 5 * MS));
	int64_t v = recv_time(goc_timer_chan(t));
	cr_assert_geq(v, t1 + 5 * MS);
	goc_timer_free(t);
	expect_no_leftovers();
}

Test(timer, reset_discards_a_value_fired_before_it)
{
	goc_timer *t = goc_timer_new(1 * MS);
	cr_assert_not_null(t);
	wait_until_fired(); /* the value is not received */
	int64_t t1 = goc_now();
	cr_assert(goc_timer_reset(t, 30 * MS),
	          "reset of a timer whose value nobody received must return true, as stop would");
	int64_t v;
	cr_assert_eq(goc_chan_tryrecv(goc_timer_chan(t), &v, NULL), GOC_EAGAIN,
	             "the value from before reset was received after it");
	v = recv_time(goc_timer_chan(t));
	cr_assert_geq(v, t1 + 30 * MS, "received a value %lld ms after reset, not 30",
	              (long long)((v - t1) / MS));
	goc_timer_free(t);
	expect_no_leftovers();
}

Test(timer, free_of_armed_timer_disarms_it)
{
	goc_timer *t = goc_timer_new(20 * MS);
	cr_assert_not_null(t);
	goc_timer_free(t);
	expect_no_leftovers(); /* no armed timer */
}

/* ---- goc_after_func ---------------------------------------------------------- */

struct func_arg {
	int data[64];  /* plain, written before goc_after_func */
	goc_chan *out; /* struct func_report */
	atomic_int runs;
};

struct func_report {
	int64_t id, at;
	long sum;
};

static void timer_fn(void *p)
{
	struct func_arg *a = p;
	struct func_report r = {goc_id(), goc_now(), 0};
	for (int i = 0; i < 64; i++)
		r.sum += a->data[i];
	atomic_fetch_add(&a->runs, 1);
	if (a->out != NULL)
		goc_chan_send(a->out, &r);
}

Test(timer, after_func_runs_fn_in_a_new_goroutine_after_the_delay)
{
	static struct func_arg a;
	for (int i = 0; i < 64; i++)
		a.data[i] = i;
	a.out = chan_or_fail(sizeof(struct func_report), 1);
	int64_t t0 = goc_now();
	goc_timer *t = goc_after_func(10 * MS, timer_fn, &a);
	cr_assert_not_null(t);
	cr_assert_null(goc_timer_chan(t));
	struct func_report r;
	cr_assert(goc_chan_recv(a.out, &r));
	cr_assert_gt(r.id, 1, "fn ran as goroutine %lld", (long long)r.id);
	cr_assert_geq(r.at, t0 + 10 * MS);
	cr_assert_lt(r.at, t0 + 10 * MS + SLACK, "ran after %lld ms, not 10",
	             (long long)((r.at - t0) / MS));
	cr_assert_eq(r.sum, 63L * 64 / 2, "fn did not see what was written before after_func");
	goc_sleep(20 * MS);
	cr_assert_eq(atomic_load(&a.runs), 1);
	cr_assert(!goc_timer_stop(t));
	goc_timer_free(t);
	goc_chan_free(a.out);
	expect_no_leftovers();
}

Test(timer, after_func_stopped_before_firing_never_runs)
{
	static struct func_arg a;
	goc_timer *t = goc_after_func(20 * MS, timer_fn, &a);
	cr_assert_not_null(t);
	cr_assert(goc_timer_stop(t));
	goc_sleep(50 * MS);
	cr_assert_eq(atomic_load(&a.runs), 0);
	goc_timer_free(t);
	expect_no_leftovers();
}

Test(timer, after_func_reset_moves_the_run)
{
	static struct func_arg a;
	a.out = chan_or_fail(sizeof(struct func_report), 1);
	goc_timer *t = goc_after_func(10 * GOC_SECOND, timer_fn, &a);
	cr_assert_not_null(t);
	int64_t t1 = goc_now();
	cr_assert(goc_timer_reset(t, 10 * MS));
	struct func_report r;
	cr_assert(goc_chan_recv(a.out, &r));
	cr_assert_geq(r.at, t1 + 10 * MS);
	cr_assert_lt(r.at, t1 + 10 * MS + SLACK, "ran after %lld ms, not 10",
	             (long long)((r.at - t1) / MS));
	goc_timer_free(t);
	goc_chan_free(a.out);
	expect_no_leftovers();
}

/* ---- tickers ------------------------------------------------------------------ */

Test(timer, ticker_ticks_every_period)
{
	enum { TICKS = 5 };
	const int64_t period = 5 * MS;
	int64_t t0 = goc_now();
	goc_ticker *tk = goc_ticker_new(period);
	cr_assert_not_null(tk);
	goc_chan *c = goc_ticker_chan(tk);
	cr_assert_not_null(c);
	cr_assert_eq(goc_chan_cap(c), 1);
	int64_t prev = t0;
	for (int i = 0; i < TICKS; i++) {
		int64_t v = recv_time(c);
		cr_assert_geq(v, t0 + (i + 1) * period, "tick %d at %lld ms", i,
		              (long long)((v - t0) / MS));
		cr_assert_gt(v, prev, "tick times must increase");
		prev = v;
	}
	cr_assert_lt(prev, t0 + TICKS * period + SLACK, "tick %d after %lld ms", TICKS,
	             (long long)((prev - t0) / MS));
	goc_ticker_stop(tk);
	goc_ticker_free(tk);
	expect_no_leftovers();
}

Test(timer, ticker_stop_stops_the_ticks)
{
	goc_ticker *tk = goc_ticker_new(2 * MS);
	cr_assert_not_null(tk);
	goc_chan *c = goc_ticker_chan(tk);
	recv_time(c);
	goc_ticker_stop(tk);
	int64_t v;
	cr_assert_eq(goc_chan_tryrecv(c, &v, NULL), GOC_EAGAIN, "a tick from before stop");
	goc_sleep(20 * MS);
	cr_assert_eq(goc_chan_tryrecv(c, &v, NULL), GOC_EAGAIN, "a tick after stop");
	goc_ticker_free(tk);
	expect_no_leftovers();
}

/*
 * Regression: goc-race (suite shim) reported the free of a ticker's channel
 * as racing with the send of a tick that was dropped (nobody received the
 * one before it). Stop waits out a firing under the timer heap's lock, an
 * edge the detector did not see.
 */
Test(timer, freeing_a_ticker_is_ordered_after_its_dropped_ticks)
{
	goc_ticker *tk = goc_ticker_new(1 * MS);
	cr_assert_not_null(tk);
	goc_sleep(20 * MS); /* the first tick waits in the channel, later ones drop */
	cr_assert_eq(goc_chan_len(goc_ticker_chan(tk)), 1);
	goc_ticker_free(tk);
	expect_no_leftovers();
}

Test(timer, ticker_drops_ticks_for_a_slow_reader)
{
	const int64_t period = 1 * MS;
	goc_ticker *tk = goc_ticker_new(period);
	cr_assert_not_null(tk);
	goc_chan *c = goc_ticker_chan(tk);
	goc_sleep(30 * MS);
	cr_assert_leq(goc_chan_len(c), 1, "ticks pile up: len %zu", goc_chan_len(c));
	int64_t a = recv_time(c), b = recv_time(c);
	cr_assert_gt(b, a);
	goc_ticker_free(tk);
	expect_no_leftovers();
}

Test(timer, ticker_reset_changes_the_period)
{
	goc_ticker *tk = goc_ticker_new(10 * GOC_SECOND);
	cr_assert_not_null(tk);
	int64_t t1 = goc_now();
	cr_assert_eq(goc_ticker_reset(tk, 5 * MS), 0);
	goc_chan *ref = reference(5 * MS);
	goc_chan *c = goc_ticker_chan(tk);
	int64_t v1 = recv_time(c), v2 = recv_time(c);
	cr_assert_geq(v1, t1 + 5 * MS);
	cr_assert_geq(v2, t1 + 10 * MS);
	expect_not_after(v1, ref, "the first tick of a ticker reset from 10 s to 5 ms");
	goc_ticker_free(tk);
	expect_no_leftovers();
}

Test(timer, ticker_rejects_a_period_that_is_not_positive)
{
	cr_assert_null(goc_ticker_new(0));
	cr_assert_null(goc_ticker_new(-1));
	goc_ticker *tk = goc_ticker_new(GOC_SECOND);
	cr_assert_not_null(tk);
	cr_assert_eq(goc_ticker_reset(tk, 0), GOC_EINVAL);
	cr_assert_eq(goc_ticker_reset(tk, -MS), GOC_EINVAL);
	goc_ticker_free(tk);
	expect_no_leftovers();
}

/* ---- many timers -------------------------------------------------------------- */

#define MANY (GOC_TEST_TSAN ? 100 : 1000)

Test(timer, many_timers_fire_in_deadline_order_and_never_early)
{
	/* Deadlines 5 ms + k * 50 us, created in a scrambled order. */
	static goc_chan *c[1000];
	static int64_t lo[1000], hi[1000], fired[1000];
	uint32_t x = 12345;
	int order[1000];
	for (int k = 0; k < MANY; k++)
		order[k] = k;
	for (int k = MANY - 1; k > 0; k--) {
		x = x * 1103515245u + 12345u;
		int j = (int)((x >> 8) % (uint32_t)(k + 1));
		int t = order[k];
		order[k] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < MANY; i++) {
		int k = order[i];
		int64_t d = 5 * MS + k * 50 * GOC_MICROSECOND;
		lo[k] = goc_now() + d;
		c[k] = goc_after(d);
		hi[k] = goc_now() + d;
		cr_assert_not_null(c[k]);
	}
	/* Due after every one of them: none may fire after it. */
	goc_chan *ref = goc_after(5 * MS + MANY * 50 * GOC_MICROSECOND + REF_GAP);
	cr_assert_not_null(ref);
	for (int k = 0; k < MANY; k++)
		fired[k] = recv_time(c[k]);
	int64_t vr = recv_time(ref);
	for (int k = 0; k < MANY; k++) {
		cr_assert_geq(fired[k], lo[k], "timer %d fired %lld ns early", k,
		              (long long)(lo[k] - fired[k]));
		cr_assert_leq(fired[k], vr, "timer %d fired after a timer due %lld ms after the last",
		              k, (long long)(REF_GAP / MS));
	}
	goc_chan_free(ref);
	/* Whenever one deadline surely came before another, so did its firing. */
	for (int i = 0; i < MANY; i++)
		for (int j = 0; j < MANY; j++)
			if (hi[i] < lo[j])
				cr_assert_leq(fired[i], fired[j],
				              "timer %d (due %lld) fired after timer %d (due %lld)", i,
				              (long long)hi[i], j, (long long)lo[j]);
	for (int k = 0; k < MANY; k++)
		goc_chan_free(c[k]);
	expect_no_leftovers();
}

struct sleeper {
	int64_t d;
	int64_t late; /* wake time minus deadline */
	goc_chan *done;
};

static void sleep_once(void *p)
{
	struct sleeper *s = p;
	int64_t due = goc_now() + s->d;
	goc_sleep(s->d);
	s->late = goc_now() - due;
	goc_chan_send(s->done, NULL);
}

Test(timer, many_sleeping_goroutines_wake_after_their_deadlines)
{
	static struct sleeper s[1000];
	goc_chan *done = chan_or_fail(0, MANY);
	for (int i = 0; i < MANY; i++) {
		s[i] = (struct sleeper){1 * MS + (i * 37 % 50) * MS, -1, done};
		go_or_fail(sleep_once, &s[i]);
	}
	for (int i = 0; i < MANY; i++)
		cr_assert(goc_chan_recv(done, NULL));
	int64_t worst = 0;
	for (int i = 0; i < MANY; i++) {
		cr_assert_geq(s[i].late, 0, "goroutine %d woke %lld ns early", i,
		              (long long)-s[i].late);
		if (s[i].late > worst)
			worst = s[i].late;
	}
	cr_assert_lt(worst, SLACK, "a sleeper woke %lld ms late", (long long)(worst / MS));
	goc_chan_free(done);
	expect_no_leftovers();
}
