/* norace_pthread_exit: a thread that ends with pthread_exit (from a nested
 * call, after its own key destructor ran) is joined like one that
 * returned: everything it did happens before pthread_join returns. */
#include <pthread.h>
#include <stdlib.h>

int result;
static pthread_key_t key;
int destructed;

static void destructor(void *v)
{
	destructed = *(int *)v;
	free(v);
}

static void finish(int v)
{
	result = v;
	pthread_exit((void *)(long)v);
}

static void *worker(void *arg)
{
	(void)arg;
	int *v = malloc(sizeof *v);
	*v = 5;
	pthread_setspecific(key, v);
	finish(3);
	return NULL;
}

int main(void)
{
	pthread_key_create(&key, destructor);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	void *r;
	pthread_join(t, &r);
	int ok = result == 3 && (long)r == 3 && destructed == 5;
	result = destructed = 0;
	return ok ? 0 : 1;
}
