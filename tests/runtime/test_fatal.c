/*
 * test_fatal.c — Go-style fatal misuse (goc.h "Fatal errors"; runtime/chan.c,
 * runtime/select.c, and the fatal path in runtime/dump.c): send on a closed
 * channel (also by trysend, by a select, and by a sender blocked when the
 * channel is closed), close of a closed channel, close of nil, and freeing a
 * channel a goroutine is blocked on. Sync misuse (runtime/mutex.c,
 * rwmutex.c, waitgroup.c, sema.c, errgroup.c): unlock of an unlocked mutex,
 * RUnlock and Unlock of an unlocked RWMutex (and Unlock of a read-locked
 * one), a negative WaitGroup counter, WaitGroup reuse before the previous
 * Wait has returned, releasing more semaphore units than held, and changing
 * an errgroup's limit while its tasks run.
 *
 * Two kinds of test: death tests in this process (Criterion .signal =
 * SIGABRT), and the same misuse run in tests/runtime/fatal_main.c so the
 * message (Go's: "panic: ..." for what Go panics on, "fatal error: ..." for what it throws) and the goroutine dump on stderr can be
 * checked too.
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

/* Runs fatal_main MODE and checks: killed by SIGABRT, stderr's first line,
 * and a goroutine dump that includes the main goroutine. */
static void expect_fatal(const char *mode, const char *want_first_line)
{
	char *argv[] = {(char *)helper_path("GOC_TEST_FATAL_MAIN"), (char *)mode, NULL};
	struct helper_run r;
	cr_assert_eq(helper_spawn(argv, NULL, 0, TEST_WAIT_LIMIT, &r), 0, "cannot run %s", argv[0]);
	cr_assert(!r.timed_out, "%s: hung; stderr:\n%s", mode, r.err);
	cr_assert_null(strstr(r.out, "survived"), "%s: the misuse was not fatal", mode);
	cr_assert(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGABRT,
	          "%s: status 0x%x, not killed by SIGABRT; stderr:\n%s", mode, r.status, r.err);
	char line[256];
	first_line(r.err, line, sizeof line);
	cr_assert_str_eq(line, want_first_line, "%s: stderr:\n%s", mode, r.err);
	cr_assert_not_null(strstr(r.err, "\ngoroutine 1 ["),
	                   "%s: no goroutine dump with the main goroutine; stderr:\n%s", mode, r.err);
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
