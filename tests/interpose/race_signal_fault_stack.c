/* race_signal_fault_stack: a SIGFPE handler (a division by zero in
 * divide) writes a global a worker wrote. The handler's stack shows the
 * function the signal interrupted, divide, at the faulting line, then its
 * caller; before, it went from the handler straight to main (the shadow
 * stack keeps call sites, and a fault is none). The handler jumps back
 * out, as a fault handler must.
 * expect-location: global faults
 * expect-stack: cur on_fpe divide main
 */
#include "e2e.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

long faults;
static sigjmp_buf env;
static volatile int zero;

static void on_fpe(int sig)
{
	(void)sig;
	faults++; /* race */ /* cur: T0 write */
	siglongjmp(env, 1);
}

__attribute__((noinline)) static int divide(int a)
{
	return a / zero;
}

static void *worker(void *arg)
{
	(void)arg;
	faults = 1; /* race */ /* prev: T1 write */
	e2e_post(1);
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fpe;
	sigaction(SIGFPE, &sa, NULL);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	int r = 0;
	if (sigsetjmp(env, 1) == 0)
		r = divide(7);
	pthread_join(t, NULL);
	return faults == 2 && r == 0 ? 0 : 1;
}
