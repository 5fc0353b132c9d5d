/* norace_struct_other_field: two threads write different fields of one
 * struct, in the same 8-byte granule; no race. */
#include "e2e.h"

#include <pthread.h>

struct {
	int a;
	int b;
} pair;

static void *worker(void *arg)
{
	(void)arg;
	pair.a = 1;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pair.b = 2;
	e2e_post(2);
	pthread_join(t, NULL);
	return pair.a == 1 && pair.b == 2 ? 0 : 1;
}
