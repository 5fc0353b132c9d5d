/* race_goc_longjmp_stack: two goroutines each leave nested calls by
 * longjmp, again and again, yielding at the bottom of each dive (so a
 * goroutine may jump on another worker thread than it set the buffer
 * on), then both write a global. Each access's stack is the goroutine's
 * calls live at it: a setjmp point belongs to the goroutine, not to the
 * worker thread it ran on.
 * expect-location: global counter
 * expect-stack: prev set first
 * expect-stack: cur set second
 */
#include "e2e.h"

#include <goc/goc.h>
#include <setjmp.h>

static goc_waitgroup wg;
int counter;

__attribute__((noinline)) static void dive(int n, jmp_buf env)
{
	volatile int after = n;
	if (n == 0) {
		goc_yield();
		longjmp(env, 1);
	}
	dive(n - 1, env);
	(void)after;
}

__attribute__((noinline)) static void jump_around(void)
{
	for (int i = 0; i < 50; i++) {
		jmp_buf env;
		if (setjmp(env) == 0)
			dive(5, env);
	}
}

__attribute__((noinline)) static void set(int v)
{
	counter = v; /* race */ /* prev: G2 write */ /* cur: G3 write */
}

static void first(void *arg)
{
	(void)arg;
	jump_around();
	set(1);
	e2e_post(1);
	goc_waitgroup_done(&wg);
}

static void second(void *arg)
{
	(void)arg;
	jump_around();
	set(2);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 2);
	goc_go(first, NULL);
	e2e_wait(1);
	goc_go(second, NULL);
	goc_waitgroup_wait(&wg);
	return 0;
}
