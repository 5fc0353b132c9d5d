/* race_16byte: 16-byte accesses (__tsan_write16/read16) to an __int128.
 * expect-location: global wide
 */
#include "e2e.h"

#include <pthread.h>

_Alignas(16) __int128 wide;
volatile __int128 sink;

static void *worker(void *arg)
{
	(void)arg;
	wide = (__int128)1 << 100; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	sink = wide; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
