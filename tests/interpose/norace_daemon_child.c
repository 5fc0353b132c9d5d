/* norace_daemon_child: daemon() forks by glibc's internal name, past any
 * fork wrapper; its child must still be ordered after everything the
 * parent process did, including a thread that is still running there and
 * never joined. The process that calls daemon() exits inside it, so a
 * middle process calls it and the top one waits for the daemon through a
 * pipe it closes when it exits. Regression: the child's write raced with
 * the vanished thread's. */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int shared;

static void *worker(void *arg)
{
	(void)arg;
	shared = 1;
	e2e_post(1);
	e2e_wait(2); /* never posted: the thread is still running at the fork */
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
		pthread_t t;
		pthread_create(&t, NULL, worker, NULL);
		e2e_wait(1);
		if (daemon(1, 1) != 0) /* returns only in the daemon */
			_exit(3);
		shared = 2;
		char ok = 'k';
		exit(write(fds[1], &ok, 1) == 1 ? 0 : 4);
	}
	close(fds[1]);
	int st = -1;
	waitpid(mid, &st, 0);
	char got = 0, more;
	ssize_t n = read(fds[0], &got, 1);
	while (read(fds[0], &more, 1) > 0) /* end of file: the daemon has exited */
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && n == 1 && got == 'k' ? 0 : 1;
}
