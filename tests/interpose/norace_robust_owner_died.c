/* norace_robust_owner_died: a thread locks a robust mutex, writes, and
 * ends still holding it; main's lock then returns EOWNERDEAD (the kernel
 * marks the lock when the owner exits), makes it consistent and reads
 * what the owner wrote: ordered by the owner's end, though it never
 * unlocked. (TSan reports a race here.)
 */
#include "e2e.h"

#include <errno.h>
#include <pthread.h>

static pthread_mutex_t m;
int data;

static void *owner(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	data = 7;
	e2e_post(1);
	return NULL; /* still holding m */
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &a);
	pthread_t t;
	pthread_create(&t, NULL, owner, NULL);
	e2e_wait(1);
	int r = pthread_mutex_lock(&m);
	if (r == EOWNERDEAD)
		pthread_mutex_consistent(&m);
	int v = data;
	pthread_mutex_unlock(&m);
	pthread_join(t, NULL);
	return r == EOWNERDEAD && v == 7 ? 0 : 1;
}
