/* race_printf_string: printf reads the strings its %s conversions print.
 * A thread renames a global while main prints it with no order: the
 * rename's write and fprintf's read race. (fprintf with more than "%s"
 * in its format stays fprintf: the compiler turns only fprintf(f, "%s",
 * s) into fputs.)
 * expect-location: global name
 */
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

char name[16] = "first";
static FILE *out;

static void *renamer(void *arg)
{
	(void)arg;
	strcpy(name, "second"); /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	out = fopen("/dev/null", "w");
	if (out == NULL)
		return 2;
	pthread_t t;
	pthread_create(&t, NULL, renamer, NULL);
	e2e_wait(1);
	fprintf(out, "[%d] %s\n", 1, name); /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	fclose(out);
	return 0;
}
