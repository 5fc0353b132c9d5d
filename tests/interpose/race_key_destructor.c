/* race_key_destructor: a thread's pthread key destructor still runs as
 * that thread (the runtime finishes a thread only after the program's own
 * destructors), so its write races with main's unsynchronised one — and
 * names thread T1, not nobody.
 * expect-location: global last_words
 */
#include "e2e.h"

#include <pthread.h>

static pthread_key_t key;
int last_words;

static void destructor(void *v)
{
	last_words = (int)(long)v; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_setspecific(key, (void *)7L);
	return NULL;
}

int main(void)
{
	pthread_key_create(&key, destructor);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	last_words = 1; /* race */ /* cur: T0 write */
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
