/* race_unaligned_packed: a 4-byte field of a packed struct straddles two
 * 8-byte granules (__tsan_unaligned_*); a write and a read of it race.
 * expect-location: global rec
 */
#include "e2e.h"

#include <pthread.h>

struct __attribute__((packed, aligned(8))) record {
	char tag[6];
	int value; /* bytes 6..9 */
};

struct record rec;
volatile int sink;

static void *worker(void *arg)
{
	(void)arg;
	rec.value = 42; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	sink = rec.value; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
