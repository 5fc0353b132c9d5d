/*
 * test_deadlock.c — global deadlock detection and the goroutine dump
 * (runtime/sched.c's "all goroutines are asleep" check, runtime/dump.c).
 *
 * Each test runs tests/runtime/deadlock_main.c in one mode (posix_spawn,
 * stdout and stderr captured, a deadline) and checks, for a deadlock: exit
 * status 2; the first line of stderr exactly
 * "fatal error: all goroutines are asleep - deadlock!"; one
 * "goroutine N [reason]:" header per live goroutine with Go's wait reason;
 * "created by F in goroutine P" naming the creating function, followed by
 * the helper's file:line of the goc_go call; and the blocked function with
 * the line where it blocks. Programs with a pending timer, a goroutine in a
 * blocking section or a foreign thread outside goc must not be reported: they
 * finish normally. Also: SIGQUIT prints the dump and exits with status 2,
 * and the runtime's own frames are shown only with GOC_TRACEBACK=system.
 *
 * The helper prints "g NAME ID" for each goroutine; line numbers come from
 * the tags in its source (see deadlock_main.c).
 */
#include "testutil.h"

TestSuite(deadlock, .timeout = TEST_TIMEOUT_S);
TestSuite(dump, .timeout = TEST_TIMEOUT_S);

#define DEADLOCK_LINE "fatal error: all goroutines are asleep - deadlock!"

/* ---- helpers ------------------------------------------------------------------ */

static void run_mode(const char *mode, struct helper_run *r)
{
	char *argv[] = {(char *)helper_path("GOC_TEST_DEADLOCK_MAIN"), (char *)mode, NULL};
	cr_assert_eq(helper_spawn(argv, NULL, 0, TEST_WAIT_LIMIT, r), 0, "cannot run %s", argv[0]);
	cr_assert(!r->timed_out, "%s: the helper hung (deadlock not detected?); stdout:\n%s\n"
	                         "stderr:\n%s",
	          mode, r->out, r->err);
}

/* Asserts a reported deadlock: status 2 and the exact first line. */
static void expect_deadlock(const char *mode, struct helper_run *r)
{
	run_mode(mode, r);
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 2,
	          "%s: status 0x%x, want exit 2; stderr:\n%s", mode, r->status, r->err);
	char line[256];
	first_line(r->err, line, sizeof line);
	cr_assert_str_eq(line, DEADLOCK_LINE, "%s: stderr:\n%s", mode, r->err);
}

/* Asserts a normal finish: status 0, "ok", and no deadlock report. */
static void expect_no_deadlock(const char *mode)
{
	struct helper_run r;
	run_mode(mode, &r);
	cr_assert_null(strstr(r.err, "all goroutines are asleep"), "%s: reported a deadlock:\n%s",
	               mode, r.err);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	          "%s: status 0x%x; stdout:\n%s\nstderr:\n%s", mode, r.status, r.out, r.err);
	cr_assert_not_null(strstr(r.out, "ok\n"), "%s: stdout:\n%s", mode, r.out);
	helper_run_free(&r);
	expect_no_leftovers();
}

/* id_of returns the id the helper printed as "g NAME ID". */
static int64_t id_of(const char *out, const char *name)
{
	char key[64];
	int n = snprintf(key, sizeof key, "g %s ", name);
	for (const char *p = out; (p = strstr(p, key)) != NULL; p += n)
		if (p == out || p[-1] == '\n')
			return strtoll(p + n, NULL, 10);
	cr_assert_fail("the helper did not print the id of %s; stdout:\n%s", name, out);
	return -1;
}

/* tag_line returns the line of deadlock_main.c carrying the tag. */
static int tag_line(const char *tag)
{
	const char *dir = helper_path("GOC_TEST_SRCDIR");
	char path[4096], buf[512];
	snprintf(path, sizeof path, "%s/deadlock_main.c", dir);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	int line = 0, found = 0;
	char needle[64];
	snprintf(needle, sizeof needle, "/* %s */", tag);
	while (fgets(buf, sizeof buf, f) != NULL) {
		line++;
		if (strstr(buf, needle) != NULL) {
			cr_assert_eq(found, 0, "tag %s appears twice", tag);
			found = line;
		}
	}
	fclose(f);
	cr_assert_gt(found, 0, "tag %s not found in %s", tag, path);
	return found;
}

/* block_or_fail returns goroutine g's block in the dump. */
static char *block_or_fail(const char *err, int64_t g, const char *what)
{
	char *b = dump_block(err, g);
	cr_assert_not_null(b, "no dump for goroutine %lld (%s); stderr:\n%s", (long long)g, what,
	                   err);
	return b;
}

/* Asserts goroutine g's header is "goroutine g [reason]:" — or, as Go does
 * for extra facts (", 2 minutes", ", locked to thread"), "goroutine g
 * [reason, ...]:": the wait reason must come first and whole. */
static void expect_header(const char *err, int64_t g, const char *reason)
{
	char want[128], want_more[128];
	snprintf(want, sizeof want, "goroutine %lld [%s]:", (long long)g, reason);
	snprintf(want_more, sizeof want_more, "goroutine %lld [%s, ", (long long)g, reason);
	char *b = block_or_fail(err, g, reason);
	char line[256];
	first_line(b, line, sizeof line);
	size_t n = strlen(line);
	bool ok = strcmp(line, want) == 0 ||
	          (strncmp(line, want_more, strlen(want_more)) == 0 && n >= 2 &&
	           strcmp(line + n - 2, "]:") == 0);
	cr_assert(ok, "header \"%s\", want \"%s\"; stderr:\n%s", line, want, err);
	free(b);
}

/* line_after returns the line that follows the line starting with prefix in
 * block (copied into buf), or NULL. */
static const char *line_after(const char *block, const char *prefix, char *buf, size_t len)
{
	size_t n = strlen(prefix);
	for (const char *p = block; p != NULL; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, prefix, n) == 0) {
			const char *next = strchr(p, '\n');
			if (next == NULL)
				return NULL;
			first_line(next + 1, buf, len);
			return buf;
		}
	}
	return NULL;
}

/* Does loc ("\t/path/deadlock_main.c:LINE +0x1f") name deadlock_main.c:line? */
static bool names_line(const char *loc, int line)
{
	char want[64];
	snprintf(want, sizeof want, "deadlock_main.c:%d", line);
	const char *p = strstr(loc, want);
	if (loc[0] != '\t' || p == NULL)
		return false;
	char after = p[strlen(want)];
	return after == '\0' || after == ' ';
}

/* Asserts "created by CREATOR in goroutine PARENT" and the file:line of the
 * goc_go call that carries go_tag. */
static void expect_created_by(const char *err, int64_t g, const char *creator, int64_t parent,
                              const char *go_tag)
{
	char *b = block_or_fail(err, g, creator);
	char prefix[128], loc[512];
	snprintf(prefix, sizeof prefix, "created by %s in goroutine %lld", creator, (long long)parent);
	const char *l = line_after(b, prefix, loc, sizeof loc);
	cr_assert_not_null(l, "goroutine %lld: no line \"%s\" in:\n%s", (long long)g, prefix, b);
	/* the prefix must be the whole line */
	const char *at = strstr(b, prefix);
	char end = at[strlen(prefix)];
	cr_assert(end == '\n', "goroutine %lld: \"%s\" has trailing text:\n%s", (long long)g, prefix,
	          b);
	int line = tag_line(go_tag);
	cr_assert(names_line(loc, line), "goroutine %lld: creation site \"%s\", want deadlock_main.c:%d",
	          (long long)g, loc, line);
	free(b);
}

/* Asserts the stack names fn, followed by the file:line of block_tag. */
static void expect_frame(const char *err, int64_t g, const char *fn, const char *block_tag)
{
	char *b = block_or_fail(err, g, fn);
	char prefix[128], loc[512];
	snprintf(prefix, sizeof prefix, "%s(", fn);
	const char *l = line_after(b, prefix, loc, sizeof loc);
	cr_assert_not_null(l, "goroutine %lld: no frame %s() in:\n%s", (long long)g, fn, b);
	int line = tag_line(block_tag);
	cr_assert(names_line(loc, line), "goroutine %lld: frame %s() at \"%s\", want deadlock_main.c:%d",
	          (long long)g, fn, loc, line);
	free(b);
}

/* ---- the main goroutine alone --------------------------------------------------- */

Test(deadlock, main_receiving_with_no_sender_exits_2_with_dump)
{
	struct helper_run r;
	expect_deadlock("main_recv", &r);
	expect_header(r.err, 1, "chan receive");
	cr_assert_eq(dump_count_headers(r.err), 1, "stderr:\n%s", r.err);
	helper_run_free(&r);
	expect_no_leftovers();
}

Test(deadlock, main_sending_with_no_receiver_is_reported_as_chan_send)
{
	struct helper_run r;
	expect_deadlock("main_send", &r);
	expect_header(r.err, 1, "chan send");
	helper_run_free(&r);
	expect_no_leftovers();
}

Test(deadlock, dump_shows_where_main_is_blocked)
{
	struct helper_run r;
	expect_deadlock("main_recv", &r);
	expect_frame(r.err, 1, "mode_main_recv", "@block:main_recv");
	helper_run_free(&r);
	expect_no_leftovers();
}

Test(deadlock, exited_goroutines_are_not_in_the_dump)
{
	struct helper_run r;
	expect_deadlock("after_exit", &r);
	expect_header(r.err, 1, "chan receive");
	cr_assert_eq(dump_count_headers(r.err), 1, "only main is alive; stderr:\n%s", r.err);
	helper_run_free(&r);
	expect_no_leftovers();
}

Test(deadlock, stopped_timer_does_not_keep_the_program_alive)
{
	struct helper_run r;
	expect_deadlock("stopped_timer", &r);
	cr_assert_null(strstr(r.out, "stop returned false"), "stop of an armed timer returned false");
	expect_header(r.err, 1, "chan receive");
	helper_run_free(&r);
	expect_no_leftovers();
}

/* ---- many goroutines blocked in different ways --------------------------------- */

static const struct {
	const char *name, *reason, *fn;
} blocked[] = {
	{"send", "chan send", "block_send"},
	{"recv", "chan receive", "block_recv"},
	{"select", "select", "block_select"},
	{"select0", "select (no cases)", "block_select0"},
	{"nilrecv", "chan receive (nil chan)", "block_nil_recv"},
	{"nilsend", "chan send (nil chan)", "block_nil_send"},
	{"spawner", "chan receive", "spawner"},
	{"nested", "chan receive", "block_nested"},
};
enum { NBLOCKED = sizeof blocked / sizeof blocked[0] };

Test(deadlock, dump_gives_each_blocked_goroutine_its_wait_reason)
{
	struct helper_run r;
	expect_deadlock("goroutines", &r);
	expect_header(r.err, 1, "chan receive");
	for (int i = 0; i < NBLOCKED; i++)
		expect_header(r.err, id_of(r.out, blocked[i].name), blocked[i].reason);
	/* A select over only NULL channels blocks forever too; its reason is
	 * not pinned down by goc.h, but it must be in the dump. */
	char *b = block_or_fail(r.err, id_of(r.out, "selnil"), "selnil");
	free(b);
	cr_assert_eq(dump_count_headers(r.err), NBLOCKED + 2,
	             "main, %d blocked goroutines and selnil; stderr:\n%s", NBLOCKED, r.err);
	cr_assert_eq(id_of(r.out, "spawner"), id_of(r.out, "spawner_ret"),
	             "goc_go's result and goc_id() differ");
	helper_run_free(&r);
	expect_no_leftovers();
}

Test(deadlock, dump_names_the_creating_function_and_line)
{
	struct helper_run r;
	expect_deadlock("goroutines", &r);
	for (int i = 0; i < NBLOCKED; i++) {
		if (strcmp(blocked[i].name, "nested") == 0)
			continue;
		char tag[64];
		snprintf(tag, sizeof tag, "@go:%s", blocked[i].name);
		expect_created_by(r.err, id_of(r.out, blocked[i].name), "mode_goroutines", 1, tag);
	}
	expect_created_by(r.err, id_of(r.out, "nested"), "spawner", id_of(r.out, "spawner"),
	                  "@go:nested");
	helper_run_free(&r);
	expect_no_leftovers();
}

Test(deadlock, dump_shows_the_function_and_line_where_each_goroutine_blocks)
{
	struct helper_run r;
	expect_deadlock("goroutines", &r);
	for (int i = 0; i < NBLOCKED; i++) {
		char tag[64];
		snprintf(tag, sizeof tag, "@block:%s", blocked[i].name);
		expect_frame(r.err, id_of(r.out, blocked[i].name), blocked[i].fn, tag);
	}
	expect_frame(r.err, 1, "mode_goroutines", "@block:main");
	helper_run_free(&r);
	expect_no_leftovers();
}

Test(deadlock, foreign_thread_blocked_on_a_channel_is_part_of_the_deadlock)
{
	struct helper_run r;
	expect_deadlock("thread", &r);
	int64_t t = id_of(r.out, "thread");
	cr_assert_gt(t, 1);
	expect_header(r.err, 1, "chan receive");
	expect_header(r.err, t, "chan receive");
	helper_run_free(&r);
	expect_no_leftovers();
}

/* ---- not deadlocks ---------------------------------------------------------------- */

Test(deadlock, sleeping_goroutine_is_not_a_deadlock)
{
	expect_no_deadlock("sleeper_ok");
}

Test(deadlock, pending_after_channel_is_not_a_deadlock)
{
	expect_no_deadlock("after_ok");
}

Test(deadlock, pending_after_func_is_not_a_deadlock)
{
	expect_no_deadlock("after_func_ok");
}

Test(deadlock, goroutine_in_a_blocking_section_is_not_a_deadlock)
{
	expect_no_deadlock("blocking_ok");
}

Test(deadlock, foreign_thread_outside_goc_is_not_a_deadlock)
{
	expect_no_deadlock("thread_ok");
}

/* ---- what a dump hides ---------------------------------------------------------- */

/*
 * A foreign thread blocked on a channel parks in libgoc (goc__park) and
 * started in libc (start_thread). By default the dump hides those frames;
 * GOC_TRACEBACK=system shows them, libgoc's with their file and line. (The
 * lines of hidden frames are not looked up: dump.c asks symbolize.c for
 * them only for frames it prints.)
 */
static char *thread_block(const char *traceback, struct helper_run *r)
{
	if (traceback != NULL)
		cr_assert_eq(setenv("GOC_TRACEBACK", traceback, 1), 0);
	expect_deadlock("thread", r);
	return block_or_fail(r->err, id_of(r->out, "thread"), "thread");
}

Test(dump, runtime_frames_are_hidden_unless_traceback_is_system)
{
	struct helper_run r;
	char *b = thread_block(NULL, &r);
	cr_assert_null(strstr(b, "goc__park("), "a libgoc frame in the default dump:\n%s", b);
	expect_frame(r.err, id_of(r.out, "thread"), "thread_blocks", "@block:thread");
	free(b);
	helper_run_free(&r);

	b = thread_block("system", &r);
	char loc[512];
	const char *l = line_after(b, "goc__park()", loc, sizeof loc);
	cr_assert_not_null(l, "no goc__park() frame with GOC_TRACEBACK=system:\n%s", b);
	cr_assert(loc[0] == '\t' && strstr(loc, "runtime/sched.c:") != NULL,
	          "goc__park() at \"%s\", want runtime/sched.c:LINE", loc);
	expect_frame(r.err, id_of(r.out, "thread"), "thread_blocks", "@block:thread");
	free(b);
	helper_run_free(&r);
	expect_no_leftovers();
}

/* ---- SIGQUIT ------------------------------------------------------------------------ */

Test(dump, sigquit_prints_the_dump_and_exits_2)
{
	char *argv[] = {(char *)helper_path("GOC_TEST_DEADLOCK_MAIN"), (char *)"sigquit", NULL};
	struct helper_run r;
	cr_assert_eq(helper_spawn(argv, "ready\n", SIGQUIT, TEST_WAIT_LIMIT, &r), 0);
	cr_assert(!r.timed_out, "hung; stdout:\n%s\nstderr:\n%s", r.out, r.err);
	cr_assert(r.signalled, "the helper never got ready; stdout:\n%s\nstderr:\n%s", r.out, r.err);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2,
	          "status 0x%x, want exit 2; stderr:\n%s", r.status, r.err);
	cr_assert_null(strstr(r.err, "all goroutines are asleep"), "SIGQUIT is not a deadlock:\n%s",
	               r.err);
	int64_t g = id_of(r.out, "recv");
	char *b = block_or_fail(r.err, 1, "main");
	free(b);
	expect_header(r.err, g, "chan receive");
	expect_created_by(r.err, g, "mode_sigquit", 1, "@go:sigquit");
	cr_assert_eq(dump_count_headers(r.err), 2, "stderr:\n%s", r.err);
	helper_run_free(&r);
	expect_no_leftovers();
}
