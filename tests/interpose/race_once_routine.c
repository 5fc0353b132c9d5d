/* race_once_routine: pthread_once's routine writes a global that another
 * thread writes with no once. The routine's stack goes on into its
 * caller at the pthread_once call, as TSan's does (before, it stopped at
 * the routine: the call came from libc).
 * expect-location: global level
 * expect-stack: prev init_level setup main
 */
#include "e2e.h"

#include <pthread.h>

int level;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_level(void)
{
	level = 10; /* race */ /* prev: T0 write */
}

__attribute__((noinline)) static void setup(void)
{
	pthread_once(&once, init_level);
	e2e_post(1);
}

static void *rogue(void *arg)
{
	(void)arg;
	e2e_wait(1);
	level = 20; /* race */ /* cur: T1 write */
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, rogue, NULL);
	setup();
	pthread_join(t, NULL);
	return 0;
}
