/* race_localtime_r_result: localtime_r stores the broken-down time into
 * the caller's struct tm. A thread converts a time into a global struct
 * that main then reads with no order.
 * expect-location: global when
 */
#include "e2e.h"

#include <pthread.h>
#include <time.h>

struct tm when;
volatile int sink;

static void *converter(void *arg)
{
	(void)arg;
	time_t t = 86400 * 365;
	if (localtime_r(&t, &when) == NULL) /* race */ /* prev: T1 write */
		return NULL;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, converter, NULL);
	e2e_wait(1);
	sink = when.tm_year; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
