/*
 * waitgroup.c — goc_waitgroup: a counter and the goroutines waiting for it
 * to reach zero.
 *
 * Under the internal lock `wl`: the counter, the waiter queue, and
 * `waking`, the number of waiters released by the last zero that have not
 * yet returned from wait. Adding from zero while `waking` > 0 is Go's
 * "WaitGroup is reused before previous Wait has returned".
 * HB (Go's race annotations): add with a negative delta release-merges the
 * group; wait acquires it when it returns. So every done happens before the
 * wait it releases returns.
 *
 * add with a positive delta registers an unknown calling thread (goc__curg):
 * it now owes a done that waiters count on, and the deadlock check must see
 * it (goc.h: a thread counts from its first call into goc).
 */
#include "internal.h"

#include <assert.h>

struct waitgroup {
	goc__lock_t wl;
	int32_t waking;  /* wl */
	int64_t counter; /* wl */
	goc__waitq q;    /* wl */
};

static_assert(sizeof(struct waitgroup) <= sizeof(goc_waitgroup), "goc_waitgroup too small");

void goc_waitgroup_add(goc_waitgroup *wg, int64_t delta)
{
	struct waitgroup *w = (struct waitgroup *)wg;
	if (delta > 0)
		(void)goc__curg();
	if (delta < 0)
		goc__sync(goc__gid(), GOC_SYNC_RELEASE_MERGE, wg);
	goc__lock(&w->wl);
	if (w->counter == 0 && delta > 0 && w->waking > 0) {
		goc__unlock(&w->wl);
		goc__panic("sync: WaitGroup is reused before previous Wait has returned");
	}
	w->counter += delta;
	if (w->counter < 0) {
		goc__unlock(&w->wl);
		goc__panic("sync: negative WaitGroup counter");
	}
	goc__waiter *wake = NULL;
	if (w->counter == 0 && w->q.head != NULL) {
		wake = w->q.head;
		w->q.head = w->q.tail = NULL;
		for (goc__waiter *x = wake; x != NULL; x = x->next)
			w->waking++;
	}
	goc__unlock(&w->wl);
	while (wake != NULL) {
		goc__waiter *next = wake->next;
		goc__ready(wake->g, false);
		wake = next;
	}
}

void goc_waitgroup_done(goc_waitgroup *wg)
{
	goc_waitgroup_add(wg, -1);
}

void goc_waitgroup_wait(goc_waitgroup *wg)
{
	struct waitgroup *w = (struct waitgroup *)wg;
	goc__lock(&w->wl);
	if (w->counter == 0) {
		goc__unlock(&w->wl);
	} else {
		goc__waiter self = { .g = goc__curg() };
		goc__waitq_push(&w->q, &self);
		goc__park(GOC_WAIT_WAITGROUP, wg, goc__unlock_cb, &w->wl);
		goc__lock(&w->wl);
		w->waking--;
		goc__unlock(&w->wl);
	}
	goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, wg);
}
