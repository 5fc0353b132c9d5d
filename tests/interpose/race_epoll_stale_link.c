/* race_epoll_stale_link: an epoll instance watched pipe p and was closed;
 * pipe q is made next (and may take the instance's key). The producer
 * publishes data and writes p, which nobody watches any more; main reads
 * q, which main itself filled, and reads data: a race. Regression: p kept
 * its link to the instance's key after the key went to q, so the write
 * on p released into q's key and main's read of q hid the race.
 * expect-location: global data
 */
#include "e2e.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <unistd.h>

static int p[2], q[2];
int data;

static void *producer(void *arg)
{
	(void)arg;
	data = 42; /* race */ /* prev: T1 write */
	if (write(p[1], "x", 1) != 1)
		return NULL;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	if (pipe(p) != 0)
		return 2;
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = p[0] };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0)
		return 2;
	close(ep);
	if (pipe(q) != 0 || write(q[1], "q", 1) != 1)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, producer, NULL);
	e2e_wait(1);
	char c;
	if (read(q[0], &c, 1) != 1)
		return 2;
	int v = data; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return v == 42 ? 0 : 1;
}
