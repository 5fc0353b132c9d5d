/* norace_dlopen_threads: two threads each dlopen one library, then close
 * it, the thread last: its dlclose frees the link map main's dlopen
 * allocated. glibc orders that inside ld.so (its own lock), unseen; the
 * allocations are glibc's own, so calloc's zeroing there is no write of
 * the program's (it was a false race with the free).
 */
#include "e2e.h"

#include <dlfcn.h>
#include <pthread.h>

static const char lib[] = "libanl.so.1";

static void *opener(void *arg)
{
	(void)arg;
	e2e_wait(1);
	void *h = dlopen(lib, RTLD_NOW);
	e2e_post(2);
	e2e_wait(3);
	if (h != NULL)
		dlclose(h);
	return h;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, opener, NULL);
	void *h = dlopen(lib, RTLD_NOW);
	e2e_post(1);
	e2e_wait(2);
	if (h != NULL)
		dlclose(h);
	e2e_post(3);
	void *r;
	pthread_join(t, &r);
	return h != NULL && r != NULL ? 0 : 1;
}
