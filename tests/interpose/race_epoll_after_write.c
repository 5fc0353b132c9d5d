/* race_epoll_after_write: readiness orders only what came before the
 * write that made the descriptor readable; the writer's later store races
 * with main's use after epoll_wait.
 * expect-location: global data
 */
#include "e2e.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <unistd.h>

static int fds[2];
int data;

static void *producer(void *arg)
{
	(void)arg;
	if (write(fds[1], "x", 1) != 1)
		return NULL;
	data = 42; /* race */ /* prev: T1 write */
	e2e_post(1);
	return NULL;
}

int main(void)
{
	if (pipe(fds) != 0)
		return 2;
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[0] };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev) != 0)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, producer, NULL);
	struct epoll_event got;
	while (epoll_wait(ep, &got, 1, -1) != 1)
		;
	e2e_wait(1);
	int v = data; /* race */ /* cur: T0 read */
	pthread_join(t, NULL);
	close(ep);
	close(fds[0]);
	close(fds[1]);
	return v == 42 ? 0 : 1;
}
