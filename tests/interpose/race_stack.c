/* race_stack: main passes the address of a local to a thread; the thread
 * writes it while main reads it. The location is main's stack.
 * A scalar, not an array element: clang's pass skips an access whose own
 * address (here &local[1], a GEP) is not captured, even when the array's
 * is (ThreadSanitizer.cpp, PointerMayBeCaptured on Addr) — TSan misses
 * that race too.
 * expect-location: stack T0
 */
#include "e2e.h"

#include <pthread.h>

volatile int sink;

static void *worker(void *arg)
{
	int *local = arg;
	*local = 5; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	int local = 0;
	pthread_t t;
	pthread_create(&t, NULL, worker, &local);
	e2e_wait(1);
	sink = local; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
