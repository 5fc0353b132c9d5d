/* norace_c11_threads: C11 <threads.h>, whose functions glibc runs on its
 * pthread functions by internal names. Every edge: thrd_create (the
 * child sees main's set-up), mtx_lock/unlock (a shared counter),
 * cnd_wait/cnd_signal (a hand-off), call_once (the initialiser's writes),
 * thrd_join (its result, and the child's writes), and a detached thread
 * ending with thrd_exit, ordered by a mutex. The e2e steps force each
 * edge's interleaving: the child writes first, main reads after.
 */
#include "e2e.h"

#include <threads.h>

static mtx_t mu;
static cnd_t cv;
static once_flag once = ONCE_FLAG_INIT;
int setup, counter, ready, handed, table[4], joined, detached_done;

static void init_table(void)
{
	for (int i = 0; i < 4; i++)
		table[i] = i + 1;
}

static int worker(void *arg)
{
	int id = *(int *)arg;
	call_once(&once, init_table);
	int sum = setup + table[id];
	mtx_lock(&mu);
	counter++;
	mtx_unlock(&mu);
	return sum;
}

static int producer(void *arg)
{
	(void)arg;
	handed = 42;
	mtx_lock(&mu);
	ready = 1;
	cnd_signal(&cv);
	mtx_unlock(&mu);
	return 0;
}

static int detached(void *arg)
{
	(void)arg;
	joined++; /* main's set-up: ordered by thrd_create */
	mtx_lock(&mu);
	detached_done = 1;
	mtx_unlock(&mu);
	e2e_post(1);
	thrd_exit(7);
}

int main(void)
{
	if (mtx_init(&mu, mtx_plain) != thrd_success || cnd_init(&cv) != thrd_success)
		return 2;
	setup = 10;
	thrd_t t[2];
	int ids[2] = {1, 2};
	for (int i = 0; i < 2; i++)
		if (thrd_create(&t[i], worker, &ids[i]) != thrd_success)
			return 2;
	int total = 0;
	for (int i = 0; i < 2; i++) {
		int r = 0;
		thrd_join(t[i], &r);
		total += r;
	}
	call_once(&once, init_table);
	total += table[0] + counter;

	thrd_t p;
	thrd_create(&p, producer, NULL);
	mtx_lock(&mu);
	while (!ready)
		cnd_wait(&cv, &mu);
	mtx_unlock(&mu);
	total += handed;
	thrd_join(p, NULL);

	thrd_t d;
	thrd_create(&d, detached, NULL);
	thrd_detach(d);
	e2e_wait(1);
	mtx_lock(&mu);
	total += detached_done;
	mtx_unlock(&mu);
	joined = 1;

	cnd_destroy(&cv);
	mtx_destroy(&mu);
	/* (10+2) + (10+3) + 1 + 2 + 42 + 1 */
	return total == 71 ? 0 : 1;
}
