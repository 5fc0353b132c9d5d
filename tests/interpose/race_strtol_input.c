/* race_strtol_input: strtol reads the digits it parses. A thread rewrites
 * a digit of a shared number while main parses it with no order: the
 * write and strtol's read race.
 * expect-location: global text
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

char text[16] = "12345 apples";
long parsed;

static void *editor(void *arg)
{
	(void)arg;
	text[2] = '9'; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, editor, NULL);
	e2e_wait(1);
	parsed = strtol(text, NULL, 10); /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return parsed == 12945 ? 0 : 1;
}
