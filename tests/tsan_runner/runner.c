/*
 * runner.c — main() for test executables built against the Criterion
 * stand-in (criterion/criterion.h) under ThreadSanitizer.
 *
 * Test() and TestSuite() register through constructors into the lists
 * below; main() sorts the tests by file and line, then runs each one in its
 * own fork()ed child, one at a time: the child runs .init, the body and
 * .fini, and reports through a shared anonymous mapping (struct result). The
 * parent judges the child's end against .signal / .exit_code, prints one
 * line per test and a Criterion-style synthesis line, and exits 1 if any test
 * failed or crashed.
 *
 * Rules:
 * - The parent stays single-threaded: it never calls into goc, so fork()
 *   copies a consistent process (and TSan allows it). It warns if it finds
 *   a second thread.
 * - A test's .timeout (else its suite's) is armed with alarm() in the child;
 *   the parent kills a child that outlives it by 10 s more.
 * - Only the child writes the result block while it runs; the parent reads it
 *   after waitpid(), which orders the two.
 *
 * Arguments: --filter=GLOB (or --filter GLOB) matched against "suite/name",
 * --list, --no-fork (run the one selected test in this process, for a
 * debugger; .signal and .exit_code are not judged), and -jN / --jobs=N / --jobs N, accepted and ignored (tests run one
 * at a time). Anything else is reported and ignored.
 */
#include "criterion/criterion.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Registries: written by constructors before main(), read by main(). */
static struct cr_test_ *tests;
static struct cr_suite_ *suites;

void cr_register_test_(struct cr_test_ *t)
{
	t->next = tests;
	tests = t;
}

void cr_register_suite_(struct cr_suite_ *s)
{
	s->next = suites;
	suites = s;
}

/* ---- the child's report ---------------------------------------------- */

enum { ST_STARTED, ST_DONE, ST_SKIPPED };

#define MSG_MAX (256 * 1024)

struct result {
	int state;        /* ST_*: how far the child got */
	bool failed;      /* an assertion failed */
	size_t len;       /* bytes used in msg */
	char msg[MSG_MAX];/* failure messages, or the skip reason */
};

static struct result *res;             /* shared with the children */
static const struct cr_test_ *current; /* the test this child runs */
static void (*current_fini)(void);
static bool in_process;                /* --no-fork: no parent to report to */

static void msg_add(const char *fmt, va_list ap)
{
	if (res->len >= MSG_MAX - 1)
		return;
	int n = vsnprintf(res->msg + res->len, MSG_MAX - res->len, fmt, ap);
	if (n > 0)
		res->len += (size_t)n < MSG_MAX - res->len ? (size_t)n : MSG_MAX - 1 - res->len;
}

static void msg_addf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void msg_addf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	msg_add(fmt, ap);
	va_end(ap);
}

static __attribute__((noreturn)) void child_exit(int code)
{
	fflush(stdout);
	fflush(stderr);
	_exit(code);
}

void cr_assert_failed_(bool fatal, const char *file, unsigned line, const char *dflt,
                       const char *fmt, ...)
{
	if (res == NULL || current == NULL) { /* not inside a test */
		fprintf(stderr, "%s:%u: assertion failed outside a test\n", file, line);
		abort();
	}
	if (res->len > 0)
		msg_addf("\n");
	msg_addf("%s:%u: ", file, line);
	fmt++; /* the macros' marker byte */
	if (*fmt == '\0') {
		msg_addf("%s", dflt);
	} else {
		va_list ap;
		va_start(ap, fmt);
		msg_add(fmt, ap);
		va_end(ap);
	}
	res->failed = true;
	if (!fatal)
		return;
	void (*fini)(void) = current_fini;
	current_fini = NULL; /* an assertion in .fini must not rerun it */
	if (fini != NULL)
		fini();
	if (in_process)
		printf("[FAIL] %s::%s: %s\n", current->suite, current->name, res->msg);
	child_exit(1);
}

void cr_skip_test_(const char *fmt, ...)
{
	fmt++;
	va_list ap;
	va_start(ap, fmt);
	msg_add(fmt, ap);
	va_end(ap);
	res->state = ST_SKIPPED;
	child_exit(0);
}

void cr_log_(const char *level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "[%s] ", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- running one test ------------------------------------------------- */

struct opts {
	void (*init)(void);
	void (*fini)(void);
	int signal;
	int exit_code;
	bool disabled;
	double timeout;
};

static struct opts test_opts(const struct cr_test_ *t)
{
	struct opts o = {0};
	const struct criterion_test_extra_data *s = NULL;
	for (const struct cr_suite_ *su = suites; su != NULL; su = su->next)
		if (strcmp(su->name, t->suite) == 0)
			s = su->extra;
	const struct criterion_test_extra_data *e = t->extra;
#define PICK(f) o.f = e->f ? e->f : s != NULL ? s->f : o.f
	PICK(init);
	PICK(fini);
	PICK(signal);
	PICK(exit_code);
	PICK(disabled);
	PICK(timeout);
#undef PICK
	return o;
}

static __attribute__((noreturn)) void run_child(const struct cr_test_ *t, const struct opts *o)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGALRM, SIG_DFL);
	if (o->timeout > 0) {
		unsigned secs = (unsigned)o->timeout;
		alarm(secs < o->timeout ? secs + 1 : secs);
	}
	current = t;
	current_fini = o->fini;
	if (o->init != NULL)
		o->init();
	t->fn();
	current_fini = NULL;
	if (o->fini != NULL)
		o->fini();
	res->state = ST_DONE;
	if (in_process)
		printf("[%s] %s::%s%s%s\n", res->failed ? "FAIL" : "PASS", t->suite, t->name,
		       res->failed ? ": " : "", res->failed ? res->msg : "");
	fflush(stdout);
	fflush(stderr);
	/* exit, not _exit: ThreadSanitizer's exit hook turns a run with reports
	 * into a failing exit status. */
	exit(res->failed ? 1 : 0);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	if (d == NULL)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

enum verdict { V_PASS, V_FAIL, V_CRASH, V_SKIP };

/* run_test forks t, waits for it and prints its line. */
static enum verdict run_test(const struct cr_test_ *t)
{
	struct opts o = test_opts(t);
	if (o.disabled) {
		printf("[SKIP] %s::%s: test is disabled\n", t->suite, t->name);
		return V_SKIP;
	}
	memset(res, 0, offsetof(struct result, msg) + 1);
	res->state = ST_STARTED;
	fflush(stdout);
	fflush(stderr);
	int64_t start = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		printf("[FAIL] %s::%s: fork: %s\n", t->suite, t->name, strerror(errno));
		return V_CRASH;
	}
	if (pid == 0)
		run_child(t, &o);

	/* Backstop in case SIGALRM cannot end the child. */
	int64_t deadline = o.timeout > 0 ? start + (int64_t)(o.timeout * 1000) + 10000 : 0;
	bool killed = false;
	int status = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, killed || deadline == 0 ? 0 : WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			printf("[FAIL] %s::%s: waitpid: %s\n", t->suite, t->name, strerror(errno));
			return V_CRASH;
		}
		if (w == 0) {
			if (now_ms() > deadline) {
				kill(pid, SIGKILL);
				killed = true;
			} else {
				nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
			}
		}
	}
	double secs = (double)(now_ms() - start) / 1000.0;
	res->msg[res->len < MSG_MAX ? res->len : MSG_MAX - 1] = '\0';

	enum verdict v;
	char why[256] = "";
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		if (killed || (sig == SIGALRM && o.signal != SIGALRM)) {
			snprintf(why, sizeof why, "timed out after %.0f s", o.timeout);
			v = V_CRASH;
		} else if (o.signal != 0 && sig == o.signal && !res->failed) {
			v = V_PASS;
		} else {
			snprintf(why, sizeof why, "killed by signal %d (%s)%s", sig, strsignal(sig),
			         o.signal != 0 && sig != o.signal ? ", not the expected one" : "");
			v = res->failed ? V_FAIL : V_CRASH;
		}
	} else {
		int code = WEXITSTATUS(status);
		if (res->state == ST_SKIPPED && !res->failed) {
			printf("[SKIP] %s::%s: %s\n", t->suite, t->name, res->msg);
			return V_SKIP;
		}
		if (res->failed) {
			v = V_FAIL;
		} else if (o.signal != 0) {
			snprintf(why, sizeof why, "exited with status %d instead of signal %d (%s)",
			         code, o.signal, strsignal(o.signal));
			v = V_FAIL;
		} else if (code == o.exit_code) {
			v = V_PASS;
		} else {
			snprintf(why, sizeof why, "exited with status %d (expected %d)%s%s", code,
			         o.exit_code,
			         res->state == ST_DONE ? " after the test returned" : " during the test",
			         code == 66 ? "; 66 is ThreadSanitizer's exit status, see its report above" : "");
			v = res->state == ST_DONE ? V_FAIL : V_CRASH;
		}
	}

	if (v == V_PASS) {
		printf("[PASS] %s::%s (%.2fs)\n", t->suite, t->name, secs);
	} else {
		printf("[FAIL] %s::%s: ", t->suite, t->name);
		if (res->len > 0)
			printf("%s%s", res->msg, why[0] ? "\n       " : "");
		printf("%s (%.2fs)\n", why, secs);
	}
	fflush(stdout);
	return v;
}

/* ---- main ------------------------------------------------------------- */

static int by_place(const void *a, const void *b)
{
	const struct cr_test_ *x = *(const struct cr_test_ *const *)a;
	const struct cr_test_ *y = *(const struct cr_test_ *const *)b;
	int c = strcmp(x->file, y->file);
	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

int main(int argc, char **argv)
{
	const char *filter = NULL;
	bool list = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--filter=", 9) == 0)
			filter = a + 9;
		else if (strcmp(a, "--filter") == 0 && i + 1 < argc)
			filter = argv[++i];
		else if (strcmp(a, "--list") == 0 || strcmp(a, "-l") == 0)
			list = true;
		else if (strcmp(a, "--no-fork") == 0)
			in_process = true;
		else if (strncmp(a, "--jobs=", 7) == 0 || (strncmp(a, "-j", 2) == 0 && a[2] != '\0'))
			; /* tests run one at a time */
		else if ((strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0) && i + 1 < argc)
			i++;
		else
			fprintf(stderr, "%s: ignoring argument %s\n", argv[0], a);
	}

	size_t n = 0;
	for (struct cr_test_ *t = tests; t != NULL; t = t->next)
		n++;
	struct cr_test_ **v = calloc(n ? n : 1, sizeof *v);
	if (v == NULL)
		return 2;
	size_t k = 0;
	for (struct cr_test_ *t = tests; t != NULL; t = t->next) {
		char id[512];
		snprintf(id, sizeof id, "%s/%s", t->suite, t->name);
		if (filter == NULL || fnmatch(filter, id, 0) == 0)
			v[k++] = t;
	}
	qsort(v, k, sizeof *v, by_place);

	if (list) {
		for (size_t i = 0; i < k; i++)
			printf("%s: %s\n", v[i]->suite, v[i]->name);
		return 0;
	}

	res = mmap(NULL, sizeof *res, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	if (in_process) {
		if (k != 1) {
			fprintf(stderr, "%s: --no-fork needs a --filter that selects one test (%zu do)\n",
			        argv[0], k);
			return 2;
		}
		struct opts o = test_opts(v[0]);
		run_child(v[0], &o); /* exits */
	}
	int tested = 0, passing = 0, failing = 0, crashing = 0;
	bool warned = false;
	for (size_t i = 0; i < k; i++) {
		int nt = thread_count();
		if (nt > 1 && !warned) {
			fprintf(stderr, "warning: the runner has %d threads; fork() copies only one\n", nt);
			warned = true;
		}
		switch (run_test(v[i])) {
		case V_PASS:
			tested++, passing++;
			break;
		case V_FAIL:
			tested++, failing++;
			break;
		case V_CRASH:
			tested++, failing++, crashing++;
			break;
		case V_SKIP:
			break;
		}
	}
	printf("[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Crashing: %d\n",
	       tested, passing, failing, crashing);
	fflush(stdout);
	free(v);
	return failing > 0 ? 1 : 0;
}
