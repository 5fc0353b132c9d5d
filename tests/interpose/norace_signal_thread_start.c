/* norace_signal_thread_start: a signal sent to a thread the moment it is
 * created, so that it arrives while the thread is starting. The handler
 * reads what main wrote before the create, and main writes it again after
 * the join: both ordered. Regression: the signal ran its handler before
 * the runtime knew the thread, which made the handler a thread of its own
 * ("created at: <no frames>") ordered with nothing, and reported its read
 * as a race with main's writes. Exits 1 when a handler did not run or
 * saw the wrong value. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

enum { THREADS = 300 };

static long round_no;          /* written by main only */
static atomic_long seen;       /* the sum of what the handlers read */
static atomic_int handled;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&seen, round_no);
	atomic_fetch_add(&handled, 1);
}

static void *child(void *arg)
{
	int want = (int)(long)arg;
	while (atomic_load(&handled) < want)
		;
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	long want = 0;
	for (long n = 1; n <= THREADS; n++) {
		pthread_t t;
		round_no = n;
		want += n;
		if (pthread_create(&t, NULL, child, (void *)n) != 0)
			return 1;
		pthread_kill(t, SIGUSR1);
		pthread_join(t, NULL);
	}
	return atomic_load(&handled) == THREADS && atomic_load(&seen) == want ? 0 : 1;
}
