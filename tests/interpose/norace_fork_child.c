/* norace_fork_child: everything the parent process did before fork —
 * including a thread that is still running and never joined — happens
 * before the child's accesses to the same memory. The child must exit 0
 * (no finding of its own), and the parent checks that it did. */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int shared;
static int *block;

static void *worker(void *arg)
{
	(void)arg;
	shared = 1;
	block[0] = 1;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	block = malloc(4 * sizeof *block);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pid_t pid = fork();
	if (pid == 0) {
		shared = 2;
		block[0] = 2;
		free(block);
		exit(0);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	e2e_post(2);
	pthread_join(t, NULL);
	free(block);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
