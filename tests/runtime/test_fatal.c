/*
 * test_fatal.c — Go-style fatal misuse (goc.h "Fatal errors"; runtime/chan.c,
 * runtime/select.c, and the fatal path in runtime/dump.c): send on a closed
 * channel (with room in its buffer, by trysend, by a select that chooses
 * the send, and by a sender blocked when the channel is closed), close of a
 * closed channel, close of nil, and freeing a channel a goroutine is blocked
 * on (receiving or sending). Sync misuse (runtime/mutex.c, rwmutex.c,
 * waitgroup.c, sema.c, errgroup.c): unlock of an unlocked mutex, RUnlock and
 * Unlock of an unlocked RWMutex (and RUnlock of a write-locked, Unlock of a
 * read-locked one), a WaitGroup counter taken below zero by done, WaitGroup
 * reuse before the previous Wait has returned, releasing more semaphore
 * units than held, and changing an errgroup's limit while its tasks run. A
 * goroutine overflowing its stack (runtime/stack.c, the SIGSEGV handler in
 * dump.c), with and without a guard page.
 *
 * Each is a death test run in tests/runtime/fatal_main.c (one mode each),
 * so that besides the status — killed by SIGABRT — the exact message (Go's:
 * "panic: ..." for what Go panics on, "fatal error: ..." for what it throws)
 * and the goroutine dump on stderr are checked. (Criterion's own death
 * tests, .signal = SIGABRT, cannot see the message.)
 */
#include "testutil.h"

TestSuite(fatal, .timeout = TEST_TIMEOUT_S);

/* ---- misuse ------------------------------------------------------------------- */

static void run_fatal_main(const char *mode, struct helper_run *r)
{
	char *argv[] = {(char *)helper_path("GOC_TEST_FATAL_MAIN"), (char *)mode, NULL};
	cr_assert_eq(helper_spawn(argv, NULL, 0, TEST_WAIT_LIMIT, r), 0, "cannot run %s", argv[0]);
	cr_assert(!r->timed_out, "%s: hung; stderr:\n%s", mode, r->err);
}

/* Checks a finished fatal_main run: killed by SIGABRT, stderr's first line,
 * and a goroutine dump that includes the main goroutine. */
static void check_fatal(const char *mode, const struct helper_run *r, const char *want_first_line)
{
	cr_assert_null(strstr(r->out, "survived"), "%s: the misuse was not fatal", mode);
	cr_assert(WIFSIGNALED(r->status) && WTERMSIG(r->status) == SIGABRT,
	          "%s: status 0x%x, not killed by SIGABRT; stderr:\n%s", mode, r->status, r->err);
	char line[256];
	first_line(r->err, line, sizeof line);
	cr_assert_str_eq(line, want_first_line, "%s: stderr:\n%s", mode, r->err);
	cr_assert_not_null(strstr(r->err, "\ngoroutine 1 ["),
	                   "%s: no goroutine dump with the main goroutine; stderr:\n%s", mode, r->err);
}

static void expect_fatal(const char *mode, const char *want_first_line)
{
	struct helper_run r;
	run_fatal_main(mode, &r);
	check_fatal(mode, &r, want_first_line);
	helper_run_free(&r);
	expect_no_leftovers();
}

Test(fatal, send_on_closed_channel_with_room_in_its_buffer_says_so)
{
	expect_fatal("send_closed", "panic: send on closed channel");
}

Test(fatal, trysend_on_closed_channel_says_send_on_closed_channel)
{
	expect_fatal("trysend_closed", "panic: send on closed channel");
}

Test(fatal, select_send_on_closed_channel_says_send_on_closed_channel)
{
	expect_fatal("select_send_closed", "panic: send on closed channel");
}

Test(fatal, close_of_closed_channel_says_so)
{
	expect_fatal("close_closed", "panic: close of closed channel");
}

Test(fatal, close_of_nil_channel_says_so)
{
	expect_fatal("close_nil", "panic: close of nil channel");
}

Test(fatal, blocked_sender_woken_by_close_says_send_on_closed_channel)
{
	expect_fatal("close_with_blocked_sender", "panic: send on closed channel");
}

Test(fatal, free_of_channel_with_a_blocked_receiver_says_goroutines_are_blocked_on_it)
{
	expect_fatal("free_with_blocked_receiver",
	             "fatal error: free of a channel that goroutines are blocked on");
}

Test(fatal, free_of_channel_with_a_blocked_sender_says_goroutines_are_blocked_on_it)
{
	expect_fatal("free_with_blocked_sender",
	             "fatal error: free of a channel that goroutines are blocked on");
}

Test(fatal, unlock_of_unlocked_mutex_says_so)
{
	expect_fatal("mutex_unlock_unlocked", "fatal error: sync: unlock of unlocked mutex");
}

Test(fatal, runlock_of_unlocked_rwmutex_says_so)
{
	expect_fatal("rwmutex_runlock_unlocked", "fatal error: sync: RUnlock of unlocked RWMutex");
}

Test(fatal, runlock_of_write_locked_rwmutex_says_runlock_of_unlocked_rwmutex)
{
	expect_fatal("rwmutex_runlock_write_locked", "fatal error: sync: RUnlock of unlocked RWMutex");
}

Test(fatal, unlock_of_unlocked_rwmutex_says_so)
{
	expect_fatal("rwmutex_unlock_unlocked", "fatal error: sync: Unlock of unlocked RWMutex");
}

Test(fatal, unlock_of_read_locked_rwmutex_says_unlock_of_unlocked_rwmutex)
{
	expect_fatal("rwmutex_unlock_read_locked", "fatal error: sync: Unlock of unlocked RWMutex");
}

Test(fatal, done_past_zero_says_negative_waitgroup_counter)
{
	expect_fatal("waitgroup_negative", "panic: sync: negative WaitGroup counter");
}

Test(fatal, waitgroup_reuse_before_wait_returned_says_so)
{
	expect_fatal("waitgroup_reuse",
	             "panic: sync: WaitGroup is reused before previous Wait has returned");
}

Test(fatal, semaphore_release_of_units_never_acquired_says_released_more_than_held)
{
	expect_fatal("sem_release_unheld", "panic: semaphore: released more than held");
}

Test(fatal, semaphore_release_of_more_than_held_says_so)
{
	expect_fatal("sem_release_more_than_held", "panic: semaphore: released more than held");
}

Test(fatal, errgroup_set_limit_while_tasks_run_says_how_many_are_active)
{
	expect_fatal("errgroup_set_limit_active",
	             "panic: errgroup: modify limit while 1 goroutines in the group are still active");
}

/* ---- stack overflow ----------------------------------------------------------- */

/*
 * A goroutine that overflows its stack dies with
 * "fatal error: stack overflow in goroutine N (stack size S bytes; raise
 * GOC_STACK_SIZE)" and SIGABRT, goc's status for every fatal error (Go
 * prints "fatal error: stack overflow" and exits 2), and the dump shows it
 * [running] in the function that recursed. mode: see fatal_main.c.
 */
static void expect_stack_overflow(const char *mode, const char *recursing)
{
	struct helper_run r;
	run_fatal_main(mode, &r);
	long long id = 0;
	const char *said = strstr(r.out, "overflowing goroutine ");
	cr_assert(said != NULL && sscanf(said, "overflowing goroutine %lld", &id) == 1,
	          "%s: the helper never started recursing; status 0x%x; stderr:\n%s", mode, r.status,
	          r.err);
	goc_stats st;
	goc_read_stats(&st);
	char want[256], running[128];
	snprintf(want, sizeof want,
	         "fatal error: stack overflow in goroutine %lld (stack size %lld bytes; raise "
	         "GOC_STACK_SIZE)",
	         id, (long long)st.stack_size);
	check_fatal(mode, &r, want);
	snprintf(running, sizeof running, "\ngoroutine %lld [running]:\n%s()\n", id, recursing);
	cr_assert_not_null(strstr(r.err, running), "%s: no [running] %s in the dump; stderr:\n%s", mode,
	                   recursing, r.err);
	helper_run_free(&r);
	expect_no_leftovers();
}

/* Regression: workers ran with every signal blocked, so the kernel killed
 * the process on the guard-page fault (a bare SIGSEGV, exit 139) instead of
 * running the handler. Under ThreadSanitizer the sanitizer owns SIGSEGV
 * (dump.c installs its handler only over SIG_DFL) and reports the overflow
 * itself, exiting 66; the test checks that instead. */
Test(fatal, goroutine_overflowing_into_its_guard_page_says_stack_overflow)
{
	if (!GOC_TEST_TSAN) {
		expect_stack_overflow("stack_overflow", "recurse_forever");
		return;
	}
	struct helper_run r;
	run_fatal_main("stack_overflow", &r);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 66, "status 0x%x; stderr:\n%s",
	          r.status, r.err);
	cr_assert_not_null(strstr(r.err, "ERROR: ThreadSanitizer: stack-overflow on address"),
	                   "stderr:\n%s", r.err);
	helper_run_free(&r);
	expect_no_leftovers();
}

/* Without a guard page the overflow is found when the goroutine switches
 * out with its stack pointer below its stack. */
Test(fatal, goroutine_switching_out_below_its_stack_says_stack_overflow)
{
	cr_assert_eq(setenv("GOC_STACK_GUARDS", "0", 1), 0);
	expect_stack_overflow("stack_overflow_unguarded", "recurse_past_bottom");
}
