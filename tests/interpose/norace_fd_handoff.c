/* norace_fd_handoff: data handed between threads through file
 * descriptors, as TSan orders it: what a thread did before writing to a
 * pipe (or a dup of it), a socketpair or an eventfd happens before what
 * the reader does after reading it, and an epoll registration happens
 * before the use of its data by the thread epoll_wait returns it to.
 * Also sendmmsg/recvmmsg, and a descriptor copied with fcntl(F_DUPFD).
 * Each message carries a pointer to memory the sender filled; the
 * receiver then writes it. No other edge: the workers are created first.
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

struct msg {
	int value;
};

static int pipefd[2], dupw, fcntlw, sockfd[2], evfd, epfd;
int flag, sum;

static struct msg *make(int v)
{
	struct msg *m = malloc(sizeof *m);
	m->value = v;
	return m;
}

static void *receiver(void *arg)
{
	(void)arg;
	struct msg *m;
	/* pipe, written through read() */
	if (read(pipefd[0], &m, sizeof m) != sizeof m)
		abort();
	m->value++;
	sum += m->value;
	free(m);
	/* the same pipe, written through a dup of its write end, read with readv */
	struct iovec iov = {&m, sizeof m};
	if (readv(pipefd[0], &iov, 1) != sizeof m)
		abort();
	sum += ++m->value;
	free(m);
	/* socketpair, then recvmmsg */
	if (recv(sockfd[1], &m, sizeof m, 0) != sizeof m)
		abort();
	sum += ++m->value;
	free(m);
	struct iovec miov = {&m, sizeof m};
	struct mmsghdr mm = {.msg_hdr = {.msg_iov = &miov, .msg_iovlen = 1}};
	if (recvmmsg(sockfd[1], &mm, 1, 0, NULL) != 1)
		abort();
	sum += ++m->value;
	free(m);
	/* the pipe again, written through an F_DUPFD copy */
	if (read(pipefd[0], &m, sizeof m) != sizeof m)
		abort();
	sum += ++m->value;
	free(m);
	/* eventfd: a flag set before the wake-up */
	eventfd_t n;
	if (eventfd_read(evfd, &n) != 0)
		abort();
	flag++;
	/* epoll: the registration's data */
	struct epoll_event ev;
	if (epoll_wait(epfd, &ev, 1, -1) != 1)
		abort();
	m = ev.data.ptr;
	sum += ++m->value;
	free(m);
	return NULL;
}

int main(void)
{
	if (pipe(pipefd) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sockfd) != 0)
		return 2;
	dupw = dup(pipefd[1]);
	fcntlw = fcntl(pipefd[1], F_DUPFD_CLOEXEC, 10);
	evfd = eventfd(0, 0);
	int ready = eventfd(0, 0);
	epfd = epoll_create1(0);
	if (dupw < 0 || fcntlw < 0 || evfd < 0 || ready < 0 || epfd < 0)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, receiver, NULL);

	struct msg *m = make(1);
	write(pipefd[1], &m, sizeof m);
	m = make(2);
	struct iovec iov = {&m, sizeof m};
	writev(dupw, &iov, 1);
	m = make(3);
	send(sockfd[0], &m, sizeof m, 0);
	m = make(5);
	struct iovec miov = {&m, sizeof m};
	struct mmsghdr mm = {.msg_hdr = {.msg_iov = &miov, .msg_iovlen = 1}};
	sendmmsg(sockfd[0], &mm, 1, 0);
	m = make(6);
	write(fcntlw, &m, sizeof m);
	flag = 1;
	eventfd_write(evfd, 1);
	m = make(4);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = m};
	epoll_ctl(epfd, EPOLL_CTL_ADD, ready, &ev);
	eventfd_write(ready, 1);

	pthread_join(t, NULL);
	close(dupw);
	close(fcntlw);
	close(pipefd[0]);
	close(pipefd[1]);
	close(sockfd[0]);
	close(sockfd[1]);
	close(evfd);
	close(ready);
	close(epfd);
	/* 2 + 3 + 4 + 6 + 7 + 5 */
	return sum == 27 && flag == 2 ? 0 : 1;
}
