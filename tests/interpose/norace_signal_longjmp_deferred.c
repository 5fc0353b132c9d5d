/* norace_signal_longjmp_deferred: a handler that siglongjmps out, run
 * many times on a thread that keeps doing atomic read-modify-writes (safe
 * to jump out of), so that many of its signals come while the runtime
 * handles an atomic and wait for it (deferred).
 * Every signal must still run its handler. Regression: the first deferred
 * handler that jumped out left the delivery loop marked as running, and
 * the thread's later deferred signals never ran (this program then gave
 * up after 5 s and exited 1). */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

enum { SIGNALS = 300 };

static sigjmp_buf env;
static atomic_int handled, jumped, stop, ready;
static atomic_long ticks;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
	siglongjmp(env, 1);
}

static void *churn(void *arg)
{
	(void)arg;
	if (sigsetjmp(env, 1))
		atomic_fetch_add(&jumped, 1);
	atomic_store(&ready, 1);
	while (!atomic_load(&stop))
		atomic_fetch_add(&ticks, 1);
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t t;
	pthread_create(&t, NULL, churn, NULL);
	while (!atomic_load(&ready))
		; /* env is set */
	int ok = 1;
	for (int i = 1; i <= SIGNALS && ok; i++) {
		pthread_kill(t, SIGUSR1);
		double give_up = now() + 5;
		while (atomic_load(&handled) < i)
			if (now() > give_up) {
				ok = 0;
				break;
			}
	}
	atomic_store(&stop, 1);
	if (!ok) {
		pthread_kill(t, SIGUSR1); /* a stuck thread may still be woken */
		return 1;
	}
	pthread_join(t, NULL);
	/* a handler may land before the jump target's own increment ran (it
	 * interrupted it), so jumps can be fewer than handlers */
	return atomic_load(&handled) == SIGNALS && atomic_load(&jumped) > 0 ? 0 : 1;
}
