/* race_longjmp_stack: each thread leaves nested calls by longjmp, again
 * and again (setjmp/longjmp and sigsetjmp/siglongjmp; built fortified
 * too, where longjmp is __longjmp_chk), then both write a global. Each
 * access's stack is the calls live at it, not the frames the jumps left
 * (every jump used to leave five behind).
 * expect-location: global counter
 * expect-stack: cur set main
 * expect-stack: prev set worker
 */
#include "e2e.h"

#include <pthread.h>
#include <setjmp.h>

int counter;

/* n nested calls, then a jump back to env; after each call the frame
 * still has work to do, so none is a tail call. */
__attribute__((noinline)) static void dive(int n, jmp_buf env)
{
	volatile int after = n;
	if (n == 0)
		longjmp(env, 1);
	dive(n - 1, env);
	(void)after;
}

__attribute__((noinline)) static void dive_sig(int n, sigjmp_buf env)
{
	volatile int after = n;
	if (n == 0)
		siglongjmp(env, 1);
	dive_sig(n - 1, env);
	(void)after;
}

__attribute__((noinline)) static void jump_around(void)
{
	for (int i = 0; i < 50; i++) {
		jmp_buf env;
		sigjmp_buf senv;
		if (setjmp(env) == 0)
			dive(5, env);
		if (sigsetjmp(senv, 1) == 0)
			dive_sig(5, senv);
	}
}

__attribute__((noinline)) static void set(int v)
{
	counter = v; /* race */ /* prev: T1 write */ /* cur: T0 write */
}

static void *worker(void *arg)
{
	(void)arg;
	jump_around();
	set(1);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	jump_around();
	set(2);
	pthread_join(t, NULL);
	return 0;
}
