/* race_posix_spawn_argv: posix_spawn reads its argument strings (as TSan
 * checks them); a thread's unsynchronised write to one races with it.
 * expect-location: global script
 */
#include "e2e.h"

#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

char script[16] = "exit 0";

static void *worker(void *arg)
{
	(void)arg;
	script[5] = '0'; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	char *sh_argv[] = {"sh", "-c", script, NULL};
	pid_t pid;
	int r = posix_spawn(&pid, "/bin/sh", NULL, NULL, sh_argv, environ); /* race */ /* cur: T0 read */
	e2e_post(2);
	int st = -1;
	if (r == 0)
		waitpid(pid, &st, 0);
	pthread_join(t, NULL);
	return r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
