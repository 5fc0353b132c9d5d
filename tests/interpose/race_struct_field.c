/* race_struct_field: two threads write the same field of a global struct.
 * (norace_struct_other_field: different fields do not race.)
 * expect-location: global pair
 */
#include "e2e.h"

#include <pthread.h>

struct {
	int a;
	int b;
} pair;

static void *worker(void *arg)
{
	(void)arg;
	pair.b = 1; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pair.b = 2; /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
