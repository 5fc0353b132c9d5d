/* race_memccpy_source: memccpy reads its source up to the stop byte; a
 * thread writing a byte of that prefix unordered races with it. (TSan
 * checks no memccpy.)
 * expect-location: global line
 */
#include "e2e.h"

#include <pthread.h>
#include <string.h>

char line[32] = "key=value;rest";
static char out[32];

static void *worker(void *arg)
{
	(void)arg;
	line[2] = 'Y'; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	memccpy(out, line, ';', sizeof out); /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return out[9] == ';' ? 0 : 1;
}
