/* norace_format_args: what printf and sscanf do not touch is no access.
 * A thread writes, with no order to main's calls after it (e2e):
 *   - tail[8], past the 3 bytes printf("%.3s") reads of tail;
 *   - wide[6], past the 2 bytes "%*.*s" reads (its width and precision
 *     are arguments before the string's);
 *   - second, which sscanf("7", "%d %d") does not assign (the input ends
 *     after the first conversion; the call returns 1).
 * Then, ordered by a semaphore, main prints and parses into what the
 * thread wrote before posting. Each would be a race if the walk read a
 * whole string past its precision, took the wrong argument for a '*', or
 * assigned past the call's result.
 */
#include "e2e.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

static sem_t ready;
char tail[16] = "abcdefghijk";
char wide[16] = "ABCDEFGHIJK";
char msg[16];
int first, second, third;

static void *writer(void *arg)
{
	(void)arg;
	tail[8] = 'X';
	wide[6] = 'Y';
	second = 9;
	strcpy(msg, "ready");
	sem_post(&ready);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	FILE *out = fopen("/dev/null", "w");
	if (out == NULL)
		return 2;
	sem_init(&ready, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	e2e_wait(1);
	char got[32];
	int n = snprintf(got, sizeof got, "%.3s|%*.*s", tail, 5, 2, wide);
	int r = sscanf("7", "%d %d", &first, &second);
	sem_wait(&ready);
	fprintf(out, "%s %d\n", msg, second);
	int r3 = sscanf("1 2 3", "%d %*d %d%n", &first, &third, &second);
	pthread_join(t, NULL);
	fclose(out);
	return n == 9 && strcmp(got, "abc|   AB") == 0 && r == 1 && r3 == 2 && first == 1 &&
	       third == 3 && second == 5 ? 0 : 1;
}
