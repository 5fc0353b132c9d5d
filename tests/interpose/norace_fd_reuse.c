/* norace_fd_reuse: a descriptor number closed by one thread and made
 * again by another (the kernel hands out the lowest free number) is a new
 * descriptor: its uses do not race with the old one's close or uses,
 * though nothing orders the two threads (e2e only forces the timing).
 */
#include "e2e.h"

#include <pthread.h>
#include <unistd.h>

static int first[2], second[2];

static void *user(void *arg)
{
	(void)arg;
	if (pipe(first) != 0)
		return NULL;
	write(first[1], "a", 1);
	char c;
	read(first[0], &c, 1);
	close(first[0]);
	close(first[1]);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, user, NULL);
	e2e_wait(1);
	if (pipe(second) != 0)
		return 2;
	int same = second[0] == first[0] || second[0] == first[1];
	write(second[1], "b", 1);
	char c;
	read(second[0], &c, 1);
	close(second[0]);
	close(second[1]);
	pthread_join(t, NULL);
	return same && c == 'b' ? 0 : 1;
}
