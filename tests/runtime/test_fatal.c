/*
 * test_fatal.c — Go-style fatal misuse (goc.h "Fatal errors"; runtime/chan.c,
 * runtime/select.c, and the fatal path in runtime/dump.c): send on a closed
 * channel (also by trysend, by a select, and by a sender blocked when the
 * channel is closed), close of a closed channel, close of nil, and freeing a
 * channel a goroutine is blocked on. Sync misuse (runtime/mutex.c,
 * rwmutex.c, waitgroup.c, sema.c, errgroup.c): unlock of an unlocked mutex,
 * RUnlock and Unlock of an unlocked RWMutex (and RUnlock of a write-locked,
 * Unlock of a read-locked one), a negative WaitGroup counter, WaitGroup
 * reuse before the previous Wait has returned, releasing more semaphore
 * units than held, and changing an errgroup's limit while its tasks run.
 * A goroutine overflowing its stack (runtime/stack.c, the SIGSEGV handler
 * in dump.c), with and without a guard page.
 *
 * Two kinds of test: death tests in this process (Criterion .signal =
 * SIGABRT), and the same misuse run in tests/runtime/fatal_main.c so the
 * message (Go's: "panic: ..." for what Go panics on, "fatal error: ..." for
 * what it throws) and the goroutine dump on stderr can be checked too. Every
 * death test has a message twin; the stack overflow is tested only in the
 * helper.
 */
#include "testutil.h"

TestSuite(fatal, .timeout = TEST_TIMEOUT_S);

/* ---- death tests ----------------------------------------------------------- */

Test(fatal, send_on_closed_channel_aborts, .signal = SIGABRT)
{
	goc_chan *c = goc_chan_new(sizeof(int), 1);
	int v = 1;
	goc_chan_close(c);
	goc_chan_send(c, &v);
}

Test(fatal, trysend_on_closed_channel_aborts, .signal = SIGABRT)
{
	goc_chan *c = goc_chan_new(sizeof(int), 0);
	int v = 1;
	goc_chan_close(c);
	goc_chan_trysend(c, &v);
}

Test(fatal, select_send_case_on_closed_channel_aborts_when_chosen, .signal = SIGABRT)
{
	goc_chan *c = goc_chan_new(sizeof(int), 0);
	int v = 1;
	goc_chan_close(c);
	goc_select_case cs[2] = {GOC_RECV(NULL, NULL, NULL), GOC_SEND(c, &v)};
	goc_select(cs, 2);
}

Test(fatal, close_of_closed_channel_aborts, .signal = SIGABRT)
{
	goc_chan *c = goc_chan_new(sizeof(int), 0);
	goc_chan_close(c);
	goc_chan_close(c);
}

Test(fatal, close_of_nil_channel_aborts, .signal = SIGABRT)
{
	goc_chan_close(NULL);
}

static void send_one(void *p)
{
	int v = 1;
	goc_chan_send((goc_chan *)p, &v);
}

Test(fatal, close_with_a_blocked_sender_aborts, .signal = SIGABRT)
{
	goc_chan *c = chan_or_fail(sizeof(int), 0);
	wait_until_blocked(go_or_fail(send_one, c), "chan send");
	goc_chan_close(c);
	/* The sender wakes on a closed channel and dies; wait for it. */
	goc_sleep(TEST_WAIT_LIMIT);
}

static void recv_one(void *p)
{
	goc_chan_recv((goc_chan *)p, NULL);
}

Test(fatal, free_of_channel_with_a_blocked_receiver_aborts, .signal = SIGABRT)
{
	goc_chan *c = chan_or_fail(sizeof(int), 0);
	wait_until_blocked(go_or_fail(recv_one, c), "chan receive");
	goc_chan_free(c);
}

Test(fatal, free_of_channel_with_a_blocked_sender_aborts, .signal = SIGABRT)
{
	goc_chan *c = chan_or_fail(sizeof(int), 0);
	wait_until_blocked(go_or_fail(send_one, c), "chan send");
	goc_chan_free(c);
}

/* ---- death tests: sync misuse ---------------------------------------------------- */

Test(fatal, unlock_of_unlocked_mutex_aborts, .signal = SIGABRT)
{
	goc_mutex m = GOC_MUTEX_INIT;
	goc_mutex_lock(&m);
	goc_mutex_unlock(&m);
	goc_mutex_unlock(&m);
}

Test(fatal, runlock_of_unlocked_rwmutex_aborts, .signal = SIGABRT)
{
	goc_rwmutex rw = GOC_RWMUTEX_INIT;
	goc_rwmutex_rlock(&rw);
	goc_rwmutex_runlock(&rw);
	goc_rwmutex_runlock(&rw);
}

Test(fatal, runlock_of_write_locked_rwmutex_aborts, .signal = SIGABRT)
{
	goc_rwmutex rw = GOC_RWMUTEX_INIT;
	goc_rwmutex_lock(&rw);
	goc_rwmutex_runlock(&rw);
}

Test(fatal, unlock_of_unlocked_rwmutex_aborts, .signal = SIGABRT)
{
	goc_rwmutex rw = GOC_RWMUTEX_INIT;
	goc_rwmutex_lock(&rw);
	goc_rwmutex_unlock(&rw);
	goc_rwmutex_unlock(&rw);
}

Test(fatal, unlock_of_read_locked_rwmutex_aborts, .signal = SIGABRT)
{
	goc_rwmutex rw = GOC_RWMUTEX_INIT;
	goc_rwmutex_rlock(&rw);
	goc_rwmutex_unlock(&rw);
}

Test(fatal, negative_waitgroup_counter_aborts, .signal = SIGABRT)
{
	goc_waitgroup wg = GOC_WAITGROUP_INIT;
	goc_waitgroup_add(&wg, 2);
	goc_waitgroup_done(&wg);
	goc_waitgroup_done(&wg);
	goc_waitgroup_done(&wg);
}

static goc_waitgroup reused_wg;

static void wait_reused_wg(void *p)
{
	(void)p;
	goc_waitgroup_wait(&reused_wg);
}

static void done_then_add(void *p)
{
	(void)p;
	goc_waitgroup_done(&reused_wg); /* readies the waiter ... */
	goc_waitgroup_add(&reused_wg, 1); /* ... which cannot have run: one worker */
}

Test(fatal, waitgroup_reuse_before_the_previous_wait_returned_aborts, .signal = SIGABRT)
{
	goc_set_maxprocs(1);
	goc_waitgroup_add(&reused_wg, 1);
	wait_until_blocked(go_or_fail(wait_reused_wg, NULL), "sync.WaitGroup.Wait");
	go_or_fail(done_then_add, NULL);
	/* The reuser dies on the worker; wait for it. */
	goc_sleep(TEST_WAIT_LIMIT);
}

Test(fatal, semaphore_release_of_units_never_acquired_aborts, .signal = SIGABRT)
{
	goc_sem s;
	cr_assert_eq(goc_sem_init(&s, 2), 0);
	goc_sem_release(&s, 1);
}

Test(fatal, semaphore_release_of_more_than_held_aborts, .signal = SIGABRT)
{
	goc_sem s;
	cr_assert_eq(goc_sem_init(&s, 4), 0);
	cr_assert_eq(goc_sem_acquire(&s, 2), 0);
	goc_sem_release(&s, 3);
}

static int wait_on_channel(void *p)
{
	goc_chan_recv((goc_chan *)p, NULL);
	return 0;
}

Test(fatal, errgroup_set_limit_while_tasks_run_aborts, .signal = SIGABRT)
{
	goc_chan *gate = chan_or_fail(0, 0);
	goc_errgroup *g = goc_errgroup_new();
	cr_assert_not_null(g);
	goc_errgroup_go(g, wait_on_channel, gate);
	goc_errgroup_set_limit(g, 2);
}

/* ---- messages ----------------------------------------------------------------- */

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

Test(fatal, send_on_closed_channel_says_so)
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

Test(fatal, negative_waitgroup_counter_says_so)
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
