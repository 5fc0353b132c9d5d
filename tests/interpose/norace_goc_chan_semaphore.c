/* norace_goc_chan_semaphore: a channel of capacity 1 used as a lock (Go's
 * semaphore idiom: send to take it, receive to give it back). By the
 * capacity rule each receive happens before the next send completes, so
 * the goroutines' increments of counter are ordered. Main reads counter
 * after the waitgroup.
 * Built twice: with empty elements (TOKEN_SIZE 0, Go's chan struct{}:
 * the channel has no slots and its clock accumulates every operation) and
 * as norace_goc_chan_semaphore_int with int tokens (TOKEN_SIZE 4: the
 * edges go through the buffer slot, the capacity rule proper). */
#include <goc/goc.h>

#ifndef TOKEN_SIZE
#define TOKEN_SIZE 0
#endif

enum { WORKERS = 4, ROUNDS = 100 };

static goc_chan *sem;
static goc_waitgroup wg;
int counter;

static void worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		goc_chan_send(sem, &i); /* take */
		counter++;
		goc_chan_recv(sem, NULL); /* give back */
	}
	goc_waitgroup_done(&wg);
}

int main(void)
{
	sem = goc_chan_new(TOKEN_SIZE, 1);
	goc_waitgroup_add(&wg, WORKERS);
	for (int i = 0; i < WORKERS; i++)
		goc_go(worker, NULL);
	goc_waitgroup_wait(&wg);
	goc_chan_free(sem);
	return counter == WORKERS * ROUNDS ? 0 : 1;
}
