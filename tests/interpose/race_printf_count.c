/* race_printf_count: printf's %n stores the count of characters printed
 * so far into its int argument. main's printf stores into a global that a
 * thread reads with no order: a write by printf against the thread's read.
 * expect-location: global printed
 */
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>

int printed;
volatile int sink;

static void *reader(void *arg)
{
	(void)arg;
	sink = printed; /* race */ /* prev: T1 read */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	FILE *out = fopen("/dev/null", "w");
	if (out == NULL)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, reader, NULL);
	e2e_wait(1);
	fprintf(out, "%d%n\n", 12345, &printed); /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	fclose(out);
	return printed == 5 ? 0 : 1;
}
