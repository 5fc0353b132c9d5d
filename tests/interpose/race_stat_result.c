/* race_stat_result: stat stores the file's status into the caller's
 * struct stat. A thread stats "/" into a global struct that main then
 * reads with no order.
 * expect-location: global st
 */
#include "e2e.h"

#include <pthread.h>
#include <sys/stat.h>

struct stat st;
volatile int sink;

static void *statter(void *arg)
{
	(void)arg;
	if (stat("/", &st) != 0) /* race */ /* prev: T1 write */
		return NULL;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, statter, NULL);
	e2e_wait(1);
	sink = S_ISDIR(st.st_mode); /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
