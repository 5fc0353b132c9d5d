/*
 * setjmp_amd64.S — setjmp, _setjmp and __sigsetjmp for the preload runtime
 * (x86-64 System V; jmp.c says why they are not C). Each entry point
 * calls gocrace_setjmp(env, the caller's stack pointer, which), which
 * records the setjmp point and returns libc's function; then, with the
 * argument registers restored and the stack as it was on entry, jumps to
 * it: libc saves the caller's registers and return address as if called
 * directly, and its second return goes straight back to the caller.
 */
#if defined(__CET__)
#include <cet.h> /* the .note.gnu.property of an IBT/SHSTK build */
#endif

	.text

.macro GOCRACE_SETJMP name, which
	.globl \name
	.type \name, @function
	.p2align 4
\name:
	.cfi_startproc
	endbr64
	push %rdi                 /* env */
	.cfi_adjust_cfa_offset 8
	push %rsi                 /* __sigsetjmp's savemask */
	.cfi_adjust_cfa_offset 8
	sub $8, %rsp              /* a 16-byte aligned stack for the call */
	.cfi_adjust_cfa_offset 8
	lea 32(%rsp), %rsi        /* the caller's stack pointer, past our return address */
	mov $\which, %edx
	call gocrace_setjmp
	add $8, %rsp
	.cfi_adjust_cfa_offset -8
	pop %rsi
	.cfi_adjust_cfa_offset -8
	pop %rdi
	.cfi_adjust_cfa_offset -8
	jmp *%rax
	.cfi_endproc
	.size \name, . - \name
.endm

	GOCRACE_SETJMP setjmp, 0
	GOCRACE_SETJMP _setjmp, 1
	GOCRACE_SETJMP __sigsetjmp, 2

/* libc's __sigsetjmp, not recorded: the runtime's own setjmp points (its
 * cancellation buffers, sync.c), which the program never jumps to. */
	.globl gocrace_sigsetjmp_unrecorded
	.hidden gocrace_sigsetjmp_unrecorded
	.type gocrace_sigsetjmp_unrecorded, @function
	.p2align 4
gocrace_sigsetjmp_unrecorded:
	.cfi_startproc
	endbr64
	jmp *gocrace_libc_sigsetjmp(%rip)
	.cfi_endproc
	.size gocrace_sigsetjmp_unrecorded, . - gocrace_sigsetjmp_unrecorded

	.section .note.GNU-stack, "", @progbits
