/* norace_heap_handoff: heap blocks change hands through a mutex: a thread
 * allocates, fills and publishes one; main takes it, grows it with
 * realloc, and frees it; a block main allocated is freed by the thread.
 * Every allocator entry point registers its block, and free and realloc
 * are writes ordered by the handoffs. */
#include "e2e.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int *published;
static char *to_free;

static void *worker(void *arg)
{
	(void)arg;
	int *p = malloc(4 * sizeof *p);
	for (int i = 0; i < 4; i++)
		p[i] = i;
	pthread_mutex_lock(&mu);
	published = p;
	char *mine = to_free;
	to_free = NULL;
	pthread_mutex_unlock(&mu);
	mine[0] = 'y';
	free(mine);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	char *q = calloc(16, 1);
	q[0] = 'x';
	void *al = NULL;
	if (posix_memalign(&al, 64, 128) != 0)
		return 1;
	memset(al, 1, 128);
	char *a2 = aligned_alloc(32, 64);
	char *a3 = memalign(16, 48);
	a2[63] = a3[47] = 2;
	int *arr = reallocarray(NULL, 8, sizeof(int));
	arr[7] = 3;
	arr = reallocarray(arr, 16, sizeof(int));
	arr[15] = 4;

	pthread_mutex_lock(&mu);
	to_free = q;
	pthread_mutex_unlock(&mu);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pthread_mutex_lock(&mu);
	int *p = published;
	pthread_mutex_unlock(&mu);
	p = realloc(p, 1024 * sizeof *p);
	p[1000] = p[3];
	int ok = p[1000] == 3 && arr[7] == 3;
	free(p);
	free(al);
	free(a2);
	free(a3);
	free(arr);
	pthread_join(t, NULL);
	return ok ? 0 : 1;
}
