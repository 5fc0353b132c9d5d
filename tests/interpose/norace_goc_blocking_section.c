/* norace_goc_blocking_section: a goroutine inside goc_blocking_begin/end
 * is still itself. It waits on a POSIX semaphore there (its worker handed
 * off), so the sem_post that main made after writing value happens before
 * the goroutine's read, after the section and after it has been switched
 * out and back in (goc_yield). Attributed to the worker thread instead,
 * the edge would be lost and the read reported.
 */
#include <goc/goc.h>

#include <semaphore.h>

static sem_t sem;
static goc_waitgroup wg;
int value;
int seen;

static void waiter(void *arg)
{
	(void)arg;
	goc_blocking_begin();
	while (sem_wait(&sem) != 0)
		;
	goc_blocking_end();
	goc_yield();
	seen = value;
	goc_waitgroup_done(&wg);
}

int main(void)
{
	sem_init(&sem, 0, 0);
	goc_waitgroup_add(&wg, 1);
	goc_go(waiter, NULL);
	value = 42;
	sem_post(&sem);
	goc_waitgroup_wait(&wg);
	sem_destroy(&sem);
	return seen == 42 ? 0 : 1;
}
