/*
 * test_access.c — detector/access.c: which pairs of accesses are races.
 * Each test plays a sequence of events for two or three det_threads and
 * checks the exact findings (count, ops, lines) in the JSON sink.
 */
#include "detutil.h"

static uint64_t x[4]; /* the racy memory: a real address, shadow is real */

TestSuite(access, .init = det_test_init);

/* main creates two threads; returns them. The threads begin with their
 * creation and nothing else ordering them. */
static det_thread *main_t;

static void two_threads(det_thread **a, det_thread **b)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	*a = det_thread_create(main_t, DET_KIND_THREAD, -1, det_ctx_from_pcs((uintptr_t[]){FAKE_PC(9, 30)}, 1));
	*b = det_thread_create(main_t, DET_KIND_THREAD, -1, det_ctx_from_pcs((uintptr_t[]){FAKE_PC(9, 31)}, 1));
}

static void at(det_thread *t, int fn, int line, unsigned flags, void *p, size_t n)
{
	det_func_entry(t, FAKE_PC(20, 1));
	det_access(t, (uintptr_t)p, n, FAKE_PC(fn, line), flags);
	det_func_exit(t);
}

static size_t findings(json_object **r, size_t max)
{
	return json_records(r, max);
}

Test(access, write_write_unordered_is_a_race_with_both_lines)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 12, DET_WRITE, &x[0], 8);
	at(b, 2, 23, DET_WRITE, &x[0], 8);
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 1);
	cr_assert_str_eq(jstr(r[0], "kind"), "data-race");
	cr_assert_str_eq(jstr(r[0], "accesses.0.op"), "write");
	cr_assert_str_eq(jstr(r[0], "accesses.0.stack.0.func"), "fn2");
	cr_assert_eq(jint(r[0], "accesses.0.stack.0.line"), 23);
	cr_assert_str_eq(jstr(r[0], "accesses.0.stack.1.func"), "fn20");
	cr_assert_str_eq(jstr(r[0], "accesses.1.op"), "write");
	cr_assert_str_eq(jstr(r[0], "accesses.1.stack.0.func"), "fn1");
	cr_assert_eq(jint(r[0], "accesses.1.stack.0.line"), 12);
	cr_assert_eq(jint(r[0], "accesses.0.thread.id"), 2);
	cr_assert_eq(jint(r[0], "accesses.1.thread.id"), 1);
	cr_assert_str_eq(jstr(r[0], "accesses.0.stack.0.file"), "dir/src2.c", "strip_path_prefix applies");
}

Test(access, read_read_is_not_a_race)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 12, DET_READ, &x[0], 8);
	at(b, 2, 23, DET_READ, &x[0], 8);
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 0);
}

Test(access, read_then_unordered_write_is_a_race)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 12, DET_READ, &x[0], 4);
	at(b, 2, 23, DET_WRITE, &x[0], 4);
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 1);
	cr_assert_str_eq(jstr(r[0], "accesses.0.op"), "write");
	cr_assert_str_eq(jstr(r[0], "accesses.1.op"), "read");
}

Test(access, disjoint_bytes_of_one_word_do_not_race)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	char *c = (char *)&x[1];
	at(a, 1, 12, DET_WRITE, c, 4);
	at(b, 2, 23, DET_WRITE, c + 4, 4);
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 0);
}

Test(access, unaligned_access_across_two_granules_races_with_either_half)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	char *c = (char *)&x[1];
	at(a, 1, 12, DET_WRITE, c + 6, 4); /* bytes 6..9: two granules */
	at(b, 2, 23, DET_READ, c + 8, 1);  /* byte 8: the second granule */
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 1);
	cr_assert_eq(jint(r[0], "accesses.1.size"), 4 - 2, "previous access as remembered in that granule");
}

Test(access, sixteen_byte_access_races_with_its_upper_half)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 12, DET_WRITE, &x[2], 16);
	at(b, 2, 23, DET_WRITE, &x[3], 8);
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 1);
}

Test(access, atomic_vs_atomic_is_not_a_race_atomic_vs_plain_is)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 12, DET_WRITE | DET_ATOMIC, &x[0], 8);
	at(b, 2, 23, DET_READ | DET_ATOMIC, &x[0], 8);
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 0);
	at(b, 3, 40, DET_WRITE, &x[0], 8);
	cr_assert_eq(findings(r, 4), 1);
	cr_assert_eq(json_object_get_boolean(jget(r[0], "accesses.0.atomic")), false);
	cr_assert_eq(json_object_get_boolean(jget(r[0], "accesses.1.atomic")), true);
}

Test(access, same_thread_never_races_with_itself)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	(void)b;
	for (int i = 0; i < 10; i++) {
		at(a, 1, 12, DET_WRITE, &x[0], 8);
		at(a, 1, 13, DET_READ, &x[0], 8);
	}
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 0);
}

Test(access, creation_orders_parent_before_child_but_not_after)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	at(main_t, 1, 10, DET_WRITE, &x[0], 8);
	det_thread *c = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(c, 2, 20, DET_WRITE, &x[0], 8); /* after the parent's write: fine */
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 0);
	at(main_t, 1, 11, DET_READ, &x[0], 8); /* parent after create: races */
	cr_assert_eq(findings(r, 4), 1);
	cr_assert_eq(jint(r[0], "accesses.0.stack.0.line"), 11);
	cr_assert_eq(jint(r[0], "accesses.1.stack.0.line"), 20);
}

Test(access, join_orders_the_child_before_the_joiner)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	det_thread *c = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(c, 2, 20, DET_WRITE, &x[0], 8);
	det_thread_finish(c);
	det_thread_join(main_t, c);
	at(main_t, 1, 11, DET_READ, &x[0], 8);
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 0);
}

Test(access, a_race_with_a_forgotten_reader_is_still_found_among_four_readers)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	det_thread *r3 = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(a, 1, 1, DET_READ, &x[0], 8);
	at(b, 2, 2, DET_READ, &x[0], 8);
	at(r3, 3, 3, DET_READ, &x[0], 8);
	at(main_t, 4, 4, DET_WRITE, &x[0], 8); /* after create, unordered with all */
	json_object *r[4];
	cr_assert_eq(findings(r, 4), 1);
	cr_assert_str_eq(jstr(r[0], "accesses.1.op"), "read");
}
