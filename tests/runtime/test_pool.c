/*
 * test_pool.c — tests for runtime/pool.c (goc.h "Pool", Go's sync.Pool with
 * a bound): get on an empty pool uses make (or returns NULL without one);
 * get returns what was put; what exceeds the bound is destroyed at once,
 * the rest at free, each object exactly once and never one that get handed
 * out; without destroy, objects are left alone; and concurrent get/put from
 * many goroutines and the main thread never hands one object to two
 * holders at once.
 *
 * Holders write plain memory in the objects they hold: under
 * ThreadSanitizer that checks goc.h's edge "a put of x happens before the
 * get that returns x". Every test ends with expect_no_leftovers().
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(pool, .timeout = TEST_TIMEOUT_S);

static goc_pool *pool_or_fail(goc_pool *p)
{
	cr_assert_not_null(p, "goc_pool_new returned NULL");
	return p;
}

/* ---- tokens: objects that are slots of a static array ----------------------- */

enum { TOKENS = 100000 };

struct tokens {
	atomic_char destroyed[TOKENS + 1]; /* [TOKENS]: the one make returns */
	char slot[TOKENS + 1];             /* the objects: &slot[i] */
	atomic_int makes, destroys, bad_arg;
};

static struct tokens tk;

static void *make_token(void *arg)
{
	if (arg != &tk)
		atomic_fetch_add(&tk.bad_arg, 1);
	atomic_fetch_add(&tk.makes, 1);
	return &tk.slot[TOKENS];
}

static void destroy_token(void *obj, void *arg)
{
	if (arg != &tk)
		atomic_fetch_add(&tk.bad_arg, 1);
	atomic_fetch_add(&tk.destroyed[(char *)obj - tk.slot], 1);
	atomic_fetch_add(&tk.destroys, 1);
}

static goc_pool *token_pool(void)
{
	memset(&tk, 0, sizeof tk);
	return pool_or_fail(goc_pool_new(make_token, destroy_token, &tk));
}

/* ---- make and get ------------------------------------------------------------ */

Test(pool, get_from_an_empty_pool_calls_make_with_arg)
{
	goc_pool *p = token_pool();
	cr_assert_eq(goc_pool_get(p), &tk.slot[TOKENS]);
	cr_assert_eq(goc_pool_get(p), &tk.slot[TOKENS]);
	cr_assert_eq(atomic_load(&tk.makes), 2);
	cr_assert_eq(atomic_load(&tk.bad_arg), 0, "make got another arg");
	goc_pool_free(p);
	cr_assert_eq(atomic_load(&tk.destroys), 0, "free destroyed objects it never had");
	expect_no_leftovers();
}

Test(pool, without_make_get_on_an_empty_pool_returns_null)
{
	goc_pool *p = pool_or_fail(goc_pool_new(NULL, NULL, NULL));
	cr_assert_null(goc_pool_get(p));
	int x;
	goc_pool_put(p, &x);
	cr_assert_eq(goc_pool_get(p), &x);
	cr_assert_null(goc_pool_get(p));
	goc_pool_free(p);
	goc_pool_free(NULL);
	expect_no_leftovers();
}

struct put_get {
	goc_pool *p;
	void *got[3];
	goc_chan *done;
};

static void put_then_get(void *arg)
{
	struct put_get *a = arg;
	/* No yield in between: the goroutine stays on its worker. */
	goc_pool_put(a->p, &tk.slot[1]);
	a->got[0] = goc_pool_get(a->p);
	goc_pool_put(a->p, &tk.slot[2]);
	goc_pool_put(a->p, &tk.slot[3]);
	a->got[1] = goc_pool_get(a->p);
	a->got[2] = goc_pool_get(a->p);
	goc_chan_send(a->done, NULL);
}

Test(pool, get_returns_the_objects_that_were_put)
{
	goc_pool *p = token_pool();
	/* From the main thread. */
	goc_pool_put(p, &tk.slot[0]);
	cr_assert_eq(goc_pool_get(p), &tk.slot[0]);
	/* From a goroutine. */
	struct put_get a = {.p = p, .done = chan_or_fail(0, 1)};
	go_or_fail(put_then_get, &a);
	join(a.done, 1);
	cr_assert_eq(a.got[0], &tk.slot[1]);
	cr_assert((a.got[1] == &tk.slot[2] && a.got[2] == &tk.slot[3]) ||
	          (a.got[1] == &tk.slot[3] && a.got[2] == &tk.slot[2]),
	          "got %p and %p back, put %p and %p", a.got[1], a.got[2], (void *)&tk.slot[2],
	          (void *)&tk.slot[3]);
	cr_assert_eq(atomic_load(&tk.makes), 0, "make called while objects were cached");
	cr_assert_eq(atomic_load(&tk.destroys), 0);
	goc_pool_free(p);
	goc_chan_free(a.done);
	expect_no_leftovers();
}

/* ---- the bound ------------------------------------------------------------------ */

/* Checks that every token in [0, n) was destroyed exactly `want` times,
 * where want is 1 unless the caller got it back (got[i]). */
static void expect_destroyed_once(int n, const bool *got)
{
	for (int i = 0; i < n; i++) {
		int d = atomic_load(&tk.destroyed[i]);
		int want = got != NULL && got[i] ? 0 : 1;
		cr_assert_eq(d, want, "object %d destroyed %d times%s", i, d,
		             want ? "" : " though get handed it out");
	}
	cr_assert_eq(atomic_load(&tk.bad_arg), 0, "destroy got another arg");
}

Test(pool, overflow_is_destroyed_at_once_and_the_rest_at_free)
{
	goc_pool *p = token_pool();
	for (int i = 0; i < TOKENS; i++)
		goc_pool_put(p, &tk.slot[i]);
	int at_once = atomic_load(&tk.destroys);
	cr_assert_gt(at_once, 0, "%d objects put and none destroyed: the pool is unbounded",
	             TOKENS);
	cr_assert_lt(at_once, TOKENS, "nothing was kept");
	for (int i = 0; i < TOKENS; i++)
		cr_assert_leq(atomic_load(&tk.destroyed[i]), 1, "object %d destroyed twice", i);
	goc_pool_free(p);
	cr_assert_eq(atomic_load(&tk.destroys), TOKENS);
	expect_destroyed_once(TOKENS, NULL);
	cr_assert_eq(atomic_load(&tk.makes), 0);
	expect_no_leftovers();
}

Test(pool, get_hands_out_only_kept_objects_and_free_does_not_destroy_them)
{
	static bool got[TOKENS];
	memset(got, 0, sizeof got);
	goc_pool *p = token_pool();
	for (int i = 0; i < TOKENS; i++)
		goc_pool_put(p, &tk.slot[i]);
	int ngot = 0;
	for (;;) {
		char *x = goc_pool_get(p);
		if (x == &tk.slot[TOKENS])
			break; /* empty: make was called */
		int i = (int)(x - tk.slot);
		cr_assert(i >= 0 && i < TOKENS, "get returned %p, not an object that was put", x);
		cr_assert(!got[i], "object %d handed out twice", i);
		cr_assert_eq(atomic_load(&tk.destroyed[i]), 0, "a destroyed object %d handed out", i);
		got[i] = true;
		ngot++;
	}
	cr_assert_gt(ngot, 0);
	goc_pool_free(p);
	cr_assert_eq(atomic_load(&tk.destroys) + ngot, TOKENS);
	expect_destroyed_once(TOKENS, got);
	expect_no_leftovers();
}

enum { PUT_G = 8 };

struct putter {
	goc_pool *p;
	int from, to;
	goc_chan *done;
};

static void put_range(void *arg)
{
	struct putter *a = arg;
	for (int i = a->from; i < a->to; i++) {
		goc_pool_put(a->p, &tk.slot[i]);
		if (i % 64 == 0)
			goc_yield();
	}
	goc_chan_send(a->done, NULL);
}

Test(pool, puts_from_many_goroutines_destroy_each_object_exactly_once_in_the_end)
{
	goc_pool *p = token_pool();
	struct putter a[PUT_G];
	goc_chan *done = chan_or_fail(0, PUT_G);
	for (int g = 0; g < PUT_G; g++) {
		a[g] = (struct putter){p, g * (TOKENS / PUT_G), (g + 1) * (TOKENS / PUT_G), done};
		go_or_fail(put_range, &a[g]);
	}
	join(done, PUT_G);
	cr_assert_gt(atomic_load(&tk.destroys), 0, "the pool is unbounded");
	goc_pool_free(p);
	expect_destroyed_once(PUT_G * (TOKENS / PUT_G), NULL);
	goc_chan_free(done);
	expect_no_leftovers();
}

Test(pool, without_destroy_objects_are_left_alone)
{
	static char objs[2000];
	goc_pool *p = pool_or_fail(goc_pool_new(NULL, NULL, NULL));
	for (int i = 0; i < 2000; i++) {
		objs[i] = (char)(i % 100);
		goc_pool_put(p, &objs[i]);
	}
	goc_pool_free(p);
	for (int i = 0; i < 2000; i++)
		cr_assert_eq(objs[i], (char)(i % 100), "object %d was touched", i);
	expect_no_leftovers();
}

/* ---- concurrent holders ----------------------------------------------------------- */

enum { HOLD_G = 8, HOLD_MAX = 3 };
#define HOLD_ROUNDS TEST_SCALE(50000)

struct held {
	atomic_int holder; /* 0, or the id of the one holding it */
	long data;         /* plain: written by the holder */
};

struct holders {
	goc_pool *p;
	atomic_int made, destroyed, bad;
	goc_chan *done;
};

static void *make_held(void *arg)
{
	struct holders *h = arg;
	struct held *x = calloc(1, sizeof *x);
	if (x != NULL)
		atomic_fetch_add(&h->made, 1);
	return x;
}

static void destroy_held(void *obj, void *arg)
{
	struct holders *h = arg;
	struct held *x = obj;
	if (atomic_load_explicit(&x->holder, memory_order_relaxed) != 0)
		atomic_fetch_add(&h->bad, 1); /* destroyed while someone holds it */
	atomic_fetch_add(&h->destroyed, 1);
	free(x);
}

static void hold_rounds(struct holders *h, int me)
{
	struct held *mine[HOLD_MAX];
	for (int r = 0; r < HOLD_ROUNDS; r++) {
		int k = 1 + (r + me) % HOLD_MAX;
		for (int j = 0; j < k; j++) {
			mine[j] = goc_pool_get(h->p);
			/* Relaxed: the edge that orders data must be the pool's. */
			int zero = 0;
			if (mine[j] == NULL ||
			    !atomic_compare_exchange_strong_explicit(&mine[j]->holder, &zero, me,
			                                             memory_order_relaxed,
			                                             memory_order_relaxed)) {
				atomic_fetch_add(&h->bad, 1); /* someone else holds it */
				mine[j] = NULL;
				continue;
			}
			mine[j]->data = (long)me * 1000000 + r;
		}
		if (r % 8 == 0)
			goc_yield();
		for (int j = k - 1; j >= 0; j--) {
			if (mine[j] == NULL)
				continue;
			if (mine[j]->data != (long)me * 1000000 + r)
				atomic_fetch_add(&h->bad, 1); /* written by another holder */
			atomic_store_explicit(&mine[j]->holder, 0, memory_order_relaxed);
			goc_pool_put(h->p, mine[j]);
		}
	}
}

struct holder_arg {
	struct holders *h;
	int me;
};

static void holder(void *arg)
{
	struct holder_arg *a = arg;
	hold_rounds(a->h, a->me);
	goc_chan_send(a->h->done, NULL);
}

Test(pool, concurrent_get_and_put_never_hand_one_object_to_two_holders)
{
	static struct holders h;
	struct holder_arg a[HOLD_G];
	h = (struct holders){.done = chan_or_fail(0, HOLD_G)};
	h.p = pool_or_fail(goc_pool_new(make_held, destroy_held, &h));
	for (int g = 0; g < HOLD_G; g++) {
		a[g] = (struct holder_arg){&h, g + 1};
		go_or_fail(holder, &a[g]);
	}
	hold_rounds(&h, HOLD_G + 1); /* the main thread takes part */
	join(h.done, HOLD_G);
	cr_assert_eq(atomic_load(&h.bad), 0, "%d objects shared by two holders",
	             atomic_load(&h.bad));
	cr_assert_gt(atomic_load(&h.made), 0);
	goc_pool_free(h.p);
	cr_assert_eq(atomic_load(&h.destroyed), atomic_load(&h.made),
	             "made %d objects, destroyed %d", atomic_load(&h.made),
	             atomic_load(&h.destroyed));
	goc_chan_free(h.done);
	expect_no_leftovers();
}
