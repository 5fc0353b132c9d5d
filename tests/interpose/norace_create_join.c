/* norace_create_join: what main did before pthread_create happens before
 * the thread; what the thread did happens before pthread_join returns.
 * Globals, heap and main's stack alike. */
#include <pthread.h>
#include <stdlib.h>

int before, after;
static int *block;

static void *worker(void *arg)
{
	int *local = arg;
	after = before + 1;
	block[1] = block[0] + 1;
	local[1] = local[0] + 1;
	return NULL;
}

int main(void)
{
	int local[2] = {5, 0};
	block = malloc(2 * sizeof *block);
	block[0] = 3;
	before = 1;
	pthread_t t;
	pthread_create(&t, NULL, worker, local);
	pthread_join(t, NULL);
	int ok = after == 2 && block[1] == 4 && local[1] == 6;
	before = after = 0;
	block[0] = block[1] = 0;
	free(block);
	return ok ? 0 : 1;
}
