/*
 * jmp.c — setjmp and longjmp. A longjmp leaves every frame between it and
 * its setjmp without a __tsan_func_exit, so the shadow call stack would
 * keep them: a later report would show frames long gone, and a program
 * that jumps in a loop (error handling, an interpreter) would grow its
 * shadow stack and the context table without bound. So each setjmp point
 * is recorded (det_setjmp) and a longjmp to it cuts the stack back
 * (det_longjmp).
 *
 * setjmp, _setjmp and __sigsetjmp (what sigsetjmp expands to) cannot be
 * wrapped in C: they return twice, the second time into a frame a C
 * wrapper would have left. setjmp_amd64.S's entry points call
 * gocrace_setjmp with the buffer and the caller's stack pointer, then
 * jump to libc's function with the registers and stack as the caller left
 * them. longjmp, _longjmp, siglongjmp and __longjmp_chk (what
 * _FORTIFY_SOURCE makes of them) are plain wrappers.
 *
 * libc's functions are found at init (gocrace_jmp_init), not on first
 * use: siglongjmp is mostly called from signal handlers, where dlsym must
 * not run. A call before init finds its function then.
 *
 * Not handled: a longjmp out of a signal handler that interrupted the
 * runtime itself (the guard stays raised, and that thread's events are
 * then ignored), as when libc's own locks are jumped out of.
 */

/* <setjmp.h> with _FORTIFY_SOURCE renames longjmp, _longjmp and
 * siglongjmp to __longjmp_chk: each is defined here under its own name. */
#undef _FORTIFY_SOURCE

#include "internal.h"

#include <setjmp.h>

/* _FORTIFY_SOURCE's longjmp (declared by <setjmp.h> only with it). */
void __longjmp_chk(jmp_buf env, int val) __attribute__((noreturn));

typedef void longjmp_fn(struct __jmp_buf_tag *env, int val);

/* libc's functions, by entry point: setjmp_amd64.S numbers the setjmps
 * 0-2 (gocrace_setjmp's `which`), the longjmps follow. Written at init,
 * or by the first call before it, each time with the same value (so
 * relaxed: a thread that reads NULL looks the function up itself). */
enum { JMP_SETJMPS = 3, JMP_ALL = 7 };
static const char *const jmp_names[JMP_ALL] = {
	"setjmp", "_setjmp", "__sigsetjmp", "longjmp", "_longjmp", "siglongjmp", "__longjmp_chk",
};
static void *_Atomic jmp_real[JMP_ALL];

static void *real_jmp(unsigned which)
{
	void *fn = atomic_load_explicit(&jmp_real[which], memory_order_relaxed);
	if (GOCRACE_UNLIKELY(fn == NULL)) {
		fn = gocrace_real(jmp_names[which]);
		atomic_store_explicit(&jmp_real[which], fn, memory_order_relaxed);
	}
	return fn;
}

void gocrace_jmp_init(void)
{
	for (unsigned i = 0; i < JMP_ALL; i++)
		real_jmp(i);
}

/* Records a setjmp point of env by the calling thread, whose stack
 * pointer after the call returns is sp; returns libc's function `which`
 * for setjmp_amd64.S to jump to. */
GOCRACE_HIDDEN void *gocrace_setjmp(void *env, uintptr_t sp, unsigned which);

void *gocrace_setjmp(void *env, uintptr_t sp, unsigned which)
{
	det_thread *t = gocrace_stack_thr();
	if (t != NULL) {
		gocrace_ignore++;
		det_setjmp(t, (uintptr_t)env, sp);
		gocrace_ignore--;
	}
	return real_jmp(which < JMP_SETJMPS ? which : 0);
}

/* The calling thread's shadow stack as at env's setjmp; then libc's
 * longjmp `which` (never returns). */
static __attribute__((noreturn)) void jump(unsigned which, struct __jmp_buf_tag *env, int val)
{
	longjmp_fn *fn = (longjmp_fn *)real_jmp(which);
	det_thread *t = gocrace_stack_thr();
	if (t != NULL) {
		gocrace_ignore++;
		det_longjmp(t, (uintptr_t)env);
		gocrace_ignore--;
	}
	fn(env, val);
	__builtin_unreachable();
}

GOCRACE_EXPORT void longjmp(jmp_buf env, int val)
{
	jump(3, env, val);
}

GOCRACE_EXPORT void _longjmp(jmp_buf env, int val)
{
	jump(4, env, val);
}

GOCRACE_EXPORT void siglongjmp(sigjmp_buf env, int val)
{
	jump(5, env, val);
}

GOCRACE_EXPORT void __longjmp_chk(jmp_buf env, int val)
{
	jump(6, env, val);
}
