/*
 * fatal_main.c — helper program for test_fatal.c: each mode (argv[1]) commits
 * one misuse that goc.h makes a fatal error (channels, the sync primitives'
 * Go-style misuse, a goroutine overflowing its stack), so the test can check
 * the message and the goroutine dump on stderr and the SIGABRT. Prints
 * "survived" on stdout if the runtime let the misuse pass.
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

/* ---- stack overflow ---- */

/* Says which goroutine is about to overflow ("overflowing goroutine N"), for
 * the test to expect in the message. */
static void say_overflowing(void)
{
	char line[64];
	int n = snprintf(line, sizeof line, "overflowing goroutine %lld\n", (long long)goc_id());
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		abort();
}

/* 1 KiB frames until the process dies: the guard page below the stack
 * stops it. */
static int recurse_forever(int n)
{
	volatile char frame[1024];
	frame[0] = (char)n;
	if (n < 0) /* never: keeps -Winfinite-recursion quiet */
		return 0;
	return recurse_forever(n + 1) + frame[0];
}

static void overflow_forever(void *arg)
{
	(void)arg;
	say_overflowing();
	recurse_forever(0);
}

/* Recurse until the frames reach 8 KiB below the stack's bottom (into the
 * untouched gap under it: no guard page there with GOC_STACK_GUARDS=0), then
 * switch out: the switch finds the stack pointer below the stack. */
static const char *stack_top;

static int recurse_past_bottom(int n)
{
	volatile char frame[1024];
	frame[0] = (char)n;
	goc_stats st;
	goc_read_stats(&st);
	if (stack_top - (const char *)__builtin_frame_address(0) > st.stack_size + 8192) {
		goc_yield();
		return 0;
	}
	return recurse_past_bottom(n + 1) + frame[0];
}

static void overflow_then_yield(void *arg)
{
	(void)arg;
	stack_top = __builtin_frame_address(0);
	say_overflowing();
	recurse_past_bottom(0);
}

/* ---- sync misuse ---- */

static goc_waitgroup wg;

static void wait_wg(void *arg)
{
	(void)arg;
	goc_waitgroup_wait(&wg);
}

/* With one worker, the waiter that done() readies cannot run before add():
 * it is still "released but not returned" when the group is reused. */
static void done_then_add(void *arg)
{
	(void)arg;
	goc_waitgroup_done(&wg);
	goc_waitgroup_add(&wg, 1);
}

static int wait_for_channel(void *arg)
{
	(void)arg;
	goc_chan_recv(ch, NULL);
	return 0;
}

static bool sync_misuse(const char *m)
{
	if (strcmp(m, "mutex_unlock_unlocked") == 0) {
		goc_mutex mu = GOC_MUTEX_INIT;
		goc_mutex_lock(&mu);
		goc_mutex_unlock(&mu);
		goc_mutex_unlock(&mu);
	} else if (strcmp(m, "rwmutex_runlock_unlocked") == 0) {
		goc_rwmutex rw = GOC_RWMUTEX_INIT;
		goc_rwmutex_rlock(&rw);
		goc_rwmutex_runlock(&rw);
		goc_rwmutex_runlock(&rw);
	} else if (strcmp(m, "rwmutex_unlock_unlocked") == 0) {
		goc_rwmutex rw = GOC_RWMUTEX_INIT;
		goc_rwmutex_lock(&rw);
		goc_rwmutex_unlock(&rw);
		goc_rwmutex_unlock(&rw);
	} else if (strcmp(m, "rwmutex_runlock_write_locked") == 0) {
		goc_rwmutex rw = GOC_RWMUTEX_INIT;
		goc_rwmutex_lock(&rw);
		goc_rwmutex_runlock(&rw);
	} else if (strcmp(m, "rwmutex_unlock_read_locked") == 0) {
		goc_rwmutex rw = GOC_RWMUTEX_INIT;
		goc_rwmutex_rlock(&rw);
		goc_rwmutex_unlock(&rw);
	} else if (strcmp(m, "waitgroup_negative") == 0) {
		goc_waitgroup_add(&wg, 2);
		goc_waitgroup_done(&wg);
		goc_waitgroup_done(&wg);
		goc_waitgroup_done(&wg);
	} else if (strcmp(m, "waitgroup_reuse") == 0) {
		goc_set_maxprocs(1);
		goc_waitgroup_add(&wg, 1);
		start_blocked(wait_wg, "sync.WaitGroup.Wait");
		goc_go(done_then_add, NULL);
		goc_sleep(10 * GOC_SECOND); /* the reuser dies; we must not exit first */
	} else if (strcmp(m, "sem_release_unheld") == 0) {
		goc_sem s;
		goc_sem_init(&s, 2);
		goc_sem_release(&s, 1);
	} else if (strcmp(m, "sem_release_more_than_held") == 0) {
		goc_sem s;
		goc_sem_init(&s, 4);
		goc_sem_acquire(&s, 2);
		goc_sem_release(&s, 3);
	} else if (strcmp(m, "errgroup_set_limit_active") == 0) {
		goc_errgroup *g = goc_errgroup_new();
		goc_errgroup_go(g, wait_for_channel, NULL);
		goc_errgroup_set_limit(g, 2);
	} else {
		return false;
	}
	return true;
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
		goc_chan *buffered = goc_chan_new(sizeof(int), 1); /* room for the value */
		goc_chan_close(buffered);
		goc_chan_send(buffered, &v);
	} else if (strcmp(m, "trysend_closed") == 0) {
		goc_chan_close(ch);
		goc_chan_trysend(ch, &v);
	} else if (strcmp(m, "select_send_closed") == 0) {
		goc_chan_close(ch);
		/* The receive from NULL is never ready: the send is chosen. */
		goc_select_case cs[2] = {GOC_RECV(NULL, NULL, NULL), GOC_SEND(ch, &v)};
		goc_select(cs, 2);
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
	} else if (strcmp(m, "free_with_blocked_sender") == 0) {
		start_blocked(send_forever, "chan send");
		goc_chan_free(ch);
	} else if (strcmp(m, "stack_overflow") == 0 || strcmp(m, "stack_overflow_unguarded") == 0) {
		goc_go(strcmp(m, "stack_overflow") == 0 ? overflow_forever : overflow_then_yield, NULL);
		goc_chan_recv(ch, NULL); /* the goroutine dies; we must not exit first */
	} else if (!sync_misuse(m)) {
		fprintf(stderr, "unknown mode %s\n", m);
		return 64;
	}
	survived();
	return 0;
}
