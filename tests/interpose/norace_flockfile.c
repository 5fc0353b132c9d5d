/* norace_flockfile: flockfile and funlockfile are a lock on the stream
 * (POSIX). Two threads each take it, bump a counter and write characters
 * with putc_unlocked, whose macro updates the FILE's own fields in
 * instrumented code: both are ordered by the lock (ftrylockfile too).
 */
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>

static FILE *f;
long counter;

static void *writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		if (i % 2 == 0) {
			flockfile(f);
		} else {
			while (ftrylockfile(f) != 0)
				;
		}
		counter++;
		putc_unlocked('a', f);
		funlockfile(f);
	}
	return NULL;
}

int main(void)
{
	f = fopen("/dev/null", "w");
	if (f == NULL)
		return 2;
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, writer, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	fclose(f);
	return counter == 400 ? 0 : 1;
}
