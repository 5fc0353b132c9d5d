/* norace_signal_deep_handler: a signal handler that dives deep while the
 * thread it interrupted is inside malloc or free. Each of many threads
 * churns the allocator until a SIGUSR1 from main has run its handler,
 * which calls 150 frames down and counts with an atomic. The handler is
 * the first code of the thread that deep, so its function entries must
 * grow the shadow call stack there, and its atomic is a detector event.
 * Regression: the stack grew with realloc and the event's sync object
 * came from calloc, each re-entering the malloc the handler had
 * interrupted (it hung on malloc's lock). Exits 1 when a handler run is
 * missing. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 200, DEPTH = 150, SLOTS = 64 };

static atomic_int handled, started;

__attribute__((noinline)) static int dive(int n)
{
	if (n == 0)
		return atomic_fetch_add(&handled, 1);
	return dive(n - 1) + 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	dive(DEPTH);
}

static void *churn(void *arg)
{
	int want = (int)(long)arg + 1;
	void *keep[SLOTS] = {0};
	atomic_store(&started, 1);
	for (unsigned i = 0; atomic_load_explicit(&handled, memory_order_relaxed) < want; i++) {
		unsigned k = i * 7 % SLOTS;
		free(keep[k]);
		keep[k] = malloc(16 + i * 13 % 2000);
	}
	for (int k = 0; k < SLOTS; k++)
		free(keep[k]);
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	for (long n = 0; n < THREADS; n++) {
		pthread_t t;
		atomic_store(&started, 0);
		if (pthread_create(&t, NULL, churn, (void *)n) != 0)
			return 1;
		while (!atomic_load(&started))
			;
		pthread_kill(t, SIGUSR1);
		pthread_join(t, NULL);
	}
	return atomic_load(&handled) == THREADS ? 0 : 1;
}
