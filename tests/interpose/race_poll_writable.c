/* race_poll_writable: main waits for a pipe's write end to be writable,
 * with poll and then select, and reads what the writer published: the
 * write end of an empty pipe is always writable, which says nothing of
 * the writer's write, so the read races with the writer's store. (The two
 * waits are both no edge: one report.) Regression: readiness acquired the
 * pipe's key for any ready state, writable too, and hid the race.
 * expect-location: global data
 */
#include "e2e.h"

#include <poll.h>
#include <pthread.h>
#include <sys/select.h>
#include <unistd.h>

static int fds[2];
int data;

static void *producer(void *arg)
{
	(void)arg;
	data = 42; /* race */ /* prev: T1 write */
	if (write(fds[1], "x", 1) != 1)
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
	pthread_create(&t, NULL, producer, NULL);
	e2e_wait(1);
	struct pollfd pf = { .fd = fds[1], .events = POLLOUT };
	poll(&pf, 1, -1);
	fd_set w;
	FD_ZERO(&w);
	FD_SET(fds[1], &w);
	select(fds[1] + 1, NULL, &w, NULL, NULL);
	int v = data; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return v == 42 ? 0 : 1;
}
