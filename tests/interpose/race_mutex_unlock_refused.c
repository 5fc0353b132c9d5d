/* race_mutex_unlock_refused: glibc refuses (EPERM) to unlock an
 * error-checking mutex the caller does not own, and the refused unlock
 * releases nothing. main writes, then "unlocks" a mutex it never locked;
 * the thread then locks it and reads: no order between the two.
 * (Without the owner check, the refused unlock was an edge and hid the
 * race.)
 */
#include "e2e.h"

#include <errno.h>
#include <pthread.h>

static pthread_mutex_t m;
int data;
volatile int sink;

static void *reader(void *arg)
{
	(void)arg;
	e2e_wait(1);
	pthread_mutex_lock(&m);
	sink = data; /* race */ /* cur: T1 read */
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &a);
	pthread_t t;
	pthread_create(&t, NULL, reader, NULL);
	data = 1; /* race */ /* prev: T0 write */
	int r = pthread_mutex_unlock(&m);
	e2e_post(1);
	pthread_join(t, NULL);
	return r == EPERM ? 0 : 1;
}
