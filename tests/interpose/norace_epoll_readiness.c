/* norace_epoll_readiness: main waits in epoll_wait for a pipe's read end
 * to become readable and then uses what the writer published before its
 * write, without reading the pipe: the kernel orders the write before the
 * readiness epoll_wait reports. Regression: epoll_wait acquired only what
 * epoll_ctl released, so the use was a false race (TSan 14 reports it
 * too). */
#include <pthread.h>
#include <sys/epoll.h>
#include <unistd.h>

static int fds[2];
static int data;

static void *producer(void *arg)
{
	(void)arg;
	data = 42;
	if (write(fds[1], "x", 1) != 1)
		return NULL;
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
	int v = data;
	pthread_join(t, NULL);
	close(ep);
	close(fds[0]);
	close(fds[1]);
	return v == 42 ? 0 : 1;
}
