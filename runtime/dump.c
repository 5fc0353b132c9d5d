/*
 * dump.c — fatal errors, the global-deadlock report, and goroutine dumps
 * in Go's format, symbolized to function and file:line.
 *
 * Stacks: libunwind walks them. The current thread unwinds from a captured
 * context; a parked goroutine from the registers goc__ctx_switch saved on
 * its stack (layout in asm_amd64.S); a parked thread G from the context it
 * captured in thread_park (sched.c), whose frame stays live while it
 * sleeps. Goroutines running on other threads are listed without a stack,
 * as Go does. symbolize.c (libdw) turns addresses into function, file and
 * line. Frames inside libgoc, libc, the dynamic loader and libunwind are
 * hidden unless GOC_TRACEBACK=system; their lines are not looked up.
 *
 * Fatal path: prints the message with write(2) before anything else, then
 * dumps on a dedicated static stack (a goroutine's stack may be small), then
 * aborts (panic, throw) or exits 2 (deadlock, SIGQUIT). The message itself
 * never allocates; symbolization may, and is best effort. One fatal error
 * wins; a second thread that hits one waits forever. A fault on a stack's
 * guard page (SIGSEGV, handled on the worker's alternate stack) is reported
 * as a stack overflow, dumped from the faulting context.
 *
 * Locks: dump_lock serialises dumps; the allg lock is held while the list is
 * copied. No HB edges.
 */
#include "internal.h"
#include "symbolize.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define DUMP_STACK_SIZE (1024 * 1024)
#define MAX_FRAMES 64

static char fatal_stack[DUMP_STACK_SIZE] __attribute__((aligned(64)));
static char dump_stack[DUMP_STACK_SIZE] __attribute__((aligned(64)));
static goc__lock_t dump_lock = GOC_LOCK_INIT;
static _Atomic int fatal_started;
static char self_module[1024]; /* libgoc's path, as libdwfl names it */
static bool traceback_system;

static const char *const wait_reasons[GOC_WAIT__COUNT] = {
	[GOC_WAIT_NONE] = "",
	[GOC_WAIT_CHAN_SEND] = "chan send",
	[GOC_WAIT_CHAN_RECV] = "chan receive",
	[GOC_WAIT_CHAN_SEND_NIL] = "chan send (nil chan)",
	[GOC_WAIT_CHAN_RECV_NIL] = "chan receive (nil chan)",
	[GOC_WAIT_SELECT] = "select",
	[GOC_WAIT_SELECT_NO_CASES] = "select (no cases)",
	[GOC_WAIT_SLEEP] = "sleep",
	[GOC_WAIT_MUTEX] = "sync.Mutex.Lock",
	[GOC_WAIT_RWMUTEX_RLOCK] = "sync.RWMutex.RLock",
	[GOC_WAIT_RWMUTEX_LOCK] = "sync.RWMutex.Lock",
	[GOC_WAIT_WAITGROUP] = "sync.WaitGroup.Wait",
	[GOC_WAIT_COND] = "sync.Cond.Wait",
	[GOC_WAIT_SEMACQUIRE] = "semacquire",
	[GOC_WAIT_BLOCKING] = "syscall",
};

const char *goc_wait_reason_string(goc_wait_reason r)
{
	if ((unsigned)r >= GOC_WAIT__COUNT)
		return "unknown";
	return wait_reasons[r];
}

/* ------------------------------------------------------------- output */

struct out {
	int fd;
	size_t len;
	char buf[4096];
};

static void out_flush(struct out *o)
{
	size_t off = 0;
	while (off < o->len) {
		ssize_t n = write(o->fd, o->buf + off, o->len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	o->len = 0;
}

__attribute__((format(printf, 2, 3)))
static void outf(struct out *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (o->len + (size_t)n > sizeof(o->buf))
		out_flush(o);
	memcpy(o->buf + o->len, line, (size_t)n);
	o->len += (size_t)n;
}

/* Write a string with no formatting and no allocation. */
static void write_str(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* ---------------------------------------------------------- symbolizer */

struct frame {
	uintptr_t pc;
	const char *func;
	const char *file;
	int line;
	uintptr_t off;       /* pc - function entry */
	const char *module;
	bool hidden;
};

/* Frames of libgoc itself, libc, the loader and libunwind are hidden
 * unless GOC_TRACEBACK=system (Go hides its runtime's frames likewise). */
static bool module_hidden(const char *module)
{
	if (traceback_system || module == NULL)
		return false;
	if (strcmp(module, self_module) == 0)
		return true;
	const char *base = strrchr(module, '/');
	base = base != NULL ? base + 1 : module;
	return strncmp(base, "libc.so", 7) == 0 || strncmp(base, "ld-linux", 8) == 0 ||
		strncmp(base, "libunwind", 9) == 0;
}

/* goc_symbolize_addr_if's filters. A hidden frame's file and line are never
 * printed, so they are not looked up: with libc's debug symbols installed,
 * the first lookup in libc (a thread's start_thread and clone3 frames)
 * parses some 15 MiB of DWARF, which took a dump 200 ms and 17 MiB. */
static bool module_shown(const char *module)
{
	return !module_hidden(module);
}

/* pc is a return address unless exact (the first frame of a signal).
 * all_lines: the file and line even if the frame is hidden. */
static void symbolize(uintptr_t pc, bool exact, bool all_lines, struct frame *f)
{
	memset(f, 0, sizeof(*f));
	f->pc = pc;
	uintptr_t look = exact ? pc : pc - 1;
	if (self_module[0] == '\0') {
		goc_sym me;
		if (goc_symbolize_addr_if((uintptr_t)&goc__dump_init, &me, goc_sym_no_lines) &&
				me.module != NULL)
			snprintf(self_module, sizeof(self_module), "%s", me.module);
	}
	goc_sym s;
	if (!goc_symbolize_addr_if(look, &s, all_lines ? NULL : module_shown))
		return;
	f->module = s.module;
	f->func = s.func;
	f->off = s.func != NULL ? s.func_off + (pc - look) : pc - s.module_start;
	f->file = s.file;
	f->line = s.line;
	f->hidden = module_hidden(s.module);
}

/* Collapse "dir/../" and "./" in a path (compilers record paths relative
 * to the build directory); purely textual. */
static const char *clean_path(const char *in, char *buf, size_t size)
{
	if (in == NULL || strlen(in) >= size)
		return in;
	char *seg[128];
	int n = 0;
	char tmp[1024];
	if (strlen(in) >= sizeof(tmp))
		return in;
	strcpy(tmp, in);
	bool abs = tmp[0] == '/';
	for (char *save = NULL, *t = strtok_r(tmp, "/", &save); t != NULL; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0 && n > 0 && strcmp(seg[n - 1], "..") != 0) {
			n--;
			continue;
		}
		if (n == 128)
			return in;
		seg[n++] = t;
	}
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		int w = snprintf(buf + len, size - len, "%s%s", (i > 0 || abs) ? "/" : "", seg[i]);
		if (w < 0 || (size_t)w >= size - len)
			return in;
		len += (size_t)w;
	}
	return buf;
}

/* A frame's second line: "\tfile:line +0xoff", or the module and offset. */
static void print_location(struct out *o, const struct frame *f)
{
	char path[1024];
	if (f->file != NULL)
		outf(o, "\t%s:%d +0x%lx\n", clean_path(f->file, path, sizeof(path)), f->line,
				(unsigned long)f->off);
	else
		outf(o, "\t%s+0x%lx\n", f->module != NULL ? f->module : "??", (unsigned long)f->off);
}

static void print_frame(struct out *o, const struct frame *f)
{
	outf(o, "%s()\n", f->func != NULL ? f->func : "??");
	print_location(o, f);
}

/* Walk from a context; print visible frames. */
static void print_stack(struct out *o, unw_context_t *uc)
{
	unw_cursor_t cur;
	if (unw_init_local(&cur, uc) < 0)
		return;
	int printed = 0;
	for (int i = 0; i < MAX_FRAMES; i++) {
		unw_word_t ip = 0;
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		struct frame f;
		symbolize((uintptr_t)ip, false, false, &f);
		if (!f.hidden) {
			print_frame(o, &f);
			printed++;
			if (f.func != NULL && strcmp(f.func, "main") == 0)
				break;
		}
		if (unw_step(&cur) <= 0)
			break;
	}
	if (printed == 0)
		outf(o, "\t(no frames outside the runtime)\n");
}

/* Registers a parked goroutine saved in goc__ctx_switch (in assembly, which
 * TSan does not see: reading them is not an access it could order). */
GOC_NO_TSAN static void ctx_from_saved_sp(unw_context_t *uc, void *sp)
{
	uint64_t *s = sp;
	memset(uc, 0, sizeof(*uc));
	ucontext_t *u = (ucontext_t *)uc;
	u->uc_mcontext.gregs[REG_R15] = (greg_t)s[1];
	u->uc_mcontext.gregs[REG_R14] = (greg_t)s[2];
	u->uc_mcontext.gregs[REG_R13] = (greg_t)s[3];
	u->uc_mcontext.gregs[REG_R12] = (greg_t)s[4];
	u->uc_mcontext.gregs[REG_RBX] = (greg_t)s[5];
	u->uc_mcontext.gregs[REG_RBP] = (greg_t)s[6];
	u->uc_mcontext.gregs[REG_RIP] = (greg_t)s[7];
	u->uc_mcontext.gregs[REG_RSP] = (greg_t)(uintptr_t)(s + 8);
}

/* ----------------------------------------------------------------- dump */

struct dump_args {
	int fd;
	goc__g *current;        /* G of the dumping thread, or NULL */
	unw_context_t *cur_ctx; /* its context */
	const char *current_state; /* header status for it */
};

static void print_header(struct out *o, goc__g *g, const char *state)
{
	outf(o, "goroutine %lld [%s", (long long)g->id, state);
	if (g->name[0] != '\0')
		outf(o, ", \"%s\"", g->name);
	if (g->is_thread && g->id != 1)
		outf(o, ", thread");
	outf(o, "]:\n");
}

static void print_created_by(struct out *o, goc__g *g)
{
	if (g->is_thread || g->gopc == NULL)
		return;
	struct frame f;
	symbolize((uintptr_t)g->gopc, false, true, &f); /* printed even if hidden */
	outf(o, "created by %s in goroutine %lld\n", f.func != NULL ? f.func : "??",
			(long long)g->parent_id);
	print_location(o, &f);
}

static void dump_one(struct out *o, goc__g *g)
{
	int st = atomic_load_explicit(&g->status, memory_order_acquire);
	unw_context_t uc;
	switch (st) {
	case G_WAITING:
		print_header(o, g, goc_wait_reason_string(
				atomic_load_explicit(&g->waitreason, memory_order_relaxed)));
		if (g->is_thread)
			print_stack(o, (unw_context_t *)g->park_ctx);
		else {
			ctx_from_saved_sp(&uc, g->sp);
			print_stack(o, &uc);
		}
		break;
	case G_RUNNABLE:
		print_header(o, g, "runnable");
		break;
	case G_SYSCALL:
		print_header(o, g, "syscall");
		outf(o, "\tgoroutine running on other thread; stack unavailable\n");
		break;
	default:
		print_header(o, g, "running");
		outf(o, "\tgoroutine running on other thread; stack unavailable\n");
		break;
	}
	print_created_by(o, g);
	outf(o, "\n");
}

static int cmp_g(const void *a, const void *b)
{
	int64_t x = (*(goc__g *const *)a)->id, y = (*(goc__g *const *)b)->id;
	return (x > y) - (x < y);
}

static void dump_all(void *arg)
{
	struct dump_args *a = arg;
	static struct out o;
	o.fd = a->fd;
	o.len = 0;
	if (a->current != NULL) {
		print_header(&o, a->current, a->current_state);
		print_stack(&o, a->cur_ctx);
		print_created_by(&o, a->current);
		outf(&o, "\n");
	}
	goc__allg_lock();
	size_t n = 0;
	for (goc__g *g = goc__allg_first(); g != NULL; g = g->allnext)
		n++;
	goc__g **all = malloc((n ? n : 1) * sizeof(*all));
	size_t k = 0;
	if (all != NULL)
		for (goc__g *g = goc__allg_first(); g != NULL; g = g->allnext) {
			int st = atomic_load_explicit(&g->status, memory_order_acquire);
			if (g != a->current && st != G_IDLE && st != G_DEAD)
				all[k++] = g;
		}
	goc__allg_unlock();
	if (all != NULL) {
		qsort(all, k, sizeof(*all), cmp_g);
		for (size_t i = 0; i < k; i++)
			dump_one(&o, all[i]);
		free(all);
	}
	out_flush(&o);
}

/* Dump everything to fd from the calling context, on the given stack. */
static void dump_here(int fd, const char *state, unw_context_t *uc, char *stack)
{
	struct dump_args a = { .fd = fd, .current = goc__getg(), .cur_ctx = uc,
		.current_state = state };
	goc__call_on_stack(dump_all, &a, stack + DUMP_STACK_SIZE);
}

void goc_dump_goroutines(int fd)
{
	unw_context_t uc;
	unw_getcontext(&uc);
	goc__lock(&dump_lock);
	dump_here(fd, "running", &uc, dump_stack);
	goc__unlock(&dump_lock);
}

/* ---------------------------------------------------------------- fatal */

static void fatal_enter(void)
{
	if (atomic_exchange_explicit(&fatal_started, 1, memory_order_acq_rel) != 0)
		for (;;)
			pause(); /* another thread is already reporting */
}

/* The one fatal report: claim the fatal path (a second reporter waits
 * forever), write "<prefix><msg>" and a blank line without allocating, then
 * the dump, on the fatal stack. With uc, the caller is shown first as
 * [running] from that context; without, every goroutine is shown in its
 * own state (the deadlock and SIGQUIT reports, made from a thread that is
 * not the culprit). */
static void report(const char *prefix, const char *msg, unw_context_t *uc)
{
	fatal_enter();
	write_str(2, prefix);
	write_str(2, msg);
	write_str(2, "\n\n");
	if (uc != NULL) {
		dump_here(2, "running", uc, fatal_stack);
	} else {
		struct dump_args a = { .fd = 2, .current = NULL };
		goc__call_on_stack(dump_all, &a, fatal_stack + DUMP_STACK_SIZE);
	}
}

/* A panic or throw by the running goroutine aborts; the deadlock report
 * exits 2, as Go does. */
GOC_NOINLINE static void fatal(const char *prefix, const char *msg, bool do_abort)
{
	unw_context_t uc;
	unw_getcontext(&uc);
	report(prefix, msg, do_abort ? &uc : NULL);
	if (do_abort) {
		signal(SIGABRT, SIG_DFL);
		abort();
	}
	exit(2);
}

void goc__throw(const char *msg)
{
	fatal("fatal error: ", msg, true);
	__builtin_unreachable();
}

void goc__panic(const char *msg)
{
	fatal("panic: ", msg, true);
	__builtin_unreachable();
}

void goc__fatal_deadlock(void)
{
	fatal("fatal error: ", "all goroutines are asleep - deadlock!", false);
	__builtin_unreachable();
}

/* -------------------------------------------------------------- signals */

/* SIGQUIT: the handler only raises a flag and wakes the timer thread,
 * which prints the dump and exits with status 2 (Go's behaviour). Dumping
 * in the handler would allocate and symbolize in signal context. The timer
 * thread starts with the first worker or timer, not at load time: a
 * process that forks before using goc must still be single-threaded. */
static _Atomic int sigquit_flag;

bool goc__sigquit_pending(void)
{
	return atomic_load_explicit(&sigquit_flag, memory_order_acquire) != 0;
}

void goc__sigquit_report(void)
{
	report("SIGQUIT: ", "quit", NULL);
	_exit(2);
}

static void on_sigquit(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	(void)ctx;
	if (goc__timers_started()) {
		atomic_store_explicit(&sigquit_flag, 1, memory_order_release);
		goc__timers_kick();
		return;
	}
	/* No goroutine or timer was ever started, so there is no runtime
	 * thread to hand this to: dump here, best effort. */
	unw_context_t uc;
	unw_getcontext(&uc);
	report("SIGQUIT: ", "quit", &uc);
	_exit(2);
}

void goc__throw_stack_overflow(int64_t goid, void *uc)
{
	char msg[160];
	snprintf(msg, sizeof(msg),
			"stack overflow in goroutine %lld (stack size %zu bytes; raise GOC_STACK_SIZE)",
			(long long)goid, goc__stack_size());
	if (uc == NULL) {
		fatal("fatal error: ", msg, true);
		__builtin_unreachable();
	}
	report("fatal error: ", msg, uc);
	signal(SIGABRT, SIG_DFL);
	abort();
}

/* Runs on the worker's alternate stack (mstart): the goroutine's own stack
 * is exhausted. The faulting context is x86-64's ucontext_t, which is what
 * libunwind's unw_context_t is, so the overflowing goroutine is dumped from
 * the faulting instruction. */
static void on_sigsegv(int sig, siginfo_t *si, void *ctx)
{
	int64_t goid = 0;
	if (goc__stack_is_guard(si->si_addr, &goid))
		goc__throw_stack_overflow(goid, ctx);
	/* Not ours: let the fault happen again with the default action. */
	signal(sig, SIG_DFL);
}

static void install_if_default(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction old;
	if (sigaction(sig, NULL, &old) != 0 || old.sa_handler != SIG_DFL ||
	    (old.sa_flags & SA_SIGINFO))
		return;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void goc__dump_init(void)
{
	const char *tb = getenv("GOC_TRACEBACK");
	traceback_system = tb != NULL && strcmp(tb, "system") == 0;
	install_if_default(SIGQUIT, on_sigquit);
	install_if_default(SIGSEGV, on_sigsegv);
}
