/*
 * once.c — goc_once: run a function exactly once.
 *
 * `done` is read with acquire on the fast path; the slow path runs the
 * function under the once's own mutex, so concurrent callers wait (in
 * "sync.Mutex.Lock") until the first call has returned, then see done.
 * HB: fn returns, then done is stored with release; every caller acquires
 * it (and the tracer gets RELEASE after fn, ACQUIRE before each return).
 */
#include "internal.h"

#include <assert.h>

struct once {
	_Atomic uint32_t done;
	uint32_t pad;
	goc_mutex m;
};

static_assert(sizeof(struct once) <= sizeof(goc_once), "goc_once too small");

void goc_once_do(goc_once *o, goc_fn fn, void *arg)
{
	struct once *x = (struct once *)o;
	/* acquire: pairs with the release store below */
	if (GOC_LIKELY(atomic_load_explicit(&x->done, memory_order_acquire) != 0)) {
		goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, o);
		return;
	}
	goc_mutex_lock(&x->m);
	if (atomic_load_explicit(&x->done, memory_order_relaxed) == 0) {
		fn(arg);
		goc__sync(goc__gid(), GOC_SYNC_RELEASE, o);
		atomic_store_explicit(&x->done, 1, memory_order_release);
	}
	goc_mutex_unlock(&x->m);
	goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, o);
}
