/* race_sscanf_result: sscanf stores what each conversion matched through
 * its pointer arguments. A thread parses a word into a global buffer that
 * main then reads with no order: sscanf's write of the %s string races
 * with main's read.
 * expect-location: global word
 */
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>

char word[16];
int number;
volatile char sink;

static void *parser(void *arg)
{
	(void)arg;
	if (sscanf("42 answer", "%d %15s", &number, word) != 2) /* race */ /* prev: T1 write */
		word[0] = 0;
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, parser, NULL);
	e2e_wait(1);
	sink = word[2]; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
