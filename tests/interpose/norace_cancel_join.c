/* norace_cancel_join: a thread cancelled in a cancellation point ends
 * like any other: what it did happens before pthread_join returns. */
#include "e2e.h"

#include <pthread.h>
#include <unistd.h>

int before_cancel;

static void *worker(void *arg)
{
	(void)arg;
	before_cancel = 1;
	e2e_post(1);
	for (;;)
		pause(); /* a cancellation point */
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pthread_cancel(t);
	void *r;
	pthread_join(t, &r);
	int ok = r == PTHREAD_CANCELED && before_cancel == 1;
	before_cancel = 0;
	return ok ? 0 : 1;
}
