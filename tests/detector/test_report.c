/*
 * test_report.c — detector/report.c: Go's text layout, deduplication, the
 * fingerprint (stable: names, not lines or addresses), suppression, and
 * expected (benign) races.
 */
#include "detutil.h"

#include <errno.h>

TestSuite(report, .init = det_test_init);

static uint64_t x, z;
static det_thread *m, *a, *b;

static void setup(void)
{
	m = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(m, 0, 0);
	a = det_thread_create(m, DET_KIND_GOROUTINE, 7, det_ctx_from_pcs((uintptr_t[]){FAKE_PC(9, 90)}, 1));
	b = det_thread_create(m, DET_KIND_THREAD, -1, det_ctx_from_pcs((uintptr_t[]){FAKE_PC(9, 91)}, 1));
}

Test(report, text_has_gos_layout_with_both_stacks_and_creation)
{
	setup();
	det_access(a, (uintptr_t)&x, 8, FAKE_PC(1, 12), DET_WRITE);
	det_access(b, (uintptr_t)&x, 8, FAKE_PC(2, 23), DET_READ);
	char *t = read_fd(text_fd);
	cr_assert(strstr(t, "==================\nWARNING: DATA RACE\n") == t, "%s", t);
	cr_assert_not_null(strstr(t, "Read at 0x"), "%s", t);
	cr_assert_not_null(strstr(t, " by thread T1:\n  fn2()\n      dir/src2.c:23 +0x0\n"), "%s", t);
	cr_assert_not_null(strstr(t, "\nPrevious write at 0x"), "%s", t);
	cr_assert_not_null(strstr(t, " by goroutine 7:\n  fn1()\n      dir/src1.c:12 +0x0\n"), "%s", t);
	cr_assert_not_null(strstr(t, "\nThread T1 (running) created at:\n  fn9()\n      dir/src9.c:91"), "%s", t);
	cr_assert_not_null(strstr(t, "\nGoroutine 7 (running) created at:\n  fn9()\n      dir/src9.c:90"), "%s", t);
	free(t);
}

/* fake_symbolize, leaving errno set, as a real symbolizer's file reads
 * may. */
static size_t symbolize_setting_errno(uintptr_t pc, bool ret, det_frame *f, size_t max)
{
	size_t n = fake_symbolize(pc, ret, f, max);
	errno = ENOENT;
	return n;
}

/* A report keeps the program's errno: the racing access may sit between
 * a call and its errno check. */
Test(report, a_report_keeps_errno)
{
	det_config c = {.text_fd = text_fd, .json_fd = json_fd, .symbolize = symbolize_setting_errno,
		.strip_path_prefix = "/src/", .report_atomic_races = true};
	det_init(&c);
	setup();
	det_access(a, (uintptr_t)&x, 8, FAKE_PC(1, 12), DET_WRITE);
	errno = 42;
	det_access(b, (uintptr_t)&x, 8, FAKE_PC(2, 23), DET_READ);
	cr_assert_eq(errno, 42);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	json_object_put(r[0]);
}

Test(report, a_named_thread_is_named_in_text_and_json)
{
	setup();
	det_thread_set_name(b, "reader");
	det_access(a, (uintptr_t)&x, 8, FAKE_PC(1, 12), DET_WRITE);
	det_access(b, (uintptr_t)&x, 8, FAKE_PC(2, 23), DET_READ);
	char *t = read_fd(text_fd);
	cr_assert_not_null(strstr(t, "\nThread T1 'reader' (running) created at:\n  fn9()\n"), "%s", t);
	cr_assert_not_null(strstr(t, "\nGoroutine 7 (running) created at:\n"), "%s", t);
	free(t);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	cr_assert_str_eq(jstr(r[0], "accesses.0.thread.name"), "reader");
	cr_assert_null(jget(r[0], "accesses.1.thread.name")); /* unnamed: no field */
	json_object_put(r[0]);
}

/* a and b race on x n times over: new epochs, the same contexts. */
static void race_on_x(int n)
{
	for (int i = 0; i < n; i++) {
		det_access(a, (uintptr_t)&x, 8, FAKE_PC(1, 12), DET_WRITE);
		det_access(b, (uintptr_t)&x, 8, FAKE_PC(2, 23), DET_WRITE);
		det_release(a, (uintptr_t)&z);
		det_release(b, (uintptr_t)&z + 1);
	}
}

Test(report, the_same_race_is_reported_once)
{
	setup();
	race_on_x(5);
	json_object *r[8];
	cr_assert_eq(json_records(r, 8), 1);
	det_stats s;
	det_read_stats(&s);
	cr_assert_geq(s.races_duplicate, 1);
}

Test(report, fingerprint_ignores_lines_and_order)
{
	setup();
	det_access(a, (uintptr_t)&x, 8, FAKE_PC(1, 12), DET_WRITE);
	det_access(b, (uintptr_t)&x, 8, FAKE_PC(2, 23), DET_WRITE);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	char fp1[32];
	snprintf(fp1, sizeof fp1, "%s", jstr(r[0], "fingerprint"));
	cr_assert_eq(strlen(fp1), 16);
	/* the same two functions at other lines, in the other order, on other
	 * memory: the same fingerprint, but another race, so reported */
	det_access(b, (uintptr_t)&z, 8, FAKE_PC(2, 29), DET_WRITE);
	det_access(a, (uintptr_t)&z, 8, FAKE_PC(1, 17), DET_WRITE);
	cr_assert_eq(json_records(r, 4), 2);
	cr_assert_str_eq(jstr(r[1], "fingerprint"), fp1);
	cr_assert_eq(jint(r[1], "accesses.0.stack.0.line"), 17);
	/* another function pair: a new fingerprint */
	static uint64_t w;
	det_access(a, (uintptr_t)&w, 8, FAKE_PC(3, 5), DET_WRITE);
	det_access(b, (uintptr_t)&w, 8, FAKE_PC(2, 23), DET_WRITE);
	cr_assert_eq(json_records(r, 4), 3);
	cr_assert_str_neq(jstr(r[2], "fingerprint"), fp1);
}

/* A free that races with an access an earlier report already showed
 * racing (the same remembered access) is not reported again; a free
 * racing with an access nobody reported is. */
Test(report, a_free_adds_no_report_for_an_access_already_reported)
{
	setup();
	static uint64_t blk[4], blk2[4];
	det_ctx at = det_ctx_from_pcs((uintptr_t[]){FAKE_PC(9, 95)}, 1);
	det_alloc(m, (uintptr_t)blk, sizeof blk, at);
	det_alloc(m, (uintptr_t)blk2, sizeof blk2, at);
	det_access(b, (uintptr_t)&blk[1], 8, FAKE_PC(2, 23), DET_READ);
	det_access(a, (uintptr_t)&blk[1], 8, FAKE_PC(1, 12), DET_WRITE);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	json_object_put(r[0]);
	cr_assert_eq(det_free(a, (uintptr_t)blk, FAKE_PC(1, 14), true), sizeof blk);
	cr_assert_eq(json_records(r, 4), 1);
	json_object_put(r[0]);
	det_stats s;
	det_read_stats(&s);
	cr_assert_eq(s.races_duplicate, 1);
	det_access(b, (uintptr_t)&blk2[0], 8, FAKE_PC(2, 25), DET_READ);
	cr_assert_eq(det_free(a, (uintptr_t)blk2, FAKE_PC(1, 16), true), sizeof blk2);
	cr_assert_eq(json_records(r, 4), 2);
	cr_assert_str_eq(jstr(r[1], "accesses.0.op"), "free");
	cr_assert_eq(jint(r[1], "accesses.0.stack.0.line"), 16);
	cr_assert_eq(jint(r[1], "accesses.1.stack.0.line"), 25);
	cr_assert_str_eq(jstr(r[1], "location.kind"), "heap");
	json_object_put(r[0]);
	json_object_put(r[1]);
}

/* The same when the access the free races with was the earlier report's
 * current one (a virtual call during the destructor, then the free). */
Test(report, a_free_adds_no_report_for_the_current_access_already_reported)
{
	setup();
	static uint64_t blk[2];
	det_alloc(m, (uintptr_t)blk, sizeof blk, 0);
	det_access(a, (uintptr_t)&blk[0], 8, FAKE_PC(1, 12), DET_WRITE);
	det_access(b, (uintptr_t)&blk[0], 8, FAKE_PC(2, 23), DET_READ);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	cr_assert_eq(jint(r[0], "accesses.0.stack.0.line"), 23);
	json_object_put(r[0]);
	det_free(a, (uintptr_t)blk, FAKE_PC(1, 14), true);
	cr_assert_eq(json_records(r, 4), 1);
	json_object_put(r[0]);
}

/* A free racing with two accesses of another thread, in two granules of
 * the block: one report, the first (TSan's range accesses stop there). */
Test(report, a_free_is_reported_once)
{
	setup();
	static uint64_t blk[4];
	det_alloc(m, (uintptr_t)blk, sizeof blk, 0);
	det_access(b, (uintptr_t)&blk[0], 8, FAKE_PC(2, 23), DET_READ);
	det_access(b, (uintptr_t)&blk[3], 8, FAKE_PC(2, 27), DET_WRITE);
	det_free(a, (uintptr_t)blk, FAKE_PC(1, 14), true);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	cr_assert_eq(jint(r[0], "accesses.1.stack.0.line"), 23);
	json_object_put(r[0]);
}

/* A race whose current access is a vptr's (DET_VPTR) carries TSan's
 * label, in the text header and the JSON title. */
Test(report, a_vptr_race_is_titled_as_one)
{
	setup();
	det_access(b, (uintptr_t)&x, 8, FAKE_PC(2, 23), DET_READ | DET_VPTR);
	det_access(a, (uintptr_t)&x, 8, FAKE_PC(1, 12), DET_WRITE | DET_VPTR);
	char *t = read_fd(text_fd);
	cr_assert(strstr(t, "==================\nWARNING: DATA RACE on vptr (ctor/dtor vs "
	                    "virtual call)\nWrite at 0x") == t, "%s", t);
	free(t);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	cr_assert_str_eq(jstr(r[0], "title"), "DATA RACE on vptr (ctor/dtor vs virtual call)");
	json_object_put(r[0]);
	/* a virtual call on memory another thread freed */
	static uint64_t obj[2];
	det_alloc(m, (uintptr_t)obj, sizeof obj, 0);
	det_free(a, (uintptr_t)obj, FAKE_PC(1, 14), true);
	det_access(b, (uintptr_t)obj, 8, FAKE_PC(2, 27), DET_READ | DET_VPTR);
	cr_assert_eq(json_records(r, 4), 2);
	cr_assert_str_eq(jstr(r[1], "title"), "DATA RACE: heap use after free (virtual call vs free)");
	cr_assert_str_eq(jstr(r[1], "accesses.1.op"), "free");
	/* a plain race stays a DATA RACE */
	det_access(a, (uintptr_t)&z, 8, FAKE_PC(1, 30), DET_WRITE);
	det_access(b, (uintptr_t)&z, 8, FAKE_PC(2, 31), DET_READ);
	json_object *all[4];
	cr_assert_eq(json_records(all, 4), 3);
	cr_assert_str_eq(jstr(all[2], "title"), "DATA RACE");
	for (int i = 0; i < 3; i++)
		json_object_put(all[i]);
	json_object_put(r[0]);
	json_object_put(r[1]);
}

/* The same two lines reached through other callers (other calling
 * contexts): the same race, reported once. */
Test(report, the_same_lines_through_other_callers_are_one_race)
{
	setup();
	det_access(a, (uintptr_t)&x, 8, FAKE_PC(1, 12), DET_WRITE);
	det_access(b, (uintptr_t)&x, 8, FAKE_PC(2, 23), DET_WRITE);
	det_func_entry(a, FAKE_PC(7, 3));
	det_access(a, (uintptr_t)&z, 8, FAKE_PC(1, 12), DET_WRITE);
	det_func_exit(a);
	det_func_entry(b, FAKE_PC(8, 4));
	det_access(b, (uintptr_t)&z, 8, FAKE_PC(2, 23), DET_WRITE);
	det_func_exit(b);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	det_stats s;
	det_read_stats(&s);
	cr_assert_geq(s.races_duplicate, 1);
}

/* Code inlined into one function: the symbolizer's frames for one pc
 * name the inlined function on top, so two races in the same outer pair
 * but in other inlined functions have other fingerprints. */
Test(report, inlined_frames_are_frames_of_their_own)
{
	setup();
	det_access(a, (uintptr_t)&x, 8, FAKE_PC(FAKE_INLINED_FIRST, 12), DET_WRITE);
	det_access(b, (uintptr_t)&x, 8, FAKE_PC(2, 23), DET_READ);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	cr_assert_str_eq(jstr(r[0], "accesses.1.stack.0.func"), "inl56");
	cr_assert_eq(jint(r[0], "accesses.1.stack.0.line"), 12);
	cr_assert_str_eq(jstr(r[0], "accesses.1.stack.1.func"), "fn56");
	cr_assert_eq(jint(r[0], "accesses.1.stack.1.line"), 512);
	cr_assert_eq(json_object_array_length(jget(r[0], "accesses.1.stack")), 2);
}

static bool suppress_fn2(const char *kind, const det_frame *const *stacks, const size_t *depths,
                         size_t n, const char *global)
{
	(void)global;
	cr_assert_str_eq(kind, "race");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < depths[i]; j++)
			if (stacks[i][j].func != NULL && strcmp(stacks[i][j].func, "fn2") == 0)
				return true;
	return false;
}

Test(report, a_suppressed_race_is_counted_not_written)
{
	det_config c = {.text_fd = text_fd, .json_fd = json_fd, .symbolize = fake_symbolize,
		.suppressed = suppress_fn2, .report_atomic_races = true};
	det_init(&c);
	setup();
	det_access(a, (uintptr_t)&x, 8, FAKE_PC(1, 12), DET_WRITE);
	det_access(b, (uintptr_t)&x, 8, FAKE_PC(2, 23), DET_WRITE);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 0);
	det_stats s;
	det_read_stats(&s);
	cr_assert_eq(s.races_suppressed, 1);
}

/* Suppresses a race when the current access's top frame is fn3's. */
static bool suppress_fn3_top(const char *kind, const det_frame *const *stacks,
                             const size_t *depths, size_t n, const char *global)
{
	(void)kind;
	(void)global;
	return n > 0 && depths[0] > 0 && strcmp(stacks[0][0].func, "fn3") == 0;
}

/* A suppressed race was never shown: a free racing with its previous
 * access afterwards is reported. */
Test(report, a_suppressed_race_does_not_hide_the_free_after_it)
{
	det_config c = {.text_fd = text_fd, .json_fd = json_fd, .symbolize = fake_symbolize,
		.suppressed = suppress_fn3_top, .report_atomic_races = true};
	det_init(&c);
	setup();
	static uint64_t blk[2];
	det_alloc(m, (uintptr_t)blk, sizeof blk, 0);
	det_access(b, (uintptr_t)&blk[1], 8, FAKE_PC(2, 23), DET_READ);
	det_access(a, (uintptr_t)&blk[1], 8, FAKE_PC(3, 12), DET_WRITE);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 0);
	det_free(a, (uintptr_t)blk, FAKE_PC(1, 14), true);
	cr_assert_eq(json_records(r, 4), 1);
	cr_assert_str_eq(jstr(r[0], "accesses.0.op"), "free");
	cr_assert_eq(jint(r[0], "accesses.1.stack.0.line"), 23);
	json_object_put(r[0]);
}

/* det_config.external_tag: tags 5 (no header) and 6 (a header). */
static bool tag_5_and_6(uintptr_t pc, const char **type, const char **header)
{
	if (pc != 5 && pc != 6)
		return false;
	*type = pc == 5 ? "lib::map" : "lib::set";
	*header = pc == 5 ? NULL : "race on a lib set";
	return true;
}

/* A race whose accesses were made under an external-object tag's frame
 * (interpose/external.c pushes it): titled by the tag's type or header,
 * each tagged access worded as TSan's, the tag frame left out of the
 * stack (the user's call frame stays under the library's), the tagged
 * block's location named by its type. */
Test(report, an_external_object_race_is_named_by_its_tag)
{
	det_config c = {.text_fd = text_fd, .json_fd = json_fd, .symbolize = fake_symbolize,
		.external_tag = tag_5_and_6, .strip_path_prefix = "/src/",
		.report_atomic_races = true};
	det_init(&c);
	setup();
	static uint64_t obj[2];
	det_alloc(m, (uintptr_t)obj, sizeof obj, det_ctx_from_pcs((uintptr_t[]){FAKE_PC(9, 95)}, 1));
	cr_assert(det_heap_tag((uintptr_t)&obj[1], 5)); /* an interior address names the block */
	cr_assert_not(det_heap_tag((uintptr_t)&x, 5));
	det_func_entry(a, FAKE_PC(4, 40));
	det_func_entry(a, 5);
	det_access(a, (uintptr_t)obj, 1, FAKE_PC(1, 12), DET_WRITE);
	det_func_exit(a);
	det_func_exit(a);
	det_func_entry(b, FAKE_PC(4, 41));
	det_func_entry(b, 5);
	det_access(b, (uintptr_t)obj, 1, FAKE_PC(2, 23), DET_READ);
	det_func_exit(b);
	det_func_exit(b);
	char *t = read_fd(text_fd);
	cr_assert(strstr(t, "==================\nWARNING: DATA RACE on lib::map\n"
	                    "Read-only access of lib::map at 0x") == t, "%s", t);
	cr_assert_not_null(strstr(t, " by thread T1:\n  fn2()\n      dir/src2.c:23 +0x0\n"
	                             "  fn4()\n      dir/src4.c:41"), "%s", t);
	cr_assert_not_null(strstr(t, "\nPrevious modifying access of lib::map at 0x"), "%s", t);
	cr_assert_not_null(strstr(t, "\nLocation is lib::map of size 16 at 0x"), "%s", t);
	free(t);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	cr_assert_str_eq(jstr(r[0], "title"), "DATA RACE on lib::map");
	cr_assert_str_eq(jstr(r[0], "accesses.0.object_type"), "lib::map");
	cr_assert_str_eq(jstr(r[0], "accesses.1.object_type"), "lib::map");
	cr_assert_eq(jint(r[0], "accesses.0.stack.1.line"), 41);
	cr_assert_str_eq(jstr(r[0], "location.object_type"), "lib::map");
	json_object_put(r[0]);
	/* a registered header is the title; an untagged access keeps its words */
	det_access(a, (uintptr_t)&z, 8, FAKE_PC(1, 30), DET_WRITE);
	det_func_entry(b, 6);
	det_access(b, (uintptr_t)&z, 1, FAKE_PC(2, 31), DET_READ);
	det_func_exit(b);
	t = read_fd(text_fd);
	cr_assert(strstr(t, "==================\nWARNING: DATA RACE: race on a lib set\n"
	                    "Read-only access of lib::set at 0x") != NULL, "%s", t);
	cr_assert_not_null(strstr(t, "\nPrevious write at 0x"), "%s", t);
	free(t);
	cr_assert_eq(json_records(r, 4), 2);
	cr_assert_str_eq(jstr(r[1], "title"), "DATA RACE: race on a lib set");
	cr_assert_null(jget(r[1], "accesses.1.object_type"));
	cr_assert_null(jget(r[1], "location.object_type"));
	json_object_put(r[0]);
	json_object_put(r[1]);
}

/* det_config.expected: the 8 bytes of x are declared benign. */
static bool expect_x(uintptr_t addr, size_t size)
{
	return addr < (uintptr_t)&x + sizeof x && (uintptr_t)&x < addr + size;
}

static void init_expecting_x(void)
{
	det_config c = {.text_fd = text_fd, .json_fd = json_fd, .symbolize = fake_symbolize,
		.expected = expect_x, .report_atomic_races = true};
	det_init(&c);
	setup();
}

Test(report, an_expected_race_is_dropped_and_counted_as_suppressed_once)
{
	init_expecting_x();
	race_on_x(3);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 0);
	det_stats s;
	det_read_stats(&s);
	cr_assert_eq(s.races_suppressed, 1);
	cr_assert_geq(s.races_duplicate, 1);
	cr_assert_eq(s.races_reported, 0);
}

/* The verdict is the address's: the same two accesses (same contexts, so
 * the same fingerprint) racing on other memory are still reported. */
Test(report, an_expected_race_hides_no_other_race_of_the_same_code)
{
	init_expecting_x();
	det_access(a, (uintptr_t)&x, 8, FAKE_PC(1, 12), DET_WRITE);
	det_access(b, (uintptr_t)&x, 8, FAKE_PC(2, 23), DET_WRITE);
	det_access(a, (uintptr_t)&z, 8, FAKE_PC(1, 12), DET_WRITE);
	det_access(b, (uintptr_t)&z, 8, FAKE_PC(2, 23), DET_WRITE);
	json_object *r[4];
	cr_assert_eq(json_records(r, 4), 1);
	char want[32];
	snprintf(want, sizeof want, "0x%lx", (unsigned long)(uintptr_t)&z);
	cr_assert_str_eq(jstr(r[0], "accesses.0.addr"), want);
	json_object_put(r[0]);
}
