/* norace_munmap_reuse: memory unmapped and mapped again is new memory. A
 * thread writes a page and unmaps it; main maps the same address again
 * (MAP_FIXED inside a range it reserved) and writes it, with no
 * synchronisation in between: no race, the old shadow went with munmap
 * (and mmap starts a range fresh). */
#include "e2e.h"

#include <pthread.h>
#include <sys/mman.h>

static char *page;

static void *worker(void *arg)
{
	(void)arg;
	page[100] = 1;
	munmap(page, 4096);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 1;
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	char *again = mmap(page, 4096, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (again != page)
		return 1; /* someone else took the address: cannot check */
	again[100] = 2;
	e2e_post(2);
	pthread_join(t, NULL);
	munmap(again, 4096);
	return 0;
}
