/*
 * util.c — the detector's small shared helpers: its lock (spin briefly,
 * then futex), lazily committed anonymous mappings, and the always-on check
 * failure path.
 *
 * The lock is a word (0 free, 1 locked, 2 locked with waiters). Acquire on
 * lock pairs with the release on unlock.
 */
#include "internal.h"

#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

void det__lock(det_lock *l)
{
	uint32_t s = 0;
	/* acquire: pairs with the release in det__unlock */
	if (DET_LIKELY(atomic_compare_exchange_strong_explicit(&l->state, &s, 1,
			memory_order_acquire, memory_order_relaxed)))
		return;
	for (int i = 0; i < 100; i++) {
		s = 0;
		if (atomic_load_explicit(&l->state, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_weak_explicit(&l->state, &s, 1,
				memory_order_acquire, memory_order_relaxed))
			return;
		__builtin_ia32_pause();
	}
	/* acquire: pairs with the release in det__unlock */
	while (atomic_exchange_explicit(&l->state, 2, memory_order_acquire) != 0)
		syscall(SYS_futex, &l->state, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

void det__unlock(det_lock *l)
{
	/* release: pairs with the acquire in det__lock */
	if (atomic_exchange_explicit(&l->state, 0, memory_order_release) == 2)
		syscall(SYS_futex, &l->state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void *det__map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static det_lock map_once_lock;

void *det__map_once(void *_Atomic *slot, size_t bytes)
{
	det_lock *lock = &map_once_lock;
	/* acquire: pairs with the release below */
	void *p = atomic_load_explicit(slot, memory_order_acquire);
	if (DET_LIKELY(p != NULL))
		return p;
	det__lock(lock);
	p = atomic_load_explicit(slot, memory_order_relaxed);
	if (p == NULL) {
		p = det__map(bytes);
		DET_CHECK(p != NULL);
		/* release: pairs with the acquire above */
		atomic_store_explicit(slot, p, memory_order_release);
	}
	det__unlock(lock);
	return p;
}

void det__util_fork_child(void)
{
	det__lock_reset(&map_once_lock);
}

void det_fork_child(det_thread *t)
{
	det__util_fork_child();
	det__clock_fork_child();
	det__thread_fork_child();
	det__ctx_fork_child();
	det__shadow_fork_child();
	det__sync_fork_child();
	det__heap_fork_child();
	det__report_fork_child();
	if (t != NULL)
		det_acquire_global(t);
}

void det__check_failed(const char *what, const char *file, int line)
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "goc-race: internal check failed: %s at %s:%d\n",
		what, file, line);
	if (n > 0 && write(2, buf, (size_t)n) < 0)
		abort();
	abort();
}
