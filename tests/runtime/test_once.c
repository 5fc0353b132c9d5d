/*
 * test_once.c — tests for runtime/once.c: fn runs exactly once, with its
 * argument; callers that arrive while it runs wait until it has returned
 * (and then see what it wrote); later calls, even with another function,
 * do nothing; many onces raced by goroutines and foreign threads each run
 * their function once.
 *
 * What fn writes is plain memory: under ThreadSanitizer the callers' reads
 * check goc.h's edge "fn's return happens before every goc_once_do
 * returns". Goroutines are put in a known blocked state with
 * wait_until_blocked, never by sleeping. Every test ends with
 * expect_no_leftovers().
 */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>

TestSuite(once, .timeout = TEST_TIMEOUT_S);

/* ---- callers wait for the first call ---------------------------------------- */

enum { CALLERS = 8 };

struct slow_once {
	goc_once once;
	int runs;                  /* plain: written by fn */
	int value;                 /* plain: written by fn just before it returns */
	int seen[CALLERS];         /* what each caller read after once_do */
	atomic_int returned;
	goc_chan *entered, *gate, *done;
};

struct caller {
	struct slow_once *s;
	int i;
};

static void slow_fn(void *p)
{
	struct slow_once *s = p;
	s->runs++;
	goc_chan_send(s->entered, NULL);
	goc_chan_recv(s->gate, NULL); /* until main closes it */
	s->value = 42;
}

static void call_once(void *p)
{
	struct caller *c = p;
	goc_once_do(&c->s->once, slow_fn, c->s);
	c->s->seen[c->i] = c->s->value;
	atomic_fetch_add(&c->s->returned, 1);
	goc_chan_send(c->s->done, NULL);
}

Test(once, callers_that_arrive_while_fn_runs_wait_until_it_returns)
{
	static struct slow_once s;
	struct caller c[CALLERS];
	s = (struct slow_once){.once = GOC_ONCE_INIT, .entered = chan_or_fail(0, 1),
	                       .gate = chan_or_fail(0, 0), .done = chan_or_fail(0, CALLERS)};
	for (int i = 0; i < CALLERS; i++)
		c[i] = (struct caller){&s, i};
	go_or_fail(call_once, &c[0]);
	join(s.entered, 1); /* caller 0 is inside fn */
	/* The others wait on the once's mutex (as Go's sync.Once does). */
	for (int i = 1; i < CALLERS; i++)
		wait_until_blocked(go_or_fail(call_once, &c[i]), "sync.Mutex.Lock");
	cr_assert_eq(atomic_load(&s.returned), 0, "a caller returned while fn was running");
	goc_chan_close(s.gate);
	join(s.done, CALLERS);
	cr_assert_eq(s.runs, 1, "fn ran %d times", s.runs);
	for (int i = 0; i < CALLERS; i++)
		cr_assert_eq(s.seen[i], 42, "caller %d returned before fn's write", i);
	/* A later call from main neither blocks nor runs fn. */
	goc_once_do(&s.once, slow_fn, &s);
	cr_assert_eq(s.runs, 1);
	goc_chan_free(s.entered);
	goc_chan_free(s.gate);
	goc_chan_free(s.done);
	expect_no_leftovers();
}

/* ---- only the first function runs ------------------------------------------- */

static void add_to(void *p)
{
	(*(int *)p)++;
}

Test(once, fn_gets_its_arg_and_later_calls_do_nothing_even_with_another_fn)
{
	goc_once o = GOC_ONCE_INIT;
	int first = 0, second = 0;
	goc_once_do(&o, add_to, &first);
	cr_assert_eq(first, 1, "fn did not run with its argument");
	goc_once_do(&o, add_to, &first);
	goc_once_do(&o, add_to, &second);
	cr_assert_eq(first, 1, "fn ran again");
	cr_assert_eq(second, 0, "a later call ran its function");
	expect_no_leftovers();
}

/* ---- many onces, many callers --------------------------------------------- */

enum { ONCES = 64, RACERS = 6, THREADS = 2 };

struct onces {
	goc_once once[ONCES];
	int runs[ONCES];   /* plain: written by the fn that runs */
	long value[ONCES]; /* plain: written by fn, read by every caller */
	atomic_int bad;    /* callers that saw no value after once_do */
	goc_chan *done;
};

struct once_cell {
	struct onces *o;
	int k;
};

static struct once_cell cells[ONCES];

static void fill_cell(void *p)
{
	struct once_cell *c = p;
	c->o->runs[c->k]++;
	c->o->value[c->k] = 1000 + c->k;
}

/* Racer r calls every once, starting at a different one each. */
static void race_all(struct onces *o, int r)
{
	for (int j = 0; j < ONCES; j++) {
		int k = (j * 7 + r * 11) % ONCES;
		goc_once_do(&o->once[k], fill_cell, &cells[k]);
		if (o->value[k] != 1000 + k)
			atomic_fetch_add(&o->bad, 1);
		if (j % 8 == 0)
			goc_yield();
	}
}

struct racer {
	struct onces *o;
	int r;
};

static void racer_goroutine(void *p)
{
	struct racer *a = p;
	race_all(a->o, a->r);
	goc_chan_send(a->o->done, NULL);
}

static void *racer_thread(void *p)
{
	struct racer *a = p;
	race_all(a->o, a->r);
	return NULL;
}

Test(once, each_of_many_onces_raced_by_goroutines_and_threads_runs_once)
{
	static struct onces o;
	struct racer a[RACERS + THREADS + 1];
	pthread_t th[THREADS];
	for (int round = 0; round < 20; round++) {
		o = (struct onces){.done = chan_or_fail(0, RACERS)};
		for (int k = 0; k < ONCES; k++)
			cells[k] = (struct once_cell){&o, k};
		for (int i = 0; i < RACERS + THREADS + 1; i++)
			a[i] = (struct racer){&o, i};
		for (int i = 0; i < THREADS; i++)
			cr_assert_eq(pthread_create(&th[i], NULL, racer_thread, &a[RACERS + i]), 0);
		for (int i = 0; i < RACERS; i++)
			go_or_fail(racer_goroutine, &a[i]);
		race_all(&o, RACERS + THREADS); /* and main */
		join(o.done, RACERS);
		for (int i = 0; i < THREADS; i++)
			pthread_join(th[i], NULL);
		cr_assert_eq(atomic_load(&o.bad), 0, "round %d: %d calls returned before fn's write",
		             round, atomic_load(&o.bad));
		for (int k = 0; k < ONCES; k++)
			cr_assert_eq(o.runs[k], 1, "round %d: once %d ran %d times", round, k, o.runs[k]);
		goc_chan_free(o.done);
	}
	expect_no_leftovers();
}
