/* race_getenv_setenv: a thread reads the environment with getenv while
 * main updates it with setenv, unordered. glibc locks its updates against
 * each other but not against getenv, which may read an array that setenv
 * replaces and frees. (Neither TSan nor Helgrind reports it.) The
 * environment is no program object: the report has no location.
 * expect-title: DATA RACE on environment
 * expect-location: unknown
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

static void *worker(void *arg)
{
	(void)arg;
	const char *home = getenv("HOME"); /* race */ /* prev: T1 read */
	e2e_post(1);
	e2e_wait(2);
	return (void *)home;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	setenv("GOC_RACE_FIXTURE", "1", 1); /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
