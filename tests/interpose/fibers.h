/*
 * fibers.h — the fiber fixtures' scaffolding: fibers "one" and "two",
 * which the fixture makes with __tsan_create_fiber (threads T1 and T2 to
 * the detector), named with __tsan_set_fiber_name, each a ucontext on a
 * stack of its own, started from main's OS thread with swapcontext. A
 * switch is announced right before its swapcontext, in the same function,
 * as TSan requires.
 */
#ifndef GOC_TESTS_FIBERS_H
#define GOC_TESTS_FIBERS_H

#include "annotate.h"

#include <ucontext.h>

static ucontext_t main_uc, one_uc, two_uc;
static char one_stack[64 * 1024], two_stack[64 * 1024];
static void *main_fiber, *one, *two;

static void fiber_context(ucontext_t *uc, char *stack, size_t size, void (*fn)(void))
{
	getcontext(uc);
	uc->uc_stack.ss_sp = stack;
	uc->uc_stack.ss_size = size;
	uc->uc_link = &main_uc;
	makecontext(uc, fn, 0);
}

/* Names the fibers and sets their contexts up: one runs run_one and two
 * run_two once switched to. The fixture creates the fibers (reports show
 * their creation stacks, which must be in its file), after it has set
 * main_fiber: a fiber knows what its creator did before creating it. */
static void fibers_prepare(void (*run_one)(void), void (*run_two)(void))
{
	__tsan_set_fiber_name(one, "one");
	__tsan_set_fiber_name(two, "two");
	fiber_context(&one_uc, one_stack, sizeof one_stack, run_one);
	fiber_context(&two_uc, two_stack, sizeof two_stack, run_two);
}

static void fibers_destroy(void)
{
	__tsan_destroy_fiber(one);
	__tsan_destroy_fiber(two);
}

#endif
