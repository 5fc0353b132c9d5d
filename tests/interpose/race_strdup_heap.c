/* race_strdup_heap: strdup's copy is a heap block like malloc's, reported
 * with the program's strdup call as its allocation site; a write into it
 * races with strlen of it.
 * expect-location: heap T0
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static char *copy;
char original[16] = "original";
volatile size_t sink;

static void *worker(void *arg)
{
	(void)arg;
	copy[2] = 'X'; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	copy = strdup(original); /* alloc */
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	sink = strlen(copy); /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	free(copy);
	return 0;
}
