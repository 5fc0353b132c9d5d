/* norace_spinlock: a spinlock orders its critical sections like a mutex
 * (lock and trylock). */
#include "e2e.h"

#include <pthread.h>

static pthread_spinlock_t sl;
int shared;

static void *worker(void *arg)
{
	(void)arg;
	pthread_spin_lock(&sl);
	shared += 1;
	pthread_spin_unlock(&sl);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_spin_init(&sl, PTHREAD_PROCESS_PRIVATE);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	while (pthread_spin_trylock(&sl) != 0)
		;
	shared += 1;
	int v = shared;
	pthread_spin_unlock(&sl);
	pthread_join(t, NULL);
	pthread_spin_destroy(&sl);
	return v == 2 ? 0 : 1;
}
