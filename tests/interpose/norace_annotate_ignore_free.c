/* norace_annotate_ignore_free: a free inside an AnnotateIgnoreWrites
 * region is no write, as in TSan: the thread's read of the block, which
 * nothing orders before main's free (e2e_post/e2e_wait make no edge), is
 * not reported against it.
 */
#include "annotate.h"
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

static int *block;

static void *reader(void *arg)
{
	(void)arg;
	int v = block[1]; /* before the free, unordered with it */
	e2e_post(1);
	return (void *)(long)v;
}

int main(void)
{
	block = calloc(4, sizeof *block);
	block[1] = 7;
	pthread_t t;
	pthread_create(&t, NULL, reader, NULL);
	e2e_wait(1);
	AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
	free(block);
	AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
	void *r;
	pthread_join(t, &r);
	return r == (void *)7 ? 0 : 1;
}
