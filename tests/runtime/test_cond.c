/*
 * test_cond.c — tests for runtime/cond.c: wait releases the mutex while it
 * waits and holds it again when it returns; signal wakes the longest waiter
 * (FIFO, as goc.h promises); broadcast wakes every waiter; a signal with no
 * waiter is not remembered; wait with any locker; the main thread as a
 * waiter; and no lost wake-up under stress — a bounded buffer with signal
 * (inside and outside the lock) and a barrier with broadcast, many rounds.
 * A lost wake-up shows as a hang, which the suite's timeout turns into a
 * failure.
 *
 * Goroutines are put in a known blocked state with wait_until_blocked, never
 * by sleeping. Every test ends with expect_no_leftovers().
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(cond, .timeout = TEST_TIMEOUT_S);

/* ---- wait unlocks and relocks --------------------------------------------- */

struct flagged {
	goc_mutex m;
	goc_cond c;
	bool ready;               /* m */
	bool held_when_returned;  /* m */
	atomic_int returned;
	goc_chan *done;
};

static void wait_for_ready(void *p)
{
	struct flagged *f = p;
	goc_mutex_lock(&f->m);
	while (!f->ready)
		goc_cond_wait(&f->c, &f->m);
	f->held_when_returned = !goc_mutex_trylock(&f->m);
	atomic_fetch_add(&f->returned, 1);
	goc_mutex_unlock(&f->m);
	goc_chan_send(f->done, NULL);
}

Test(cond, wait_releases_the_mutex_and_holds_it_again_when_it_returns)
{
	static struct flagged f;
	f = (struct flagged){.m = GOC_MUTEX_INIT, .c = GOC_COND_INIT, .done = chan_or_fail(0, 1)};
	int64_t g = go_or_fail(wait_for_ready, &f);
	wait_until_blocked(g, "sync.Cond.Wait");
	cr_assert(goc_mutex_trylock(&f.m), "the waiter still holds the mutex");
	f.ready = true;
	goc_cond_signal(&f.c);
	/* Woken, the waiter must take the mutex back before returning. */
	wait_until_blocked(g, "sync.Mutex.Lock");
	cr_assert_eq(atomic_load(&f.returned), 0, "wait returned without the mutex");
	goc_mutex_unlock(&f.m);
	join(f.done, 1);
	cr_assert(f.held_when_returned, "wait returned with the mutex unlocked");
	goc_chan_free(f.done);
	expect_no_leftovers();
}

/* ---- signal order, broadcast ------------------------------------------------ */

struct tickets {
	goc_mutex m;
	goc_cond c;
	int tickets;    /* m */
	goc_chan *woke; /* int: who took a ticket */
};

struct ticket_waiter {
	struct tickets *t;
	int who;
};

static void take_ticket(void *p)
{
	struct ticket_waiter *w = p;
	struct tickets *t = w->t;
	goc_mutex_lock(&t->m);
	while (t->tickets == 0)
		goc_cond_wait(&t->c, &t->m);
	t->tickets--;
	goc_mutex_unlock(&t->m);
	goc_chan_send(t->woke, &w->who);
}

Test(cond, signal_wakes_the_longest_waiter_first)
{
	enum { N = 6 };
	static struct tickets t;
	struct ticket_waiter w[N];
	t = (struct tickets){.m = GOC_MUTEX_INIT, .c = GOC_COND_INIT,
	                     .woke = chan_or_fail(sizeof(int), N)};
	for (int i = 0; i < N; i++) {
		w[i] = (struct ticket_waiter){&t, i};
		wait_until_blocked(go_or_fail(take_ticket, &w[i]), "sync.Cond.Wait");
	}
	for (int i = 0; i < N; i++) {
		goc_mutex_lock(&t.m);
		t.tickets++;
		goc_mutex_unlock(&t.m);
		goc_cond_signal(&t.c); /* without the lock: allowed */
		int who = -1;
		cr_assert(goc_chan_recv(t.woke, &who));
		cr_assert_eq(who, i, "signal %d woke waiter %d (waiting since %d-th)", i + 1, who,
		             who + 1);
	}
	goc_chan_free(t.woke);
	expect_no_leftovers();
}

Test(cond, broadcast_wakes_every_waiter)
{
	enum { N = 10 };
	static struct flagged f;
	f = (struct flagged){.m = GOC_MUTEX_INIT, .c = GOC_COND_INIT, .done = chan_or_fail(0, N)};
	for (int i = 0; i < N; i++)
		wait_until_blocked(go_or_fail(wait_for_ready, &f), "sync.Cond.Wait");
	goc_mutex_lock(&f.m);
	f.ready = true;
	goc_cond_broadcast(&f.c); /* with the lock held */
	goc_mutex_unlock(&f.m);
	join(f.done, N);
	cr_assert_eq(atomic_load(&f.returned), N);
	goc_chan_free(f.done);
	expect_no_leftovers();
}

static void wait_once(void *p)
{
	struct flagged *f = p;
	goc_mutex_lock(&f->m);
	goc_cond_wait(&f->c, &f->m); /* no predicate: only a signal ends it */
	atomic_fetch_add(&f->returned, 1);
	goc_mutex_unlock(&f->m);
	goc_chan_send(f->done, NULL);
}

Test(cond, a_signal_or_broadcast_with_no_waiter_is_not_remembered)
{
	static struct flagged f;
	f = (struct flagged){.m = GOC_MUTEX_INIT, .c = GOC_COND_INIT, .done = chan_or_fail(0, 1)};
	goc_cond_signal(&f.c);
	goc_cond_broadcast(&f.c);
	int64_t g = go_or_fail(wait_once, &f);
	wait_until_blocked(g, "sync.Cond.Wait");
	cr_assert_eq(atomic_load(&f.returned), 0);
	goc_cond_signal(&f.c);
	join(f.done, 1);
	cr_assert_eq(atomic_load(&f.returned), 1);
	goc_chan_free(f.done);
	expect_no_leftovers();
}

static void set_ready_and_signal(void *p)
{
	struct flagged *f = p;
	goc_mutex_lock(&f->m);
	f->ready = true;
	goc_cond_signal(&f->c);
	goc_mutex_unlock(&f->m);
}

Test(cond, the_main_thread_waits_and_a_goroutine_signals)
{
	static struct flagged f;
	f = (struct flagged){.m = GOC_MUTEX_INIT, .c = GOC_COND_INIT};
	goc_mutex_lock(&f.m);
	go_or_fail(set_ready_and_signal, &f);
	while (!f.ready)
		goc_cond_wait(&f.c, &f.m);
	cr_assert(!goc_mutex_trylock(&f.m), "main returned from wait without the mutex");
	goc_mutex_unlock(&f.m);
	expect_no_leftovers();
}

/* ---- any locker ------------------------------------------------------------- */

struct counting_locker {
	goc_mutex m;
	atomic_int locks, unlocks;
};

static void cl_lock(void *p)
{
	struct counting_locker *l = p;
	goc_mutex_lock(&l->m);
	atomic_fetch_add(&l->locks, 1);
}

static void cl_unlock(void *p)
{
	struct counting_locker *l = p;
	atomic_fetch_add(&l->unlocks, 1);
	goc_mutex_unlock(&l->m);
}

struct locker_wait {
	struct counting_locker cl;
	goc_cond c;
	bool ready; /* cl.m */
	goc_chan *done;
};

static void wait_with_locker(void *p)
{
	struct locker_wait *w = p;
	goc_locker l = {&w->cl, cl_lock, cl_unlock};
	l.lock(l.obj);
	while (!w->ready)
		goc_cond_wait_locker(&w->c, l);
	l.unlock(l.obj);
	goc_chan_send(w->done, NULL);
}

Test(cond, wait_locker_unlocks_and_relocks_through_the_locker)
{
	static struct locker_wait w;
	w = (struct locker_wait){.cl = {.m = GOC_MUTEX_INIT}, .c = GOC_COND_INIT,
	                         .done = chan_or_fail(0, 1)};
	wait_until_blocked(go_or_fail(wait_with_locker, &w), "sync.Cond.Wait");
	cr_assert_eq(atomic_load(&w.cl.locks), 1);
	cr_assert_eq(atomic_load(&w.cl.unlocks), 1, "wait did not unlock through the locker");
	cl_lock(&w.cl);
	w.ready = true;
	goc_cond_signal(&w.c);
	cl_unlock(&w.cl);
	join(w.done, 1);
	/* waiter: lock, wait's unlock, wait's relock, unlock; main: one pair */
	cr_assert_eq(atomic_load(&w.cl.locks), 3);
	cr_assert_eq(atomic_load(&w.cl.unlocks), 3);
	goc_chan_free(w.done);
	expect_no_leftovers();
}

/* ---- no lost wake-up: bounded buffer with signal ----------------------------- */

enum { BUF_CAP = 4, PRODUCERS = 4, CONSUMERS = 4, MAX_PER_PRODUCER = 20000 };
#define PER_PRODUCER (GOC_TEST_TSAN ? MAX_PER_PRODUCER / 10 : MAX_PER_PRODUCER)

struct buffer {
	goc_mutex m;
	goc_cond not_full, not_empty;
	int items[BUF_CAP]; /* m */
	int head, count;    /* m */
	atomic_char seen[PRODUCERS * MAX_PER_PRODUCER];
	goc_chan *done;
};

struct producer_arg {
	struct buffer *b;
	int base; /* produces base .. base + PER_PRODUCER - 1 */
};

static void producer(void *p)
{
	struct buffer *b = ((struct producer_arg *)p)->b;
	int base = ((struct producer_arg *)p)->base;
	for (int i = 0; i < PER_PRODUCER; i++) {
		goc_mutex_lock(&b->m);
		while (b->count == BUF_CAP)
			goc_cond_wait(&b->not_full, &b->m);
		b->items[(b->head + b->count++) % BUF_CAP] = base + i;
		goc_cond_signal(&b->not_empty); /* inside the lock */
		goc_mutex_unlock(&b->m);
	}
	goc_chan_send(b->done, NULL);
}

/* Takes items until it takes -1. */
static void consumer(void *p)
{
	struct buffer *b = p;
	for (;;) {
		goc_mutex_lock(&b->m);
		while (b->count == 0)
			goc_cond_wait(&b->not_empty, &b->m);
		int v = b->items[b->head];
		b->head = (b->head + 1) % BUF_CAP;
		b->count--;
		goc_mutex_unlock(&b->m);
		goc_cond_signal(&b->not_full); /* outside the lock */
		if (v < 0)
			break;
		atomic_fetch_add(&b->seen[v], 1);
	}
	goc_chan_send(b->done, NULL);
}

Test(cond, bounded_buffer_with_signal_loses_no_wakeup)
{
	static struct buffer b;
	struct producer_arg pa[PRODUCERS];
	b = (struct buffer){.m = GOC_MUTEX_INIT, .not_full = GOC_COND_INIT,
	                    .not_empty = GOC_COND_INIT,
	                    .done = chan_or_fail(0, PRODUCERS + CONSUMERS)};
	for (int i = 0; i < CONSUMERS; i++)
		go_or_fail(consumer, &b);
	for (int i = 0; i < PRODUCERS; i++) {
		pa[i] = (struct producer_arg){&b, i * PER_PRODUCER};
		go_or_fail(producer, &pa[i]);
	}
	join(b.done, PRODUCERS);
	for (int i = 0; i < CONSUMERS; i++) { /* one stop item per consumer */
		goc_mutex_lock(&b.m);
		while (b.count == BUF_CAP)
			goc_cond_wait(&b.not_full, &b.m);
		b.items[(b.head + b.count++) % BUF_CAP] = -1;
		goc_cond_signal(&b.not_empty);
		goc_mutex_unlock(&b.m);
	}
	join(b.done, CONSUMERS);
	cr_assert_eq(b.count, 0);
	for (int v = 0; v < PRODUCERS * PER_PRODUCER; v++)
		cr_assert_eq(atomic_load(&b.seen[v]), 1, "item %d taken %d times", v,
		             atomic_load(&b.seen[v]));
	goc_chan_free(b.done);
	expect_no_leftovers();
}

/* ---- no lost wake-up: barrier with broadcast --------------------------------- */

enum { BARRIER_G = 8 };
#define BARRIER_ROUNDS (GOC_TEST_TSAN ? 1000 : 10000)

struct barrier {
	goc_mutex m;
	goc_cond c;
	int arrived;     /* m */
	long generation; /* m */
	long passes[BARRIER_G];
	goc_chan *done;
};

struct barrier_arg {
	struct barrier *b;
	int i;
};

static void barrier_rounds(void *p)
{
	struct barrier_arg *a = p;
	struct barrier *b = a->b;
	for (int r = 0; r < BARRIER_ROUNDS; r++) {
		goc_mutex_lock(&b->m);
		if (++b->arrived == BARRIER_G) {
			b->arrived = 0;
			b->generation++;
			goc_cond_broadcast(&b->c);
		} else {
			long gen = b->generation;
			while (b->generation == gen)
				goc_cond_wait(&b->c, &b->m);
		}
		goc_mutex_unlock(&b->m);
		b->passes[a->i]++;
	}
	goc_chan_send(b->done, NULL);
}

Test(cond, barrier_with_broadcast_wakes_every_waiter_every_round)
{
	static struct barrier b;
	struct barrier_arg a[BARRIER_G];
	b = (struct barrier){.m = GOC_MUTEX_INIT, .c = GOC_COND_INIT,
	                     .done = chan_or_fail(0, BARRIER_G)};
	for (int i = 0; i < BARRIER_G; i++) {
		a[i] = (struct barrier_arg){&b, i};
		go_or_fail(barrier_rounds, &a[i]);
	}
	join(b.done, BARRIER_G);
	cr_assert_eq(b.generation, BARRIER_ROUNDS);
	for (int i = 0; i < BARRIER_G; i++)
		cr_assert_eq(b.passes[i], BARRIER_ROUNDS, "goroutine %d passed %ld barriers", i,
		             b.passes[i]);
	goc_chan_free(b.done);
	expect_no_leftovers();
}
