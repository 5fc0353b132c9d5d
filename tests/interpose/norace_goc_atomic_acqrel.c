/* norace_goc_atomic_acqrel: between goroutines, a C11 release store of a
 * flag publishes the data written before it to the goroutine whose
 * acquire load sees the flag (docs/atomics.md). The reader spins with
 * goc_yield (no edge of its own); the waitgroup only orders the end. */
#include <goc/goc.h>
#include <stdatomic.h>

static atomic_int flag;
static goc_waitgroup wg;
int data[8], sum;

static void writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 8; i++)
		data[i] = i * i;
	atomic_store_explicit(&flag, 1, memory_order_release); /* pairs with reader's acquire */
	goc_waitgroup_done(&wg);
}

static void reader(void *arg)
{
	(void)arg;
	while (atomic_load_explicit(&flag, memory_order_acquire) == 0) /* pairs with writer */
		goc_yield();
	for (int i = 0; i < 8; i++)
		sum += data[i];
	data[0] = -1; /* a write too: after the acquire it is ordered */
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 2);
	goc_go(reader, NULL);
	goc_go(writer, NULL);
	goc_waitgroup_wait(&wg);
	return sum == 140 ? 0 : 1;
}
