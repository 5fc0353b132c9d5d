/* race_newest_write: main starts the reader, then writes the global and
 * starts the writer, whose write pthread_create orders after main's. The
 * reader's read is unordered with both writes; it is reported once,
 * against the writer's write: a plain write forgets the other threads'
 * accesses it happens after and covers, so main's is gone by then.
 * expect-location: global data
 */
#include "e2e.h"

#include <pthread.h>

int data;
volatile int sink;

static void *reader(void *arg)
{
	(void)arg;
	e2e_wait(1);
	sink = data; /* race */ /* cur: T1 read */
	e2e_post(2);
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	data = 2; /* race */ /* prev: T2 write */
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t r, w;
	pthread_create(&r, NULL, reader, NULL);
	data = 1;
	pthread_create(&w, NULL, writer, NULL);
	e2e_wait(2);
	pthread_join(r, NULL);
	pthread_join(w, NULL);
	return 0;
}
