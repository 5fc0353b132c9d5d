/*
 * test_context.c — tests for runtime/context.c: the static roots; cancel
 * closes done and sets GOC_ECANCELED, is idempotent and keeps the first
 * error; cancellation reaches every one of 1,000 descendants (a tree mixing
 * cancel, value and timeout contexts) and only the canceled subtree, and the
 * end of a chain 5,000 deep when a goroutine cancels it; err tells
 * GOC_ECANCELED from GOC_EDEADLINE, also in descendants; timeouts and
 * deadlines fire (never early), a deadline in the past at once, and a child
 * keeps the earlier of its own and its parent's deadline; with_value lookup
 * follows the chain (nearest key wins, keys by address); a parent may be
 * freed before its children; children of a canceled context are canceled at
 * once; cancel happens before a receive from done returns; and concurrent
 * cancels, creations and frees on one tree.
 *
 * Goroutines are put in a known blocked state with wait_until_blocked, never
 * by sleeping. Every test ends with expect_no_leftovers(), which also checks
 * that no deadline timer is left armed.
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(context, .timeout = TEST_TIMEOUT_S);

#define LONG_TIMEOUT (3600 * GOC_SECOND) /* never fires during a test */

/* is_closed: a receive from done would return at once with ok = false. */
static bool is_closed(goc_chan *done)
{
	bool ok = true;
	return done != NULL && goc_chan_tryrecv(done, NULL, &ok) == 0 && !ok;
}

static goc_context *ctx_or_fail(goc_context *c)
{
	cr_assert_not_null(c, "goc_context_with_* returned NULL");
	return c;
}

/* ---- roots ------------------------------------------------------------------ */

Test(context, background_and_todo_are_never_canceled_and_free_does_nothing)
{
	goc_context *roots[2] = {goc_context_background(), goc_context_todo()};
	cr_assert_neq(roots[0], roots[1]);
	for (int i = 0; i < 2; i++) {
		goc_context *r = roots[i];
		cr_assert_not_null(r);
		cr_assert_null(goc_context_done(r), "a root's done must be NULL (never closes)");
		cr_assert_eq(goc_context_err(r), 0);
		cr_assert(!goc_context_deadline(r, NULL));
		cr_assert_null(goc_context_value(r, &roots));
		goc_context_cancel(r);
		goc_context_free(r);
		cr_assert_eq(goc_context_err(r), 0, "a root was canceled");
	}
	cr_assert_eq(goc_context_background(), roots[0], "background is one static context");
	goc_context_free(NULL);
	expect_no_leftovers();
}

/* ---- cancel ----------------------------------------------------------------- */

Test(context, cancel_closes_done_and_err_becomes_ecanceled)
{
	goc_context *c = ctx_or_fail(goc_context_with_cancel(goc_context_background()));
	goc_chan *done = goc_context_done(c);
	cr_assert_not_null(done);
	cr_assert_eq(goc_context_err(c), 0);
	cr_assert(!goc_context_deadline(c, NULL), "with_cancel has no deadline");
	cr_assert_eq(goc_chan_tryrecv(done, NULL, NULL), GOC_EAGAIN, "done ready before cancel");
	goc_context_cancel(c);
	cr_assert(!goc_chan_recv(done, NULL), "done must be closed by cancel");
	cr_assert_eq(goc_context_err(c), GOC_ECANCELED);
	cr_assert_eq(goc_context_done(c), done, "done changed");
	goc_context_free(c);
	expect_no_leftovers();
}

Test(context, cancel_is_idempotent_and_keeps_the_first_error)
{
	goc_context *c = ctx_or_fail(goc_context_with_cancel(NULL)); /* NULL: background */
	goc_context_cancel(c);
	goc_context_cancel(c);
	goc_context_cancel(c);
	cr_assert_eq(goc_context_err(c), GOC_ECANCELED);
	cr_assert(is_closed(goc_context_done(c)));

	goc_context *t = ctx_or_fail(goc_context_with_timeout(goc_context_background(), 1));
	cr_assert(!goc_chan_recv(goc_context_done(t), NULL));
	cr_assert_eq(goc_context_err(t), GOC_EDEADLINE);
	goc_context_cancel(t);
	cr_assert_eq(goc_context_err(t), GOC_EDEADLINE, "a later cancel replaced the error");
	goc_context_free(c);
	goc_context_free(t);
	expect_no_leftovers();
}

static void write_then_cancel(void *p)
{
	void **a = p;
	int *data = a[1];
	for (int i = 0; i < 64; i++)
		data[i] = 5 * i;
	goc_context_cancel(a[0]);
}

Test(context, cancel_happens_before_a_receive_from_done_returns)
{
	static int data[64]; /* plain */
	goc_context *c = ctx_or_fail(goc_context_with_cancel(goc_context_background()));
	void *arg[2] = {c, data};
	go_or_fail(write_then_cancel, arg);
	cr_assert(!goc_chan_recv(goc_context_done(c), NULL));
	long sum = 0;
	for (int i = 0; i < 64; i++)
		sum += data[i];
	cr_assert_eq(sum, 5L * 63 * 64 / 2);
	cr_assert_eq(goc_context_err(c), GOC_ECANCELED);
	expect_no_leftovers(); /* the canceller has exited */
	goc_context_free(c);
	expect_no_leftovers();
}

/* ---- a tree of 1,000 descendants -------------------------------------------- */

enum { TREE = 1000, FANOUT = 3, TREE_WAITERS = 8 };

static char tree_key;

/* Node 0 is the root (with_cancel of background); node i > 0 is a child of
 * node (i - 1) / FANOUT, of kind i % 3: cancel, value, or timeout. */
static int tree_parent(int i)
{
	return (i - 1) / FANOUT;
}

static bool in_subtree(int i, int top)
{
	for (; i > top; i = tree_parent(i))
		;
	return i == top;
}

static void build_tree(goc_context **n)
{
	n[0] = ctx_or_fail(goc_context_with_cancel(goc_context_background()));
	for (int i = 1; i < TREE; i++) {
		goc_context *p = n[tree_parent(i)];
		switch (i % 3) {
		case 0:
			n[i] = goc_context_with_cancel(p);
			break;
		case 1:
			n[i] = goc_context_with_value(p, &tree_key, (void *)(intptr_t)i);
			break;
		default:
			n[i] = goc_context_with_timeout(p, LONG_TIMEOUT);
			break;
		}
		ctx_or_fail(n[i]);
	}
}

static void wait_done(void *p)
{
	goc_context *c = p;
	goc_chan_recv(goc_context_done(c), NULL);
}

Test(context, cancel_reaches_every_one_of_1000_descendants_and_only_the_subtree)
{
	static goc_context *n[TREE];
	build_tree(n);
	for (int i = 0; i < TREE; i++)
		cr_assert_eq(goc_context_err(n[i]), 0, "node %d canceled at birth", i);

	/* Goroutines wait on the done channels of deep nodes. */
	int64_t waiters[TREE_WAITERS];
	for (int k = 0; k < TREE_WAITERS; k++) {
		waiters[k] = go_or_fail(wait_done, n[TREE - 1 - 37 * k]);
		wait_until_blocked(waiters[k], "chan receive");
	}

	/* Cancel one child of the root: exactly its subtree is canceled. */
	const int mid = 2;
	goc_context_cancel(n[mid]);
	int in_mid = 0;
	for (int i = 0; i < TREE; i++) {
		bool want = in_subtree(i, mid);
		in_mid += want;
		cr_assert_eq(goc_context_err(n[i]), want ? GOC_ECANCELED : 0,
		             "node %d (in subtree: %d) err %d", i, want, goc_context_err(n[i]));
		cr_assert_eq(is_closed(goc_context_done(n[i])), want, "node %d done", i);
	}
	cr_assert_gt(in_mid, 100, "the subtree is too small to mean anything (%d)", in_mid);

	goc_context_cancel(n[0]);
	for (int i = 0; i < TREE; i++) {
		cr_assert_eq(goc_context_err(n[i]), GOC_ECANCELED, "node %d err %d", i,
		             goc_context_err(n[i]));
		cr_assert(is_closed(goc_context_done(n[i])), "node %d: done not closed", i);
	}
	expect_no_leftovers(); /* every waiter woke; the timers were stopped */
	/* Parents are freed before their children. */
	for (int i = 0; i < TREE; i++)
		goc_context_free(n[i]);
	expect_no_leftovers();
}

Test(context, freeing_a_tree_children_first_stops_every_deadline_timer)
{
	static goc_context *n[TREE];
	build_tree(n);
	cr_assert_gt(armed_timers(), 0, "no deadline timer armed for the tree's timeout nodes");
	for (int i = TREE - 1; i >= 0; i--)
		goc_context_free(n[i]);
	expect_no_leftovers();
}

/*
 * Regression: cancel used to recurse once per level of the tree, so a
 * goroutine (64 KiB stack) that canceled the top of a chain some 1,500
 * contexts deep overflowed its stack and crashed.
 */
enum { CHAIN = 5000 };

struct chain {
	goc_context *n[CHAIN];
	goc_chan *done;
};

static void cancel_then_free_top(void *p)
{
	struct chain *c = p;
	goc_context_cancel(c->n[0]);
	goc_context_free(c->n[0]);
	goc_chan_send(c->done, NULL);
}

Test(context, a_goroutine_cancels_a_chain_5000_contexts_deep)
{
	static struct chain c;
	c.done = chan_or_fail(0, 1);
	c.n[0] = ctx_or_fail(goc_context_with_cancel(goc_context_background()));
	for (int i = 1; i < CHAIN; i++)
		c.n[i] = ctx_or_fail(i % 4 == 3 ? goc_context_with_value(c.n[i - 1], &c, NULL)
		                                : goc_context_with_cancel(c.n[i - 1]));
	go_or_fail(cancel_then_free_top, &c);
	join(c.done, 1);
	for (int i = 0; i < CHAIN; i++)
		if (goc_context_err(c.n[i]) != GOC_ECANCELED)
			cr_assert_fail("context %d of the chain: err %d", i, goc_context_err(c.n[i]));
	for (int i = 1; i < CHAIN; i++)
		goc_context_free(c.n[i]);
	goc_chan_free(c.done);
	expect_no_leftovers();
}

/* ---- deadlines -------------------------------------------------------------- */

Test(context, a_timeout_fires_never_early_and_err_is_edeadline_down_the_chain)
{
	int64_t start = goc_now();
	goc_context *t = ctx_or_fail(goc_context_with_timeout(goc_context_background(),
	                                                      20 * GOC_MILLISECOND));
	goc_context *c = ctx_or_fail(goc_context_with_cancel(t));
	goc_context *v = ctx_or_fail(goc_context_with_value(c, &start, &start));
	int64_t d = 0;
	cr_assert(goc_context_deadline(t, &d));
	cr_assert_geq(d, start + 20 * GOC_MILLISECOND);
	int64_t dv = 0;
	cr_assert(goc_context_deadline(v, &dv), "a descendant has its ancestor's deadline");
	cr_assert_eq(dv, d);
	cr_assert_eq(goc_context_err(v), 0);

	cr_assert(!goc_chan_recv(goc_context_done(v), NULL));
	cr_assert_geq(goc_now(), d, "done closed before the deadline");
	cr_assert_eq(goc_context_err(t), GOC_EDEADLINE);
	cr_assert_eq(goc_context_err(c), GOC_EDEADLINE, "the child got %d", goc_context_err(c));
	cr_assert_eq(goc_context_err(v), GOC_EDEADLINE);
	goc_context_free(v);
	goc_context_free(c);
	goc_context_free(t);
	expect_no_leftovers();
}

Test(context, a_deadline_fires_and_is_reported_exactly)
{
	int64_t when = goc_now() + 10 * GOC_MILLISECOND;
	goc_context *c = ctx_or_fail(goc_context_with_deadline(goc_context_background(), when));
	int64_t d = 0;
	cr_assert(goc_context_deadline(c, &d));
	cr_assert_eq(d, when);
	cr_assert(!goc_chan_recv(goc_context_done(c), NULL));
	cr_assert_geq(goc_now(), when, "done closed before the deadline");
	cr_assert_eq(goc_context_err(c), GOC_EDEADLINE);
	goc_context_free(c);
	expect_no_leftovers();
}

Test(context, a_deadline_in_the_past_is_exceeded_at_once)
{
	goc_context *c = ctx_or_fail(
	    goc_context_with_deadline(goc_context_background(), goc_now() - GOC_SECOND));
	cr_assert_eq(goc_context_err(c), GOC_EDEADLINE);
	cr_assert(is_closed(goc_context_done(c)));
	goc_context *z = ctx_or_fail(goc_context_with_timeout(goc_context_background(), 0));
	cr_assert_eq(goc_context_err(z), GOC_EDEADLINE, "a zero timeout");
	cr_assert_eq(armed_timers(), 0, "a timer was armed for a past deadline");
	goc_context_free(c);
	goc_context_free(z);
	expect_no_leftovers();
}

Test(context, cancel_before_the_deadline_is_ecanceled_and_stops_the_timer)
{
	goc_context *t = ctx_or_fail(goc_context_with_timeout(goc_context_background(),
	                                                      LONG_TIMEOUT));
	goc_context_cancel(t);
	cr_assert_eq(goc_context_err(t), GOC_ECANCELED);
	cr_assert(goc_context_deadline(t, NULL), "the deadline is still reported");
	cr_assert_eq(armed_timers(), 0, "cancel left the deadline timer armed");
	goc_context_free(t);
	expect_no_leftovers();
}

Test(context, a_child_keeps_the_earlier_of_its_own_and_its_parents_deadline)
{
	goc_context *p = ctx_or_fail(goc_context_with_timeout(goc_context_background(),
	                                                      LONG_TIMEOUT));
	int64_t pd = 0, d = 0;
	cr_assert(goc_context_deadline(p, &pd));
	goc_context *later = ctx_or_fail(goc_context_with_deadline(p, pd + LONG_TIMEOUT));
	cr_assert(goc_context_deadline(later, &d));
	cr_assert_eq(d, pd, "a later deadline than the parent's must become the parent's");
	goc_context *earlier = ctx_or_fail(goc_context_with_deadline(p, pd - GOC_SECOND));
	cr_assert(goc_context_deadline(earlier, &d));
	cr_assert_eq(d, pd - GOC_SECOND);
	goc_context *v = ctx_or_fail(goc_context_with_value(earlier, &pd, NULL));
	cr_assert(goc_context_deadline(v, &d));
	cr_assert_eq(d, pd - GOC_SECOND, "a value child has its parent's deadline");
	goc_context_free(v);
	goc_context_free(earlier);
	goc_context_free(later);
	goc_context_free(p);
	expect_no_leftovers();
}

/* ---- values ------------------------------------------------------------------- */

Test(context, value_lookup_follows_the_chain_and_the_nearest_key_wins)
{
	/* Two keys with equal contents: keys are compared by address. */
	static const char key1[] = "k", key2[] = "k", key3[] = "z";
	int a = 1, b = 2, c = 3;
	goc_context *v1 = ctx_or_fail(goc_context_with_value(goc_context_background(), key1, &a));
	goc_context *cc = ctx_or_fail(goc_context_with_cancel(v1));
	goc_context *v2 = ctx_or_fail(goc_context_with_value(cc, key2, &b));
	goc_context *v3 = ctx_or_fail(goc_context_with_value(v2, key1, &c));

	cr_assert_eq(goc_context_value(v1, key1), &a);
	cr_assert_null(goc_context_value(v1, key2), "keys compared by contents");
	cr_assert_eq(goc_context_value(cc, key1), &a, "through a cancel context");
	cr_assert_eq(goc_context_value(v2, key1), &a);
	cr_assert_eq(goc_context_value(v2, key2), &b);
	cr_assert_eq(goc_context_value(v3, key1), &c, "the nearest key1 must win");
	cr_assert_eq(goc_context_value(v3, key2), &b);
	cr_assert_null(goc_context_value(v3, key3));

	/* A value context is canceled exactly when its parent is. */
	cr_assert_eq(goc_context_done(v3), goc_context_done(cc));
	cr_assert_null(goc_context_done(v1), "value child of background never closes");
	goc_context_cancel(v3); /* a no-op: value contexts cannot be canceled */
	cr_assert_eq(goc_context_err(v3), 0);
	cr_assert_eq(goc_context_err(cc), 0);
	goc_context_cancel(cc);
	cr_assert_eq(goc_context_err(v2), GOC_ECANCELED);
	cr_assert_eq(goc_context_err(v3), GOC_ECANCELED);
	cr_assert_eq(goc_context_err(v1), 0, "cancel went up the chain");
	cr_assert_eq(goc_context_value(v3, key1), &c, "values survive cancel");
	goc_context_free(v3);
	goc_context_free(v2);
	goc_context_free(cc);
	goc_context_free(v1);
	expect_no_leftovers();
}

/* ---- ownership ------------------------------------------------------------------ */

Test(context, a_parent_may_be_freed_before_its_children)
{
	static char k0, k1;
	int x = 7, y = 8;
	goc_context *v0 = ctx_or_fail(goc_context_with_value(goc_context_background(), &k0, &x));
	goc_context *p = ctx_or_fail(goc_context_with_cancel(v0));
	goc_context *c = ctx_or_fail(goc_context_with_timeout(p, LONG_TIMEOUT));
	goc_context *v1 = ctx_or_fail(goc_context_with_value(c, &k1, &y));
	goc_chan *cdone = goc_context_done(c);

	goc_context_free(v0);
	goc_context_free(p); /* cancels p and with it c and v1 */
	cr_assert(is_closed(cdone), "freeing the parent did not cancel the child");
	cr_assert_eq(goc_context_err(c), GOC_ECANCELED);
	cr_assert_eq(goc_context_err(v1), GOC_ECANCELED);
	/* The ancestors' memory is still there for the children. */
	cr_assert_eq(goc_context_value(v1, &k0), &x);
	cr_assert_eq(goc_context_value(v1, &k1), &y);
	cr_assert(goc_context_deadline(v1, NULL));
	goc_context_free(c);
	cr_assert_eq(goc_context_value(v1, &k0), &x);
	goc_context_free(v1);
	expect_no_leftovers();
}

Test(context, children_of_a_canceled_context_are_canceled_at_once_with_its_error)
{
	goc_context *p = ctx_or_fail(goc_context_with_cancel(goc_context_background()));
	goc_context_cancel(p);
	goc_context *c = ctx_or_fail(goc_context_with_cancel(p));
	goc_context *t = ctx_or_fail(goc_context_with_timeout(p, LONG_TIMEOUT));
	cr_assert_eq(goc_context_err(c), GOC_ECANCELED);
	cr_assert(is_closed(goc_context_done(c)));
	cr_assert_eq(goc_context_err(t), GOC_ECANCELED, "not EDEADLINE: the parent was canceled");

	goc_context *e = ctx_or_fail(goc_context_with_timeout(goc_context_background(), 1));
	cr_assert(!goc_chan_recv(goc_context_done(e), NULL));
	goc_context *ec = ctx_or_fail(goc_context_with_cancel(e));
	cr_assert_eq(goc_context_err(ec), GOC_EDEADLINE, "a child of an expired context");
	cr_assert_eq(armed_timers(), 0, "a timer was armed under a canceled parent");
	goc_context_free(ec);
	goc_context_free(e);
	goc_context_free(t);
	goc_context_free(c);
	goc_context_free(p);
	expect_no_leftovers();
}

/* ---- concurrency ---------------------------------------------------------------- */

enum { CT_NODES = 64, CT_G = 4 };
#define CT_ROUNDS TEST_SCALE(20000)

struct churn {
	goc_context *n[CT_NODES];
	atomic_bool root_canceled; /* set after cancel of the root returned */
	atomic_long progress;
	atomic_int bad;            /* a child born after that was not canceled */
	goc_chan *done;
};

struct churn_arg {
	struct churn *c;
	int g;
};

static void churner(void *p)
{
	struct churn_arg *a = p;
	struct churn *c = a->c;
	for (int r = 0; r < CT_ROUNDS; r++) {
		goc_context *parent = c->n[(r * 7 + a->g * 13) % CT_NODES];
		bool after = atomic_load(&c->root_canceled);
		goc_context *k = goc_context_with_cancel(parent);
		goc_context *v = k != NULL ? goc_context_with_value(k, c, &r) : NULL;
		if (v == NULL) {
			atomic_fetch_add(&c->bad, 1);
			goc_context_free(k);
			continue;
		}
		int err = goc_context_err(v);
		if ((after && err != GOC_ECANCELED) || (err != 0 && err != GOC_ECANCELED))
			atomic_fetch_add(&c->bad, 1);
		if (r % 3 == 0)
			goc_context_cancel(k);
		if (r % 2 == 0) { /* free parents first half the time */
			goc_context_free(k);
			goc_context_free(v);
		} else {
			goc_context_free(v);
			goc_context_free(k);
		}
		if (r % 16 == 0)
			goc_yield();
		atomic_fetch_add(&c->progress, 1);
	}
	goc_chan_send(c->done, NULL);
}

Test(context, concurrent_children_cancels_and_frees_on_one_tree)
{
	static struct churn c;
	struct churn_arg a[CT_G];
	c = (struct churn){.done = chan_or_fail(0, CT_G)};
	c.n[0] = ctx_or_fail(goc_context_with_cancel(goc_context_background()));
	for (int i = 1; i < CT_NODES; i++)
		c.n[i] = ctx_or_fail(i % 2 ? goc_context_with_cancel(c.n[(i - 1) / 2])
		                           : goc_context_with_value(c.n[(i - 1) / 2], &c, NULL));
	for (int g = 0; g < CT_G; g++) {
		a[g] = (struct churn_arg){&c, g};
		go_or_fail(churner, &a[g]);
	}
	/* Cancel the root while the churners are at work. */
	int64_t limit = goc_now() + TEST_WAIT_LIMIT;
	while (atomic_load(&c.progress) < CT_ROUNDS && goc_now() < limit)
		goc_yield();
	goc_context_cancel(c.n[0]);
	atomic_store(&c.root_canceled, true);
	join(c.done, CT_G);
	cr_assert_eq(atomic_load(&c.bad), 0, "%d children had a wrong error", atomic_load(&c.bad));
	for (int i = 0; i < CT_NODES; i++)
		cr_assert_eq(goc_context_err(c.n[i]), GOC_ECANCELED, "node %d", i);
	for (int i = 0; i < CT_NODES; i++)
		goc_context_free(c.n[i]);
	goc_chan_free(c.done);
	expect_no_leftovers();
}
