/* race_struct_copy: a struct assignment the compiler makes a copy call of
 * (libc memcpy from clang 14, __tsan_memcpy from clang 19, tsan-abi.md
 * §1.4) races with a plain write of one field of the destination.
 * expect-location: global dst
 */
#include "e2e.h"

#include <pthread.h>

struct record {
	long id;
	char name[88];
	long count;
};

struct record dst;
struct record src = {.id = 7, .name = "seven", .count = 3};

static void *worker(void *arg)
{
	(void)arg;
	dst = src; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	dst.count = 4; /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
