/* norace_goc_mutex: an unlock happens before the next lock returns.
 * Goroutines increment a plain counter under a goc_mutex; only the mutex
 * orders them. Main reads counter after the waitgroup. */
#include <goc/goc.h>

enum { WORKERS = 4, ROUNDS = 100 };

static goc_mutex mu = GOC_MUTEX_INIT;
static goc_waitgroup wg;
int counter;

static void worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		goc_mutex_lock(&mu);
		counter++;
		goc_mutex_unlock(&mu);
		if (i % 10 == 0)
			goc_yield();
	}
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, WORKERS);
	for (int i = 0; i < WORKERS; i++)
		goc_go(worker, NULL);
	goc_waitgroup_wait(&wg);
	return counter == WORKERS * ROUNDS ? 0 : 1;
}
