/* norace_atomic_fences: C11 fences order plain data through relaxed
 * atomics (7.17.4): a release fence before a relaxed store, read by a
 * relaxed load followed by an acquire fence, makes what came before the
 * release fence happen before what comes after the acquire fence. Three
 * hand-offs, each from a thread to main:
 *   - release fence + relaxed store / relaxed load (spun) + acquire fence;
 *   - release fence + relaxed fetch_add / relaxed load among others
 *     (several atomics loaded before the fence) + seq_cst fence;
 *   - seq_cst fence + relaxed store / relaxed CAS + acquire fence.
 * Reported as races when fences order nothing (TSan 14 reports them).
 */
#include "e2e.h"

#include <pthread.h>
#include <stdatomic.h>

int data1, data2, data3;
static atomic_int flag1, flag2, flag3, other;

static void *producer(void *arg)
{
	(void)arg;
	data1 = 1;
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&flag1, 1, memory_order_relaxed);

	data2 = 2;
	atomic_thread_fence(memory_order_release);
	atomic_fetch_add_explicit(&flag2, 1, memory_order_relaxed);

	data3 = 3;
	atomic_thread_fence(memory_order_seq_cst);
	atomic_store_explicit(&flag3, 1, memory_order_relaxed);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, producer, NULL);
	e2e_wait(1);
	int sum = 0;
	while (atomic_load_explicit(&flag1, memory_order_relaxed) == 0)
		;
	atomic_thread_fence(memory_order_acquire);
	sum += data1;

	(void)atomic_load_explicit(&other, memory_order_relaxed);
	int seen2 = atomic_load_explicit(&flag2, memory_order_relaxed);
	(void)atomic_load_explicit(&other, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	if (seen2 == 1)
		sum += data2;

	int one = 1;
	if (atomic_compare_exchange_strong_explicit(&flag3, &one, 2, memory_order_relaxed,
	                                            memory_order_relaxed)) {
		atomic_thread_fence(memory_order_acquire);
		sum += data3;
	}
	pthread_join(t, NULL);
	return sum == 6 ? 0 : 1;
}
