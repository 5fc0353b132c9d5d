/* norace_posix_spawn: posix_spawn and posix_spawnp start programs that
 * inherit the preload and work under it: a shell whose exit status comes
 * back, and this program itself in child mode, which makes a thread of its
 * own and exits 0 with no finding. The arguments were written by a thread
 * that was joined before the spawn read them: no race. */
#include "e2e.h"

#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char script[32];
static int counter;

static void *writer(void *arg)
{
	(void)arg;
	snprintf(script, sizeof script, "exit %d", 3);
	return NULL;
}

static void *child_worker(void *arg)
{
	(void)arg;
	counter++;
	return NULL;
}

/* The spawned copy of this program: a thread, a join, no race. */
static int child_main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, child_worker, NULL);
	pthread_join(t, NULL);
	counter++;
	return counter == 2 ? 0 : 1;
}

static int status_of(int r, pid_t pid)
{
	int st = -1;
	if (r != 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "child") == 0)
		return child_main();
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	pthread_join(t, NULL);
	int bad = 0;
	pid_t pid;

	char *sh_argv[] = {"sh", "-c", script, NULL};
	int r = posix_spawn(&pid, "/bin/sh", NULL, NULL, sh_argv, environ);
	bad += status_of(r, pid) != 3;

	char *true_argv[] = {"true", NULL};
	r = posix_spawnp(&pid, "true", NULL, NULL, true_argv, environ);
	bad += status_of(r, pid) != 0;

	char *self_argv[] = {argv[0], "child", NULL};
	r = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, self_argv, environ);
	bad += status_of(r, pid) != 0;

	return bad == 0 ? 0 : 1;
}
