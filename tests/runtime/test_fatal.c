/*
 * test_fatal.c — Go-style fatal misuse (goc.h "Fatal errors"; runtime/chan.c,
 * runtime/select.c, and the fatal path in runtime/dump.c): send on a closed
 * channel (also by trysend, by a select, and by a sender blocked when the
 * channel is closed), close of a closed channel, close of nil, and freeing a
 * channel a goroutine is blocked on.
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
	if (want_first_line != NULL)
		cr_assert_str_eq(line, want_first_line, "%s: stderr:\n%s", mode, r.err);
	else
		cr_assert(strncmp(line, "fatal error: ", 13) == 0 || strncmp(line, "panic: ", 7) == 0,
		          "%s: stderr:\n%s", mode, r.err);
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

Test(fatal, free_of_channel_with_a_blocked_receiver_is_a_fatal_error)
{
	expect_fatal("free_with_blocked_receiver", NULL);
}
