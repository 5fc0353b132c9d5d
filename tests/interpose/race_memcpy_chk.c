/* race_memcpy_chk: a fortified memcpy (built with -O2 -D_FORTIFY_SOURCE=2,
 * the call is __memcpy_chk, not memcpy) into a buffer races with a plain
 * read of one byte of it. Regression: the __*_chk variants went unseen.
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
