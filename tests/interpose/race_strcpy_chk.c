/* race_strcpy_chk: a fortified strcpy (built with -O2 -D_FORTIFY_SOURCE=2,
 * the call is __strcpy_chk) into a buffer races with strlen of it.
 * Regression: the __*_chk variants went unseen.
 * expect-location: global buf
 */
#include "e2e.h"

#include <pthread.h>
#include <string.h>

char buf[32];
char src[32] = "some text";
volatile size_t sink;

static void *worker(void *arg)
{
	(void)arg;
	strcpy(buf, src); /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	sink = strlen(buf); /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
