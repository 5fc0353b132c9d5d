/*
 * test_chan.c — tests for runtime/chan.c: unbuffered and buffered send and
 * receive, exact values and FIFO order (of buffered values and of blocked
 * senders and receivers), close (receivers wake with ok = false and a
 * zero-filled element; buffered values drain first), len/cap, trysend and
 * tryrecv, NULL channels, zero-size elements, free, and the happens-before
 * edges of goc.h (checked for real under ThreadSanitizer).
 *
 * Goroutines are put in a known blocked state with wait_until_blocked (the
 * goroutine dump), never by sleeping. Every test ends with
 * expect_no_leftovers().
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(chan, .timeout = TEST_TIMEOUT_S);

/* ---- helpers ----------------------------------------------------------- */

struct result {
	int who; /* which goroutine */
	int val; /* what it received (or -1) */
	bool ok; /* goc_chan_recv's result */
};

struct waiter {
	int who;
	int val;          /* to send, for senders */
	goc_chan *c;
	goc_chan *results; /* struct result */
};

static void receiver(void *p)
{
	struct waiter *w = p;
	struct result r = {w->who, -1, false};
	r.ok = goc_chan_recv(w->c, &r.val);
	goc_chan_send(w->results, &r);
}

static void sender(void *p)
{
	struct waiter *w = p;
	goc_chan_send(w->c, &w->val);
	struct result r = {w->who, w->val, true};
	goc_chan_send(w->results, &r);
}

/* ---- unbuffered ------------------------------------------------------- */

struct seq_arg {
	goc_chan *c;
	int n;
	atomic_int progress; /* sends completed */
};

static void send_sequence(void *p)
{
	struct seq_arg *a = p;
	for (int i = 0; i < a->n; i++) {
		goc_chan_send(a->c, &i);
		atomic_fetch_add(&a->progress, 1);
	}
}

Test(chan, unbuffered_values_arrive_exactly_and_in_order)
{
	struct seq_arg a = {.c = chan_or_fail(sizeof(int), 0), .n = 10000};
	atomic_init(&a.progress, 0);
	go_or_fail(send_sequence, &a);
	for (int i = 0; i < a.n; i++) {
		int v = -1;
		cr_assert(goc_chan_recv(a.c, &v));
		cr_assert_eq(v, i, "receive %d got %d", i, v);
	}
	goc_chan_free(a.c);
	expect_no_leftovers();
}

Test(chan, unbuffered_send_blocks_until_a_receiver_takes_the_value)
{
	struct seq_arg a = {.c = chan_or_fail(sizeof(int), 0), .n = 1};
	atomic_init(&a.progress, 0);
	int64_t g = go_or_fail(send_sequence, &a);
	wait_until_blocked(g, "chan send");
	cr_assert_eq(atomic_load(&a.progress), 0, "send completed with no receiver");
	cr_assert_eq(goc_chan_len(a.c), 0);
	int v = -1;
	cr_assert(goc_chan_recv(a.c, &v));
	cr_assert_eq(v, 0);
	expect_no_leftovers(); /* the sender finished */
	cr_assert_eq(atomic_load(&a.progress), 1);
	goc_chan_free(a.c);
}

struct big {
	unsigned char bytes[1000];
};

static void send_bigs(void *p)
{
	goc_chan *c = p;
	for (int k = 0; k < 100; k++) {
		struct big b;
		for (int i = 0; i < 1000; i++)
			b.bytes[i] = (unsigned char)(k * 7 + i);
		goc_chan_send(c, &b);
	}
}

static void check_bigs(size_t cap)
{
	goc_chan *c = chan_or_fail(sizeof(struct big), cap);
	cr_assert_eq(goc_chan_elem_size(c), sizeof(struct big));
	go_or_fail(send_bigs, c);
	for (int k = 0; k < 100; k++) {
		struct big b;
		memset(&b, 0xee, sizeof b);
		cr_assert(goc_chan_recv(c, &b));
		for (int i = 0; i < 1000; i++)
			cr_assert_eq(b.bytes[i], (unsigned char)(k * 7 + i),
			             "element %d byte %d corrupted (cap %zu)", k, i, cap);
	}
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(chan, large_elements_are_copied_exactly_unbuffered)
{
	check_bigs(0);
}

Test(chan, large_elements_are_copied_exactly_buffered)
{
	check_bigs(3);
}

/* ---- buffered --------------------------------------------------------- */

Test(chan, buffered_send_does_not_block_while_there_is_space)
{
	goc_chan *c = chan_or_fail(sizeof(int), 5);
	for (int i = 0; i < 5; i++) {
		int v = 10 * i;
		goc_chan_send(c, &v); /* the main thread; blocking here would deadlock */
		cr_assert_eq(goc_chan_len(c), (size_t)i + 1);
	}
	cr_assert_eq(goc_chan_cap(c), 5);
	for (int i = 0; i < 5; i++) {
		int v = -1;
		cr_assert(goc_chan_recv(c, &v));
		cr_assert_eq(v, 10 * i, "buffered values must come out FIFO");
		cr_assert_eq(goc_chan_len(c), (size_t)(4 - i));
	}
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(chan, buffered_send_blocks_when_full)
{
	struct seq_arg a = {.c = chan_or_fail(sizeof(int), 2), .n = 3};
	atomic_init(&a.progress, 0);
	int64_t g = go_or_fail(send_sequence, &a);
	wait_until_blocked(g, "chan send");
	cr_assert_eq(atomic_load(&a.progress), 2, "the third send must wait for space");
	cr_assert_eq(goc_chan_len(a.c), 2);
	for (int i = 0; i < 3; i++) {
		int v = -1;
		cr_assert(goc_chan_recv(a.c, &v));
		cr_assert_eq(v, i);
	}
	expect_no_leftovers();
	cr_assert_eq(atomic_load(&a.progress), 3);
	goc_chan_free(a.c);
}

Test(chan, buffered_values_arrive_exactly_and_in_order)
{
	struct seq_arg a = {.c = chan_or_fail(sizeof(int), 7), .n = 20000};
	atomic_init(&a.progress, 0);
	go_or_fail(send_sequence, &a);
	for (int i = 0; i < a.n; i++) {
		int v = -1;
		cr_assert(goc_chan_recv(a.c, &v));
		cr_assert_eq(v, i, "receive %d got %d", i, v);
	}
	goc_chan_free(a.c);
	expect_no_leftovers();
}

enum { MP = 4, MC = 4, MPER = 10000 };

struct mpmc {
	goc_chan *c, *done;
	atomic_int seen[MP * MPER];
};

struct mpmc_arg {
	struct mpmc *m;
	int base;
};

static void mpmc_producer(void *p)
{
	struct mpmc_arg *a = p;
	for (int i = 0; i < MPER; i++) {
		int v = a->base + i;
		goc_chan_send(a->m->c, &v);
	}
	int zero = 0;
	goc_chan_send(a->m->done, &zero);
}

static void mpmc_consumer(void *p)
{
	struct mpmc_arg *a = p;
	int v, n = 0;
	while (goc_chan_recv(a->m->c, &v)) {
		if (v >= 0 && v < MP * MPER)
			atomic_fetch_add(&a->m->seen[v], 1);
		n++;
	}
	goc_chan_send(a->m->done, &n);
}

static void check_mpmc(size_t cap)
{
	static struct mpmc m;
	struct mpmc_arg pa[MP], ca[MC];
	m.c = chan_or_fail(sizeof(int), cap);
	m.done = chan_or_fail(sizeof(int), MP + MC);
	for (int i = 0; i < MP * MPER; i++)
		atomic_init(&m.seen[i], 0);
	for (int i = 0; i < MC; i++) {
		ca[i] = (struct mpmc_arg){&m, 0};
		go_or_fail(mpmc_consumer, &ca[i]);
	}
	for (int i = 0; i < MP; i++) {
		pa[i] = (struct mpmc_arg){&m, i * MPER};
		go_or_fail(mpmc_producer, &pa[i]);
	}
	for (int i = 0; i < MP; i++) {
		int z = -1;
		cr_assert(goc_chan_recv(m.done, &z));
	}
	goc_chan_close(m.c);
	long total = 0;
	for (int i = 0; i < MC; i++) {
		int n = 0;
		cr_assert(goc_chan_recv(m.done, &n));
		total += n;
	}
	cr_assert_eq(total, (long)MP * MPER, "cap %zu: %ld values received", cap, total);
	for (int i = 0; i < MP * MPER; i++)
		cr_assert_eq(atomic_load(&m.seen[i]), 1, "cap %zu: value %d received %d times", cap,
		             i, atomic_load(&m.seen[i]));
	goc_chan_free(m.c);
	goc_chan_free(m.done);
	expect_no_leftovers();
}

Test(chan, many_senders_and_receivers_unbuffered_deliver_each_value_once)
{
	check_mpmc(0);
}

Test(chan, many_senders_and_receivers_buffered_deliver_each_value_once)
{
	check_mpmc(16);
}

/* ---- FIFO wake order of blocked goroutines ------------------------------ */

enum { FIFO_N = 5 };

static void check_receivers_fifo(size_t cap)
{
	struct waiter w[FIFO_N];
	goc_chan *c = chan_or_fail(sizeof(int), cap);
	goc_chan *results = chan_or_fail(sizeof(struct result), FIFO_N);
	for (int i = 0; i < FIFO_N; i++) {
		w[i] = (struct waiter){i, 0, c, results};
		wait_until_blocked(go_or_fail(receiver, &w[i]), "chan receive");
	}
	for (int i = 0; i < FIFO_N; i++) {
		int v = 100 + i;
		goc_chan_send(c, &v);
	}
	int got[FIFO_N];
	for (int i = 0; i < FIFO_N; i++) {
		struct result r;
		cr_assert(goc_chan_recv(results, &r));
		cr_assert(r.ok);
		got[r.who] = r.val;
	}
	for (int i = 0; i < FIFO_N; i++)
		cr_assert_eq(got[i], 100 + i, "cap %zu: receiver %d (blocked %d-th) got %d", cap, i,
		             i + 1, got[i]);
	goc_chan_free(c);
	goc_chan_free(results);
	expect_no_leftovers();
}

Test(chan, blocked_receivers_are_served_in_arrival_order_unbuffered)
{
	check_receivers_fifo(0);
}

Test(chan, blocked_receivers_are_served_in_arrival_order_buffered)
{
	check_receivers_fifo(4);
}

Test(chan, blocked_senders_are_served_in_arrival_order_unbuffered)
{
	struct waiter w[FIFO_N];
	goc_chan *c = chan_or_fail(sizeof(int), 0);
	goc_chan *results = chan_or_fail(sizeof(struct result), FIFO_N);
	for (int i = 0; i < FIFO_N; i++) {
		w[i] = (struct waiter){i, 100 + i, c, results};
		wait_until_blocked(go_or_fail(sender, &w[i]), "chan send");
	}
	for (int i = 0; i < FIFO_N; i++) {
		int v = -1;
		cr_assert(goc_chan_recv(c, &v));
		cr_assert_eq(v, 100 + i, "receive %d got %d", i, v);
	}
	for (int i = 0; i < FIFO_N; i++)
		cr_assert(goc_chan_recv(results, NULL));
	goc_chan_free(c);
	goc_chan_free(results);
	expect_no_leftovers();
}

Test(chan, blocked_senders_queue_behind_a_full_buffer_in_arrival_order)
{
	struct waiter w[FIFO_N];
	goc_chan *c = chan_or_fail(sizeof(int), 2);
	goc_chan *results = chan_or_fail(sizeof(struct result), FIFO_N);
	int v = 1;
	goc_chan_send(c, &v);
	v = 2;
	goc_chan_send(c, &v);
	for (int i = 0; i < FIFO_N; i++) {
		w[i] = (struct waiter){i, 100 + i, c, results};
		wait_until_blocked(go_or_fail(sender, &w[i]), "chan send");
	}
	cr_assert_eq(goc_chan_len(c), 2);
	static const int want[] = {1, 2, 100, 101, 102, 103, 104};
	for (int i = 0; i < 2 + FIFO_N; i++) {
		v = -1;
		cr_assert(goc_chan_recv(c, &v));
		cr_assert_eq(v, want[i], "receive %d got %d, want %d", i, v, want[i]);
	}
	for (int i = 0; i < FIFO_N; i++)
		cr_assert(goc_chan_recv(results, NULL));
	cr_assert_eq(goc_chan_len(c), 0);
	goc_chan_free(c);
	goc_chan_free(results);
	expect_no_leftovers();
}

/* ---- close --------------------------------------------------------------- */

Test(chan, recv_after_close_drains_buffer_then_returns_false_with_zeroed_elem)
{
	goc_chan *c = chan_or_fail(sizeof(int64_t), 3);
	for (int64_t i = 1; i <= 3; i++)
		goc_chan_send(c, &i);
	goc_chan_close(c);
	cr_assert_eq(goc_chan_len(c), 3, "close must keep buffered values");
	for (int64_t i = 1; i <= 3; i++) {
		int64_t v = -1;
		cr_assert(goc_chan_recv(c, &v), "buffered value %lld lost by close", (long long)i);
		cr_assert_eq(v, i);
	}
	for (int k = 0; k < 3; k++) {
		int64_t v = -1;
		cr_assert(!goc_chan_recv(c, &v));
		cr_assert_eq(v, 0, "elem must be zero-filled after close, got %lld", (long long)v);
	}
	cr_assert(!goc_chan_recv(c, NULL), "recv into NULL after close");
	cr_assert_eq(goc_chan_len(c), 0);
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(chan, recv_on_closed_unbuffered_channel_returns_false_at_once)
{
	struct big b;
	goc_chan *c = chan_or_fail(sizeof b, 0);
	goc_chan_close(c);
	memset(&b, 0xab, sizeof b);
	cr_assert(!goc_chan_recv(c, &b));
	for (size_t i = 0; i < sizeof b; i++)
		cr_assert_eq(b.bytes[i], 0, "byte %zu not zero-filled", i);
	goc_chan_free(c);
	expect_no_leftovers();
}

static void check_close_wakes_all(size_t cap)
{
	enum { N = 8 };
	struct waiter w[N];
	goc_chan *c = chan_or_fail(sizeof(int), cap);
	goc_chan *results = chan_or_fail(sizeof(struct result), N);
	for (int i = 0; i < N; i++) {
		w[i] = (struct waiter){i, 0, c, results};
		wait_until_blocked(go_or_fail(receiver, &w[i]), "chan receive");
	}
	goc_chan_close(c);
	bool woke[N] = {false};
	for (int i = 0; i < N; i++) {
		struct result r;
		cr_assert(goc_chan_recv(results, &r));
		cr_assert(!r.ok, "receiver %d: ok must be false after close", r.who);
		cr_assert_eq(r.val, 0, "receiver %d: elem %d, must be zero-filled", r.who, r.val);
		cr_assert(!woke[r.who]);
		woke[r.who] = true;
	}
	goc_chan_free(c);
	goc_chan_free(results);
	expect_no_leftovers();
}

Test(chan, close_wakes_all_receivers)
{
	check_close_wakes_all(0);
}

Test(chan, close_wakes_all_receivers_of_empty_buffered_channel)
{
	check_close_wakes_all(2);
}

struct hb_msg {
	int *data; /* plain memory written by the sender, read by the receiver */
	int n;
};

static void write_then_send(void *p)
{
	goc_chan *c = p;
	for (int k = 0; k < 500; k++) {
		struct hb_msg m = {malloc(64 * sizeof(int)), 64};
		for (int i = 0; i < 64; i++)
			m.data[i] = k + i;
		goc_chan_send(c, &m);
	}
	goc_chan_close(c);
}

static void check_send_hb(size_t cap)
{
	goc_chan *c = chan_or_fail(sizeof(struct hb_msg), cap);
	go_or_fail(write_then_send, c);
	struct hb_msg m;
	for (int k = 0; k < 500; k++) {
		cr_assert(goc_chan_recv(c, &m));
		long sum = 0;
		for (int i = 0; i < m.n; i++)
			sum += m.data[i];
		free(m.data);
		cr_assert_eq(sum, 64L * k + 63 * 64 / 2);
	}
	cr_assert(!goc_chan_recv(c, &m));
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(chan, send_happens_before_receive_completes_unbuffered)
{
	check_send_hb(0);
}

Test(chan, send_happens_before_receive_completes_buffered)
{
	check_send_hb(8);
}

struct close_hb {
	goc_chan *c;
	int data[128]; /* plain, written before close */
};

static void write_then_close(void *p)
{
	struct close_hb *h = p;
	for (int i = 0; i < 128; i++)
		h->data[i] = 3 * i;
	goc_chan_close(h->c);
}

Test(chan, close_happens_before_a_receive_that_returns_false)
{
	static struct close_hb h;
	h.c = chan_or_fail(0, 0);
	go_or_fail(write_then_close, &h);
	cr_assert(!goc_chan_recv(h.c, NULL));
	long sum = 0;
	for (int i = 0; i < 128; i++)
		sum += h.data[i];
	cr_assert_eq(sum, 3L * 127 * 128 / 2);
	goc_chan_free(h.c);
	expect_no_leftovers();
}

struct sem_arg {
	goc_chan *sem, *done;
	atomic_int inside, max_inside;
	long counter; /* plain: protected by the capacity-1 channel */
};

static void critical_sections(void *p)
{
	struct sem_arg *s = p;
	for (int i = 0; i < 200; i++) {
		goc_chan_send(s->sem, NULL); /* acquire */
		int now = atomic_fetch_add(&s->inside, 1) + 1;
		int max = atomic_load(&s->max_inside);
		while (now > max && !atomic_compare_exchange_weak(&s->max_inside, &max, now))
			;
		s->counter++;
		if (i % 16 == 0)
			goc_yield();
		atomic_fetch_sub(&s->inside, 1);
		goc_chan_recv(s->sem, NULL); /* release */
	}
	goc_chan_send(s->done, NULL);
}

Test(chan, capacity_1_channel_is_a_mutex)
{
	enum { N = 8 };
	static struct sem_arg s;
	s.sem = chan_or_fail(0, 1);
	s.done = chan_or_fail(0, N);
	for (int i = 0; i < N; i++)
		go_or_fail(critical_sections, &s);
	for (int i = 0; i < N; i++)
		cr_assert(goc_chan_recv(s.done, NULL));
	cr_assert_eq(atomic_load(&s.max_inside), 1);
	cr_assert_eq(s.counter, N * 200L, "k-th receive must happen before the (k+1)-th send");
	goc_chan_free(s.sem);
	goc_chan_free(s.done);
	expect_no_leftovers();
}

/* ---- len, cap, elem_size, new ----------------------------------------- */

Test(chan, len_and_cap_follow_the_buffer)
{
	cr_assert_eq(goc_chan_len(NULL), 0);
	cr_assert_eq(goc_chan_cap(NULL), 0);
	goc_chan *u = chan_or_fail(sizeof(short), 0);
	cr_assert_eq(goc_chan_cap(u), 0);
	cr_assert_eq(goc_chan_len(u), 0);
	cr_assert_eq(goc_chan_elem_size(u), sizeof(short));
	goc_chan *b = chan_or_fail(sizeof(short), 4);
	cr_assert_eq(goc_chan_cap(b), 4);
	short v = 1;
	goc_chan_send(b, &v);
	goc_chan_send(b, &v);
	goc_chan_send(b, &v);
	cr_assert_eq(goc_chan_len(b), 3);
	cr_assert(goc_chan_recv(b, NULL));
	cr_assert_eq(goc_chan_len(b), 2);
	goc_chan_close(b);
	cr_assert_eq(goc_chan_len(b), 2);
	cr_assert_eq(goc_chan_cap(b), 4);
	goc_chan_free(u);
	goc_chan_free(b);
	expect_no_leftovers();
}

Test(chan, new_fails_when_elem_size_times_cap_overflows)
{
	cr_assert_null(goc_chan_new(SIZE_MAX / 2 + 1, 2));
	cr_assert_null(goc_chan_new(SIZE_MAX / 16, 64));
	expect_no_leftovers();
}

/* ---- trysend / tryrecv --------------------------------------------------- */

Test(chan, try_ops_on_unbuffered_channel_without_partner_return_eagain)
{
	goc_chan *c = chan_or_fail(sizeof(int), 0);
	int v = 3;
	bool ok = true;
	cr_assert_eq(goc_chan_trysend(c, &v), GOC_EAGAIN);
	cr_assert_eq(goc_chan_tryrecv(c, &v, &ok), GOC_EAGAIN);
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(chan, trysend_hands_value_to_a_blocked_receiver)
{
	goc_chan *c = chan_or_fail(sizeof(int), 0);
	goc_chan *results = chan_or_fail(sizeof(struct result), 1);
	struct waiter w = {0, 0, c, results};
	wait_until_blocked(go_or_fail(receiver, &w), "chan receive");
	int v = 77;
	cr_assert_eq(goc_chan_trysend(c, &v), 0);
	struct result r;
	cr_assert(goc_chan_recv(results, &r));
	cr_assert(r.ok);
	cr_assert_eq(r.val, 77);
	goc_chan_free(c);
	goc_chan_free(results);
	expect_no_leftovers();
}

Test(chan, tryrecv_takes_value_from_a_blocked_sender)
{
	goc_chan *c = chan_or_fail(sizeof(int), 0);
	goc_chan *results = chan_or_fail(sizeof(struct result), 1);
	struct waiter w = {0, 88, c, results};
	wait_until_blocked(go_or_fail(sender, &w), "chan send");
	int v = -1;
	bool ok = false;
	cr_assert_eq(goc_chan_tryrecv(c, &v, &ok), 0);
	cr_assert(ok);
	cr_assert_eq(v, 88);
	cr_assert(goc_chan_recv(results, NULL));
	goc_chan_free(c);
	goc_chan_free(results);
	expect_no_leftovers();
}

Test(chan, try_ops_on_buffered_channel_fill_and_drain_it)
{
	goc_chan *c = chan_or_fail(sizeof(int), 3);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(goc_chan_trysend(c, &i), 0, "trysend %d into free space", i);
	int v = 9;
	cr_assert_eq(goc_chan_trysend(c, &v), GOC_EAGAIN, "trysend into a full buffer");
	cr_assert_eq(goc_chan_len(c), 3);
	for (int i = 0; i < 3; i++) {
		bool ok = false;
		v = -1;
		cr_assert_eq(goc_chan_tryrecv(c, &v, &ok), 0);
		cr_assert(ok);
		cr_assert_eq(v, i);
	}
	cr_assert_eq(goc_chan_tryrecv(c, &v, NULL), GOC_EAGAIN, "tryrecv from an empty buffer");
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(chan, tryrecv_on_closed_channel_returns_0_with_ok_false_and_zeroed_elem)
{
	goc_chan *c = chan_or_fail(sizeof(int), 1);
	int v = 5;
	goc_chan_send(c, &v);
	goc_chan_close(c);
	bool ok = false;
	v = -1;
	cr_assert_eq(goc_chan_tryrecv(c, &v, &ok), 0);
	cr_assert(ok, "the buffered value comes first");
	cr_assert_eq(v, 5);
	ok = true;
	v = -1;
	cr_assert_eq(goc_chan_tryrecv(c, &v, &ok), 0);
	cr_assert(!ok);
	cr_assert_eq(v, 0);
	cr_assert_eq(goc_chan_tryrecv(c, NULL, NULL), 0, "ok and elem may be NULL");
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(chan, nil_channel_try_ops_return_eagain)
{
	int v = 1;
	bool ok = true;
	cr_assert_eq(goc_chan_trysend(NULL, &v), GOC_EAGAIN);
	cr_assert_eq(goc_chan_tryrecv(NULL, &v, &ok), GOC_EAGAIN);
	cr_assert_eq(goc_chan_tryrecv(NULL, NULL, NULL), GOC_EAGAIN);
	cr_assert_eq(goc_chan_len(NULL), 0);
	cr_assert_eq(goc_chan_cap(NULL), 0);
	expect_no_leftovers();
}

/* ---- zero-size elements ----------------------------------------------- */

static void signal_n(void *p)
{
	goc_chan *c = p;
	for (int i = 0; i < 1000; i++)
		goc_chan_send(c, NULL);
	goc_chan_close(c);
}

Test(chan, zero_size_unbuffered_channel_carries_signals)
{
	goc_chan *c = chan_or_fail(0, 0);
	cr_assert_eq(goc_chan_elem_size(c), 0);
	go_or_fail(signal_n, c);
	int n = 0;
	long untouched = 0x1234;
	while (goc_chan_recv(c, &untouched))
		n++;
	cr_assert_eq(n, 1000);
	cr_assert_eq(untouched, 0x1234, "a 0-byte element must not write to elem");
	goc_chan_free(c);
	expect_no_leftovers();
}

Test(chan, zero_size_buffered_channel_counts_signals)
{
	goc_chan *c = chan_or_fail(0, 3);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(goc_chan_trysend(c, NULL), 0);
	cr_assert_eq(goc_chan_trysend(c, NULL), GOC_EAGAIN);
	cr_assert_eq(goc_chan_len(c), 3);
	cr_assert_eq(goc_chan_cap(c), 3);
	bool ok = false;
	cr_assert_eq(goc_chan_tryrecv(c, NULL, &ok), 0);
	cr_assert(ok);
	cr_assert(goc_chan_recv(c, NULL));
	cr_assert_eq(goc_chan_len(c), 1);
	goc_chan_close(c);
	cr_assert(goc_chan_recv(c, NULL), "the last buffered signal survives close");
	cr_assert(!goc_chan_recv(c, NULL));
	goc_chan_free(c);
	expect_no_leftovers();
}

/* ---- free ------------------------------------------------------------- */

Test(chan, free_accepts_null_and_channels_holding_values)
{
	goc_chan_free(NULL);
	goc_chan *c = chan_or_fail(sizeof(int), 4);
	int v = 1;
	goc_chan_send(c, &v);
	goc_chan_send(c, &v);
	cr_assert_eq(goc_chan_len(c), 2);
	goc_chan_free(c); /* nobody is blocked on it: allowed */
	goc_chan *d = chan_or_fail(sizeof(int), 0);
	goc_chan_close(d);
	goc_chan_free(d);
	expect_no_leftovers();
}

Test(chan, free_after_all_users_finished_is_allowed)
{
	/* Many channels created, used by goroutines, freed by main: the
	 * runtime keeps nothing per channel once all users are gone. */
	for (int k = 0; k < 200; k++) {
		struct seq_arg a = {.c = chan_or_fail(sizeof(int), (size_t)(k % 3)), .n = 10};
		atomic_init(&a.progress, 0);
		go_or_fail(send_sequence, &a);
		for (int i = 0; i < 10; i++) {
			int v = -1;
			cr_assert(goc_chan_recv(a.c, &v));
			cr_assert_eq(v, i);
		}
		/* The sender may still be finishing its last send's bookkeeping;
		 * wait until it has exited before freeing. */
		expect_no_leftovers();
		cr_assert_eq(atomic_load(&a.progress), 10);
		goc_chan_free(a.c);
	}
	expect_no_leftovers();
}
