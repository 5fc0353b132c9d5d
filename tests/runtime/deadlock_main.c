/*
 * deadlock_main.c — helper program for test_deadlock.c. Each mode (argv[1])
 * either ends in a known global deadlock, which the runtime must report
 * ("fatal error: all goroutines are asleep - deadlock!", a goroutine dump,
 * exit status 2), or must finish normally (modes ending in _ok), printing
 * "ok".
 *
 * Before blocking, it prints "g NAME ID" lines on stdout (with write(2), so
 * nothing is lost in a stdio buffer at exit) so the test knows each
 * goroutine's id. Each goc_go call carries a tag of the form at-go-colon-NAME
 * in a comment on its line, and each blocking call a tag at-block-colon-NAME:
 * the test finds the line numbers the dump must name by searching this file
 * for the tags. Built with -O0 so that every call stays on its line and in its
 * function.
 */
#define GOC_TESTUTIL_NO_CRITERION
#include "testutil.h"

#include <pthread.h>
#include <unistd.h>

static goc_chan *a, *b, *c, *d, *never;

static void say(const char *name, int64_t id)
{
	char buf[128];
	int n = snprintf(buf, sizeof buf, "g %s %lld\n", name, (long long)id);
	if (write(STDOUT_FILENO, buf, (size_t)n) != n)
		abort();
}

static void say_line(const char *s)
{
	if (write(STDOUT_FILENO, s, strlen(s)) < 0)
		abort();
}

/* ---- goroutines blocked in each way ----------------------------------------- */

static void block_send(void *arg)
{
	(void)arg;
	int v = 1;
	goc_chan_send(a, &v); /* @block:send */
}

static void block_recv(void *arg)
{
	(void)arg;
	int v;
	goc_chan_recv(b, &v); /* @block:recv */
}

static void block_select(void *arg)
{
	(void)arg;
	int x = 0, y;
	goc_select_case cs[2] = {GOC_RECV(c, &y, NULL), GOC_SEND(d, &x)};
	goc_select(cs, 2); /* @block:select */
}

static void block_select0(void *arg)
{
	(void)arg;
	goc_select(NULL, 0); /* @block:select0 */
}

static void block_nil_recv(void *arg)
{
	(void)arg;
	goc_chan_recv(NULL, NULL); /* @block:nilrecv */
}

static void block_nil_send(void *arg)
{
	(void)arg;
	int v = 0;
	goc_chan_send(NULL, &v); /* @block:nilsend */
}

static void block_select_nil(void *arg)
{
	(void)arg;
	goc_select_case cs[1] = {GOC_RECV(NULL, NULL, NULL)};
	goc_select(cs, 1); /* @block:selnil */
}

static void block_nested(void *arg)
{
	(void)arg;
	goc_chan_recv(never, NULL); /* @block:nested */
}

static void spawner(void *arg)
{
	(void)arg;
	int64_t id = goc_go(block_nested, NULL); /* @go:nested */
	say("nested", id);
	say("spawner", goc_id());
	goc_chan_recv(never, NULL); /* @block:spawner */
}

static int mode_goroutines(void)
{
	int64_t id;
	id = goc_go(block_send, NULL); /* @go:send */
	say("send", id);
	id = goc_go(block_recv, NULL); /* @go:recv */
	say("recv", id);
	id = goc_go(block_select, NULL); /* @go:select */
	say("select", id);
	id = goc_go(block_select0, NULL); /* @go:select0 */
	say("select0", id);
	id = goc_go(block_nil_recv, NULL); /* @go:nilrecv */
	say("nilrecv", id);
	id = goc_go(block_nil_send, NULL); /* @go:nilsend */
	say("nilsend", id);
	id = goc_go(block_select_nil, NULL); /* @go:selnil */
	say("selnil", id);
	id = goc_go(spawner, NULL); /* @go:spawner */
	say("spawner_ret", id);
	goc_chan_recv(never, NULL); /* @block:main */
	return 1;
}

/* ---- the main thread alone ----------------------------------------------------- */

static int mode_main_recv(void)
{
	int v;
	goc_chan_recv(never, &v); /* @block:main_recv */
	return 1;
}

static int mode_main_send(void)
{
	int v = 3;
	goc_chan_send(a, &v); /* @block:main_send */
	return 1;
}

/* ---- a foreign thread ------------------------------------------------------------ */

static pthread_barrier_t bar;

static void *thread_blocks(void *arg)
{
	(void)arg;
	say("thread", goc_id());
	pthread_barrier_wait(&bar); /* main may block now: we are known to goc */
	goc_chan_recv(b, NULL); /* @block:thread */
	return NULL;
}

static int mode_thread(void)
{
	pthread_t th;
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&th, NULL, thread_blocks, NULL);
	pthread_barrier_wait(&bar);
	goc_chan_recv(never, NULL);
	return 1;
}

/* A foreign thread known to goc, busy outside goc (polling the dump, which
 * never parks it) until main has parked in its receive: every deadlock
 * check made meanwhile sees main parked and this thread running, and must
 * not fire. Then it sends. */
static void *thread_waits_then_sends(void *arg)
{
	(void)arg;
	say("thread", goc_id());
	pthread_barrier_wait(&bar);
	char last[64];
	if (!poll_until_blocked(1, "chan receive", last, sizeof last))
		say_line("main never blocked\n");
	int v = 5;
	goc_chan_send(b, &v);
	return NULL;
}

static int mode_thread_ok(void)
{
	pthread_t th;
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&th, NULL, thread_waits_then_sends, NULL);
	pthread_barrier_wait(&bar);
	int v = 0;
	goc_chan_recv(b, &v);
	pthread_join(th, NULL);
	say_line(v == 5 ? "ok\n" : "bad value\n");
	return v == 5 ? 0 : 1;
}

/* ---- after goroutines have exited -------------------------------------------- */

static void send_index(void *arg)
{
	int v = (int)(intptr_t)arg;
	goc_chan_send(b, &v);
}

static int mode_after_exit(void)
{
	for (int i = 0; i < 10; i++)
		goc_go(send_index, (void *)(intptr_t)i);
	for (int i = 0; i < 10; i++)
		goc_chan_recv(b, NULL);
	goc_chan_recv(never, NULL); /* @block:after_exit */
	return 1;
}

/* ---- timers ---------------------------------------------------------------------- */

static int mode_stopped_timer(void)
{
	goc_timer *t = goc_timer_new(10 * GOC_MILLISECOND);
	if (!goc_timer_stop(t))
		say_line("stop returned false\n");
	goc_chan_recv(goc_timer_chan(t), NULL); /* @block:stopped_timer */
	return 1;
}

static void sleep_then_send(void *arg)
{
	(void)arg;
	goc_sleep(100 * GOC_MILLISECOND);
	int v = 42;
	goc_chan_send(b, &v);
}

static int mode_sleeper_ok(void)
{
	goc_go(sleep_then_send, NULL);
	int v = 0;
	goc_chan_recv(b, &v);
	say_line(v == 42 ? "ok\n" : "bad value\n");
	return v == 42 ? 0 : 1;
}

static int mode_after_ok(void)
{
	goc_chan *t = goc_after(100 * GOC_MILLISECOND);
	int64_t when = 0;
	bool ok = goc_chan_recv(t, &when);
	goc_chan_free(t);
	say_line(ok && when > 0 ? "ok\n" : "bad value\n");
	return ok ? 0 : 1;
}

static void send_from_timer(void *arg)
{
	(void)arg;
	int v = 7;
	goc_chan_send(b, &v);
}

static int mode_after_func_ok(void)
{
	goc_timer *t = goc_after_func(100 * GOC_MILLISECOND, send_from_timer, NULL);
	int v = 0;
	goc_chan_recv(b, &v);
	goc_timer_free(t);
	say_line(v == 7 ? "ok\n" : "bad value\n");
	return v == 7 ? 0 : 1;
}

/* A goroutine in a real blocking call (a pipe read) inside a blocking
 * section: not a deadlock while main waits for it. The pipe is written by a
 * thread goc never sees (the dump it polls does not register it), and only
 * once main has parked, so every check meanwhile sees main parked and the
 * goroutine in its section. */
static int wake_pipe[2];

static void *write_when_main_parks(void *arg)
{
	(void)arg;
	char last[64];
	if (!poll_until_blocked(1, "chan receive", last, sizeof last))
		say_line("main never blocked\n");
	char x = 1;
	if (write(wake_pipe[1], &x, 1) != 1)
		say_line("pipe write failed\n");
	return NULL;
}

static void blocking_then_send(void *arg)
{
	(void)arg;
	char x = 0;
	goc_blocking_begin();
	ssize_t n = read(wake_pipe[0], &x, 1);
	goc_blocking_end();
	int v = n == 1 ? 9 : -1;
	goc_chan_send(b, &v);
}

static int mode_blocking_ok(void)
{
	pthread_t th;
	if (pipe(wake_pipe) != 0)
		return 1;
	pthread_create(&th, NULL, write_when_main_parks, NULL);
	goc_go(blocking_then_send, NULL);
	int v = 0;
	goc_chan_recv(b, &v);
	pthread_join(th, NULL);
	say_line(v == 9 ? "ok\n" : "bad value\n");
	return v == 9 ? 0 : 1;
}

/* ---- SIGQUIT --------------------------------------------------------------------- */

/* A goroutine blocked in a receive (seen so in the dump), then "ready" on
 * stdout and a long sleep: the test sends SIGQUIT. */
static int mode_sigquit(void)
{
	int64_t id = goc_go(block_recv, NULL); /* @go:sigquit */
	say("recv", id);
	char last[64];
	if (!poll_until_blocked(id, "chan receive", last, sizeof last)) {
		say_line("never blocked\n");
		return 1;
	}
	say_line("ready\n");
	goc_sleep(60 * GOC_SECOND);
	say_line("no SIGQUIT\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} modes[] = {
		{"goroutines", mode_goroutines},
		{"main_recv", mode_main_recv},
		{"main_send", mode_main_send},
		{"thread", mode_thread},
		{"thread_ok", mode_thread_ok},
		{"after_exit", mode_after_exit},
		{"stopped_timer", mode_stopped_timer},
		{"sleeper_ok", mode_sleeper_ok},
		{"after_ok", mode_after_ok},
		{"after_func_ok", mode_after_func_ok},
		{"blocking_ok", mode_blocking_ok},
		{"sigquit", mode_sigquit},
	};
	if (argc != 2) {
		fprintf(stderr, "usage: %s MODE\n", argv[0]);
		return 64;
	}
	a = goc_chan_new(sizeof(int), 0);
	b = goc_chan_new(sizeof(int), 16);
	c = goc_chan_new(sizeof(int), 0);
	d = goc_chan_new(sizeof(int), 0);
	never = goc_chan_new(sizeof(int), 0);
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(argv[1], modes[i].name) == 0)
			return modes[i].fn();
	fprintf(stderr, "unknown mode %s\n", argv[1]);
	return 64;
}
