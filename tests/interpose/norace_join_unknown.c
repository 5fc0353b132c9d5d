/* norace_join_unknown: joining (and detaching) threads the runtime did not
 * create must not crash it (TSan crashes here): the threads are created by
 * libc's own pthread_create, looked up in libc itself, which the preload
 * runtime does not intercept. */
#include <dlfcn.h>
#include <pthread.h>

typedef int create_fn(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

static void *worker(void *arg)
{
	return arg;
}

int main(void)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	create_fn *create = libc != NULL ? (create_fn *)dlsym(libc, "pthread_create") : NULL;
	if (create == NULL)
		return 2;
	pthread_t a, b;
	if (create(&a, NULL, worker, (void *)1) != 0 || create(&b, NULL, worker, (void *)2) != 0)
		return 3;
	void *r = NULL;
	int rc = pthread_join(a, &r);
	int rc2 = pthread_detach(b);
	return rc == 0 && r == (void *)1 && rc2 == 0 ? 0 : 1;
}
