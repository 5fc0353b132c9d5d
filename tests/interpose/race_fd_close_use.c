/* race_fd_close_use: a thread reads from a pipe; main then closes the
 * read end with nothing ordering the thread's read before the close (the
 * pipe orders main's write before the read, not the read before the
 * close): the close races with the use of the descriptor, which another
 * call may already have been given again (TSan's "file descriptor" race).
 * expect-location: fd
 */
#include "e2e.h"

#include <pthread.h>
#include <unistd.h>

static int fds[2];

static void *reader(void *arg)
{
	(void)arg;
	char c;
	if (read(fds[0], &c, 1) != 1) /* race */ /* prev: T1 read */
		return NULL;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	if (pipe(fds) != 0) /* alloc */
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, reader, NULL);
	write(fds[1], "x", 1);
	e2e_wait(1);
	close(fds[0]); /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	close(fds[1]);
	return 0;
}
