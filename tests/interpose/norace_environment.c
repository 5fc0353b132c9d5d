/* norace_environment: updates of the environment from two threads at
 * once (glibc's environment lock orders them), a getenv ordered after
 * both threads' updates by a mutex, one after a join, and one beside a
 * setenv that glibc refuses (a name with '=': nothing changes) draw no
 * report. */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int published;

static void *updater(void *arg)
{
	setenv("GOC_RACE_A", arg, 1);
	unsetenv("GOC_RACE_UNSET");
	pthread_mutex_lock(&m);
	setenv("GOC_RACE_B", "b", 1);
	published++;
	pthread_mutex_unlock(&m);
	return NULL;
}

static void *refuser(void *arg)
{
	(void)arg;
	int r = setenv("BAD=NAME", "x", 1); /* EINVAL */
	e2e_post(1);
	return (void *)(long)r;
}

int main(void)
{
	pthread_t t0;
	pthread_create(&t0, NULL, refuser, NULL);
	e2e_wait(1);
	const char *path = getenv("PATH"); /* after the refused setenv, unordered */
	pthread_join(t0, NULL);
	(void)path;
	pthread_t t1, t2;
	pthread_create(&t1, NULL, updater, "1");
	pthread_create(&t2, NULL, updater, "2");
	int ok = 0;
	while (!ok) {
		pthread_mutex_lock(&m);
		if (published == 2)
			ok = getenv("GOC_RACE_B") != NULL;
		pthread_mutex_unlock(&m);
	}
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	const char *a = getenv("GOC_RACE_A");
	return a != NULL && (strcmp(a, "1") == 0 || strcmp(a, "2") == 0) ? 0 : 1;
}
