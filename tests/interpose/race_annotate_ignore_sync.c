/* race_annotate_ignore_sync: main takes the mutex inside
 * AnnotateIgnoreSyncBegin/End, so the lock acquires nothing, while its
 * accesses are still checked: its write of data races with the thread's
 * under the same mutex.
 * expect-location: global data
 */
#include "annotate.h"
#include "e2e.h"

#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
int data;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	data = 1; /* race */ /* prev: T1 write */
	pthread_mutex_unlock(&mu);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
	pthread_mutex_lock(&mu);
	AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
	data = 2; /* race */ /* cur: T0 write */
	pthread_mutex_unlock(&mu);
	pthread_join(t, NULL);
	return 0;
}
