/*
 * test_rwmutex.c — tests for runtime/rwmutex.c: many readers hold the lock
 * at once; a writer excludes readers and writers (a plain two-field record
 * under stress, with the main thread reading too); a waiting writer blocks
 * new readers; a writer is not starved by a continuous stream of readers; a
 * writer's unlock admits the waiting readers before the next writer; and
 * the try-variants.
 *
 * Under ThreadSanitizer the plain record also checks goc.h's edges (Unlock
 * before later Lock/RLock; RUnlock before the next Lock). Goroutines are put
 * in a known blocked state with wait_until_blocked, never by sleeping. Every
 * test ends with expect_no_leftovers().
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(rwmutex, .timeout = TEST_TIMEOUT_S);

/* A goroutine that takes the lock (shared or exclusive), records when it
 * got in (a ticket from a shared sequence), and lets go. */
struct taker {
	goc_rwmutex *rw;
	atomic_int *seq;
	int ticket; /* read by main after join */
	goc_chan *done;
};

static void rlock_ticket_runlock(void *p)
{
	struct taker *t = p;
	goc_rwmutex_rlock(t->rw);
	t->ticket = atomic_fetch_add(t->seq, 1);
	goc_rwmutex_runlock(t->rw);
	goc_chan_send(t->done, NULL);
}

static void lock_ticket_unlock(void *p)
{
	struct taker *t = p;
	goc_rwmutex_lock(t->rw);
	t->ticket = atomic_fetch_add(t->seq, 1);
	goc_rwmutex_unlock(t->rw);
	goc_chan_send(t->done, NULL);
}

/* ---- readers share --------------------------------------------------------- */

struct readers {
	goc_rwmutex rw;
	atomic_int inside, max_inside;
	int inside_when_writer_got_in; /* plain: written under the write lock */
	goc_chan *in, *release, *done;
};

static void reader_holds_until_released(void *p)
{
	struct readers *r = p;
	goc_rwmutex_rlock(&r->rw);
	note_max(&r->max_inside, atomic_fetch_add(&r->inside, 1) + 1);
	goc_chan_send(r->in, NULL);
	goc_chan_recv(r->release, NULL); /* returns when main closes it */
	atomic_fetch_sub(&r->inside, 1);
	goc_rwmutex_runlock(&r->rw);
	goc_chan_send(r->done, NULL);
}

static void writer_notes_readers(void *p)
{
	struct readers *r = p;
	goc_rwmutex_lock(&r->rw);
	r->inside_when_writer_got_in = atomic_load(&r->inside);
	goc_rwmutex_unlock(&r->rw);
	goc_chan_send(r->done, NULL);
}

Test(rwmutex, many_readers_hold_the_lock_at_once)
{
	enum { R = 8 };
	static struct readers r;
	r = (struct readers){.rw = GOC_RWMUTEX_INIT, .inside_when_writer_got_in = -1,
	                     .in = chan_or_fail(0, R), .release = chan_or_fail(0, 0),
	                     .done = chan_or_fail(0, R + 1)};
	for (int i = 0; i < R; i++)
		go_or_fail(reader_holds_until_released, &r);
	join(r.in, R); /* every reader holds the read lock now */
	cr_assert_eq(atomic_load(&r.inside), R);
	cr_assert_eq(atomic_load(&r.max_inside), R, "readers did not share the lock");
	cr_assert(goc_rwmutex_tryrlock(&r.rw), "tryrlock failed with only readers inside");
	goc_rwmutex_runlock(&r.rw);
	cr_assert(!goc_rwmutex_trylock(&r.rw), "trylock succeeded with readers inside");

	int64_t w = go_or_fail(writer_notes_readers, &r);
	wait_until_blocked(w, "sync.RWMutex.Lock");
	goc_chan_close(r.release);
	join(r.done, R + 1);
	cr_assert_eq(r.inside_when_writer_got_in, 0, "the writer got in beside %d readers",
	             r.inside_when_writer_got_in);
	cr_assert(goc_rwmutex_trylock(&r.rw), "the lock was left held");
	goc_rwmutex_unlock(&r.rw);
	goc_chan_free(r.in);
	goc_chan_free(r.release);
	goc_chan_free(r.done);
	expect_no_leftovers();
}

/* ---- exclusion under stress ------------------------------------------------- */

enum { XW = 3, XR = 5 };
#define X_ROUNDS TEST_SCALE(20000)

struct record {
	goc_rwmutex rw;
	long a, b;             /* plain: written together under the write lock */
	atomic_int writers_in, readers_in, max_readers_in;
	atomic_int bad;        /* torn reads, or overlap seen by someone */
	goc_chan *done;
};

static void record_writer(void *p)
{
	struct record *r = p;
	for (int i = 0; i < X_ROUNDS; i++) {
		goc_rwmutex_lock(&r->rw);
		if (atomic_fetch_add(&r->writers_in, 1) != 0 || atomic_load(&r->readers_in) != 0)
			atomic_fetch_add(&r->bad, 1);
		r->a++;
		if (i % 32 == 0)
			goc_yield(); /* others pile up behind the writer */
		r->b++;
		atomic_fetch_sub(&r->writers_in, 1);
		goc_rwmutex_unlock(&r->rw);
	}
	goc_chan_send(r->done, NULL);
}

static void record_reads(struct record *r)
{
	for (int i = 0; i < X_ROUNDS; i++) {
		goc_rwmutex_rlock(&r->rw);
		note_max(&r->max_readers_in, atomic_fetch_add(&r->readers_in, 1) + 1);
		if (atomic_load(&r->writers_in) != 0)
			atomic_fetch_add(&r->bad, 1);
		long a = r->a;
		if (i % 32 == 0)
			goc_yield(); /* other readers join this one */
		if (r->b != a)
			atomic_fetch_add(&r->bad, 1);
		atomic_fetch_sub(&r->readers_in, 1);
		goc_rwmutex_runlock(&r->rw);
	}
}

static void record_reader(void *p)
{
	record_reads(p);
	goc_chan_send(((struct record *)p)->done, NULL);
}

Test(rwmutex, writers_exclude_everyone_and_readers_see_whole_records)
{
	static struct record r;
	r = (struct record){.rw = GOC_RWMUTEX_INIT, .done = chan_or_fail(0, XW + XR)};
	for (int i = 0; i < XR; i++)
		go_or_fail(record_reader, &r);
	for (int i = 0; i < XW; i++)
		go_or_fail(record_writer, &r);
	record_reads(&r); /* the main thread reads too */
	join(r.done, XW + XR);
	cr_assert_eq(atomic_load(&r.bad), 0, "%d overlaps or torn reads", atomic_load(&r.bad));
	cr_assert_eq(r.a, (long)XW * X_ROUNDS, "a = %ld", r.a);
	cr_assert_eq(r.b, (long)XW * X_ROUNDS, "b = %ld", r.b);
	goc_chan_free(r.done);
	expect_no_leftovers();
}

/* ---- writer preference and fairness ----------------------------------------- */

Test(rwmutex, a_waiting_writer_blocks_new_readers)
{
	goc_rwmutex rw = GOC_RWMUTEX_INIT;
	atomic_int seq = 0;
	goc_chan *done = chan_or_fail(0, 2);
	struct taker w = {&rw, &seq, -1, done}, r = {&rw, &seq, -1, done};

	goc_rwmutex_rlock(&rw);
	wait_until_blocked(go_or_fail(lock_ticket_unlock, &w), "sync.RWMutex.Lock");
	cr_assert(!goc_rwmutex_tryrlock(&rw), "tryrlock got in ahead of a waiting writer");
	wait_until_blocked(go_or_fail(rlock_ticket_runlock, &r), "sync.RWMutex.RLock");
	cr_assert_eq(atomic_load(&seq), 0);
	goc_rwmutex_runlock(&rw);
	join(done, 2);
	cr_assert_eq(w.ticket, 0, "the writer got in %d-th", w.ticket + 1);
	cr_assert_eq(r.ticket, 1, "the new reader got in %d-th", r.ticket + 1);
	goc_chan_free(done);
	expect_no_leftovers();
}

Test(rwmutex, a_writers_unlock_admits_the_waiting_readers_before_the_next_writer)
{
	enum { R = 3 };
	goc_rwmutex rw = GOC_RWMUTEX_INIT;
	atomic_int seq = 0;
	goc_chan *done = chan_or_fail(0, R + 1);
	struct taker r[R], w2 = {&rw, &seq, -1, done};

	goc_rwmutex_lock(&rw);
	/* Two readers wait, then a writer, then one more reader. */
	for (int i = 0; i < R; i++) {
		r[i] = (struct taker){&rw, &seq, -1, done};
		if (i == R - 1)
			wait_until_blocked(go_or_fail(lock_ticket_unlock, &w2), "sync.RWMutex.Lock");
		wait_until_blocked(go_or_fail(rlock_ticket_runlock, &r[i]), "sync.RWMutex.RLock");
	}
	goc_rwmutex_unlock(&rw);
	join(done, R + 1);
	for (int i = 0; i < R; i++)
		cr_assert_lt(r[i].ticket, R, "waiting reader %d got in after the next writer", i);
	cr_assert_eq(w2.ticket, R, "the next writer got in %d-th, before a waiting reader",
	             w2.ticket + 1);
	goc_chan_free(done);
	expect_no_leftovers();
}

static void rw_rlock(void *rw)
{
	goc_rwmutex_rlock(rw);
}

static void rw_runlock(void *rw)
{
	goc_rwmutex_runlock(rw);
}

static void rw_lock(void *rw)
{
	goc_rwmutex_lock(rw);
}

static void rw_unlock(void *rw)
{
	goc_rwmutex_unlock(rw);
}

/*
 * Four readers take the read lock in a loop and yield while holding it, so
 * that the lock is never free of readers (see expect_no_starvation). The
 * writer must get in while every reader is still in its loop.
 */
Test(rwmutex, a_writer_is_not_starved_by_a_stream_of_readers)
{
	static goc_rwmutex rw = GOC_RWMUTEX_INIT;
	expect_no_starvation(&(starve_case){
		.lock = &rw, .hog_lock = rw_rlock, .hog_unlock = rw_runlock,
		.victim_lock = rw_lock, .victim_unlock = rw_unlock,
		.hogs = 4, .hog_cap = 1000000, .hog = "readers", .victim = "writer"});
	expect_no_leftovers();
}

/* ---- try-variants -------------------------------------------------------- */

Test(rwmutex, try_variants_follow_who_holds_the_lock)
{
	goc_rwmutex rw = GOC_RWMUTEX_INIT;

	/* Free: both succeed. */
	cr_assert(goc_rwmutex_trylock(&rw), "trylock of a free rwmutex");
	cr_assert(!goc_rwmutex_trylock(&rw), "second trylock while write-locked");
	cr_assert(!goc_rwmutex_tryrlock(&rw), "tryrlock while write-locked");
	goc_rwmutex_unlock(&rw);

	/* Readers: more readers, no writer. */
	cr_assert(goc_rwmutex_tryrlock(&rw), "tryrlock of a free rwmutex");
	cr_assert(goc_rwmutex_tryrlock(&rw), "second reader by tryrlock");
	goc_rwmutex_rlock(&rw);
	cr_assert(!goc_rwmutex_trylock(&rw), "trylock while read-locked");
	goc_rwmutex_runlock(&rw);
	goc_rwmutex_runlock(&rw);
	cr_assert(!goc_rwmutex_trylock(&rw), "trylock with one reader left");
	goc_rwmutex_runlock(&rw);
	cr_assert(goc_rwmutex_trylock(&rw), "trylock after the last reader left");
	goc_rwmutex_unlock(&rw);
	expect_no_leftovers();
}

Test(rwmutex, tryrlock_refuses_while_a_writer_waits_even_though_only_readers_hold_it)
{
	goc_rwmutex rw = GOC_RWMUTEX_INIT;
	atomic_int seq = 0;
	goc_chan *done = chan_or_fail(0, 1);
	struct taker w = {&rw, &seq, -1, done};
	goc_rwmutex_rlock(&rw);
	wait_until_blocked(go_or_fail(lock_ticket_unlock, &w), "sync.RWMutex.Lock");
	cr_assert(!goc_rwmutex_tryrlock(&rw));
	cr_assert(!goc_rwmutex_trylock(&rw));
	goc_rwmutex_runlock(&rw);
	join(done, 1);
	cr_assert_eq(w.ticket, 0);
	cr_assert(goc_rwmutex_tryrlock(&rw), "tryrlock after the writer left");
	goc_rwmutex_runlock(&rw);
	goc_chan_free(done);
	expect_no_leftovers();
}

/* ---- a thread that holds a read lock ------------------------------------- */

static void rw_lock_unlock(void *rw)
{
	goc_rwmutex_lock(rw);
	goc_rwmutex_unlock(rw);
}

/* Regression (see expect_thread_holder_seen): the thread's rlock, its first
 * call into goc, does not wait; main's lock waits for it. */
Test(rwmutex, a_thread_holding_a_read_lock_it_got_at_once_is_seen_by_the_deadlock_check)
{
	static goc_rwmutex rw = GOC_RWMUTEX_INIT;
	expect_thread_holder_seen(&(holder_case){
		.obj = &rw, .take = rw_rlock, .give = rw_runlock, .wait = rw_lock_unlock,
		.reason = "sync.RWMutex.Lock"});
	expect_no_leftovers();
}
