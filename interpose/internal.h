/*
 * interpose/internal.h — the preload runtime's private declarations.
 * Nothing outside interpose/ includes this file.
 *
 * libgoc-race.so is thin: it turns what the program does (instrumented
 * accesses through the __tsan_* ABI, pthread and libc calls, libgoc's
 * tracer events) into detector events (detector/detector.h). Every wrapper
 * has the same shape (STYLE.md): tell the detector what is about to happen,
 * call the real function, and on success tell it what happened.
 *
 * Reentrancy: while the runtime itself runs (initialising, symbolizing,
 * printing a report), the calling thread's `gocrace_ignore` is non-zero and
 * every hook passes straight through to the real function; so does every
 * hook before the runtime is initialised. gocrace_thr() returns NULL then.
 *
 * Symbols: everything here is hidden or static; only the interposed names
 * (__tsan_*, Annotate*, pthread_*, malloc, …) are exported
 * (interpose/meson.build).
 */
#ifndef GOC_INTERPOSE_INTERNAL_H
#define GOC_INTERPOSE_INTERNAL_H

#include "detector.h"

#include <pthread.h>
#include <sched.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GOCRACE_HIDDEN __attribute__((visibility("hidden")))
#define GOCRACE_EXPORT __attribute__((visibility("default")))
#define GOCRACE_LIKELY(x) __builtin_expect(!!(x), 1)
#define GOCRACE_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* The runtime's thread-locals: initial-exec, one %fs-relative access that
 * never calls into the dynamic linker. */
#define TLS __thread __attribute__((tls_model("initial-exec")))
/* An extra parameter list for the interceptor macros: P_(int x, int y) */
#define P_(...) , __VA_ARGS__

/* glibc's allocator, never the program's (which the runtime intercepts). */
extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

/* ---- options (options.c; the table is options.def) --------------------- */

typedef struct gocrace_options {
#define GOC_RACE_OPTION_BOOL(name) bool name;
#define GOC_RACE_OPTION_INT(name) int name;
#define GOC_RACE_OPTION_STRING(name) const char *name;
#define GOC_RACE_OPTION(type, name, def, help) GOC_RACE_OPTION_##type(name)
#include "options.def"
#undef GOC_RACE_OPTION
#undef GOC_RACE_OPTION_BOOL
#undef GOC_RACE_OPTION_INT
#undef GOC_RACE_OPTION_STRING
} gocrace_options;

extern GOCRACE_HIDDEN gocrace_options gocrace_opt;

/* Parses GOC_RACE_OPTIONS into gocrace_opt; on a bad option prints one
 * line and exits the process with status 64 (the program has not started). */
GOCRACE_HIDDEN void gocrace_options_parse(const char *env);

/* ---- the runtime (runtime.c) ------------------------------------------- */

/* Two counts in one word, so that the access hooks test both at once:
 *  - the guard, bits 0-15 (gocrace_guard / gocrace_unguard): non-zero
 *    while the runtime's own code runs on this thread, or while the
 *    program is inside a custom mutex's pre_X...post_X (annotations.c):
 *    every hook passes through, and signal handlers wait (signal.c);
 *  - the program's open access-ignore regions, GOCRACE_REGION each
 *    (AnnotateIgnoreReads/Writes, __tsan_ignore_thread_begin; annotations.c):
 *    its accesses are neither checked nor remembered, and a free is no
 *    write; its synchronisation still counts, as in TSan.
 * It is the detector's thread-local word beside det_current() (det_tls),
 * so that an access hook reads both at one address. */
#define gocrace_ignore (det__tls.host)
extern GOCRACE_HIDDEN bool gocrace_ready; /* set once, at the end of init */
#define GOCRACE_REGION (1 << 16)
#define GOCRACE_GUARD (GOCRACE_REGION - 1)

/* The program has an access-ignore region open on this thread. */
static inline bool gocrace_in_region(void)
{
	return GOCRACE_UNLIKELY(gocrace_ignore >= GOCRACE_REGION);
}

/* Signals whose handlers were deferred because they came while the
 * guard was raised: non-zero when there are some (signal.c). */
extern GOCRACE_HIDDEN __thread int gocrace_sig_pending __attribute__((tls_model("initial-exec")));
/* Runs the deferred handlers; the guard is down. */
GOCRACE_HIDDEN void gocrace_signal_deliver(void);

/* The guard goes up around the runtime's own code; when it comes down
 * the handlers of the signals that came meanwhile run, as TSan runs them
 * at the end of its interceptors. */
static inline void gocrace_guard(void)
{
	gocrace_ignore++;
}

static inline void gocrace_unguard(void)
{
	gocrace_ignore--;
	/* a signal before the decrement was deferred: look after it */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (GOCRACE_UNLIKELY(gocrace_sig_pending != 0) && (gocrace_ignore & GOCRACE_GUARD) == 0)
		gocrace_signal_deliver();
}

/* An access-ignore region begins; one ends (an end without a begin
 * changes nothing). */
static inline void gocrace_region_begin(void)
{
	gocrace_ignore += GOCRACE_REGION;
}

static inline void gocrace_region_end(void)
{
	if (gocrace_in_region())
		gocrace_ignore -= GOCRACE_REGION;
}

/* The calling thread's det_thread, or NULL when events must be ignored
 * (before init, inside the runtime). A thread the runtime never saw start
 * (created before the preload was initialised, or by a raw clone) gets one
 * on its first event. Not NULL inside an access-ignore region: callers
 * that access memory ask gocrace_in_region (gocrace_access does). */
GOCRACE_HIDDEN det_thread *gocrace_thr_slow(void);
/* The same for a thread that libc started for the program (a SIGEV_THREAD
 * timer's), created where the program asked for it (created_at). */
GOCRACE_HIDDEN det_thread *gocrace_thr_adopt(det_ctx created_at);
/* An adopted thread's end is watched too (pthread.c's end key): what is
 * current on it then stops being current. Under the guard. */
GOCRACE_HIDDEN void gocrace_watch_end(void);
static inline det_thread *gocrace_thr(void)
{
	if (GOCRACE_UNLIKELY(!gocrace_ready || (gocrace_ignore & GOCRACE_GUARD) != 0))
		return NULL;
	det_thread *t = det_current();
	return GOCRACE_LIKELY(t != NULL) ? t : gocrace_thr_slow();
}

/* The thread whose shadow call stack function entry and exit (and setjmp
 * and longjmp, jmp.c) keep: as gocrace_thr(), but also inside a mutex
 * region (only instrumented code calls these, never the runtime itself),
 * so that a region opened in one function and closed in another leaves the
 * stack balanced. */
static inline det_thread *gocrace_stack_thr(void)
{
	det_thread *t = GOCRACE_LIKELY(gocrace_ready) ? det_current() : NULL;
	return GOCRACE_LIKELY(t != NULL) ? t : gocrace_thr();
}

/* Non-zero while this thread is inside AnnotateIgnoreSyncBegin/End
 * (annotations.c): the clock operations below do nothing, nor do thread
 * and fiber creation and join (pthread.c, annotations.c); its accesses are
 * still checked. libgoc's edges (tracer.c) are kept. */
extern GOCRACE_HIDDEN __thread int gocrace_ignore_sync __attribute__((tls_model("initial-exec")));

/* t's access of size bytes at addr (det_access), at pc, with the guard
 * raised around the detector call; t is gocrace_thr()'s, not NULL.
 * Nothing inside an access-ignore region. */
static inline void gocrace_access(det_thread *t, const volatile void *addr, size_t size,
                                  uintptr_t pc, unsigned flags)
{
	if (gocrace_in_region())
		return;
	gocrace_guard();
	det_access(t, (uintptr_t)addr, size, pc, flags);
	gocrace_unguard();
}

/* A fixed-size access (1 to 16 bytes) by t: det_access_seen_inline, then
 * (not seen, the thread's leaf cache has the cells) the quick check, both
 * without a reentry guard; the full check only when neither decides
 * (gocrace_access_small_slow, tsan_abi.c). The slow half takes the quick
 * check's arguments (how: DET_HOW, plus GOCRACE_SLOW_ASK), so that both
 * are reached by a jump and the hook itself saves no registers. t is
 * gocrace_thr()'s or det_current(), not NULL; the caller has tested the
 * access-ignore regions (gocrace_ignore). */
enum { GOCRACE_SLOW_ASK = 1u << 16 };
GOCRACE_HIDDEN void gocrace_access_small_slow(det_thread *t, uintptr_t addr, uintptr_t pc,
                                              unsigned how, _Atomic uint64_t *cells);
/* An access of at most 8 bytes across two granules (an unaligned one):
 * each granule's part through the seen test and the quick check, as an
 * access of its own; the full check, of the whole access, only when one
 * of them cannot decide (tsan_abi.c). how: DET_HOW. */
GOCRACE_HIDDEN void gocrace_access_split(det_thread *t, uintptr_t addr, uintptr_t pc,
                                         unsigned how);

static inline __attribute__((always_inline)) void
gocrace_check_small(det_thread *t, const volatile void *addr, size_t size, uintptr_t pc,
                    unsigned flags)
{
	/* "seen" inline first: most accesses in a loop end there, and the
	 * quick check costs a call */
	_Atomic uint64_t *cells;
	int seen = det_access_seen_inline(t, (uintptr_t)addr, size, flags, &cells);
	if (GOCRACE_LIKELY(seen > 0))
		return;
	if (GOCRACE_LIKELY(cells != NULL))
		det_access_quick_for(size, flags)(t, (uintptr_t)addr, pc, DET_HOW(size, flags), cells,
		                                  gocrace_access_small_slow);
	else if (seen == 0 && size <= 8) /* not seen, no cells: across two granules */
		gocrace_access_split(t, (uintptr_t)addr, pc, DET_HOW(size, flags));
	else
		gocrace_access_small_slow(t, (uintptr_t)addr, pc,
		                          DET_HOW(size, flags) | (seen < 0 ? GOCRACE_SLOW_ASK : 0),
		                          NULL);
}

/* libc's __sigsetjmp, not recorded as a setjmp point (setjmp_amd64.S;
 * libc's function is found at init, gocrace_jmp_init): for the runtime's
 * own cancellation buffers. */
GOCRACE_HIDDEN int gocrace_sigsetjmp_unrecorded(void *env, int savemask)
	__attribute__((returns_twice));
GOCRACE_HIDDEN extern void *gocrace_libc_sigsetjmp;

/* The external-object tag of the process environment (external.c): its
 * races are titled "DATA RACE on environment". */
enum { GOCRACE_TAG_ENVIRONMENT = 2 };
/* t's 1-byte access of addr at pc standing for an object of tag's type,
 * as __tsan_external_read/write make one (none from libgoc's own code). */
GOCRACE_HIDDEN void gocrace_tagged_access(det_thread *t, const volatile void *addr,
                                          uintptr_t tag, uintptr_t pc, unsigned flags);

/* The fork child's side of environ.c: its lock's holder is gone. */
GOCRACE_HIDDEN void gocrace_environ_fork_child(void);
/* The fork child's side of io.c: its lock's holder is gone. */
GOCRACE_HIDDEN void gocrace_io_fork_child(void);
/* The calling OS thread's det_thread t ends (before det_thread_finish):
 * the robust mutexes it may die holding (sync.c). */
GOCRACE_HIDDEN void gocrace_sync_thread_end(det_thread *t);
/* In a fork child: the thread id sync.c keeps is the parent's. */
GOCRACE_HIDDEN void gocrace_sync_fork_child(void);
/* A use of descriptor fd at pc that is no edge (fstat): a read of its
 * word in io.c's table, when it has one; errno kept. */
GOCRACE_HIDDEN void gocrace_fd_use(int fd, uintptr_t pc);
/* det_config.describe_fd: addr is a descriptor's word in io.c's table. */
GOCRACE_HIDDEN bool gocrace_fd_describe(uintptr_t addr, int *fd, det_ctx *made_at);

/* Forgets the sync objects in [addr, addr + size) (det_sync_forget), with
 * the guard raised. */
static inline void gocrace_forget(const volatile void *addr, size_t size)
{
	gocrace_guard();
	det_sync_forget((uintptr_t)addr, size);
	gocrace_unguard();
}

/* Names t (det_thread_set_name), with the guard raised; a NULL name
 * changes nothing. */
static inline void gocrace_name_thread(det_thread *t, const char *name)
{
	if (name == NULL)
		return;
	gocrace_guard();
	det_thread_set_name(t, name);
	gocrace_unguard();
}

/* Clock operations on the object at addr (detector.h), with the guard
 * raised around the detector call; t is gocrace_thr()'s, not NULL. None
 * inside an ignore-sync region. */
static inline void gocrace_acquire(det_thread *t, const volatile void *addr)
{
	if (GOCRACE_UNLIKELY(gocrace_ignore_sync != 0))
		return;
	gocrace_guard();
	det_acquire(t, (uintptr_t)addr);
	gocrace_unguard();
}

static inline void gocrace_release(det_thread *t, const volatile void *addr)
{
	if (GOCRACE_UNLIKELY(gocrace_ignore_sync != 0))
		return;
	gocrace_guard();
	det_release(t, (uintptr_t)addr);
	gocrace_unguard();
}

static inline void gocrace_release_merge(det_thread *t, const volatile void *addr)
{
	if (GOCRACE_UNLIKELY(gocrace_ignore_sync != 0))
		return;
	gocrace_guard();
	det_release_merge(t, (uintptr_t)addr);
	gocrace_unguard();
}

/* The counts of the guard that the program's open custom-mutex regions
 * hold on this thread (annotations.c): the guard is no more than these
 * while no runtime code runs. */
GOCRACE_HIDDEN int gocrace_mutex_region_guard(void);

/* A libc function about to call back into the program (pthread_once's
 * routine, qsort's comparator): its call site becomes a frame of the
 * shadow stack until it returns, so that the callback's stack goes on
 * into the caller, as TSan's interceptors make it. t is
 * gocrace_stack_thr()'s. */
static inline void gocrace_call_begin(det_thread *t, uintptr_t call_pc)
{
	if (t != NULL)
		det_func_entry(t, call_pc);
}

static inline void gocrace_call_end(det_thread *t)
{
	if (t != NULL)
		det_func_exit(t);
}

/* gocrace_call_end as a cleanup (__attribute__((cleanup))): it also runs
 * when a C++ exception from the callback unwinds through the interceptor
 * (the runtime is built with -fexceptions for it). */
static inline void gocrace_call_cleanup(det_thread **t)
{
	gocrace_call_end(*t);
}

/* The calling thread's signal mask, set and read with the system call
 * itself: glibc's pthread_sigmask leaves its own signals (32 and 33:
 * thread cancellation, setxid, SIGEV_THREAD's timer helper) out of every
 * mask it sets, so a save and restore through it would unblock signal 32
 * in glibc's timer thread, which waits for it blocked, and the next timer
 * signal would kill the process. */
static inline int gocrace_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	return (int)syscall(SYS_rt_sigprocmask, how, set, old, (size_t)(_NSIG / 8));
}

/* The runtime's own spin locks (a table's, held for a few instructions;
 * a waiter yields): acquire on take, release on drop. */
static inline void gocrace_spin_take(atomic_int *l)
{
	while (atomic_exchange_explicit(l, 1, memory_order_acquire) != 0)
		sched_yield();
}

static inline void gocrace_spin_drop(atomic_int *l)
{
	atomic_store_explicit(l, 0, memory_order_release);
}

/* The calling OS thread's own det_thread (not the goroutine it runs). */
GOCRACE_HIDDEN det_thread *gocrace_home(void);
GOCRACE_HIDDEN void gocrace_set_home(det_thread *t);

/* The caller's stack as a detector context, captured with libunwind, for
 * synchronisation events, allocations and creation sites (skip: frames of
 * the runtime itself to leave out). Falls back to the shadow call stack. */
GOCRACE_HIDDEN det_ctx gocrace_stack_here(det_thread *t, int skip);

GOCRACE_HIDDEN void gocrace_init(void);
/* A fork child's signal table lock, free (signal.c). */
GOCRACE_HIDDEN void gocrace_signal_fork_child(void);
/* The calling thread is ending: its signals no longer wait for the guard
 * (signal.c), which stays raised from now on. */
GOCRACE_HIDDEN void gocrace_signal_thread_end(void);
/* A fork child's own text log file (log_path.PID). */
GOCRACE_HIDDEN void gocrace_fork_child_sinks(void);

/* ---- symbols (symbolize.c) --------------------------------------------- */

/* pc's frames into f[max], innermost first (several when its code was
 * inlined); returns how many (at least 1 when max is). */
GOCRACE_HIDDEN size_t gocrace_symbolize(uintptr_t pc, bool is_return_address, det_frame *f,
                                        size_t max);
GOCRACE_HIDDEN bool gocrace_describe_global(uintptr_t addr, const char **name,
                                            uintptr_t *start, size_t *size,
                                            const char **module);

/* ---- suppressions (suppress.c) ----------------------------------------- */

/* Loads a TSan-format suppressions file; false (and errno) if unreadable. */
GOCRACE_HIDDEN bool gocrace_suppressions_load(const char *path);
GOCRACE_HIDDEN bool gocrace_suppressed(const char *kind, const det_frame *const *stacks,
                                       const size_t *depths, size_t nstacks,
                                       const char *global_name);
GOCRACE_HIDDEN void gocrace_suppressions_print(void);

/* ---- libgoc (tracer.c) ------------------------------------------------- */

/* Whether pc is in libgoc's code (its copies are modelled by the tracer's
 * edges, not checked as accesses). */
extern GOCRACE_HIDDEN uintptr_t gocrace_libgoc_lo, gocrace_libgoc_hi;
static inline bool gocrace_in_libgoc(uintptr_t pc)
{
	return pc - gocrace_libgoc_lo < gocrace_libgoc_hi - gocrace_libgoc_lo;
}

/* A range read or written by t at pc (gocrace_access), unless pc is
 * libgoc's: copies made by libgoc itself (a channel element into a
 * receiver's variable) are not the program's accesses; their ordering is
 * what the tracer's edges describe, as in Go, whose runtime copies are
 * not instrumented either. The interceptors' accesses of the program's
 * buffers go through here. */
static inline void gocrace_range_access(det_thread *t, const volatile void *a, size_t n,
                                        uintptr_t pc, unsigned flags)
{
	if (!gocrace_in_libgoc(pc))
		gocrace_access(t, a, n, pc, flags);
}

/* A comparison's reads by t at pc: the first n bytes of a and of b, n
 * being what its loop examined (the caller's extent rule). */
static inline void gocrace_compare_read(det_thread *t, const void *a, const void *b, size_t n,
                                        uintptr_t pc)
{
	gocrace_range_access(t, a, n, pc, DET_READ);
	gocrace_range_access(t, b, n, pc, DET_READ);
}

/* The calling thread's range access of n bytes at p, at pc, as
 * gocrace_range_access, keeping the errno the real call left (a report
 * made here may change it): what an interceptor records of a buffer after
 * the real call. Nothing without a thread, or for n == 0. */
static inline void gocrace_buffer_access(const volatile void *p, size_t n, uintptr_t pc,
                                         unsigned flags)
{
	det_thread *t = gocrace_thr();
	if (t == NULL || n == 0)
		return;
	int err = errno;
	gocrace_range_access(t, p, n, pc, flags);
	errno = err;
}

/* glibc's strlen, for the runtime's own measure of a program's string
 * (strlen itself is intercepted as a read; libc.c). */
GOCRACE_HIDDEN size_t gocrace_strlen(const char *s);

/* ---- external objects (external.c) ------------------------------------ */

/* det_config.external_tag: whether pc is an external-object tag, and its
 * type and header (NULL: none registered). */
GOCRACE_HIDDEN bool gocrace_external_tag(uintptr_t pc, const char **type, const char **header);

/* ---- formats (format.c) ------------------------------------------------ */

/* What a printf with format fmt and arguments ap reads and writes among
 * them (fmt itself, its %s strings, its %n integers): t's accesses at pc,
 * unless pc is libgoc's. ap is walked on a copy. */
GOCRACE_HIDDEN void gocrace_printf_args(det_thread *t, const char *fmt, va_list ap,
                                        uintptr_t pc);
/* What a scanf with format fmt and arguments ap stored through them,
 * assigned its result (the conversions assigned): t's writes at pc,
 * unless pc is libgoc's; gnu: glibc's GNU scanf, whose %as allocates (the
 * C99 __isoc99_ ones read %a as a float). ap is walked on a copy: the
 * caller copies it before the real call, which uses it up. */
GOCRACE_HIDDEN void gocrace_scanf_results(det_thread *t, const char *fmt, va_list ap,
                                          int assigned, bool gnu, uintptr_t pc);

/* Installs the tracer table into libgoc if the program uses it. */
GOCRACE_HIDDEN void gocrace_tracer_install(void);

/* ---- annotations (annotations.c) --------------------------------------- */

/* det_config.expected: whether a race spanning [addr, addr + size) touches
 * memory the program declared benign (AnnotateBenignRace*); counts the hit. */
GOCRACE_HIDDEN bool gocrace_race_expected(uintptr_t addr, size_t size);
/* For print_suppressions: the benign ranges that matched, with their hits. */
GOCRACE_HIDDEN void gocrace_expected_print(void);

/* ---- pthread (pthread.c) ----------------------------------------------- */

/* Called by runtime.c at init for the main thread. */
GOCRACE_HIDDEN void gocrace_pthread_init(void);

/* ---- libc (libc.c) ----------------------------------------------------- */

/* Called by runtime.c at init: finds glibc's own code. */
GOCRACE_HIDDEN void gocrace_libc_init(void);

/* memcpy/memmove/memset checked as range accesses at pc, then performed;
 * for clang 19's __tsan_mem* (tsan_abi.c). */
GOCRACE_HIDDEN void gocrace_memcpy_checked(void *d, const void *s, size_t n, uintptr_t pc);
GOCRACE_HIDDEN void gocrace_memmove_checked(void *d, const void *s, size_t n, uintptr_t pc);
GOCRACE_HIDDEN void gocrace_memset_checked(void *d, int c, size_t n, uintptr_t pc);

/* ---- setjmp and longjmp (jmp.c) ----------------------------------------- */

/* Called by runtime.c at init: finds libc's setjmp and longjmp functions,
 * so that no lookup runs later inside a signal handler (siglongjmp's
 * usual caller). */
GOCRACE_HIDDEN void gocrace_jmp_init(void);

/* ---- real functions ---------------------------------------------------- */

/* dlsym(RTLD_NEXT, name), aborting with one clear line if it is missing. */
GOCRACE_HIDDEN void *gocrace_real(const char *name);

#define GOCRACE_REAL(ret, name, ...)                                          \
	static ret (*real_##name)(__VA_ARGS__)

#define GOCRACE_RESOLVE(name)                                                 \
	do {                                                                      \
		if (GOCRACE_UNLIKELY(real_##name == NULL))                            \
			real_##name = gocrace_real(#name);                                \
	} while (0)

/* As GOCRACE_RESOLVE, for a wrapper named otherwise than the symbol sym it
 * stands for (exported under sym with an asm label: glibc's headers
 * rename some functions, e.g. pread to pread64 with _FILE_OFFSET_BITS=64,
 * and a program may call either name). */
#define GOCRACE_RESOLVE_AS(name, sym)                                         \
	do {                                                                      \
		if (GOCRACE_UNLIKELY(real_##name == NULL))                            \
			real_##name = gocrace_real(sym);                                  \
	} while (0)

/* The program counter of the caller of the current interceptor. */
#define GOCRACE_CALLER_PC() ((uintptr_t)__builtin_return_address(0))

#endif /* GOC_INTERPOSE_INTERNAL_H */
