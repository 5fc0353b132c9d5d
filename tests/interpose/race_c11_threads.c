/* race_c11_threads: a thread started with C11's thrd_create writes a
 * global that main then writes with no order: reported as a race with a
 * known thread, created at the thrd_create call (glibc's thrd_create
 * does not go through the pthread_create a preload sees).
 * expect-location: global value
 */
#include "e2e.h"

#include <threads.h>

int value;

static int writer(void *arg)
{
	(void)arg;
	value = 1; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return 0;
}

int main(void)
{
	thrd_t t;
	if (thrd_create(&t, writer, NULL) != thrd_success)
		return 2;
	e2e_wait(1);
	value = 2; /* race */ /* cur: T0 write */
	e2e_post(2);
	thrd_join(t, NULL);
	return 0;
}
