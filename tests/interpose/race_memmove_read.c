/* race_memmove_read: memmove within a buffer (libc memmove from clang 14,
 * __tsan_memmove from clang 19) reads bytes that another thread wrote
 * before it, unordered.
 * expect-location: global buf
 */
#include "e2e.h"

#include <pthread.h>
#include <string.h>

char buf[64];
volatile size_t len = 32;

static void *worker(void *arg)
{
	(void)arg;
	buf[40] = 'x'; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	memmove(buf, buf + 16, len); /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
