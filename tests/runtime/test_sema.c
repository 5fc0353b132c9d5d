/*
 * test_sema.c — tests for runtime/sema.c, the weighted semaphore: init and
 * argument checks; the capacity is never exceeded (a max-concurrency count
 * under weighted stress); waiters are served FIFO, so a big request is not
 * starved by small ones (also while small ones keep coming); tryacquire
 * never succeeds while others wait, even with units free; a release grants
 * front waiters for as long as they fit; and a capacity-1 semaphore orders
 * a plain counter (goc.h: a release happens before the acquire it lets
 * through returns). Releasing more than held is in test_fatal.c.
 *
 * Goroutines are put in a known blocked state with wait_until_blocked, never
 * by sleeping. Every test ends with expect_no_leftovers().
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(sema, .timeout = TEST_TIMEOUT_S);

/* ---- arguments -------------------------------------------------------------- */

Test(sema, init_needs_a_positive_capacity)
{
	goc_sem s;
	cr_assert_eq(goc_sem_init(&s, 0), GOC_EINVAL);
	cr_assert_eq(goc_sem_init(&s, -3), GOC_EINVAL);
	cr_assert_eq(goc_sem_init(&s, 1), 0);
	cr_assert(goc_sem_tryacquire(&s, 1));
	cr_assert(!goc_sem_tryacquire(&s, 1), "capacity 1 gave out 2 units");
	goc_sem_release(&s, 1);
	expect_no_leftovers();
}

Test(sema, acquiring_more_than_the_capacity_is_einval_at_once)
{
	goc_sem s;
	cr_assert_eq(goc_sem_init(&s, 3), 0);
	cr_assert_eq(goc_sem_acquire(&s, 4), GOC_EINVAL);
	cr_assert_eq(goc_sem_acquire(&s, -1), GOC_EINVAL);
	cr_assert(!goc_sem_tryacquire(&s, 4));
	cr_assert(!goc_sem_tryacquire(&s, -1));
	cr_assert_eq(goc_sem_acquire(&s, 3), 0, "the whole capacity at once");
	cr_assert(!goc_sem_tryacquire(&s, 1));
	goc_sem_release(&s, 3);
	cr_assert(goc_sem_tryacquire(&s, 3), "release did not return the units");
	goc_sem_release(&s, 3);
	expect_no_leftovers();
}

/* ---- the limit holds ------------------------------------------------------- */

enum { CAP = 5, WORKERS = 8 };
#define W_ROUNDS TEST_SCALE(20000)

struct limit {
	goc_sem s;
	atomic_int held, max_held; /* units */
	atomic_long rounds;
	goc_chan *done;
};

struct limit_arg {
	struct limit *l;
	int i;
};

static void weighted_worker(void *p)
{
	struct limit_arg *a = p;
	struct limit *l = a->l;
	for (int r = 0; r < W_ROUNDS; r++) {
		int n = 1 + (r + a->i) % 3; /* 1, 2 or 3 units */
		if (r % 5 == 0) {
			while (!goc_sem_tryacquire(&l->s, n))
				goc_yield();
		} else if (goc_sem_acquire(&l->s, n) != 0) {
			continue; /* counted as a missing round below */
		}
		note_max(&l->max_held, atomic_fetch_add(&l->held, n) + n);
		if (r % 4 == 0)
			goc_yield(); /* others queue up behind */
		atomic_fetch_sub(&l->held, n);
		goc_sem_release(&l->s, n);
		atomic_fetch_add(&l->rounds, 1);
	}
	goc_chan_send(l->done, NULL);
}

Test(sema, weighted_holders_never_exceed_the_capacity)
{
	static struct limit l;
	struct limit_arg a[WORKERS];
	l = (struct limit){.done = chan_or_fail(0, WORKERS)};
	cr_assert_eq(goc_sem_init(&l.s, CAP), 0);
	for (int i = 0; i < WORKERS; i++) {
		a[i] = (struct limit_arg){&l, i};
		go_or_fail(weighted_worker, &a[i]);
	}
	join(l.done, WORKERS);
	cr_assert_leq(atomic_load(&l.max_held), CAP, "%d units held at once, capacity %d",
	              atomic_load(&l.max_held), CAP);
	cr_assert_eq(atomic_load(&l.rounds), (long)WORKERS * W_ROUNDS);
	cr_assert(goc_sem_tryacquire(&l.s, CAP), "units were lost");
	goc_sem_release(&l.s, CAP);
	goc_chan_free(l.done);
	expect_no_leftovers();
}

struct counted {
	goc_sem s;
	long n; /* plain: protected by the capacity-1 semaphore */
	goc_chan *done;
};

static void sem_increments(void *p)
{
	struct counted *c = p;
	for (int i = 0; i < W_ROUNDS; i++) {
		goc_sem_acquire(&c->s, 1);
		c->n++;
		if (i % 64 == 0)
			goc_yield();
		goc_sem_release(&c->s, 1);
	}
	goc_chan_send(c->done, NULL);
}

Test(sema, capacity_1_orders_a_plain_counter)
{
	static struct counted c;
	c = (struct counted){.done = chan_or_fail(0, WORKERS)};
	cr_assert_eq(goc_sem_init(&c.s, 1), 0);
	for (int i = 0; i < WORKERS; i++)
		go_or_fail(sem_increments, &c);
	join(c.done, WORKERS);
	cr_assert_eq(c.n, (long)WORKERS * W_ROUNDS, "counter %ld", c.n);
	goc_chan_free(c.done);
	expect_no_leftovers();
}

/* ---- FIFO ------------------------------------------------------------------------ */

struct acquirer {
	goc_sem *s;
	int64_t n;
	atomic_int *seq;
	int ticket;       /* when it got its units */
	goc_chan *in;     /* told once it holds its units (NULL: not told) */
	goc_chan *gate;   /* received from before releasing (NULL: no wait) */
	goc_chan *done;
};

static void acquire_hold_release(void *p)
{
	struct acquirer *a = p;
	int rc = goc_sem_acquire(a->s, a->n);
	a->ticket = rc == 0 ? atomic_fetch_add(a->seq, 1) : rc;
	if (a->in != NULL)
		goc_chan_send(a->in, NULL);
	if (a->gate != NULL)
		goc_chan_recv(a->gate, NULL);
	if (rc == 0)
		goc_sem_release(a->s, a->n);
	goc_chan_send(a->done, NULL);
}

Test(sema, a_big_request_is_served_before_small_ones_that_came_after_it)
{
	enum { SMALL = 3 };
	goc_sem s;
	atomic_int seq = 0;
	goc_chan *done = chan_or_fail(0, SMALL + 1);
	cr_assert_eq(goc_sem_init(&s, 4), 0);
	cr_assert_eq(goc_sem_acquire(&s, 1), 0);

	struct acquirer big = {&s, 4, &seq, -1, NULL, NULL, done};
	wait_until_blocked(go_or_fail(acquire_hold_release, &big), "semacquire");
	struct acquirer small[SMALL];
	for (int i = 0; i < SMALL; i++) {
		/* 3 units are free, but the big request waits ahead. */
		small[i] = (struct acquirer){&s, 1, &seq, -1, NULL, NULL, done};
		wait_until_blocked(go_or_fail(acquire_hold_release, &small[i]), "semacquire");
	}
	cr_assert(!goc_sem_tryacquire(&s, 1), "tryacquire got ahead of waiters");
	cr_assert_eq(atomic_load(&seq), 0);
	goc_sem_release(&s, 1);
	join(done, SMALL + 1);
	cr_assert_eq(big.ticket, 0, "the big request got in %d-th", big.ticket + 1);
	for (int i = 0; i < SMALL; i++)
		cr_assert_gt(small[i].ticket, 0, "small request %d got in before the big one", i);
	cr_assert(goc_sem_tryacquire(&s, 4), "units were lost");
	goc_sem_release(&s, 4);
	goc_chan_free(done);
	expect_no_leftovers();
}

Test(sema, equal_waiters_are_served_in_arrival_order)
{
	enum { N = 6 };
	goc_sem s;
	atomic_int seq = 0;
	goc_chan *done = chan_or_fail(0, N);
	struct acquirer w[N];
	cr_assert_eq(goc_sem_init(&s, 2), 0);
	cr_assert_eq(goc_sem_acquire(&s, 2), 0);
	for (int i = 0; i < N; i++) {
		w[i] = (struct acquirer){&s, 2, &seq, -1, NULL, NULL, done};
		wait_until_blocked(go_or_fail(acquire_hold_release, &w[i]), "semacquire");
	}
	goc_sem_release(&s, 2);
	join(done, N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(w[i].ticket, i, "waiter %d got in %d-th", i, w[i].ticket + 1);
	goc_chan_free(done);
	expect_no_leftovers();
}

Test(sema, a_release_grants_front_waiters_while_they_fit_and_stops_at_one_that_does_not)
{
	goc_sem s;
	atomic_int seq = 0;
	goc_chan *done = chan_or_fail(0, 3), *in = chan_or_fail(0, 3);
	goc_chan *gate = chan_or_fail(0, 0);
	cr_assert_eq(goc_sem_init(&s, 5), 0);
	cr_assert_eq(goc_sem_acquire(&s, 5), 0);
	struct acquirer a = {&s, 2, &seq, -1, in, gate, done};
	struct acquirer b = {&s, 2, &seq, -1, in, gate, done};
	struct acquirer c = {&s, 3, &seq, -1, in, gate, done};
	wait_until_blocked(go_or_fail(acquire_hold_release, &a), "semacquire");
	wait_until_blocked(go_or_fail(acquire_hold_release, &b), "semacquire");
	int64_t gc = go_or_fail(acquire_hold_release, &c);
	wait_until_blocked(gc, "semacquire");

	goc_sem_release(&s, 4); /* 2 + 2 fit; 3 does not */
	join(in, 2);
	wait_until_blocked(gc, "semacquire");
	cr_assert_eq(atomic_load(&seq), 2, "the 3-unit waiter got in with 1 unit free");
	goc_sem_release(&s, 1); /* 1 free: still not enough for 3 */
	wait_until_blocked(gc, "semacquire");
	cr_assert_eq(atomic_load(&seq), 2);
	goc_chan_close(gate); /* a and b release: 5 free */
	join(in, 1);
	join(done, 3);
	cr_assert_lt(a.ticket, 2);
	cr_assert_lt(b.ticket, 2);
	cr_assert_eq(c.ticket, 2);
	cr_assert(goc_sem_tryacquire(&s, 5), "units were lost");
	goc_sem_release(&s, 5);
	goc_chan_free(done);
	goc_chan_free(in);
	goc_chan_free(gate);
	expect_no_leftovers();
}

/*
 * Small requests keep coming (each holder yields while it holds, so units
 * are always taken); a request for the whole capacity must get in while
 * every small one is still in its loop, not after they gave up.
 */
enum { STREAM = 4, STREAM_CAP = 1000000 };

struct stream {
	goc_sem s;
	atomic_bool big_in;
	atomic_int small_running;
	atomic_long rounds;
	int small_seen_by_big;
	goc_chan *done;
};

static void small_stream(void *p)
{
	struct stream *st = p;
	for (int i = 0; i < STREAM_CAP && !atomic_load(&st->big_in); i++) {
		goc_sem_acquire(&st->s, 1);
		atomic_fetch_add(&st->rounds, 1);
		goc_yield();
		goc_sem_release(&st->s, 1);
	}
	atomic_fetch_sub(&st->small_running, 1);
	goc_chan_send(st->done, NULL);
}

static void big_request(void *p)
{
	struct stream *st = p;
	goc_sem_acquire(&st->s, 3);
	st->small_seen_by_big = atomic_load(&st->small_running);
	atomic_store(&st->big_in, true);
	goc_sem_release(&st->s, 3);
	goc_chan_send(st->done, NULL);
}

Test(sema, a_big_request_is_not_starved_by_a_stream_of_small_ones)
{
	static struct stream st;
	st = (struct stream){.small_running = STREAM, .done = chan_or_fail(0, STREAM + 1)};
	cr_assert_eq(goc_sem_init(&st.s, 3), 0);
	for (int i = 0; i < STREAM; i++)
		go_or_fail(small_stream, &st);
	int64_t limit = goc_now() + TEST_WAIT_LIMIT;
	while (atomic_load(&st.rounds) < 100 * STREAM && goc_now() < limit)
		goc_yield();
	cr_assert_geq(atomic_load(&st.rounds), 100 * STREAM, "the small requests never got going");
	go_or_fail(big_request, &st);
	join(st.done, STREAM + 1);
	cr_assert(atomic_load(&st.big_in));
	cr_assert_eq(st.small_seen_by_big, STREAM,
	             "the big request got in only after %d of %d small ones gave up",
	             STREAM - st.small_seen_by_big, STREAM);
	goc_chan_free(st.done);
	expect_no_leftovers();
}

Test(sema, tryacquire_never_succeeds_while_others_wait_even_with_units_free)
{
	goc_sem s;
	atomic_int seq = 0;
	goc_chan *done = chan_or_fail(0, 1);
	cr_assert_eq(goc_sem_init(&s, 10), 0);
	cr_assert_eq(goc_sem_acquire(&s, 5), 0);
	struct acquirer w = {&s, 6, &seq, -1, NULL, NULL, done};
	wait_until_blocked(go_or_fail(acquire_hold_release, &w), "semacquire");
	for (int64_t n = 0; n <= 5; n++)
		cr_assert(!goc_sem_tryacquire(&s, n), "tryacquire(%lld) with %d free and a waiter",
		          (long long)n, 5);
	goc_sem_release(&s, 5);
	join(done, 1);
	cr_assert_eq(w.ticket, 0);
	cr_assert(goc_sem_tryacquire(&s, 10), "nobody waits: all 10 units");
	goc_sem_release(&s, 10);
	goc_chan_free(done);
	expect_no_leftovers();
}

/* ---- a thread that holds units ------------------------------------------- */

static void acquire_1(void *s)
{
	(void)goc_sem_acquire(s, 1); /* the thread's: cannot fail on a capacity of 1 */
}

static void release_1(void *s)
{
	goc_sem_release(s, 1);
}

static void acquire_release_1(void *s)
{
	cr_assert_eq(goc_sem_acquire(s, 1), 0); /* main's: it may assert */
	release_1(s);
}

/* Regression (see expect_thread_holder_seen): the thread's acquire, its
 * first call into goc, does not wait; main's waits for it. */
Test(sema, a_thread_holding_units_it_got_at_once_is_seen_by_the_deadlock_check)
{
	static goc_sem s;
	cr_assert_eq(goc_sem_init(&s, 1), 0);
	expect_thread_holder_seen(&(holder_case){
		.obj = &s, .take = acquire_1, .give = release_1, .wait = acquire_release_1,
		.reason = "semacquire"});
	expect_no_leftovers();
}
