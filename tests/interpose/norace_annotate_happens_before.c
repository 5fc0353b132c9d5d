/* norace_annotate_happens_before: AnnotateHappensBefore in the thread after
 * its write and AnnotateHappensAfter in main before its write, on the same
 * address, order the two writes (release-merge and acquire), though what
 * really orders them (e2e_order.c) is invisible to the detector.
 */
#include "annotate.h"
#include "e2e.h"

#include <pthread.h>

int data;

static void *worker(void *arg)
{
	(void)arg;
	data = 1;
	AnnotateHappensBefore(__FILE__, __LINE__, &data);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	AnnotateHappensAfter(__FILE__, __LINE__, &data);
	data = 2;
	pthread_join(t, NULL);
	return data == 2 ? 0 : 1;
}
