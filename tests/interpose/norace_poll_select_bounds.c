/* norace_poll_select_bounds: what poll and select touch is what the
 * kernel touches. select(getdtablesize-like nfds) with ordinary fd_sets is
 * valid (the kernel reads no further than its descriptor table), so its
 * sets are not read or written past FD_SETSIZE bits, where another thread
 * writes a neighbour; poll writes only revents, so another thread may
 * read an entry's fd meanwhile. Regression: select's wrapper accessed
 * nfds bits of each set (a false race on the neighbour, or a crash for a
 * large nfds), and poll's wrote whole entries. */
#include "e2e.h"

#include <poll.h>
#include <pthread.h>
#include <sys/select.h>
#include <unistd.h>

static int fds[2];
static struct {
	fd_set r;
	long neighbour[64];
} g;
static struct pollfd pf;

static void *other(void *arg)
{
	(void)arg;
	g.neighbour[10] = 1; /* past the set's FD_SETSIZE bits */
	int fd = pf.fd;      /* poll writes only revents */
	e2e_post(1);
	return (void *)(long)fd;
}

int main(void)
{
	if (pipe(fds) != 0 || write(fds[1], "x", 1) != 1)
		return 2;
	pf = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	pthread_t t;
	pthread_create(&t, NULL, other, NULL);
	FD_ZERO(&g.r);
	FD_SET(fds[0], &g.r);
	int r = select(FD_SETSIZE + 2048, &g.r, NULL, NULL, NULL);
	int p = poll(&pf, 1, -1);
	e2e_wait(1);
	pthread_join(t, NULL);
	return r == 1 && p == 1 ? 0 : 1;
}
