/* race_memset_write: memset of a buffer races with a plain write into it.
 * expect-location: global buf
 */
#include "e2e.h"

#include <pthread.h>
#include <string.h>

char buf[64];
volatile size_t len = sizeof buf;

static void *worker(void *arg)
{
	(void)arg;
	memset(buf, 0, len); /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	buf[33] = 'x'; /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
