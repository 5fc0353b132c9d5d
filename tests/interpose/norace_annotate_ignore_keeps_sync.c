/* norace_annotate_ignore_keeps_sync: an AnnotateIgnoreWrites region (or
 * __tsan_ignore_thread_begin/end) hides the thread's accesses, not its
 * synchronisation, as in TSan: main's writes before each region are
 * ordered before the readers by what main does inside it, a mutex
 * unlock, a release store, a thread creation. e2e_post/e2e_wait order the
 * steps without an edge of their own.
 */
#include "annotate.h"
#include "e2e.h"

#include <pthread.h>
#include <stdatomic.h>

void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int flag;
int by_mutex, by_atomic, by_create;

static void *locker(void *arg)
{
	(void)arg;
	e2e_wait(1);
	pthread_mutex_lock(&mu);
	int v = by_mutex;
	pthread_mutex_unlock(&mu);
	return (void *)(long)v;
}

static void *acquirer(void *arg)
{
	(void)arg;
	e2e_wait(2);
	while (!atomic_load_explicit(&flag, memory_order_acquire))
		;
	return (void *)(long)by_atomic;
}

static void *child(void *arg)
{
	(void)arg;
	return (void *)(long)by_create;
}

int main(void)
{
	pthread_t a, b, c;
	pthread_create(&a, NULL, locker, NULL);
	pthread_create(&b, NULL, acquirer, NULL);

	pthread_mutex_lock(&mu);
	by_mutex = 1;
	AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
	pthread_mutex_unlock(&mu);
	AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
	e2e_post(1);

	by_atomic = 1;
	__tsan_ignore_thread_begin();
	atomic_store_explicit(&flag, 1, memory_order_release);
	__tsan_ignore_thread_end();
	e2e_post(2);

	by_create = 1;
	AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
	pthread_create(&c, NULL, child, NULL);
	AnnotateIgnoreWritesEnd(__FILE__, __LINE__);

	void *r[3];
	pthread_join(a, &r[0]);
	pthread_join(b, &r[1]);
	pthread_join(c, &r[2]);
	return r[0] == (void *)1 && r[1] == (void *)1 && r[2] == (void *)1 ? 0 : 1;
}
