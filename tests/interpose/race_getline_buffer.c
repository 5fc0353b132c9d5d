/* race_getline_buffer: getline stores the line it reads (and its NUL)
 * into the caller's buffer. Main allocates the buffer before starting a
 * thread whose getline fills it; main then reads the line with no order
 * (through its own copy of the pointer: getline's store of the pointer
 * word is a write too, but main does not read that word). When optimising,
 * glibc's headers inline getline as a call of __getdelim, and the report's
 * top frame is then that inline function in <bits/stdio.h>; so the thread
 * calls the exported getline, by its address.
 * expect-location: heap T0
 */
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static char input[] = "hello\nworld\n";
static char *line;
static size_t cap = 64;
static FILE *in;
static ssize_t (*volatile read_line)(char **, size_t *, FILE *) = getline;
volatile char sink;

static void *reader(void *arg)
{
	(void)arg;
	if (read_line(&line, &cap, in) != 6) /* race */ /* prev: T1 write */
		line = NULL;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	in = fmemopen(input, sizeof input - 1, "r");
	char *mine = malloc(cap); /* alloc */
	if (in == NULL || mine == NULL)
		return 2;
	line = mine;
	pthread_t t;
	pthread_create(&t, NULL, reader, NULL);
	e2e_wait(1);
	sink = mine[1]; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	fclose(in);
	free(line);
	return 0;
}
