/* race_read_buffer: read() writes the bytes it receives into the
 * caller's buffer. A thread reads from a pipe into a global buffer that
 * main then reads with no order (main wrote the pipe before the read, so
 * the pipe orders nothing of the read's write before main's access).
 * expect-location: global buf
 */
#include "e2e.h"

#include <pthread.h>
#include <unistd.h>

static int fds[2];
char buf[16];
volatile char sink;

static void *reader(void *arg)
{
	(void)arg;
	if (read(fds[0], buf, 4) != 4) /* race */ /* prev: T1 write */
		return NULL;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	if (pipe(fds) != 0)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, reader, NULL);
	write(fds[1], "ping", 4);
	e2e_wait(1);
	sink = buf[2]; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
