/*
 * sema.c — goc_sem: a weighted semaphore with FIFO waiters
 * (golang.org/x/sync/semaphore semantics).
 *
 * Under `wl`: capacity, units held, and the queue of waiters with the units
 * each wants. An acquire proceeds at once only if the units are free and
 * nobody waits; a release grants waiters from the front for as long as the
 * front one fits, so a large request at the front holds back smaller ones
 * behind it instead of starving.
 * HB: release release-merges the semaphore; acquire acquires it when it
 * returns.
 *
 * acquire and tryacquire first register an unknown calling thread
 * (goc__curg): one that got units without parking would otherwise hold them
 * unseen by the deadlock check (goc.h: a thread counts from its first call).
 */
#include "internal.h"

#include <assert.h>

struct sem {
	goc__lock_t wl;
	uint32_t pad;
	int64_t size; /* fixed after init */
	int64_t cur;  /* wl */
	goc__waitq q; /* wl */
};

static_assert(sizeof(struct sem) <= sizeof(goc_sem), "goc_sem too small");

int goc_sem_init(goc_sem *s, int64_t capacity)
{
	if (capacity <= 0)
		return GOC_EINVAL;
	struct sem *x = (struct sem *)s;
	*x = (struct sem){ .wl = GOC_LOCK_INIT, .size = capacity };
	return 0;
}

int goc_sem_acquire(goc_sem *s, int64_t n)
{
	struct sem *x = (struct sem *)s;
	if (n < 0 || n > x->size)
		return GOC_EINVAL;
	goc__g *me = goc__curg();
	goc__lock(&x->wl);
	if (x->size - x->cur >= n && x->q.head == NULL) {
		x->cur += n;
		goc__unlock(&x->wl);
	} else {
		goc__waiter w = { .g = me, .n = n };
		goc__waitq_push(&x->q, &w);
		goc__park(GOC_WAIT_SEMACQUIRE, s, goc__unlock_cb, &x->wl);
	}
	goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, s);
	return 0;
}

bool goc_sem_tryacquire(goc_sem *s, int64_t n)
{
	struct sem *x = (struct sem *)s;
	(void)goc__curg();
	goc__lock(&x->wl);
	bool ok = n >= 0 && x->size - x->cur >= n && x->q.head == NULL;
	if (ok)
		x->cur += n;
	goc__unlock(&x->wl);
	if (ok)
		goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, s);
	return ok;
}

void goc_sem_release(goc_sem *s, int64_t n)
{
	struct sem *x = (struct sem *)s;
	goc__sync(goc__gid(), GOC_SYNC_RELEASE_MERGE, s);
	goc__waiter *wake = NULL, **tail = &wake;
	goc__lock(&x->wl);
	x->cur -= n;
	if (x->cur < 0 || n < 0) {
		goc__unlock(&x->wl);
		goc__panic("semaphore: released more than held");
	}
	while (x->q.head != NULL && x->size - x->cur >= x->q.head->n) {
		goc__waiter *w = goc__waitq_pop(&x->q);
		x->cur += w->n;
		*tail = w;
		tail = &w->next;
	}
	*tail = NULL;
	goc__unlock(&x->wl);
	while (wake != NULL) {
		goc__waiter *next = wake->next;
		goc__ready(wake->g, false);
		wake = next;
	}
}
