/* race_write_buffer: write() reads the caller's buffer. A thread writes
 * a global buffer to a pipe; main then fills the buffer with no order
 * between the two (nothing main does reads the pipe).
 * expect-location: global buf
 */
#include "e2e.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

static int fds[2];
char buf[16] = "hello";

static void *writer(void *arg)
{
	(void)arg;
	write(fds[1], buf, 8); /* race */ /* prev: T1 read */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	if (pipe(fds) != 0)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	e2e_wait(1);
	buf[3] = 'X'; /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
