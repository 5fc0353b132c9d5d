/* norace_stdio_buffers: buffers filled by snprintf, sprintf, fgets and
 * fread in one thread and read by another after a semaphore (and then
 * written out with fputs, puts and fwrite): ordered, so no report. The
 * thread fills them first (e2e), so a write recorded after the post
 * would be reported.
 */
#include "e2e.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

static sem_t ready;
static FILE *in, *out;
char line[64], block[8], small[16], text[32];

static void *filler(void *arg)
{
	(void)arg;
	snprintf(small, sizeof small, "%d-%s", 7, "seven");
	sprintf(text, "%s", "sprintf");
	if (fgets(line, sizeof line, in) == NULL || fread(block, 1, sizeof block, in) == 0)
		line[0] = 0;
	sem_post(&ready);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	in = tmpfile();
	out = fopen("/dev/null", "w");
	if (in == NULL || out == NULL || fputs("a line\nABCDEFGH", in) < 0)
		return 2;
	rewind(in);
	sem_init(&ready, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, filler, NULL);
	e2e_wait(1);
	sem_wait(&ready);
	fputs(small, out);
	fputs(text, out);
	fwrite(line, 1, strlen(line), out);
	fwrite(block, 1, sizeof block, out);
	int ok = strcmp(small, "7-seven") == 0 && strcmp(text, "sprintf") == 0 &&
	         strcmp(line, "a line\n") == 0 && memcmp(block, "ABCDEFGH", 8) == 0;
	small[0] = text[0] = line[0] = block[0] = 0;
	pthread_join(t, NULL);
	fclose(in);
	fclose(out);
	return ok ? 0 : 1;
}
