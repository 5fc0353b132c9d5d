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
 * Not handled: a longjmp out of a signal handler that interrupted the
 * runtime itself (the guard stays raised, and that thread's events are
 * then ignored), as when libc's own locks are jumped out of.
 */
#include "internal.h"

#include <setjmp.h>

/* gocrace_setjmp's `which`: the entry point, as setjmp_amd64.S numbers
 * them. */
static const char *const setjmp_names[] = { "setjmp", "_setjmp", "__sigsetjmp" };

/* Records a setjmp point of env by the calling thread, whose stack
 * pointer after the call returns is sp; returns libc's function `which`
 * for setjmp_amd64.S to jump to. */
GOCRACE_HIDDEN void *gocrace_setjmp(void *env, uintptr_t sp, unsigned which);

void *gocrace_setjmp(void *env, uintptr_t sp, unsigned which)
{
	static void *_Atomic real[3];
	void *fn = atomic_load_explicit(&real[which], memory_order_relaxed);
	if (GOCRACE_UNLIKELY(fn == NULL)) {
		fn = gocrace_real(setjmp_names[which]);
		atomic_store_explicit(&real[which], fn, memory_order_relaxed);
	}
	det_thread *t = gocrace_thr();
	if (t != NULL) {
		gocrace_ignore++;
		det_setjmp(t, (uintptr_t)env, sp);
		gocrace_ignore--;
	}
	return fn;
}

/* The calling thread's shadow stack as at env's setjmp. */
static void jmp_unwind(const void *env)
{
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return;
	gocrace_ignore++;
	det_longjmp(t, (uintptr_t)env);
	gocrace_ignore--;
}

#define LONGJMP(name, buf)                                                    \
	GOCRACE_REAL(void, name, struct __jmp_buf_tag *, int);                    \
	GOCRACE_EXPORT void name(buf env, int val)                                \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		jmp_unwind(env);                                                      \
		real_##name(env, val);                                                \
		__builtin_unreachable();                                              \
	}

LONGJMP(longjmp, jmp_buf)
LONGJMP(_longjmp, jmp_buf)
LONGJMP(siglongjmp, sigjmp_buf)

/* _FORTIFY_SOURCE's longjmp (not in <setjmp.h> without it). */
void __longjmp_chk(jmp_buf env, int val) __attribute__((noreturn));
LONGJMP(__longjmp_chk, jmp_buf)
