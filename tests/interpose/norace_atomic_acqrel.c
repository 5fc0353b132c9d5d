/* norace_atomic_acqrel: a C11 release store of a flag publishes the data
 * written before it to the thread whose acquire load sees the flag. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

int data[8];
static atomic_int flag;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 8; i++)
		data[i] = i * i;
	atomic_store_explicit(&flag, 1, memory_order_release);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	while (atomic_load_explicit(&flag, memory_order_acquire) == 0)
		sched_yield();
	int sum = 0;
	for (int i = 0; i < 8; i++)
		sum += data[i];
	data[0] = -1; /* a write too: after the acquire it is ordered */
	pthread_join(t, NULL);
	return sum == 140 ? 0 : 1;
}
