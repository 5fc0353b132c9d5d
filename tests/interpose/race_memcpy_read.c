/* race_memcpy_read: memcpy into a buffer (a libc call from clang 14,
 * __tsan_memcpy from clang 19) races with a plain read of one byte of it.
 * expect-location: global buf
 */
#include "e2e.h"

#include <pthread.h>
#include <string.h>

char buf[64];
char src[64] = "the source";
volatile size_t len = sizeof buf;
volatile char sink;

static void *worker(void *arg)
{
	(void)arg;
	memcpy(buf, src, len); /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	sink = buf[10]; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
