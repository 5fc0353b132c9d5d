/* norace_memccpy_rand: memccpy reads only up to its stop byte, so a
 * thread writing past it is no race; rand_r and nrand48 on each thread's
 * own state are none either. */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

char line[32] = "key;value";
static char out[32];

static void *worker(void *arg)
{
	(void)arg;
	line[6] = 'X'; /* past the ';' main's memccpy stops at */
	unsigned int seed = 7;
	unsigned short xsubi[3] = { 1, 2, 3 };
	long r = rand_r(&seed) + nrand48(xsubi);
	e2e_post(1);
	e2e_wait(2);
	return (void *)r;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	memccpy(out, line, ';', sizeof out);
	unsigned int seed = 9;
	unsigned short xsubi[3] = { 4, 5, 6 };
	long r = rand_r(&seed) + nrand48(xsubi);
	e2e_post(2);
	pthread_join(t, NULL);
	return out[3] == ';' && r >= 0 ? 0 : 1;
}
