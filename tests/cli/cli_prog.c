/*
 * cli_prog.c — the program the command line's tests run under goc-race:
 *
 *   cli_prog exit N          exits with status N
 *   cli_prog signal N        dies of signal N (default action restored)
 *   cli_prog wait FILE       creates FILE, then waits to be killed (alarm
 *                            after 60 s, so a broken test cannot hang);
 *                            SIGINT and SIGQUIT back to their default
 *                            action, which a script's background job lacks
 *   cli_prog args ARGS...    prints each argument on its own line, exits 0
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "exit") == 0)
		return atoi(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "signal") == 0) {
		int sig = atoi(argv[2]);
		signal(sig, SIG_DFL);
		raise(sig);
		return 1;
	}
	if (argc >= 3 && strcmp(argv[1], "wait") == 0) {
		alarm(60);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return 2;
		close(fd);
		for (;;)
			pause();
	}
	if (argc >= 2 && strcmp(argv[1], "args") == 0) {
		for (int i = 2; i < argc; i++)
			puts(argv[i]);
		return 0;
	}
	fprintf(stderr, "usage: cli_prog exit N | signal N | wait FILE | args ...\n");
	return 2;
}
