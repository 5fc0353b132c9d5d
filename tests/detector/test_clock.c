/*
 * test_clock.c — detector/clock.c: slots are reused only when that loses
 * nothing, so spawn-and-join programs keep clocks short and races between
 * threads that never synchronised are still found.
 */
#include "detutil.h"

static uint64_t x;

TestSuite(clock, .init = det_test_init);

static void write_x(det_thread *t, int line)
{
	det_access(t, (uintptr_t)&x, 8, FAKE_PC(1, line), DET_WRITE);
}

Test(clock, spawn_join_loop_reuses_one_slot)
{
	det_thread *m = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(m, 0, 0);
	for (int i = 0; i < 1000; i++) {
		det_thread *c = det_thread_create(m, DET_KIND_THREAD, -1, 0);
		write_x(c, 10);
		det_thread_finish(c);
		det_thread_join(m, c);
		det_thread_release_ref(c);
	}
	det_stats s;
	det_read_stats(&s);
	cr_assert_eq(s.slots_in_use, 1, "only main holds a slot after the joins");
	cr_assert_eq(s.races_reported, 0);
	/* clocks cover exactly two slots: main's own and the reused one */
	cr_assert_eq(s.slots_created, 2);
}

Test(clock, a_finished_thread_nobody_synchronised_with_keeps_its_slot_to_itself)
{
	det_thread *m = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(m, 0, 0);
	det_thread *a = det_thread_create(m, DET_KIND_THREAD, -1, 0);
	det_thread *b = det_thread_create(m, DET_KIND_THREAD, -1, 0);
	write_x(a, 10);
	det_thread_finish(a); /* not joined: b is not ordered after a's write */
	det_thread *c = det_thread_create(b, DET_KIND_THREAD, -1, 0);
	cr_assert_neq(det_thread_slot(c), det_thread_slot(a), "reusing a's slot would order a's write before c");
	write_x(c, 20);
	det_stats s;
	det_read_stats(&s);
	cr_assert_eq(s.races_reported, 1);
}

Test(clock, a_joined_threads_slot_is_taken_by_the_joiners_next_child)
{
	det_thread *m = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(m, 0, 0);
	det_thread *a = det_thread_create(m, DET_KIND_THREAD, -1, 0);
	uint32_t slot = det_thread_slot(a);
	write_x(a, 10);
	det_thread_finish(a);
	det_thread_join(m, a);
	det_thread *c = det_thread_create(m, DET_KIND_THREAD, -1, 0);
	cr_assert_eq(det_thread_slot(c), slot);
	write_x(c, 20);
	det_stats s;
	det_read_stats(&s);
	cr_assert_eq(s.races_reported, 0);
	/* the report of a later race names the right owner of each epoch */
	det_thread *d = det_thread_create(m, DET_KIND_THREAD, -1, 0);
	write_x(d, 30);
	json_object *r[2];
	cr_assert_eq(json_records(r, 2), 1);
	cr_assert_eq(jint(r[0], "accesses.1.thread.id"), det_thread_id(c));
	cr_assert_eq(jint(r[0], "accesses.1.stack.0.line"), 20);
}

Test(clock, a_release_after_the_last_access_lets_the_slot_be_reused_after_an_acquire)
{
	det_thread *m = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(m, 0, 0);
	static int wg;
	det_thread *g = det_thread_create(m, DET_KIND_GOROUTINE, 7, 0);
	uint32_t slot_g = det_thread_slot(g);
	write_x(g, 10);
	det_release_merge(g, (uintptr_t)&wg); /* wg.Done, then the goroutine ends */
	det_thread_finish(g);
	det_acquire(m, (uintptr_t)&wg);        /* wg.Wait returns */
	det_thread *h = det_thread_create(m, DET_KIND_GOROUTINE, 8, 0);
	cr_assert_eq(det_thread_slot(h), slot_g);
	write_x(h, 20);
	det_stats s;
	det_read_stats(&s);
	cr_assert_eq(s.races_reported, 0);
}
