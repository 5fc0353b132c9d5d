/*
 * test_sync.c — detector/sync.c: the four clock operations, each checked by
 * whether a following access races.
 */
#include "detutil.h"

#include <pthread.h>

static uint64_t x, y;
static int lock_word, slot_word[4];

TestSuite(sync, .init = det_test_init);

static det_thread *m;

static det_thread *spawn(void)
{
	if (m == NULL) {
		m = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
		det_thread_start(m, 0, 0);
	}
	return det_thread_create(m, DET_KIND_THREAD, -1, 0);
}

static void acc(det_thread *t, void *p, int line, unsigned flags)
{
	det_access(t, (uintptr_t)p, 8, FAKE_PC(1, line), flags);
}

static uint64_t races(void)
{
	det_stats s;
	det_read_stats(&s);
	return s.races_reported;
}

Test(sync, release_then_acquire_orders_the_accesses)
{
	det_thread *a = spawn(), *b = spawn();
	acc(a, &x, 10, DET_WRITE);
	det_release(a, (uintptr_t)&lock_word);
	det_acquire(b, (uintptr_t)&lock_word);
	acc(b, &x, 20, DET_WRITE);
	cr_assert_eq(races(), 0);
}

Test(sync, an_access_after_the_release_is_not_ordered)
{
	det_thread *a = spawn(), *b = spawn();
	det_release(a, (uintptr_t)&lock_word);
	acc(a, &x, 11, DET_WRITE); /* after unlock */
	det_acquire(b, (uintptr_t)&lock_word);
	acc(b, &x, 20, DET_WRITE);
	cr_assert_eq(races(), 1);
}

Test(sync, acquire_of_an_address_nobody_released_orders_nothing)
{
	det_thread *a = spawn(), *b = spawn();
	acc(a, &x, 10, DET_WRITE);
	det_acquire(b, (uintptr_t)&lock_word);
	acc(b, &x, 20, DET_WRITE);
	cr_assert_eq(races(), 1);
}

Test(sync, release_store_overwrites_release_merge_accumulates)
{
	det_thread *a = spawn(), *b = spawn(), *c = spawn();
	acc(a, &x, 10, DET_WRITE);
	acc(b, &y, 11, DET_WRITE);
	det_release(a, (uintptr_t)&lock_word);
	det_release(b, (uintptr_t)&lock_word); /* store: forgets a's clock */
	det_acquire(c, (uintptr_t)&lock_word);
	acc(c, &y, 20, DET_WRITE);
	cr_assert_eq(races(), 0, "b's write is ordered");
	acc(c, &x, 21, DET_WRITE);
	cr_assert_eq(races(), 1, "a's write is not: release overwrote it");

	det_thread *d = spawn(), *e = spawn(), *f = spawn();
	static uint64_t p, q;
	acc(d, &p, 30, DET_WRITE);
	acc(e, &q, 31, DET_WRITE);
	det_release_merge(d, (uintptr_t)&slot_word[3]);
	det_release_merge(e, (uintptr_t)&slot_word[3]);
	det_acquire(f, (uintptr_t)&slot_word[3]);
	acc(f, &p, 40, DET_WRITE);
	acc(f, &q, 41, DET_WRITE);
	cr_assert_eq(races(), 1, "merge keeps both");
}

/* Go's buffered channel of capacity 1 through slot 0: the k-th receive
 * happens before the (k+1)-th send completes; sends happen before their
 * receives. release_acquire on the slot gives both. */
Test(sync, channel_slot_release_acquire_gives_the_capacity_rule)
{
	det_thread *s = spawn(), *r = spawn();
	uintptr_t slot = (uintptr_t)&slot_word[0];
	acc(s, &x, 10, DET_WRITE);
	det_release_acquire(s, slot);      /* send #1 */
	acc(r, &y, 19, DET_WRITE);         /* before receive #1 */
	det_release_acquire(r, slot);      /* receive #1 */
	acc(r, &x, 20, DET_WRITE);         /* after the send: fine */
	det_release_acquire(s, slot);      /* send #2 completes after receive #1 */
	acc(s, &y, 30, DET_WRITE);         /* ordered after the receiver's write */
	cr_assert_eq(races(), 0);
	static uint64_t w;
	acc(r, &w, 21, DET_WRITE);         /* after receive #1: not before send #2 */
	det_release_acquire(s, slot);      /* send #3 (the slot is free again) */
	acc(s, &w, 31, DET_WRITE);
	cr_assert_eq(races(), 1);
}

Test(sync, without_the_capacity_edge_the_same_program_races)
{
	det_thread *s = spawn(), *r = spawn();
	acc(s, &x, 10, DET_WRITE);
	det_release_merge(s, (uintptr_t)&slot_word[1]); /* send */
	det_acquire(r, (uintptr_t)&slot_word[1]);       /* receive */
	acc(r, &y, 21, DET_WRITE);
	det_release_merge(s, (uintptr_t)&slot_word[1]); /* second send: no acquire */
	acc(s, &y, 30, DET_WRITE);
	cr_assert_eq(races(), 1);
}

Test(sync, forgetting_an_object_drops_its_clock)
{
	det_thread *a = spawn(), *b = spawn();
	acc(a, &x, 10, DET_WRITE);
	det_release(a, (uintptr_t)&slot_word[2]);
	det_sync_forget((uintptr_t)slot_word, sizeof slot_word);
	det_acquire(b, (uintptr_t)&slot_word[2]);
	acc(b, &x, 20, DET_WRITE);
	cr_assert_eq(races(), 1);
}

Test(sync, a_forgotten_object_is_reused_without_its_clock)
{
	det_thread *a = spawn(), *b = spawn(), *c = spawn();
	acc(a, &x, 10, DET_WRITE);
	det_release(a, (uintptr_t)&slot_word[1]);
	det_sync_forget((uintptr_t)slot_word, sizeof slot_word);
	/* the next object made (c's, at another address) is the forgotten
	 * one, reused: it must start empty, and the old address find nothing */
	det_release_merge(c, (uintptr_t)&slot_word[3]);
	det_acquire(b, (uintptr_t)&slot_word[3]);
	det_acquire(b, (uintptr_t)&slot_word[1]);
	acc(b, &x, 20, DET_WRITE);
	cr_assert_eq(races(), 1);
}

/* Objects forgotten and made again while two threads look them up without
 * the bucket lock: every lookup finds a live object of its own address
 * (a stale one would be used, or crash, after its clock was freed). */
static uint64_t words[8];

static void *hammer(void *arg)
{
	det_thread *t = arg;
	for (int i = 0; i < 20000; i++) {
		det_release_merge(t, (uintptr_t)&words[i % 8]);
		det_acquire(t, (uintptr_t)&words[(i + 3) % 8]);
	}
	return NULL;
}

static void *forgetter(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5000; i++)
		det_sync_forget((uintptr_t)words, sizeof words);
	return NULL;
}

Test(sync, lookups_survive_objects_forgotten_and_reused_meanwhile)
{
	det_thread *a = spawn(), *b = spawn();
	pthread_t ta, tb, tf;
	pthread_create(&ta, NULL, hammer, a);
	pthread_create(&tb, NULL, hammer, b);
	pthread_create(&tf, NULL, forgetter, NULL);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_join(tf, NULL);
	/* the table still orders what it should */
	acc(a, &y, 10, DET_WRITE);
	det_release(a, (uintptr_t)&words[5]);
	det_acquire(b, (uintptr_t)&words[5]);
	acc(b, &y, 20, DET_WRITE);
	cr_assert_eq(races(), 0);
}
