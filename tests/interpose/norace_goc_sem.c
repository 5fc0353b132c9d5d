/* norace_goc_sem: a goc_sem release happens before the acquire it lets
 * through returns. A weighted semaphore of capacity 1 used as a lock:
 * goroutines increment a plain counter between acquire and release. Main
 * reads counter after the waitgroup. */
#include <goc/goc.h>

enum { WORKERS = 4, ROUNDS = 100 };

static goc_sem sem;
static goc_waitgroup wg;
int counter;

static void worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		goc_sem_acquire(&sem, 1);
		counter++;
		goc_sem_release(&sem, 1);
		if (i % 10 == 0)
			goc_yield();
	}
	goc_waitgroup_done(&wg);
}

int main(void)
{
	if (goc_sem_init(&sem, 1) != 0)
		return 2;
	goc_waitgroup_add(&wg, WORKERS);
	for (int i = 0; i < WORKERS; i++)
		goc_go(worker, NULL);
	goc_waitgroup_wait(&wg);
	return counter == WORKERS * ROUNDS ? 0 : 1;
}
