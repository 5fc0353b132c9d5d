/* race_array_element: two threads write the same array element.
 * (norace_array_adjacent: neighbouring bytes do not race.)
 * expect-location: global cells
 */
#include "e2e.h"

#include <pthread.h>

char cells[16];

static void *worker(void *arg)
{
	(void)arg;
	cells[5] = 1; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	cells[5] = 2; /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
