/*
 * test_mutex.c — tests for runtime/mutex.c: mutual exclusion (an exact plain
 * counter under 8 goroutines, with lock and with trylock, and with foreign
 * threads taking part), lock blocking while the mutex is held, FIFO order of
 * parked lockers, unlock by a goroutine that did not lock (Go semantics),
 * the locker adaptor, and starvation mode: a parked waiter gets the mutex
 * while other goroutines keep re-taking it. An installed tracer sees every
 * lock and unlock, although goc.h inlines the fast paths.
 *
 * The counters are plain memory: under ThreadSanitizer the exact count also
 * checks goc.h's edge "the n-th unlock happens before the (n+1)-th lock
 * returns". Goroutines are put in a known blocked state with
 * wait_until_blocked, never by sleeping. Every test ends with
 * expect_no_leftovers().
 */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>

TestSuite(mutex, .timeout = TEST_TIMEOUT_S);

/* ---- mutual exclusion --------------------------------------------------- */

enum { INC_G = 8 };
/* 1/10 under ThreadSanitizer: contention, not the count, is what matters. */
#define INC_N (GOC_TEST_TSAN ? 10000 : 100000)

struct counter {
	goc_mutex m;
	long n;              /* plain: protected by m */
	atomic_int inside;   /* holders right now */
	atomic_int max_inside;
	goc_chan *done;
};

/* One critical section: count the holders, bump the counter, and every 64th
 * time yield while holding the mutex so that others pile up behind it (even
 * with one worker). */
static void critical(struct counter *c, int i)
{
	note_max(&c->max_inside, atomic_fetch_add(&c->inside, 1) + 1);
	c->n++;
	if (i % 64 == 0)
		goc_yield();
	atomic_fetch_sub(&c->inside, 1);
}

static void increment_with_lock(void *p)
{
	struct counter *c = p;
	for (int i = 0; i < INC_N; i++) {
		goc_mutex_lock(&c->m);
		critical(c, i);
		goc_mutex_unlock(&c->m);
	}
	goc_chan_send(c->done, NULL);
}

static void increment_with_trylock(void *p)
{
	struct counter *c = p;
	for (int i = 0; i < INC_N; i++) {
		while (!goc_mutex_trylock(&c->m))
			goc_yield();
		critical(c, i);
		goc_mutex_unlock(&c->m);
	}
	goc_chan_send(c->done, NULL);
}

static void check_counter(goc_fn fn)
{
	static struct counter c;
	c = (struct counter){.m = GOC_MUTEX_INIT, .done = chan_or_fail(0, INC_G)};
	for (int i = 0; i < INC_G; i++)
		go_or_fail(fn, &c);
	join(c.done, INC_G);
	cr_assert_eq(atomic_load(&c.max_inside), 1, "%d goroutines held the mutex at once",
	             atomic_load(&c.max_inside));
	cr_assert_eq(c.n, (long)INC_G * INC_N, "counter %ld, want %ld", c.n, (long)INC_G * INC_N);
	cr_assert(goc_mutex_trylock(&c.m), "the mutex was left locked");
	goc_mutex_unlock(&c.m);
	goc_chan_free(c.done);
	expect_no_leftovers();
}

Test(mutex, lock_excludes_8_goroutines_incrementing_a_plain_counter)
{
	check_counter(increment_with_lock);
}

Test(mutex, trylock_excludes_8_goroutines_incrementing_a_plain_counter)
{
	check_counter(increment_with_trylock);
}

static void increments(struct counter *c)
{
	for (int i = 0; i < INC_N / 4; i++) {
		goc_mutex_lock(&c->m);
		note_max(&c->max_inside, atomic_fetch_add(&c->inside, 1) + 1);
		c->n++;
		atomic_fetch_sub(&c->inside, 1);
		goc_mutex_unlock(&c->m);
	}
}

static void *thread_increments(void *p)
{
	increments(p);
	return NULL;
}

static void goroutine_increments(void *p)
{
	increments(p);
	goc_chan_send(((struct counter *)p)->done, NULL);
}

Test(mutex, goroutines_threads_and_main_share_one_mutex)
{
	enum { T = 2, G = 4 };
	static struct counter c;
	c = (struct counter){.m = GOC_MUTEX_INIT, .done = chan_or_fail(0, G)};
	pthread_t th[T];
	for (int i = 0; i < T; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, thread_increments, &c), 0);
	for (int i = 0; i < G; i++)
		go_or_fail(goroutine_increments, &c);
	increments(&c); /* the main thread takes part too */
	for (int i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	join(c.done, G);
	cr_assert_eq(atomic_load(&c.max_inside), 1);
	cr_assert_eq(c.n, (long)(T + G + 1) * (INC_N / 4), "counter %ld", c.n);
	goc_chan_free(c.done);
	expect_no_leftovers();
}

/* ---- blocking, order, trylock ------------------------------------------ */

struct locker_arg {
	goc_mutex *m;
	int who;
	int *order; /* plain: written under m */
	int *n;     /* plain: under m */
	atomic_int *got;
	goc_chan *done;
};

static void lock_record_unlock(void *p)
{
	struct locker_arg *a = p;
	goc_mutex_lock(a->m);
	if (a->got != NULL)
		atomic_fetch_add(a->got, 1);
	if (a->order != NULL)
		a->order[(*a->n)++] = a->who;
	goc_mutex_unlock(a->m);
	goc_chan_send(a->done, NULL);
}

Test(mutex, lock_blocks_while_held_and_proceeds_after_unlock)
{
	goc_mutex m = GOC_MUTEX_INIT;
	atomic_int got = 0;
	struct locker_arg a = {.m = &m, .got = &got, .done = chan_or_fail(0, 1)};
	goc_mutex_lock(&m);
	cr_assert(!goc_mutex_trylock(&m), "trylock took a held mutex");
	wait_until_blocked(go_or_fail(lock_record_unlock, &a), "sync.Mutex.Lock");
	cr_assert_eq(atomic_load(&got), 0, "lock returned while the mutex was held");
	goc_mutex_unlock(&m);
	join(a.done, 1);
	cr_assert_eq(atomic_load(&got), 1);
	cr_assert(goc_mutex_trylock(&m), "trylock of a free mutex failed");
	goc_mutex_unlock(&m);
	goc_chan_free(a.done);
	expect_no_leftovers();
}

Test(mutex, parked_lockers_get_the_mutex_in_arrival_order)
{
	enum { N = 6 };
	goc_mutex m = GOC_MUTEX_INIT;
	int order[N], n = 0;
	struct locker_arg a[N];
	goc_chan *done = chan_or_fail(0, N);
	goc_mutex_lock(&m);
	for (int i = 0; i < N; i++) {
		a[i] = (struct locker_arg){.m = &m, .who = i, .order = order, .n = &n, .done = done};
		wait_until_blocked(go_or_fail(lock_record_unlock, &a[i]), "sync.Mutex.Lock");
	}
	goc_mutex_unlock(&m);
	join(done, N);
	cr_assert_eq(n, N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(order[i], i, "locker %d (parked %d-th) got the mutex %d-th", order[i],
		             order[i] + 1, i + 1);
	goc_chan_free(done);
	expect_no_leftovers();
}

/* ---- unlock by another goroutine (Go semantics) ------------------------- */

static void lock_and_exit(void *p)
{
	struct locker_arg *a = p;
	goc_mutex_lock(a->m);
	goc_chan_send(a->done, NULL); /* ends still holding the mutex */
}

static void unlock_other(void *p)
{
	struct locker_arg *a = p;
	goc_mutex_unlock(a->m);
	goc_chan_send(a->done, NULL);
}

Test(mutex, a_goroutine_that_did_not_lock_may_unlock)
{
	goc_mutex m = GOC_MUTEX_INIT;
	atomic_int got = 0;
	goc_chan *done = chan_or_fail(0, 1);
	struct locker_arg holder = {.m = &m, .done = done};
	struct locker_arg waiter = {.m = &m, .got = &got, .done = done};

	/* A goroutine locks and ends; main, which never locked, unlocks, and
	 * that lets a parked waiter in. */
	go_or_fail(lock_and_exit, &holder);
	join(done, 1);
	cr_assert(!goc_mutex_trylock(&m), "the mutex is held by an exited goroutine");
	wait_until_blocked(go_or_fail(lock_record_unlock, &waiter), "sync.Mutex.Lock");
	goc_mutex_unlock(&m);
	join(done, 1);
	cr_assert_eq(atomic_load(&got), 1);

	/* Main locks; a goroutine unlocks. */
	goc_mutex_lock(&m);
	go_or_fail(unlock_other, &holder);
	join(done, 1);
	cr_assert(goc_mutex_trylock(&m), "unlock by another goroutine did not release");
	goc_mutex_unlock(&m);
	goc_chan_free(done);
	expect_no_leftovers();
}

Test(mutex, locker_locks_and_unlocks_the_mutex)
{
	goc_mutex m = GOC_MUTEX_INIT;
	goc_locker l = goc_mutex_locker(&m);
	cr_assert_eq(l.obj, &m);
	l.lock(l.obj);
	cr_assert(!goc_mutex_trylock(&m), "locker.lock did not lock");
	l.unlock(l.obj);
	cr_assert(goc_mutex_trylock(&m), "locker.unlock did not unlock");
	goc_mutex_unlock(&m);
	expect_no_leftovers();
}

/* ---- starvation mode ----------------------------------------------------- */

static void mutex_lock(void *m)
{
	goc_mutex_lock(m);
}

static void mutex_unlock(void *m)
{
	goc_mutex_unlock(m);
}

/* Three hogs re-take the mutex in a loop (see expect_no_starvation). */
Test(mutex, a_waiter_is_not_starved_by_goroutines_that_keep_retaking_the_mutex)
{
	static goc_mutex m = GOC_MUTEX_INIT;
	expect_no_starvation(&(starve_case){
		.lock = &m, .hog_lock = mutex_lock, .hog_unlock = mutex_unlock,
		.victim_lock = mutex_lock, .victim_unlock = mutex_unlock,
		.hogs = 3, .hog_cap = 1000000, .hog = "hogs", .victim = "victim"});
	expect_no_leftovers();
}

/* ---- a thread that holds the mutex --------------------------------------- */

static void mutex_lock_unlock(void *m)
{
	goc_mutex_lock(m);
	goc_mutex_unlock(m);
}

/* Regression (see expect_thread_holder_seen): the thread's lock is its first
 * call into goc and takes goc.h's inline fast path. */
Test(mutex, a_thread_holding_it_from_the_fast_path_is_seen_by_the_deadlock_check)
{
	static goc_mutex m = GOC_MUTEX_INIT;
	expect_thread_holder_seen(&(holder_case){
		.obj = &m, .take = mutex_lock, .give = mutex_unlock, .wait = mutex_lock_unlock,
		.reason = "sync.Mutex.Lock"});
	expect_no_leftovers();
}

/* ---- the tracer sees the inline fast paths -------------------------------- */

/*
 * goc.h inlines lock and unlock; while a tracer is installed they must go
 * through libgoc, which reports an ACQUIRE after every lock and a RELEASE
 * at every unlock (goc-race's happens-before edges). Uncontended, trylock,
 * and contended by 4 goroutines. Under goc-race's preload a tracer is
 * installed already: the test puts it back at once and checks nothing, so
 * the preload misses no event of the suite's goroutines. Under
 * ThreadSanitizer only the main thread's part runs: a goroutine started
 * while a tracer is installed gets no TSan fiber (trace.c), and TSan then
 * crashes on the first switch to it.
 */
enum { TRACED_ROUNDS = 2000, TRACED_G = 4 };
static goc_mutex traced = GOC_MUTEX_INIT;
static atomic_long traced_acquires, traced_releases;

static void count_sync(int64_t g, goc_sync_op op, const void *addr)
{
	(void)g;
	if (addr != &traced)
		return;
	if (op == GOC_SYNC_ACQUIRE)
		atomic_fetch_add(&traced_acquires, 1);
	else if (op == GOC_SYNC_RELEASE)
		atomic_fetch_add(&traced_releases, 1);
}

static void lock_unlock_traced(void *done)
{
	for (int i = 0; i < TRACED_ROUNDS; i++) {
		goc_mutex_lock(&traced);
		goc_mutex_unlock(&traced);
	}
	goc_chan_send(done, NULL);
}

Test(mutex, an_installed_tracer_sees_every_lock_and_unlock)
{
	static const goc_tracer counting = {.size = sizeof(goc_tracer), .sync = count_sync};
	const goc_tracer *old = goc_tracer_install(&counting);
	if (old != NULL) {
		goc_tracer_install(old);
		expect_no_leftovers();
		return;
	}
	for (int i = 0; i < TRACED_ROUNDS; i++) {
		goc_mutex_lock(&traced);
		goc_mutex_unlock(&traced);
		cr_assert(goc_mutex_trylock(&traced));
		goc_mutex_unlock(&traced);
	}
	int goroutines = GOC_TEST_TSAN ? 0 : TRACED_G;
	goc_chan *done = chan_or_fail(0, TRACED_G);
	for (int i = 0; i < goroutines; i++)
		go_or_fail(lock_unlock_traced, done);
	join(done, goroutines);
	goc_tracer_install(NULL);
	long want = 2L * TRACED_ROUNDS + (long)goroutines * TRACED_ROUNDS;
	cr_assert_eq(atomic_load(&traced_acquires), want, "%ld ACQUIREs reported, want %ld",
	             atomic_load(&traced_acquires), want);
	cr_assert_eq(atomic_load(&traced_releases), want, "%ld RELEASEs reported, want %ld",
	             atomic_load(&traced_releases), want);
	goc_chan_free(done);
	expect_no_leftovers();
}
