/* race_annotate_ignore_writes: the thread's write of ignored is inside
 * AnnotateIgnoreWritesBegin/End, so it is not checked nor remembered and
 * does not race with main's; its write of data, after the region ended,
 * is, and races.
 * expect-location: global data
 */
#include "annotate.h"
#include "e2e.h"

#include <pthread.h>

int ignored, data;

static void *worker(void *arg)
{
	(void)arg;
	AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
	ignored = 1;
	AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
	data = 1; /* race */ /* prev: T1 write */
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	ignored = 2;
	data = 2; /* race */ /* cur: T0 write */
	pthread_join(t, NULL);
	return 0;
}
