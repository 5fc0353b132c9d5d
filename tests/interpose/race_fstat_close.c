/* race_fstat_close: a thread fstats a file; main then closes it with
 * nothing ordering the fstat before the close: the close races with the
 * use of the descriptor (fstat's, as TSan sees it).
 * expect-location: fd
 */
#include "e2e.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

static int fd;
static struct stat st;

static void *stater(void *arg)
{
	(void)arg;
	if (fstat(fd, &st) != 0) /* race */ /* prev: T1 read */
		return NULL;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	fd = open("/dev/null", O_RDONLY); /* alloc */
	if (fd < 0)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, stater, NULL);
	e2e_wait(1);
	close(fd); /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
