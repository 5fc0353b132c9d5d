/* norace_array_adjacent: two threads write neighbouring bytes of one
 * array (the same 8-byte granule); no race. */
#include "e2e.h"

#include <pthread.h>

char cells[16];

static void *worker(void *arg)
{
	(void)arg;
	cells[5] = 1;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	cells[4] = 2;
	cells[6] = 3;
	e2e_post(2);
	pthread_join(t, NULL);
	return cells[4] + cells[5] + cells[6] == 6 ? 0 : 1;
}
