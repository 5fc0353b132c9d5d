/* norace_atfork_handler: a program's own atfork child handler runs in the
 * child after the detector's, so what it touches is ordered after
 * everything the parent process did, like the child's later code.
 * Regression: the fork wrapper ordered the child only when fork returned,
 * after the program's handlers, whose write raced with the thread's. */
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
	e2e_wait(2);
	return NULL;
}

static void in_child(void)
{
	shared = 3;
}

int main(void)
{
	if (pthread_atfork(NULL, NULL, in_child) != 0)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pid_t pid = fork();
	if (pid == 0)
		exit(shared == 3 ? 0 : 1);
	int st = -1;
	waitpid(pid, &st, 0);
	e2e_post(2);
	pthread_join(t, NULL);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
