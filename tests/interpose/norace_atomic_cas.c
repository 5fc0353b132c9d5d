/* norace_atomic_cas: compare-exchange publishes data at every width (8 to
 * 128 bits: __tsan_atomicN_compare_exchange_val, which clang emits for
 * strong and weak alike, with the success order then the failure order),
 * and a CAS spinlock orders the critical sections of two threads. The
 * reader only acquires after the writer released (e2e ordering), so a
 * missing edge would show as a race on data[i] or on counter. */
#include "e2e.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

int data[5];
_Atomic int8_t f8;
_Atomic int16_t f16;
_Atomic int32_t f32;
_Atomic int64_t f64;
_Alignas(16) _Atomic __int128 f128;

static atomic_int lock;
long counter;

static void spin_lock(void)
{
	int expected = 0;
	while (!atomic_compare_exchange_weak_explicit(&lock, &expected, 1, memory_order_acquire,
						      memory_order_relaxed))
		expected = 0;
}

static void spin_unlock(void)
{
	atomic_store_explicit(&lock, 0, memory_order_release);
}

#define PUBLISH(i, flag, T)                                                    \
	do {                                                                   \
		data[i] = (i) + 1;                                             \
		T zero = 0;                                                    \
		atomic_compare_exchange_strong_explicit(&flag, &zero, 1,       \
			memory_order_acq_rel, memory_order_acquire);           \
	} while (0)

static void *worker(void *arg)
{
	(void)arg;
	PUBLISH(0, f8, int8_t);
	PUBLISH(1, f16, int16_t);
	PUBLISH(2, f32, int32_t);
	/* __sync_* builtins: seq_cst CAS */
	data[3] = 4;
	__sync_val_compare_and_swap((int64_t *)&f64, 0, 1);
	PUBLISH(4, f128, __int128);
	e2e_post(1);
	for (int i = 0; i < 1000; i++) {
		spin_lock();
		counter++;
		spin_unlock();
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	bool seen = atomic_load_explicit(&f8, memory_order_acquire) == 1 &&
		    atomic_load_explicit(&f16, memory_order_acquire) == 1 &&
		    atomic_load_explicit(&f32, memory_order_acquire) == 1 &&
		    atomic_load_explicit(&f64, memory_order_acquire) == 1 &&
		    atomic_load_explicit(&f128, memory_order_acquire) == 1;
	int sum = 0;
	for (int i = 0; i < 5; i++)
		sum += data[i];
	for (int i = 0; i < 1000; i++) {
		spin_lock();
		counter++;
		spin_unlock();
	}
	pthread_join(t, NULL);
	return seen && sum == 15 && counter == 2000 ? 0 : 1;
}
