/*
 * test_select.c — tests for runtime/select.c: send and receive cases, the
 * default case (goc_select_try), NULL-channel cases, closed channels, waking
 * a blocked select (and leaving no waiter behind on its other channels),
 * concurrent selects over the same channels listed in opposite orders, and
 * the uniform choice among ready cases.
 *
 * Goroutines are put in a known blocked state with wait_until_blocked (the
 * goroutine dump), never by sleeping. Every test ends with
 * expect_no_leftovers().
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(select, .timeout = TEST_TIMEOUT_S);

struct sel_result {
	int idx;
	int val;
	bool ok;
};

struct sel_arg {
	goc_chan *a, *b;
	int send_val;
	goc_chan *results; /* struct sel_result */
};

/* select { v = <-a; v = <-b } */
static void select_recv_a_or_b(void *p)
{
	struct sel_arg *s = p;
	int va = -1, vb = -1;
	bool oka = true, okb = true;
	goc_select_case cs[2] = {GOC_RECV(s->a, &va, &oka), GOC_RECV(s->b, &vb, &okb)};
	struct sel_result r = {goc_select(cs, 2), -1, false};
	if (r.idx == 0) {
		r.val = va;
		r.ok = oka;
	} else if (r.idx == 1) {
		r.val = vb;
		r.ok = okb;
	}
	goc_chan_send(s->results, &r);
}

/* select { a <- send_val; v = <-b } */
static void select_send_a_or_recv_b(void *p)
{
	struct sel_arg *s = p;
	int vb = -1;
	bool okb = false;
	goc_select_case cs[2] = {GOC_SEND(s->a, &s->send_val), GOC_RECV(s->b, &vb, &okb)};
	struct sel_result r = {goc_select(cs, 2), -1, false};
	if (r.idx == 1) {
		r.val = vb;
		r.ok = okb;
	}
	goc_chan_send(s->results, &r);
}

/* ---- ready cases ---------------------------------------------------------- */

Test(select, ready_recv_case_is_chosen_with_its_value)
{
	goc_chan *a = chan_or_fail(sizeof(int), 1), *b = chan_or_fail(sizeof(int), 1);
	int v = 42;
	goc_chan_send(b, &v);
	int va = -1, vb = -1;
	bool oka = false, okb = false;
	goc_select_case cs[2] = {GOC_RECV(a, &va, &oka), GOC_RECV(b, &vb, &okb)};
	cr_assert_eq(goc_select(cs, 2), 1);
	cr_assert_eq(vb, 42);
	cr_assert(okb);
	cr_assert_eq(va, -1, "the case not chosen must not be performed");
	cr_assert_eq(goc_chan_len(b), 0);
	goc_chan_free(a);
	goc_chan_free(b);
	expect_no_leftovers();
}

Test(select, ready_send_case_is_chosen_and_delivers)
{
	goc_chan *unbuf = chan_or_fail(sizeof(int), 0), *buf = chan_or_fail(sizeof(int), 1);
	int x = 5, y = 6;
	goc_select_case cs[2] = {GOC_SEND(unbuf, &x), GOC_SEND(buf, &y)};
	cr_assert_eq(goc_select(cs, 2), 1, "only the buffered channel has room");
	int v = -1;
	cr_assert_eq(goc_chan_len(buf), 1);
	cr_assert(goc_chan_recv(buf, &v));
	cr_assert_eq(v, 6);
	goc_chan_free(unbuf);
	goc_chan_free(buf);
	expect_no_leftovers();
}

Test(select, recv_case_discards_value_when_elem_is_null)
{
	goc_chan *a = chan_or_fail(sizeof(int), 1);
	int v = 1;
	goc_chan_send(a, &v);
	bool ok = false;
	goc_select_case cs[1] = {GOC_RECV(a, NULL, &ok)};
	cr_assert_eq(goc_select(cs, 1), 0);
	cr_assert(ok);
	cr_assert_eq(goc_chan_len(a), 0);
	goc_chan_free(a);
	expect_no_leftovers();
}

/* ---- blocking select ----------------------------------------------------- */

Test(select, blocked_select_wakes_for_the_channel_that_becomes_ready)
{
	struct sel_arg s = {chan_or_fail(sizeof(int), 0), chan_or_fail(sizeof(int), 0), 0,
	                    chan_or_fail(sizeof(struct sel_result), 1)};
	wait_until_blocked(go_or_fail(select_recv_a_or_b, &s), "select");
	int v = 9;
	goc_chan_send(s.b, &v);
	struct sel_result r;
	cr_assert(goc_chan_recv(s.results, &r));
	cr_assert_eq(r.idx, 1);
	cr_assert_eq(r.val, 9);
	cr_assert(r.ok);
	/* The woken select must not be left waiting on a. */
	cr_assert_eq(goc_chan_trysend(s.a, &v), GOC_EAGAIN, "stale select waiter on a");
	cr_assert_eq(goc_chan_trysend(s.b, &v), GOC_EAGAIN, "stale select waiter on b");
	goc_chan_free(s.a);
	goc_chan_free(s.b);
	goc_chan_free(s.results);
	expect_no_leftovers();
}

Test(select, blocked_send_case_completes_when_a_receiver_arrives)
{
	struct sel_arg s = {chan_or_fail(sizeof(int), 0), chan_or_fail(sizeof(int), 0), 55,
	                    chan_or_fail(sizeof(struct sel_result), 1)};
	wait_until_blocked(go_or_fail(select_send_a_or_recv_b, &s), "select");
	int v = -1;
	bool ok = false;
	cr_assert_eq(goc_chan_tryrecv(s.a, &v, &ok), 0, "the blocked send case must be offered");
	cr_assert(ok);
	cr_assert_eq(v, 55);
	struct sel_result r;
	cr_assert(goc_chan_recv(s.results, &r));
	cr_assert_eq(r.idx, 0);
	cr_assert_eq(goc_chan_trysend(s.b, &v), GOC_EAGAIN, "stale select waiter on b");
	goc_chan_free(s.a);
	goc_chan_free(s.b);
	goc_chan_free(s.results);
	expect_no_leftovers();
}

Test(select, each_value_wakes_exactly_one_of_many_blocked_selects)
{
	enum { N = 4 };
	struct sel_arg s = {chan_or_fail(sizeof(int), 0), chan_or_fail(sizeof(int), 0), 0,
	                    chan_or_fail(sizeof(struct sel_result), N)};
	for (int i = 0; i < N; i++)
		wait_until_blocked(go_or_fail(select_recv_a_or_b, &s), "select");
	for (int i = 0; i < N; i++) {
		int v = 10 * (i + 1);
		goc_chan_send(i % 2 ? s.b : s.a, &v);
	}
	int seen[N + 1] = {0};
	for (int i = 0; i < N; i++) {
		struct sel_result r;
		cr_assert(goc_chan_recv(s.results, &r));
		cr_assert(r.ok);
		cr_assert(r.val % 10 == 0 && r.val / 10 >= 1 && r.val / 10 <= N, "value %d", r.val);
		int k = r.val / 10;
		cr_assert_eq(r.idx, (k - 1) % 2, "value %d came through case %d", r.val, r.idx);
		seen[k]++;
	}
	for (int k = 1; k <= N; k++)
		cr_assert_eq(seen[k], 1, "value %d received %d times", 10 * k, seen[k]);
	goc_chan_free(s.a);
	goc_chan_free(s.b);
	goc_chan_free(s.results);
	expect_no_leftovers();
}

/* ---- default: goc_select_try --------------------------------------------- */

Test(select, select_try_returns_minus_1_and_does_nothing_when_no_case_is_ready)
{
	goc_chan *unbuf = chan_or_fail(sizeof(int), 0);
	goc_chan *empty = chan_or_fail(sizeof(int), 2);
	goc_chan *full = chan_or_fail(sizeof(int), 1);
	int v = 1, r1 = -1, r2 = -1;
	goc_chan_send(full, &v);
	goc_select_case cs[4] = {GOC_RECV(unbuf, &r1, NULL), GOC_RECV(empty, &r2, NULL),
	                         GOC_SEND(full, &v), GOC_SEND(unbuf, &v)};
	cr_assert_eq(goc_select_try(cs, 4), -1);
	cr_assert_eq(goc_chan_len(empty), 0);
	cr_assert_eq(goc_chan_len(full), 1);
	cr_assert_eq(r1, -1);
	cr_assert_eq(r2, -1);
	goc_chan_free(unbuf);
	goc_chan_free(empty);
	goc_chan_free(full);
	expect_no_leftovers();
}

Test(select, select_try_performs_the_ready_case)
{
	goc_chan *empty = chan_or_fail(sizeof(int), 1), *ready = chan_or_fail(sizeof(int), 1);
	int v = 31, r1 = -1, r2 = -1;
	bool ok = false;
	goc_chan_send(ready, &v);
	goc_select_case cs[2] = {GOC_RECV(empty, &r1, NULL), GOC_RECV(ready, &r2, &ok)};
	cr_assert_eq(goc_select_try(cs, 2), 1);
	cr_assert_eq(r2, 31);
	cr_assert(ok);
	cr_assert_eq(goc_select_try(cs, 2), -1, "nothing is ready any more");
	goc_chan_free(empty);
	goc_chan_free(ready);
	expect_no_leftovers();
}

Test(select, select_try_sends_to_a_blocked_receiver)
{
	goc_chan *a = chan_or_fail(sizeof(int), 0);
	goc_chan *results = chan_or_fail(sizeof(struct sel_result), 1);
	struct sel_arg s = {chan_or_fail(sizeof(int), 0), a, 0, results};
	wait_until_blocked(go_or_fail(select_recv_a_or_b, &s), "select");
	int v = 12;
	goc_select_case cs[1] = {GOC_SEND(a, &v)};
	cr_assert_eq(goc_select_try(cs, 1), 0);
	struct sel_result r;
	cr_assert(goc_chan_recv(results, &r));
	cr_assert_eq(r.idx, 1);
	cr_assert_eq(r.val, 12);
	goc_chan_free(s.a);
	goc_chan_free(a);
	goc_chan_free(results);
	expect_no_leftovers();
}

/* ---- NULL cases and closed channels ------------------------------------- */

Test(select, null_channel_cases_are_never_chosen)
{
	goc_chan *a = chan_or_fail(sizeof(int), 1);
	int v = 0, r = -1;
	goc_select_case cs[3] = {GOC_RECV(NULL, &r, NULL), GOC_SEND(NULL, &v), GOC_RECV(a, &r, NULL)};
	for (int i = 0; i < 300; i++) {
		v = i;
		goc_chan_send(a, &v);
		cr_assert_eq(goc_select(cs, 3), 2, "iteration %d", i);
		cr_assert_eq(r, i);
		goc_chan_send(a, &v);
		cr_assert_eq(goc_select_try(cs, 3), 2, "iteration %d (try)", i);
	}
	goc_select_case nil_only[2] = {GOC_RECV(NULL, &r, NULL), GOC_SEND(NULL, &v)};
	cr_assert_eq(goc_select_try(nil_only, 2), -1);
	cr_assert_eq(goc_select_try(NULL, 0), -1, "no cases: the default is taken");
	goc_chan_free(a);
	expect_no_leftovers();
}

Test(select, recv_case_on_closed_channel_gives_ok_false_and_zeroed_elem)
{
	goc_chan *open = chan_or_fail(sizeof(int), 0), *closed = chan_or_fail(sizeof(int), 0);
	goc_chan_close(closed);
	int r1 = -1, r2 = -1;
	bool ok1 = true, ok2 = true;
	goc_select_case cs[2] = {GOC_RECV(open, &r1, &ok1), GOC_RECV(closed, &r2, &ok2)};
	cr_assert_eq(goc_select(cs, 2), 1);
	cr_assert(!ok2);
	cr_assert_eq(r2, 0);
	cr_assert_eq(r1, -1);
	r2 = -1;
	ok2 = true;
	cr_assert_eq(goc_select_try(cs, 2), 1);
	cr_assert(!ok2);
	cr_assert_eq(r2, 0);
	goc_chan_free(open);
	goc_chan_free(closed);
	expect_no_leftovers();
}

Test(select, recv_case_drains_a_closed_buffered_channel_first)
{
	goc_chan *c = chan_or_fail(sizeof(int), 2);
	int v = 4;
	goc_chan_send(c, &v);
	goc_chan_close(c);
	int r = -1;
	bool ok = false;
	goc_select_case cs[1] = {GOC_RECV(c, &r, &ok)};
	cr_assert_eq(goc_select(cs, 1), 0);
	cr_assert(ok);
	cr_assert_eq(r, 4);
	cr_assert_eq(goc_select(cs, 1), 0);
	cr_assert(!ok);
	cr_assert_eq(r, 0);
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(select, close_wakes_a_blocked_select_with_ok_false)
{
	struct sel_arg s = {chan_or_fail(sizeof(int), 0), chan_or_fail(sizeof(int), 0), 0,
	                    chan_or_fail(sizeof(struct sel_result), 1)};
	wait_until_blocked(go_or_fail(select_recv_a_or_b, &s), "select");
	goc_chan_close(s.b);
	struct sel_result r;
	cr_assert(goc_chan_recv(s.results, &r));
	cr_assert_eq(r.idx, 1);
	cr_assert(!r.ok);
	cr_assert_eq(r.val, 0);
	cr_assert_eq(goc_chan_trysend(s.a, &r.val), GOC_EAGAIN, "stale select waiter on a");
	goc_chan_free(s.a);
	goc_chan_free(s.b);
	goc_chan_free(s.results);
	expect_no_leftovers();
}

/* ---- concurrent selects in opposite orders ---------------------------------- */

enum { OPP_PAIRS = 4 };
#define OPP_ROUNDS (GOC_TEST_TSAN ? 500 : 5000)

struct opp {
	goc_chan *a, *b, *done;
};

struct opp_arg {
	struct opp *o;
	int id;
	bool x;             /* X lists (send a, recv b); Y lists (send b, recv a) */
	long sent, received; /* sums of values */
	int nsent, nreceived;
};

static void opposite_selector(void *p)
{
	struct opp_arg *g = p;
	for (int i = 0; i < OPP_ROUNDS; i++) {
		int out = g->id * OPP_ROUNDS + i + 1, in = 0;
		goc_select_case cs[2];
		if (g->x) {
			cs[0] = GOC_SEND(g->o->a, &out);
			cs[1] = GOC_RECV(g->o->b, &in, NULL);
		} else {
			cs[0] = GOC_SEND(g->o->b, &out);
			cs[1] = GOC_RECV(g->o->a, &in, NULL);
		}
		int k = goc_select(cs, 2);
		if (k == 0) {
			g->sent += out;
			g->nsent++;
		} else if (k == 1) {
			g->received += in;
			g->nreceived++;
		}
	}
	goc_chan_send(g->o->done, NULL);
}

Test(select, concurrent_selects_in_opposite_orders_never_deadlock)
{
	struct opp o = {chan_or_fail(sizeof(int), 0), chan_or_fail(sizeof(int), 0),
	                chan_or_fail(0, 2 * OPP_PAIRS)};
	struct opp_arg g[2 * OPP_PAIRS];
	for (int i = 0; i < 2 * OPP_PAIRS; i++) {
		g[i] = (struct opp_arg){&o, i, i % 2 == 0, 0, 0, 0, 0};
		go_or_fail(opposite_selector, &g[i]);
	}
	for (int i = 0; i < 2 * OPP_PAIRS; i++)
		cr_assert(goc_chan_recv(o.done, NULL));
	/* X's sends on a are Y's receives from a, and the other way round. */
	long x_sent = 0, x_recv = 0, y_sent = 0, y_recv = 0;
	int x_ops = 0, y_ops = 0;
	for (int i = 0; i < 2 * OPP_PAIRS; i++) {
		cr_assert_eq(g[i].nsent + g[i].nreceived, OPP_ROUNDS);
		if (g[i].x) {
			x_sent += g[i].sent;
			x_recv += g[i].received;
			x_ops += g[i].nsent;
			y_ops -= g[i].nreceived;
		} else {
			y_sent += g[i].sent;
			y_recv += g[i].received;
			y_ops += g[i].nsent;
			x_ops -= g[i].nreceived;
		}
	}
	cr_assert_eq(x_sent, y_recv, "values sent on a %ld, received from a %ld", x_sent, y_recv);
	cr_assert_eq(y_sent, x_recv, "values sent on b %ld, received from b %ld", y_sent, x_recv);
	cr_assert_eq(x_ops, 0, "sends on a and receives from a differ by %d", x_ops);
	cr_assert_eq(y_ops, 0, "sends on b and receives from b differ by %d", y_ops);
	goc_chan_free(o.a);
	goc_chan_free(o.b);
	goc_chan_free(o.done);
	expect_no_leftovers();
}

/* Three goroutines each select over the same three channels, in rotated
 * orders, moving tokens between them: the channels a select locks must be
 * locked in one order whatever the order of its cases. The buffers are big
 * enough that a send case is always ready, so no select waits for good. */
struct rot_arg {
	goc_chan **c;
	int shift;
	goc_chan *done;
	int sends, recvs;
};

static void rotate_tokens(void *p)
{
	struct rot_arg *r = p;
	for (int i = 0; i < OPP_ROUNDS; i++) {
		int in[3], out = 1;
		goc_select_case cs[3];
		for (int k = 0; k < 3; k++) {
			goc_chan *c = r->c[(k + r->shift) % 3];
			cs[k] = (k % 2 == 0) ? (goc_select_case)GOC_RECV(c, &in[k], NULL)
			                     : (goc_select_case)GOC_SEND(c, &out);
		}
		int k = goc_select(cs, 3);
		if (k == 1)
			r->sends++;
		else if (k == 0 || k == 2)
			r->recvs++;
	}
	goc_chan_send(r->done, NULL);
}

Test(select, selects_over_shared_channels_in_rotated_orders_never_deadlock)
{
	size_t cap = 3 * (size_t)OPP_ROUNDS + 3;
	goc_chan *c[3] = {chan_or_fail(sizeof(int), cap), chan_or_fail(sizeof(int), cap),
	                  chan_or_fail(sizeof(int), cap)};
	goc_chan *done = chan_or_fail(0, 3);
	int one = 1;
	for (int k = 0; k < 3; k++)
		goc_chan_send(c[k], &one);
	struct rot_arg r[3];
	for (int i = 0; i < 3; i++) {
		r[i] = (struct rot_arg){c, i, done, 0, 0};
		go_or_fail(rotate_tokens, &r[i]);
	}
	for (int i = 0; i < 3; i++)
		cr_assert(goc_chan_recv(done, NULL));
	long want = 3;
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(r[i].sends + r[i].recvs, OPP_ROUNDS);
		want += r[i].sends - r[i].recvs;
	}
	long tokens = (long)(goc_chan_len(c[0]) + goc_chan_len(c[1]) + goc_chan_len(c[2]));
	cr_assert_eq(tokens, want, "%ld tokens left, %ld expected from the moves", tokens, want);
	for (int k = 0; k < 3; k++)
		goc_chan_free(c[k]);
	goc_chan_free(done);
	expect_no_leftovers();
}

/* ---- fairness ------------------------------------------------------------- */

enum { FAIR_N = 30000, FAIR_LO = 9100, FAIR_HI = 10900 }; /* 33.3% +- 3% */

static void check_fair(const int count[3], const char *what)
{
	for (int k = 0; k < 3; k++)
		cr_assert(count[k] >= FAIR_LO && count[k] <= FAIR_HI,
		          "%s: case %d chosen %d of %d times (counts %d %d %d)", what, k, count[k],
		          FAIR_N, count[0], count[1], count[2]);
	cr_assert_eq(count[0] + count[1] + count[2], FAIR_N);
}

Test(select, ready_closed_cases_are_chosen_uniformly)
{
	goc_chan *c[3];
	for (int k = 0; k < 3; k++) {
		c[k] = chan_or_fail(sizeof(int), 0);
		goc_chan_close(c[k]);
	}
	int count[3] = {0, 0, 0}, r;
	goc_select_case cs[3] = {GOC_RECV(c[0], &r, NULL), GOC_RECV(c[1], &r, NULL),
	                         GOC_RECV(c[2], &r, NULL)};
	for (int i = 0; i < FAIR_N; i++) {
		int k = goc_select(cs, 3);
		cr_assert(k >= 0 && k < 3);
		count[k]++;
	}
	check_fair(count, "goc_select");
	for (int k = 0; k < 3; k++)
		goc_chan_free(c[k]);
	expect_no_leftovers();
}

Test(select, ready_cases_of_mixed_kinds_are_chosen_uniformly)
{
	goc_chan *sendto = chan_or_fail(sizeof(int), FAIR_N);
	goc_chan *recvfrom = chan_or_fail(sizeof(int), FAIR_N);
	goc_chan *closed = chan_or_fail(sizeof(int), 0);
	goc_chan_close(closed);
	for (int i = 0; i < FAIR_N; i++)
		cr_assert_eq(goc_chan_trysend(recvfrom, &i), 0);
	int out = 7, in = -1, count[3] = {0, 0, 0};
	bool ok;
	goc_select_case cs[3] = {GOC_SEND(sendto, &out), GOC_RECV(recvfrom, &in, &ok),
	                         GOC_RECV(closed, &in, &ok)};
	for (int i = 0; i < FAIR_N; i++) {
		int k = goc_select(cs, 3);
		cr_assert(k >= 0 && k < 3);
		count[k]++;
	}
	check_fair(count, "mixed goc_select");
	cr_assert_eq(goc_chan_len(sendto), (size_t)count[0], "every chosen send delivered");
	cr_assert_eq(goc_chan_len(recvfrom), (size_t)(FAIR_N - count[1]),
	             "every chosen receive took one value");
	goc_chan_free(sendto);
	goc_chan_free(recvfrom);
	goc_chan_free(closed);
	expect_no_leftovers();
}

Test(select, select_try_chooses_ready_cases_uniformly)
{
	goc_chan *c[3];
	for (int k = 0; k < 3; k++) {
		c[k] = chan_or_fail(0, 0);
		goc_chan_close(c[k]);
	}
	int count[3] = {0, 0, 0};
	goc_select_case cs[3] = {GOC_RECV(c[0], NULL, NULL), GOC_RECV(c[1], NULL, NULL),
	                         GOC_RECV(c[2], NULL, NULL)};
	for (int i = 0; i < FAIR_N; i++) {
		int k = goc_select_try(cs, 3);
		cr_assert(k >= 0 && k < 3);
		count[k]++;
	}
	check_fair(count, "goc_select_try");
	for (int k = 0; k < 3; k++)
		goc_chan_free(c[k]);
	expect_no_leftovers();
}
