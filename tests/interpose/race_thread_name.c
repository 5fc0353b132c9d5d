/* race_thread_name: a race between two named threads names them, in the
 * JSON record ("name") and in the text ("Thread T1 'writer' (running)").
 * T1 is named by main with pthread_setname_np, T2 names itself with
 * prctl(PR_SET_NAME). Regression: names were never recorded.
 * expect-location: global shared
 * expect-thread-name: T1 writer
 * expect-thread-name: T2 reader
 */
#include "e2e.h"

#include <pthread.h>
#include <sys/prctl.h>

int shared;
volatile int sink;

static void *writer(void *arg)
{
	(void)arg;
	e2e_wait(1);
	shared = 1; /* race */ /* prev: T1 write */
	e2e_post(2);
	e2e_wait(3);
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "reader", 0, 0, 0);
	e2e_wait(2);
	sink = shared; /* race */ /* cur: T2 read */
	e2e_post(3);
	return NULL;
}

int main(void)
{
	pthread_t w, r;
	pthread_create(&w, NULL, writer, NULL);
	pthread_create(&r, NULL, reader, NULL);
	pthread_setname_np(w, "writer");
	e2e_post(1);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	return 0;
}
