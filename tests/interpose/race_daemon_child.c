/* race_daemon_child: a race between two threads of a daemon() child is
 * found and reported with its lines, though the child was forked by
 * glibc's internal name (see norace_daemon_child). The top process waits
 * for the daemon through a pipe the daemon closes when it exits.
 * expect-location: global counter
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int counter;

static void *worker(void *arg)
{
	(void)arg;
	counter = 1; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	int fds[2];
	if (pipe(fds) != 0)
		return 2;
	pid_t mid = fork();
	if (mid == 0) {
		close(fds[0]);
		if (daemon(1, 1) != 0) /* returns only in the daemon */
			_exit(3);
		pthread_t t;
		pthread_create(&t, NULL, worker, NULL);
		e2e_wait(1);
		counter = 2; /* race */ /* cur: T0 write */
		e2e_post(2);
		pthread_join(t, NULL);
		exit(0);
	}
	close(fds[1]);
	int st = -1;
	waitpid(mid, &st, 0);
	char c;
	while (read(fds[0], &c, 1) > 0) /* end of file: the daemon has exited */
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
