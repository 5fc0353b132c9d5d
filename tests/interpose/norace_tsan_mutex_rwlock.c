/* norace_tsan_mutex_rwlock: a reader-writer spinlock ordered by fences
 * (not modelled) and annotated as a custom mutex, its read side with
 * __tsan_mutex_read_lock. main writes data under the write lock; two
 * threads then read it holding the read lock at the same time; main writes
 * it again under the write lock. The write unlock happens before each read
 * lock, and each read unlock before the next write lock (the read side's
 * edge: without it, main's second write would race with T2's read).
 */
#include "annotate.h"
#include "e2e.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

/* -1: held for writing; n >= 0: held by n readers */
typedef struct rwspin {
	atomic_int state;
} rwspin;

static void read_lock(rwspin *l)
{
	__tsan_mutex_pre_lock(l, __tsan_mutex_read_lock);
	for (;;) {
		int s = atomic_load_explicit(&l->state, memory_order_relaxed);
		if (s >= 0 && atomic_compare_exchange_weak_explicit(&l->state, &s, s + 1,
				memory_order_relaxed, memory_order_relaxed))
			break;
		sched_yield();
	}
	atomic_thread_fence(memory_order_acquire);
	__tsan_mutex_post_lock(l, __tsan_mutex_read_lock, 0);
}

static void read_unlock(rwspin *l)
{
	__tsan_mutex_pre_unlock(l, __tsan_mutex_read_lock);
	atomic_thread_fence(memory_order_release);
	atomic_fetch_sub_explicit(&l->state, 1, memory_order_relaxed);
	__tsan_mutex_post_unlock(l, __tsan_mutex_read_lock);
}

static void write_lock(rwspin *l)
{
	__tsan_mutex_pre_lock(l, 0);
	int free_state = 0;
	while (!atomic_compare_exchange_weak_explicit(&l->state, &free_state, -1,
			memory_order_relaxed, memory_order_relaxed)) {
		free_state = 0;
		sched_yield();
	}
	atomic_thread_fence(memory_order_acquire);
	__tsan_mutex_post_lock(l, 0, 0);
}

static void write_unlock(rwspin *l)
{
	__tsan_mutex_pre_unlock(l, 0);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&l->state, 0, memory_order_relaxed);
	__tsan_mutex_post_unlock(l, 0);
}

static rwspin lock;
int data;
int seen1, seen2;

static void *reader1(void *arg)
{
	(void)arg;
	e2e_wait(1);
	read_lock(&lock);
	seen1 = data;
	e2e_post(2);
	e2e_wait(3); /* reader2 takes the read lock meanwhile */
	seen1 += data;
	read_unlock(&lock);
	e2e_post(4);
	return NULL;
}

static void *reader2(void *arg)
{
	(void)arg;
	e2e_wait(2);
	read_lock(&lock);
	seen2 = data;
	read_unlock(&lock);
	e2e_post(3);
	return NULL;
}

int main(void)
{
	__tsan_mutex_create(&lock, 0);
	pthread_t r1, r2;
	pthread_create(&r1, NULL, reader1, NULL);
	pthread_create(&r2, NULL, reader2, NULL);
	write_lock(&lock);
	data = 1;
	write_unlock(&lock);
	e2e_post(1);
	e2e_wait(4);
	write_lock(&lock);
	data = 2;
	write_unlock(&lock);
	pthread_join(r1, NULL);
	pthread_join(r2, NULL);
	__tsan_mutex_destroy(&lock, 0);
	return seen1 == 2 && seen2 == 1 ? 0 : 1;
}
