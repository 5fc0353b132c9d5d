/* norace_poll_readiness: main waits in poll, then in select, for a pipe
 * to become readable and uses what the writer published before each
 * write, without reading the pipe: the kernel orders the write before
 * the readiness. Regression: poll and select were no edge, so each use
 * was a false race (TSan models neither). */
#include "e2e.h"

#include <poll.h>
#include <pthread.h>
#include <sys/select.h>
#include <unistd.h>

static int polled[2], selected[2];
static int first, second;

static void *producer(void *arg)
{
	(void)arg;
	first = 1;
	if (write(polled[1], "x", 1) != 1)
		return NULL;
	e2e_wait(1);
	second = 2;
	if (write(selected[1], "y", 1) != 1)
		return NULL;
	return NULL;
}

int main(void)
{
	if (pipe(polled) != 0 || pipe(selected) != 0)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, producer, NULL);
	struct pollfd pf = { .fd = polled[0], .events = POLLIN };
	while (poll(&pf, 1, -1) != 1)
		;
	int a = first;
	e2e_post(1);
	fd_set set;
	do {
		FD_ZERO(&set);
		FD_SET(selected[0], &set);
	} while (select(selected[0] + 1, &set, NULL, NULL, NULL) != 1);
	int b = second;
	pthread_join(t, NULL);
	return a == 1 && b == 2 ? 0 : 1;
}
