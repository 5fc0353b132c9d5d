/* race_fwrite_buffer: fwrite reads the caller's buffer. A thread writes a
 * global buffer to a stream; main then changes the buffer with no order.
 * expect-location: global buf
 */
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>

char buf[16] = "hello, stream";
static FILE *out;

static void *writer(void *arg)
{
	(void)arg;
	fwrite(buf, 1, 8, out); /* race */ /* prev: T1 read */
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
