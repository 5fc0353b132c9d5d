/* race_cond_wait_refused: a cond wait on an error-checking mutex the
 * caller does not hold returns EPERM at once: it neither unlocks the
 * mutex (no release) nor waits. main writes, then its wait is refused;
 * the thread then locks the mutex and reads: no order between the two.
 */
#include "e2e.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t m;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
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
	struct timespec past = {0, 0};
	int r = pthread_cond_timedwait(&c, &m, &past);
	e2e_post(1);
	pthread_join(t, NULL);
	return r == EPERM ? 0 : 1;
}
