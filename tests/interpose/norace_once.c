/* norace_once: pthread_once's init routine happens before every
 * pthread_once return — also the one that did not run it. The thread runs
 * the routine; main's call finds it done and reads what it wrote. The
 * routine itself calls pthread_once on another object (nesting). */
#include "e2e.h"

#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_once_t inner_once = PTHREAD_ONCE_INIT;
int table[4], inner;
volatile int seen;

static void init_inner(void)
{
	inner = 9;
}

static void init(void)
{
	pthread_once(&inner_once, init_inner);
	for (int i = 0; i < 4; i++)
		table[i] = i + inner;
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_once(&once, init);
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	pthread_once(&once, init);
	seen = table[3] + inner;
	pthread_once(&inner_once, init_inner);
	pthread_join(t, NULL);
	return seen == 21 ? 0 : 1;
}
