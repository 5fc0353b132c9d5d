/*
 * runtime.c — the preload runtime's life: initialisation from the
 * constructor, the per-thread state every hook reads, stack capture, the
 * real-function lookup, and the end (the exit status and the summary).
 *
 * Init (first constructor to run, priority 101): parse GOC_RACE_OPTIONS,
 * open the text and JSON sinks, load suppressions, configure the detector,
 * make the main thread's det_thread, let pthread.c and tracer.c set up,
 * then set gocrace_ready. Until then every hook passes through.
 *
 * Watched: findings are reported only in a process that has instrumented
 * code (__tsan_init was called) or uses libgoc; in any other program that
 * inherits the preload they are dropped (see `watched`).
 *
 * Exit: an atexit handler registered at init runs after the program's own
 * (they were registered later); if findings were reported it prints
 * "goc-race: found N data race(s)", flushes stdio and exits with `exitcode`
 * (TSan's and Go's convention); otherwise the program's status stands.
 * halt_on_error does the same right after the first finding.
 *
 * Per-thread state: gocrace_ignore (runtime code running, or an ignore
 * region of the program's annotations), gocrace_ignore_sync (an
 * AnnotateIgnoreSync region), home (the OS thread's det_thread;
 * det_current() may be a goroutine or a fiber it runs).
 */
#include "internal.h"

#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libunwind.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__thread int gocrace_ignore_sync __attribute__((tls_model("initial-exec")));
bool gocrace_ready;

static __thread det_thread *home __attribute__((tls_model("initial-exec")));
static det_thread *main_thread;

det_thread *gocrace_home(void)
{
	return home;
}

void gocrace_set_home(det_thread *t)
{
	home = t;
}

void *gocrace_real(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (p == NULL) {
		/* no snprintf or strlen: they are interceptors, which would look
		 * their own real function up here again */
		static const char head[] = "goc-race: cannot find the real ";
		size_t n = 0;
		while (name[n] != '\0')
			n++;
		if (write(2, head, sizeof head - 1) < 0 || write(2, name, n) < 0 ||
		    write(2, "\n", 1) < 0)
			_exit(70);
		_exit(70);
	}
	return p;
}

det_thread *gocrace_thr_slow(void)
{
	/* A thread that started before init or without pthread_create. It has
	 * no known creator: it starts unordered with everything. */
	return gocrace_thr_adopt(0);
}

det_thread *gocrace_thr_adopt(det_ctx created_at)
{
	gocrace_guard();
	det_thread *t = det_thread_create(NULL, DET_KIND_THREAD, -1, created_at);
	det_set_current(t);
	home = t;
	gocrace_watch_end();
	gocrace_unguard();
	return t;
}

/* libunwind saves and restores the signal mask around its caches with
 * glibc's sigprocmask, which unblocks glibc's own signals 32 and 33 on the
 * way back (internal.h, gocrace_sigmask). glibc's timer thread for
 * SIGEV_THREAD waits for signal 32 blocked: unblocked, the next timer
 * signal kills the process. On a thread that has 32 blocked (looked up
 * once a thread), the runtime puts its mask back itself. */
static __thread signed char sig32_blocked = -1;

static int backtrace_keeping_mask(void **pcs, int max)
{
	if (GOCRACE_UNLIKELY(sig32_blocked < 0)) {
		sigset_t cur;
		sigemptyset(&cur);
		gocrace_sigmask(SIG_BLOCK, NULL, &cur);
		sig32_blocked = sigismember(&cur, 32) == 1;
	}
	if (GOCRACE_LIKELY(!sig32_blocked))
		return unw_backtrace(pcs, max);
	sigset_t saved;
	gocrace_sigmask(SIG_BLOCK, NULL, &saved);
	int n = unw_backtrace(pcs, max);
	gocrace_sigmask(SIG_SETMASK, &saved, NULL);
	return n;
}

det_ctx gocrace_stack_here(det_thread *t, int skip)
{
	void *pcs[64];
	int n = backtrace_keeping_mask(pcs, 64);
	int first = skip + 1; /* and this function's own frame */
	if (n <= first)
		return t != NULL ? det_ctx_current(t, 0) : 0;
	return det_ctx_from_pcs((const uintptr_t *)(pcs + first), (size_t)(n - first));
}

/* ---- the end ---------------------------------------------------------- */

static void summary_and_exit(void)
{
	uint64_t n = det_findings();
	if (gocrace_opt.print_suppressions) {
		gocrace_suppressions_print();
		gocrace_expected_print();
	}
	if (n == 0)
		return;
	fflush(NULL);
	char buf[128];
	int len = snprintf(buf, sizeof buf, "goc-race: found %llu data race(s)\n",
		(unsigned long long)n);
	if (len > 0 && write(2, buf, (size_t)len) < 0)
		_exit(gocrace_opt.exitcode);
	_exit(gocrace_opt.exitcode);
}

static void at_exit(void)
{
	gocrace_guard();
	summary_and_exit();
	gocrace_unguard();
}

static void on_report(const char *kind)
{
	(void)kind;
	if (gocrace_opt.halt_on_error)
		summary_and_exit();
}

/* ---- sinks ------------------------------------------------------------ */

static int text_fd; /* the text sink's fd */

static int open_text_sink(const char *path)
{
	if (strcmp(path, "stderr") == 0)
		return 2;
	if (strcmp(path, "stdout") == 0)
		return 1;
	char name[4096];
	snprintf(name, sizeof name, "%s.%d", path, (int)getpid());
	int fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "goc-race: cannot open log_path %s: %s\n", name, strerror(errno));
		_exit(73);
	}
	return fd;
}

/* In a fork child: a log file is per process (log_path.PID, as TSan's), so
 * the child's reports go to its own. stderr and stdout open as the same fd
 * again: they stay shared with the parent. */
void gocrace_fork_child_sinks(void)
{
	int old = text_fd;
	text_fd = open_text_sink(gocrace_opt.log_path);
	if (text_fd == old)
		return;
	det_set_text_fd(text_fd);
	close(old);
}

static int open_json_sink(const char *path)
{
	if (path[0] == '\0')
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "goc-race: cannot open json_path %s: %s\n", path, strerror(errno));
		_exit(73);
	}
	return fd;
}

/* ---- watched processes ------------------------------------------------ */

/* Whether goc-race reports on this process: an instrumented module called
 * __tsan_init, or the program uses libgoc (whose tracer tells its edges).
 * The preload reaches every program the watched one starts, through the
 * environment. In one that is neither (/bin/sh, a compiler, a threaded
 * tool) the runtime sees only libc calls and none of the synchronisation
 * the program does in its own code, so what it found would be false, and
 * its exit status would become goc-race's. There it runs, and every
 * finding is dropped as suppressed. Set once; relaxed: pairs with nothing
 * (a report racing with a module's first __tsan_init may go either way). */
static _Atomic bool watched;

static bool suppressed(const char *kind, const det_frame *const *stacks, const size_t *depths,
                       size_t nstacks, const char *global_name)
{
	if (!atomic_load_explicit(&watched, memory_order_relaxed))
		return true;
	return gocrace_suppressed(kind, stacks, depths, nstacks, global_name);
}

/* The symbolizer runs inside the report path, already ignored; the
 * wrapper keeps that true if the detector ever calls it elsewhere. */
static size_t symbolize(uintptr_t pc, bool ret, det_frame *f, size_t max)
{
	gocrace_guard();
	size_t n = gocrace_symbolize(pc, ret, f, max);
	gocrace_unguard();
	return n;
}

/* det_config.describe_global: symbolize.c's answer, except for the
 * runtime's own objects (the environment's stand-in, environ.c), which
 * are no global of the program's: their reports say what they are in
 * their title. */
static bool describe_global(uintptr_t addr, const char **name, uintptr_t *start, size_t *size,
                            const char **module)
{
	Dl_info at, own;
	if (dladdr((void *)addr, &at) != 0 && dladdr((void *)describe_global, &own) != 0 &&
	    at.dli_fbase == own.dli_fbase)
		return false;
	return gocrace_describe_global(addr, name, start, size, module);
}

void gocrace_init(void)
{
	if (gocrace_ready)
		return;
	gocrace_guard();
	gocrace_options_parse(getenv("GOC_RACE_OPTIONS"));
	if (gocrace_opt.suppressions[0] != '\0' &&
	    !gocrace_suppressions_load(gocrace_opt.suppressions)) {
		if (errno != EINVAL)
			fprintf(stderr, "goc-race: cannot read suppressions file %s: %s\n",
				gocrace_opt.suppressions, strerror(errno));
		_exit(74);
	}
	text_fd = open_text_sink(gocrace_opt.log_path);
	det_config cfg = {
		.text_fd = text_fd,
		.json_fd = open_json_sink(gocrace_opt.json_path),
		.symbolize = symbolize,
		.describe_global = describe_global,
		.describe_fd = gocrace_fd_describe,
		.on_report = on_report,
		.suppressed = suppressed,
		.expected = gocrace_race_expected,
		.external_tag = gocrace_external_tag,
		.strip_path_prefix = gocrace_opt.strip_path_prefix,
		.report_atomic_races = gocrace_opt.report_atomic_races,
		.pid = (int)getpid(),
	};
	det_init(&cfg);

	main_thread = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	pthread_attr_t attr;
	void *lo = NULL;
	size_t size = 0;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		pthread_attr_getstack(&attr, &lo, &size);
		pthread_attr_destroy(&attr);
	}
	/* Nothing has shadow yet, so starting the main thread on its stack
	 * forgets nothing; it records the stack for "Location is stack". */
	det_thread_start(main_thread, (uintptr_t)lo, size);
	home = main_thread;
	gocrace_pthread_init();
	gocrace_libc_init();
	gocrace_jmp_init();
	gocrace_tracer_install();
	if (gocrace_libgoc_hi != 0)
		atomic_store_explicit(&watched, true, memory_order_relaxed);
	atexit(at_exit);
	gocrace_ready = true;
	gocrace_unguard();
}

__attribute__((constructor(101))) static void gocrace_constructor(void)
{
	gocrace_init();
}

/* Every instrumented module calls __tsan_init from its constructor, which
 * may run before ours (an instrumented shared library is initialised before
 * the preloaded object that it does not depend on). So init is idempotent
 * and either may come first. */
GOCRACE_EXPORT void __tsan_init(void)
{
	gocrace_init();
	atomic_store_explicit(&watched, true, memory_order_relaxed);
}
