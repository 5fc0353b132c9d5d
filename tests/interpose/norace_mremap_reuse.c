/* norace_mremap_reuse: memory that mremap maps afresh is new memory. A
 * thread writes three pages and is done with them; main then, with no
 * synchronisation in between,
 *   1. moves page P onto page Q (MREMAP_FIXED replaces Q's mapping) and
 *      writes Q: P's contents, new at that address;
 *   2. grows page A in place into the hole P left and writes the new tail;
 *   3. shrinks A again, maps fresh memory where its tail was and writes it.
 * None of these is a race: the old shadow went with the old mappings.
 * Regression: mremap was not intercepted, and the thread's old writes
 * raced with main's (steps 1 and 2). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mremap */
#endif
#include "e2e.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

static char *base; /* pages A, P, Q */
static size_t pg;

static void *worker(void *arg)
{
	(void)arg;
	base[100] = 1;          /* A */
	base[pg + 100] = 1;     /* P */
	base[2 * pg + 100] = 1; /* Q */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pg = (size_t)sysconf(_SC_PAGESIZE);
	base = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return 1;
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);

	char *q = mremap(base + pg, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, base + 2 * pg);
	if (q != base + 2 * pg)
		return 1;
	q[100] = 2;

	char *a = mremap(base, pg, 2 * pg, 0);
	if (a != base)
		return 1; /* the hole was taken: cannot check */
	a[pg + 100] = 2;

	if (mremap(base, 2 * pg, pg, 0) != base)
		return 1;
	char *again = mmap(base + pg, pg, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (again != base + pg)
		return 1;
	again[100] = 3;

	e2e_post(2);
	pthread_join(t, NULL);
	munmap(base, 3 * pg);
	return 0;
}
