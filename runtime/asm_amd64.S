/*
 * asm_amd64.S — goroutine context switching for x86-64 (System V ABI).
 *
 * A switched-out context is its stack pointer; the stack holds, from the
 * saved sp upward: mxcsr (4 bytes) and the x87 control word (2 bytes) in
 * one 8-byte slot, then r15, r14, r13, r12, rbx, rbp, and the return
 * address. dump.c reads this layout to unwind parked goroutines; stack.c
 * builds it for a new goroutine with goc__ctx_trampoline as the return
 * address. No system call, no signal mask change.
 */
	.text

	.globl	goc__ctx_switch
	.hidden	goc__ctx_switch
	.type	goc__ctx_switch, @function
/* void goc__ctx_switch(void **save, void *new_sp) */
goc__ctx_switch:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	goc__ctx_switch, .-goc__ctx_switch

	.globl	goc__ctx_trampoline
	.hidden	goc__ctx_trampoline
	.type	goc__ctx_trampoline, @function
/* First code a goroutine runs. The unwinder stops here: rip is undefined. */
goc__ctx_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	goc__gostart
	ud2
	.cfi_endproc
	.size	goc__ctx_trampoline, .-goc__ctx_trampoline

	.globl	goc__call_on_stack
	.hidden	goc__call_on_stack
	.type	goc__call_on_stack, @function
/* void goc__call_on_stack(void (*fn)(void *), void *arg, void *stack_top) */
goc__call_on_stack:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbp, 0
	movq	%rsp, %rbp
	.cfi_def_cfa_register rbp
	movq	%rdi, %rax
	movq	%rsi, %rdi
	andq	$-16, %rdx
	movq	%rdx, %rsp
	call	*%rax
	movq	%rbp, %rsp
	popq	%rbp
	.cfi_def_cfa rsp, 8
	ret
	.cfi_endproc
	.size	goc__call_on_stack, .-goc__call_on_stack

	.section .note.GNU-stack,"",@progbits
