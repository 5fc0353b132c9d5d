/* race_fwrite_buffer: fwrite reads the caller's buffer. A thread writes a
 * global buffer to a stream; main then changes the buffer with no order.
 * Built a second time with -DUNLOCKED: fwrite_unlocked, the same.
 * expect-location: global buf
 */
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>

#ifdef UNLOCKED
#define FWRITE fwrite_unlocked
#else
#define FWRITE fwrite
#endif

char buf[16] = "hello, stream";
volatile size_t len = 8; /* not a constant: glibc's macro would inline it */
static FILE *out;

static void *writer(void *arg)
{
	(void)arg;
	FWRITE(buf, 1, len, out); /* race */ /* prev: T1 read */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	out = fopen("/dev/null", "w");
	if (out == NULL)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	e2e_wait(1);
	buf[4] = 'X'; /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	fclose(out);
	return 0;
}
