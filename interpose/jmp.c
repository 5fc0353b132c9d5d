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

GOCRACE_REAL(int, setjmp, struct __jmp_buf_tag *);
GOCRACE_REAL(int, _setjmp, struct __jmp_buf_tag *);
GOCRACE_REAL(int, __sigsetjmp, struct __jmp_buf_tag *, int);
GOCRACE_REAL(void, longjmp, struct __jmp_buf_tag *, int);
GOCRACE_REAL(void, _longjmp, struct __jmp_buf_tag *, int);
GOCRACE_REAL(void, siglongjmp, struct __jmp_buf_tag *, int);
GOCRACE_REAL(void, __longjmp_chk, struct __jmp_buf_tag *, int);

/* libc's __sigsetjmp for setjmp_amd64.S's unrecorded entry: written once,
 * at init, before any thread but the first runs the runtime's code. */
void *gocrace_libc_sigsetjmp;

void gocrace_jmp_init(void)
{
	GOCRACE_RESOLVE(setjmp);
	GOCRACE_RESOLVE(_setjmp);
	GOCRACE_RESOLVE(__sigsetjmp);
	gocrace_libc_sigsetjmp = (void *)real___sigsetjmp;
	GOCRACE_RESOLVE(longjmp);
	GOCRACE_RESOLVE(_longjmp);
	GOCRACE_RESOLVE(siglongjmp);
	GOCRACE_RESOLVE(__longjmp_chk);
}

/* Records a setjmp point of env by the calling thread, whose stack
 * pointer after the call returns is sp; returns libc's function for
 * setjmp_amd64.S to jump to: setjmp, _setjmp or __sigsetjmp by `which`
 * (0, 1, 2). */
GOCRACE_HIDDEN void *gocrace_setjmp(void *env, uintptr_t sp, unsigned which);

void *gocrace_setjmp(void *env, uintptr_t sp, unsigned which)
{
	det_thread *t = gocrace_stack_thr();
	if (t != NULL) {
		gocrace_guard();
		det_setjmp(t, (uintptr_t)env, sp);
		gocrace_unguard();
	}
	switch (which) {
	case 0:
		GOCRACE_RESOLVE(setjmp);
		return (void *)real_setjmp;
	case 1:
		GOCRACE_RESOLVE(_setjmp);
		return (void *)real__setjmp;
	default:
		GOCRACE_RESOLVE(__sigsetjmp);
		return (void *)real___sigsetjmp;
	}
}

/* The calling thread's shadow stack as at env's setjmp (det_longjmp). */
static void unwind_to(struct __jmp_buf_tag *env)
{
	det_thread *t = gocrace_stack_thr();
	if (t == NULL)
		return;
	gocrace_guard();
	det_longjmp(t, (uintptr_t)env);
	gocrace_unguard();
}

#define LONGJMP(name, buf)                                                    \
	GOCRACE_EXPORT void name(buf env, int val)                                \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		unwind_to(env);                                                       \
		real_##name(env, val);                                                \
		__builtin_unreachable();                                              \
	}

LONGJMP(longjmp, jmp_buf)
LONGJMP(_longjmp, jmp_buf)
LONGJMP(siglongjmp, sigjmp_buf)
LONGJMP(__longjmp_chk, jmp_buf)
