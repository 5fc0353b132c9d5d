/* race_snprintf_buffer: snprintf writes the string it formats into the
 * caller's buffer. A thread formats into a global buffer that main then
 * reads with no order.
 * expect-location: global buf
 */
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>

char buf[32];
volatile char sink;
volatile int value = 42;

static void *formatter(void *arg)
{
	(void)arg;
	snprintf(buf, sizeof buf, "value=%d", value); /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, formatter, NULL);
	e2e_wait(1);
	sink = buf[3]; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
