/* race_funlockfile_early: a counter bumped after funlockfile is outside
 * the stream's lock: the thread's update and main's, each after its own
 * unlock, race.
 * expect-location: global counter
 */
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>

static FILE *f;
long counter;

static void *writer(void *arg)
{
	(void)arg;
	flockfile(f);
	putc_unlocked('a', f);
	funlockfile(f);
	counter++; /* race */ /* prev: T1 write */
	e2e_post(1);
	return NULL;
}

int main(void)
{
	f = fopen("/dev/null", "w");
	if (f == NULL)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	e2e_wait(1);
	flockfile(f);
	putc_unlocked('b', f);
	funlockfile(f);
	counter++; /* race */ /* cur: T0 write */
	pthread_join(t, NULL);
	fclose(f);
	return 0;
}
