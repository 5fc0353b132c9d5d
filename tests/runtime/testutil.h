/*
 * testutil.h — helpers shared by the runtime test suites (tests/runtime/).
 *
 * - GOC_TEST_TSAN, TEST_SCALE(n): under ThreadSanitizer the big stress sizes
 *   shrink to 1/100, and time slack and timeouts grow.
 * - armed_timers(): how many timers are armed now.
 * - expect_no_leftovers(): every test ends with it. Once a test has joined
 *   what it started, no goroutine, armed timer or in-use stack may remain
 *   (exiting goroutines are given a bounded number of yields to finish).
 * - wait_until_blocked(g, reason): orders a test after goroutine g has parked
 *   with the given wait reason. It polls goc_dump_goroutines — the public way
 *   to see a goroutine's state — and never sleeps. Main thread only: it
 *   asserts, and a Criterion assertion must not fire on a goroutine.
 * - dump_*(): read a goroutine dump (Go's format, see goc.h) apart.
 * - run_helper(): runs a helper program (deadlock_main, fatal_main) with
 *   posix_spawn, capturing stdout and stderr, with a deadline.
 * - peak_rss_kib(): the process's peak resident set (getrusage).
 * - join(done, n): receives n completion signals from a 0-size channel.
 * - note_max(max, now): keeps a high-water mark (most holders at once).
 * - expect_no_starvation(): one lock taker is not starved by goroutines that
 *   keep re-taking the lock (mutex, rwmutex).
 * - expect_thread_holder_seen(): a thread that got a lock, units or a count
 *   without waiting counts for the deadlock check (mutex, rwmutex, sema,
 *   waitgroup).
 *
 * Rule for every suite: goroutines never call cr_assert*; they record what
 * they saw and the main thread asserts on it after joining them.
 *
 * Helper programs define GOC_TESTUTIL_NO_CRITERION before including this
 * header and get only the Criterion-free parts.
 */
#ifndef GOC_TESTS_RUNTIME_TESTUTIL_H
#define GOC_TESTS_RUNTIME_TESTUTIL_H

#include <goc/goc.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef GOC_TESTUTIL_NO_CRITERION
#include <criterion/criterion.h>
#endif

/* ---- ThreadSanitizer scaling ------------------------------------------ */

#if defined(__SANITIZE_THREAD__)
#define GOC_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GOC_TEST_TSAN 1
#endif
#endif
#ifndef GOC_TEST_TSAN
#define GOC_TEST_TSAN 0
#endif

/* Big sizes (stress) run at 1/100 under TSan. */
#define TEST_SCALE(n) (GOC_TEST_TSAN ? (n) / 100 : (n))

/* Criterion per-test timeout (seconds) for the ordinary suites. */
#define TEST_TIMEOUT_S (GOC_TEST_TSAN ? 240.0 : 60.0)

/* How long a bounded wait (for a state, for leftovers) may take before the
 * test fails instead of hanging. */
#define TEST_WAIT_LIMIT (GOC_TEST_TSAN ? 60 * GOC_SECOND : 20 * GOC_SECOND)

/* ---- goroutine dumps -------------------------------------------------- */

/* test_dump returns a malloc'd, NUL-terminated copy of goc_dump_goroutines'
 * output (written into a memfd), or NULL if that failed. */
static inline char *test_dump(void)
{
	int fd = memfd_create("goc-test-dump", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	goc_dump_goroutines(fd);
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = NULL;
	if (len < 0 || lseek(fd, 0, SEEK_SET) < 0)
		goto out;
	buf = malloc((size_t)len + 1);
	if (buf == NULL)
		goto out;
	size_t got = 0;
	while (got < (size_t)len) {
		ssize_t n = read(fd, buf + got, (size_t)len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
out:
	close(fd);
	return buf;
}

/* Is the line starting at p a goroutine header "goroutine <digits> ["? */
static inline bool dump_is_header(const char *p)
{
	if (strncmp(p, "goroutine ", 10) != 0)
		return false;
	p += 10;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return p[0] == ' ' && p[1] == '[';
}

/* dump_find returns the start of goroutine g's header line in dump, or NULL. */
static inline const char *dump_find(const char *dump, int64_t g)
{
	char hdr[48];
	int n = snprintf(hdr, sizeof hdr, "goroutine %lld [", (long long)g);
	for (const char *p = dump; (p = strstr(p, hdr)) != NULL; p += n)
		if (p == dump || p[-1] == '\n')
			return p;
	return NULL;
}

/* dump_reason copies goroutine g's wait reason (the text in brackets up to
 * ']' or ',') into buf; false if g is not in the dump. */
static inline bool dump_reason(const char *dump, int64_t g, char *buf, size_t len)
{
	const char *p = dump_find(dump, g);
	if (p == NULL || len == 0)
		return false;
	p = strchr(p, '[') + 1;
	size_t i = 0;
	while (p[i] != '\0' && p[i] != ']' && p[i] != ',' && p[i] != '\n' && i + 1 < len) {
		buf[i] = p[i];
		i++;
	}
	buf[i] = '\0';
	return true;
}

/* dump_block returns a malloc'd copy of goroutine g's block: its header line
 * and every line up to a blank line or the next goroutine header. */
static inline char *dump_block(const char *dump, int64_t g)
{
	const char *start = dump_find(dump, g);
	if (start == NULL)
		return NULL;
	const char *end = strchr(start, '\n');
	while (end != NULL) {
		const char *next = end + 1;
		if (*next == '\0' || *next == '\n' || dump_is_header(next))
			break;
		end = strchr(next, '\n');
	}
	size_t n = end != NULL ? (size_t)(end - start) : strlen(start);
	char *b = malloc(n + 1);
	if (b != NULL) {
		memcpy(b, start, n);
		b[n] = '\0';
	}
	return b;
}

/* dump_count_headers counts the goroutine header lines in dump. */
static inline int dump_count_headers(const char *dump)
{
	int n = 0;
	for (const char *p = dump; p != NULL && *p != '\0';) {
		if (dump_is_header(p))
			n++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return n;
}

/* poll_until_blocked polls the dump until goroutine g shows [reason]; false
 * if it did not within TEST_WAIT_LIMIT. last receives the last reason seen. */
static inline bool poll_until_blocked(int64_t g, const char *reason, char *last, size_t lastlen)
{
	int64_t deadline = goc_now() + TEST_WAIT_LIMIT;
	if (lastlen > 0)
		last[0] = '\0';
	for (;;) {
		char *d = test_dump();
		bool found = d != NULL && dump_reason(d, g, last, lastlen);
		free(d);
		if (found && strcmp(last, reason) == 0)
			return true;
		if (goc_now() > deadline)
			return false;
		goc_yield();
	}
}

/* ---- processes --------------------------------------------------------- */

static inline long peak_rss_kib(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return ru.ru_maxrss;
}

struct helper_run {
	int status;      /* waitpid status */
	bool timed_out;  /* killed at the deadline */
	bool signalled;  /* we sent sig after seeing the trigger */
	char *out;       /* stdout, NUL-terminated */
	char *err;       /* stderr, NUL-terminated */
};

struct test_buf {
	char *p;
	size_t len, cap;
};

static inline void test_buf_add(struct test_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL)
			abort();
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/*
 * helper_spawn runs argv[0] with argv, stdout and stderr captured, the
 * environment inherited (GOC_MAXPROCS carries over). If trigger is not NULL,
 * sig is sent once trigger has appeared on stdout. The child is killed with
 * SIGKILL after timeout_ns. Returns 0, or an errno value if it could not
 * start the child.
 */
static inline int helper_spawn(char *const argv[], const char *trigger, int sig,
                               int64_t timeout_ns, struct helper_run *r)
{
	extern char **environ;
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	struct test_buf out = {0}, err = {0};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	memset(r, 0, sizeof *r);
	if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		rc = errno;
		goto fail_pipes;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, outp[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, errp[1], STDERR_FILENO);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	if (rc != 0)
		goto fail_pipes;

	test_buf_add(&out, "", 0);
	test_buf_add(&err, "", 0);
	int64_t deadline = goc_now() + timeout_ns;
	struct pollfd pfd[2] = {{outp[0], POLLIN, 0}, {errp[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds > 0) {
		int64_t left = deadline - goc_now();
		if (left <= 0) {
			kill(pid, SIGKILL);
			r->timed_out = true;
			break;
		}
		int n = poll(pfd, 2, (int)(left / GOC_MILLISECOND) + 1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2 && n > 0; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			char chunk[4096];
			ssize_t got = read(pfd[i].fd, chunk, sizeof chunk);
			if (got > 0) {
				test_buf_add(i == 0 ? &out : &err, chunk, (size_t)got);
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
		if (trigger != NULL && !r->signalled && strstr(out.p, trigger) != NULL) {
			kill(pid, sig);
			r->signalled = true;
		}
	}
	for (int i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
		;
	r->out = out.p;
	r->err = err.p;
	return 0;

fail_pipes:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return rc;
}

static inline void helper_run_free(struct helper_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* first_line copies s's first line into buf. */
static inline void first_line(const char *s, char *buf, size_t len)
{
	size_t i = 0;
	while (s != NULL && s[i] != '\0' && s[i] != '\n' && i + 1 < len) {
		buf[i] = s[i];
		i++;
	}
	buf[i] = '\0';
}

#ifndef GOC_TESTUTIL_NO_CRITERION

/* ---- assertions (main thread only) ------------------------------------ */

/* expect_no_leftovers: once a test has joined everything it started, no
 * goroutine, armed timer or in-use stack may remain. Goroutines that have
 * signalled completion may still be on their way out, so poll (yielding) for
 * a bounded time before asserting. */
static inline void expect_no_leftovers(void)
{
	goc_stats s;
	int64_t deadline = goc_now() + TEST_WAIT_LIMIT;
	for (;;) {
		goc_read_stats(&s);
		if (s.goroutines == 0 && s.timers == 0 && s.stacks_in_use == 0)
			break;
		if (goc_now() > deadline)
			break;
		goc_yield();
	}
	cr_assert_eq(s.goroutines, 0, "leftover goroutines: %lld", (long long)s.goroutines);
	cr_assert_eq(s.timers, 0, "leftover armed timers: %lld", (long long)s.timers);
	cr_assert_eq(s.stacks_in_use, 0, "leftover stacks in use: %lld",
	             (long long)s.stacks_in_use);
}

/* armed_timers: how many timers are armed now (goc_stats.timers): sleeps,
 * timers, tickers, goc_after and after_func, context deadlines. */
static inline int64_t armed_timers(void)
{
	goc_stats s;
	goc_read_stats(&s);
	return s.timers;
}

/* wait_until_blocked returns once goroutine g is parked with [reason]. */
static inline void wait_until_blocked(int64_t g, const char *reason)
{
	char last[64];
	bool ok = poll_until_blocked(g, reason, last, sizeof last);
	cr_assert(ok, "goroutine %lld never showed [%s] in the dump (last seen: [%s])",
	          (long long)g, reason, last);
}

/* go_or_fail starts fn(arg) and asserts it got an id. */
static inline int64_t go_or_fail(goc_fn fn, void *arg)
{
	int64_t id = goc_go(fn, arg);
	cr_assert_gt(id, 0, "goc_go returned %lld", (long long)id);
	return id;
}

/* chan_or_fail makes a channel and asserts it got one. */
static inline goc_chan *chan_or_fail(size_t elem_size, size_t cap)
{
	goc_chan *c = goc_chan_new(elem_size, cap);
	cr_assert_not_null(c, "goc_chan_new(%zu, %zu) returned NULL", elem_size, cap);
	return c;
}

/* join receives n completion signals from done (a 0-size channel). */
static inline void join(goc_chan *done, int n)
{
	for (int i = 0; i < n; i++)
		cr_assert(goc_chan_recv(done, NULL), "done channel closed early");
}

/* note_max raises *max to now if now is larger (a high-water mark: most
 * holders of a lock or units at once). Safe on goroutines: it asserts
 * nothing. */
static inline void note_max(atomic_int *max, int now)
{
	int m = atomic_load(max);
	while (now > m && !atomic_compare_exchange_weak(max, &m, now))
		;
}

/* ---- starvation ----------------------------------------------------------- */

/*
 * expect_no_starvation: `hogs` goroutines take a lock in a loop with
 * hog_lock/hog_unlock, yielding while they hold it, so that a woken waiter
 * always finds it taken again (with one worker it could never win a race).
 * Once they are going, a victim goroutine takes it once with
 * victim_lock/victim_unlock. The hogs stop when the victim is in — or, if it
 * never gets in, after hog_cap rounds each, which takes far longer than goc.h
 * lets a waiter wait (a mutex waiter parked over 1 ms is handed the mutex at
 * the next unlock; readers that arrive after a waiting writer wait behind
 * it). So the check is on state: the victim must get in while every hog is
 * still in its loop, not after they gave up. hog/victim name them in the
 * failure messages.
 */
typedef struct starve_case {
	void *lock;
	void (*hog_lock)(void *), (*hog_unlock)(void *);
	void (*victim_lock)(void *), (*victim_unlock)(void *);
	int hogs;
	long hog_cap;
	const char *hog, *victim; /* plural, singular: "readers", "writer" */
} starve_case;

struct starve_run {
	const starve_case *c;
	atomic_bool victim_in;
	atomic_int hogs_running;
	atomic_long hog_rounds;
	int hogs_seen_by_victim; /* plain: under the victim's lock */
	goc_chan *done;
};

static inline void starve_hog(void *p)
{
	struct starve_run *s = p;
	for (long i = 0; i < s->c->hog_cap && !atomic_load(&s->victim_in); i++) {
		s->c->hog_lock(s->c->lock);
		atomic_fetch_add(&s->hog_rounds, 1);
		goc_yield();
		s->c->hog_unlock(s->c->lock);
	}
	atomic_fetch_sub(&s->hogs_running, 1);
	goc_chan_send(s->done, NULL);
}

static inline void starve_victim(void *p)
{
	struct starve_run *s = p;
	s->c->victim_lock(s->c->lock);
	s->hogs_seen_by_victim = atomic_load(&s->hogs_running);
	atomic_store(&s->victim_in, true);
	s->c->victim_unlock(s->c->lock);
	goc_chan_send(s->done, NULL);
}

static inline void expect_no_starvation(const starve_case *c)
{
	static struct starve_run s;
	s = (struct starve_run){.c = c, .done = chan_or_fail(0, (size_t)c->hogs + 1)};
	atomic_store(&s.hogs_running, c->hogs);
	for (int i = 0; i < c->hogs; i++)
		go_or_fail(starve_hog, &s);
	/* Let the hogs get going before the victim arrives. */
	int64_t limit = goc_now() + TEST_WAIT_LIMIT;
	while (atomic_load(&s.hog_rounds) < 100 * c->hogs && goc_now() < limit)
		goc_yield();
	cr_assert_geq(atomic_load(&s.hog_rounds), 100 * c->hogs, "the %s never got going", c->hog);
	go_or_fail(starve_victim, &s);
	join(s.done, c->hogs + 1);
	cr_assert(atomic_load(&s.victim_in));
	cr_assert_eq(s.hogs_seen_by_victim, c->hogs,
	             "the %s got in only after %d of %d %s gave up (%ld rounds)", c->victim,
	             c->hogs - s.hogs_seen_by_victim, c->hogs, c->hog, atomic_load(&s.hog_rounds));
	goc_chan_free(s.done);
}

/* ---- a thread that holds something it got without waiting ------------------ */

/*
 * expect_thread_holder_seen: regression for threads whose only call into
 * goc had been one that got a lock, units or a count without parking. They
 * were unknown to goc, so when main then waited for them, the deadlock check
 * found every known goroutine and thread asleep and killed the process
 * ("fatal error: all goroutines are asleep - deadlock!"). A new pthread
 * calls take(obj) as its first call into goc, lets main go on, waits until
 * main shows [reason] in the dump (reading the dump does not make it known
 * to goc) and calls give(obj). Main meanwhile calls wait(obj), which blocks
 * until give (it runs on the main thread, so it may assert).
 */
typedef struct holder_case {
	void *obj;
	void (*take)(void *), (*give)(void *); /* the thread's */
	void (*wait)(void *);                  /* main's */
	const char *reason;                    /* main's wait reason meanwhile */
} holder_case;

struct holder_run {
	const holder_case *c;
	sem_t taken;
	bool saw_main_wait;
};

static inline void *holder_thread(void *p)
{
	struct holder_run *h = p;
	h->c->take(h->c->obj); /* its first call into goc: no wait */
	sem_post(&h->taken);
	char last[64];
	h->saw_main_wait = poll_until_blocked(1, h->c->reason, last, sizeof last);
	h->c->give(h->c->obj);
	return NULL;
}

static inline void expect_thread_holder_seen(const holder_case *c)
{
	static struct holder_run h;
	h = (struct holder_run){.c = c};
	cr_assert_eq(sem_init(&h.taken, 0, 0), 0);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, holder_thread, &h), 0);
	while (sem_wait(&h.taken) != 0 && errno == EINTR)
		;
	c->wait(c->obj); /* waits for the thread's give */
	pthread_join(th, NULL);
	cr_assert(h.saw_main_wait, "main never showed [%s]", c->reason);
	sem_destroy(&h.taken);
}

/* helper_path returns the helper program named by environment variable var
 * (set by tests/runtime/meson.build). */
static inline const char *helper_path(const char *var)
{
	const char *p = getenv(var);
	cr_assert(p != NULL && *p != '\0', "%s is not set (run the tests with meson test)", var);
	return p;
}

#endif /* GOC_TESTUTIL_NO_CRITERION */

#endif /* GOC_TESTS_RUNTIME_TESTUTIL_H */
