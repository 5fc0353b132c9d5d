/* race_global_large_bss: a race on an element of a large zero-initialised
 * global, pages past the end of the executable's file, where .bss is an
 * anonymous mapping. Regression: the symbolizer looked the address up in
 * the file mappings only, and the report had no location.
 * expect-location: global table
 */
#include "e2e.h"

#include <pthread.h>

long table[16384]; /* 128 KiB of .bss */

static void *worker(void *arg)
{
	(void)arg;
	table[12000] = 1; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	long v = table[12000]; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return (int)v - 1;
}
