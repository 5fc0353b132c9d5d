/* norace_file_handoff: a thread publishes a value, then writes a byte to
 * a file; another waits until it can read the byte back and then reads
 * the value. The kernel orders the write before the read, so the value is
 * handed off (TSan's model: one key for all files). Once through a
 * descriptor from mkstemp and once through a stream's from fopen, both
 * made by calls that used to leave the descriptor without a key, so the
 * reads of the values were false races. */
#include "e2e.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int tmp_fd, stream_fd;
static int first, second;

/* Waits until fd's file holds a byte (pread: no shared offset). */
static void await_byte(int fd)
{
	char c;
	while (pread(fd, &c, 1, 0) != 1)
		sched_yield();
}

static void *writer(void *arg)
{
	(void)arg;
	first = 1;
	if (write(tmp_fd, "x", 1) != 1)
		abort();
	second = 2;
	if (write(stream_fd, "y", 1) != 1)
		abort();
	return NULL;
}

int main(void)
{
	char path1[] = "/tmp/goc-race-handoff-XXXXXX", path2[] = "/tmp/goc-race-handoff-XXXXXX";
	tmp_fd = mkstemp(path1);
	int fd2 = mkstemp(path2);
	if (tmp_fd < 0 || fd2 < 0)
		return 2;
	close(fd2);
	FILE *f = fopen(path2, "w+");
	if (f == NULL)
		return 2;
	stream_fd = fileno(f);
	unlink(path1);
	unlink(path2);
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	await_byte(tmp_fd);
	int a = first;
	await_byte(stream_fd);
	int b = second;
	pthread_join(t, NULL);
	fclose(f);
	close(tmp_fd);
	return a == 1 && b == 2 ? 0 : 1;
}
