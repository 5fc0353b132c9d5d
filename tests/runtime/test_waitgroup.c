/*
 * test_waitgroup.c — tests for runtime/waitgroup.c: wait returns only once
 * every done has happened (10,000 goroutines, with plain results read after
 * wait), wait blocks while the counter is positive, every waiter is
 * released (goroutines, a foreign thread and main), add with a negative
 * delta, wait on zero, and reuse once the previous waits have returned.
 * Misuse (a negative counter, reuse before wait returned) is in
 * test_fatal.c.
 *
 * Under ThreadSanitizer the plain results also check goc.h's edge "every
 * done happens before the wait it releases returns". Goroutines are put in
 * a known blocked state with wait_until_blocked, never by sleeping. Every
 * test ends with expect_no_leftovers().
 */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>

TestSuite(waitgroup, .timeout = TEST_TIMEOUT_S);

/* ---- wait after many dones ------------------------------------------------ */

enum { MANY = 10000 };

struct many {
	goc_waitgroup wg;
	atomic_int dones;          /* incremented just before each done */
	int dones_seen_by_waiter;  /* by a goroutine waiting from the start */
	int result[MANY];          /* plain: written before done, read after wait */
	goc_chan *waiter_done;
};

struct many_arg {
	struct many *m;
	int i;
};

static void many_worker(void *p)
{
	struct many_arg *a = p;
	a->m->result[a->i] = 3 * a->i + 1;
	atomic_fetch_add(&a->m->dones, 1);
	goc_waitgroup_done(&a->m->wg);
}

static void many_waiter(void *p)
{
	struct many *m = p;
	goc_waitgroup_wait(&m->wg);
	m->dones_seen_by_waiter = atomic_load(&m->dones);
	goc_chan_send(m->waiter_done, NULL);
}

Test(waitgroup, wait_returns_only_after_10000_goroutines_called_done)
{
	static struct many m;
	static struct many_arg args[MANY];
	m = (struct many){.wg = GOC_WAITGROUP_INIT, .dones_seen_by_waiter = -1,
	                  .waiter_done = chan_or_fail(0, 1)};
	goc_waitgroup_add(&m.wg, MANY);
	wait_until_blocked(go_or_fail(many_waiter, &m), "sync.WaitGroup.Wait");
	for (int i = 0; i < MANY; i++) {
		args[i] = (struct many_arg){&m, i};
		go_or_fail(many_worker, &args[i]);
	}
	goc_waitgroup_wait(&m.wg);
	cr_assert_eq(atomic_load(&m.dones), MANY, "main's wait returned after %d of %d dones",
	             atomic_load(&m.dones), MANY);
	for (int i = 0; i < MANY; i++)
		cr_assert_eq(m.result[i], 3 * i + 1, "result %d not seen after wait", i);
	join(m.waiter_done, 1);
	cr_assert_eq(m.dones_seen_by_waiter, MANY,
	             "a goroutine's wait returned after %d of %d dones", m.dones_seen_by_waiter, MANY);
	goc_chan_free(m.waiter_done);
	expect_no_leftovers();
}

/* ---- blocking and release ------------------------------------------------- */

struct waiter {
	goc_waitgroup *wg;
	atomic_int *returned;
	goc_chan *done;
};

static void wait_and_count(void *p)
{
	struct waiter *w = p;
	goc_waitgroup_wait(w->wg);
	atomic_fetch_add(w->returned, 1);
	goc_chan_send(w->done, NULL);
}

static void *thread_wait_and_count(void *p)
{
	struct waiter *w = p;
	goc_waitgroup_wait(w->wg);
	atomic_fetch_add(w->returned, 1);
	return NULL;
}

Test(waitgroup, wait_blocks_while_the_counter_is_positive)
{
	goc_waitgroup wg = GOC_WAITGROUP_INIT;
	atomic_int returned = 0;
	struct waiter w = {&wg, &returned, chan_or_fail(0, 1)};
	goc_waitgroup_add(&wg, 2);
	int64_t g = go_or_fail(wait_and_count, &w);
	wait_until_blocked(g, "sync.WaitGroup.Wait");
	goc_waitgroup_done(&wg);
	wait_until_blocked(g, "sync.WaitGroup.Wait"); /* still there at 1 */
	cr_assert_eq(atomic_load(&returned), 0, "wait returned with the counter at 1");
	goc_waitgroup_done(&wg);
	join(w.done, 1);
	cr_assert_eq(atomic_load(&returned), 1);
	goc_chan_free(w.done);
	expect_no_leftovers();
}

static void call_done(void *wg)
{
	goc_waitgroup_done(wg);
}

Test(waitgroup, the_last_done_releases_every_waiter_goroutines_threads_and_main)
{
	enum { G = 8 };
	goc_waitgroup wg = GOC_WAITGROUP_INIT;
	atomic_int returned = 0;
	struct waiter w = {&wg, &returned, chan_or_fail(0, G)};
	goc_waitgroup_add(&wg, 1);
	for (int i = 0; i < G; i++)
		wait_until_blocked(go_or_fail(wait_and_count, &w), "sync.WaitGroup.Wait");
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, thread_wait_and_count, &w), 0);
	cr_assert_eq(atomic_load(&returned), 0);
	go_or_fail(call_done, &wg);
	goc_waitgroup_wait(&wg); /* main waits too (it may find zero already) */
	join(w.done, G);
	pthread_join(th, NULL);
	cr_assert_eq(atomic_load(&returned), G + 1);
	goc_chan_free(w.done);
	expect_no_leftovers();
}

Test(waitgroup, wait_on_a_zero_counter_returns_at_once)
{
	goc_waitgroup wg = GOC_WAITGROUP_INIT;
	goc_waitgroup_wait(&wg); /* fresh */
	goc_waitgroup_add(&wg, 3);
	goc_waitgroup_add(&wg, -3); /* back to zero by a negative delta */
	goc_waitgroup_wait(&wg);
	expect_no_leftovers();
}

Test(waitgroup, a_negative_delta_that_reaches_zero_releases_waiters)
{
	goc_waitgroup wg = GOC_WAITGROUP_INIT;
	atomic_int returned = 0;
	struct waiter w = {&wg, &returned, chan_or_fail(0, 2)};
	goc_waitgroup_add(&wg, 5);
	wait_until_blocked(go_or_fail(wait_and_count, &w), "sync.WaitGroup.Wait");
	wait_until_blocked(go_or_fail(wait_and_count, &w), "sync.WaitGroup.Wait");
	goc_waitgroup_add(&wg, -4);
	cr_assert_eq(atomic_load(&returned), 0, "released at 1");
	goc_waitgroup_add(&wg, -1);
	join(w.done, 2);
	cr_assert_eq(atomic_load(&returned), 2);
	goc_chan_free(w.done);
	expect_no_leftovers();
}

/* ---- reuse ------------------------------------------------------------------- */

struct round {
	goc_waitgroup *wg;
	long *sum; /* plain: each worker adds to its own slot, main sums after wait */
	int i;
};

static void round_worker(void *p)
{
	struct round *r = p;
	r->sum[r->i] += r->i + 1;
	goc_waitgroup_done(r->wg);
}

Test(waitgroup, may_be_reused_once_every_wait_of_the_previous_round_returned)
{
	enum { ROUNDS = 300, W = 4, WAITERS = 2 };
	goc_waitgroup wg = GOC_WAITGROUP_INIT;
	atomic_int returned = 0;
	struct waiter w = {&wg, &returned, chan_or_fail(0, WAITERS)};
	long sum[W] = {0};
	struct round args[W];
	for (int k = 0; k < ROUNDS; k++) {
		goc_waitgroup_add(&wg, W);
		for (int i = 0; i < WAITERS; i++)
			go_or_fail(wait_and_count, &w);
		for (int i = 0; i < W; i++) {
			args[i] = (struct round){&wg, sum, i};
			go_or_fail(round_worker, &args[i]);
		}
		goc_waitgroup_wait(&wg);
		join(w.done, WAITERS); /* every waiter of this round has returned */
	}
	cr_assert_eq(atomic_load(&returned), ROUNDS * WAITERS);
	for (int i = 0; i < W; i++)
		cr_assert_eq(sum[i], (long)ROUNDS * (i + 1), "worker slot %d: %ld", i, sum[i]);
	goc_chan_free(w.done);
	expect_no_leftovers();
}

/* ---- a thread that holds a count ----------------------------------------- */

static void add_1(void *wg)
{
	goc_waitgroup_add(wg, 1);
}

static void wait_for_count(void *wg)
{
	goc_waitgroup_wait(wg);
}

/* Regression (see expect_thread_holder_seen): the thread's add is its first
 * call into goc; main waits for its done. */
Test(waitgroup, a_thread_that_added_to_the_counter_is_seen_by_the_deadlock_check)
{
	static goc_waitgroup wg = GOC_WAITGROUP_INIT;
	expect_thread_holder_seen(&(holder_case){
		.obj = &wg, .take = add_1, .give = call_done, .wait = wait_for_count,
		.reason = "sync.WaitGroup.Wait"});
	expect_no_leftovers();
}
