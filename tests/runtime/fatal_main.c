/*
 * fatal_main.c — helper program for test_fatal.c: each mode (argv[1]) commits
 * one misuse that goc.h makes a fatal error, so the test can check the
 * message and the goroutine dump on stderr and the SIGABRT. Prints "survived"
 * on stdout if the runtime let the misuse pass.
 */
#define GOC_TESTUTIL_NO_CRITERION
#include "testutil.h"

static goc_chan *ch;

static void survived(void)
{
	const char msg[] = "survived\n";
	if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0)
		abort();
}

static void recv_forever(void *arg)
{
	(void)arg;
	goc_chan_recv(ch, NULL);
}

static void send_forever(void *arg)
{
	(void)arg;
	int v = 1;
	goc_chan_send(ch, &v);
}

/* Starts fn and waits until the dump shows it blocked with reason. */
static void start_blocked(goc_fn fn, const char *reason)
{
	char last[64];
	int64_t id = goc_go(fn, NULL);
	if (id <= 0 || !poll_until_blocked(id, reason, last, sizeof last)) {
		fprintf(stderr, "helper: goroutine never blocked in [%s] (last [%s])\n", reason, last);
		exit(3);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s MODE\n", argv[0]);
		return 64;
	}
	const char *m = argv[1];
	int v = 1;
	ch = goc_chan_new(sizeof(int), 0);
	if (strcmp(m, "send_closed") == 0) {
		goc_chan_close(ch);
		goc_chan_send(ch, &v);
	} else if (strcmp(m, "trysend_closed") == 0) {
		goc_chan_close(ch);
		goc_chan_trysend(ch, &v);
	} else if (strcmp(m, "select_send_closed") == 0) {
		goc_chan_close(ch);
		goc_select_case cs[1] = {GOC_SEND(ch, &v)};
		goc_select(cs, 1);
	} else if (strcmp(m, "close_closed") == 0) {
		goc_chan_close(ch);
		goc_chan_close(ch);
	} else if (strcmp(m, "close_nil") == 0) {
		goc_chan_close(NULL);
	} else if (strcmp(m, "close_with_blocked_sender") == 0) {
		start_blocked(send_forever, "chan send");
		goc_chan_close(ch);
		goc_sleep(10 * GOC_SECOND); /* the sender dies; we must not exit first */
	} else if (strcmp(m, "free_with_blocked_receiver") == 0) {
		start_blocked(recv_forever, "chan receive");
		goc_chan_free(ch);
	} else {
		fprintf(stderr, "unknown mode %s\n", m);
		return 64;
	}
	survived();
	return 0;
}
