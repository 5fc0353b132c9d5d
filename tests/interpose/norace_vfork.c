/* norace_vfork: a vfork child that reads what a still-running thread
 * wrote before the vfork, then _exits, and one that execs. vfork is run as
 * a fork (as TSan does): the child is ordered after everything the parent
 * process did, and nothing it does is the parent thread's. Regression:
 * the vfork child ran on the parent's thread state, its read raced with
 * the thread's write, and the report it made in shared memory turned the
 * parent's exit status into goc-race's. */
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

static int status_of(pid_t pid)
{
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(void)
{
	block = malloc(4 * sizeof *block);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	int bad = 0;

	pid_t pid = vfork();
	if (pid == 0)
		_exit(shared == 1 && block[0] == 1 ? 5 : 1);
	bad += status_of(pid) != 5;

	pid = vfork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);
		_exit(127);
	}
	bad += status_of(pid) != 7;

	e2e_post(2);
	pthread_join(t, NULL);
	free(block);
	return bad == 0 ? 0 : 1;
}
