/*
 * cond.c — goc_cond: a FIFO queue of goroutines waiting for a signal.
 *
 * A waiter queues itself under `wl` before it unlocks the caller's lock, so
 * a signal sent between that unlock and the park is not lost: the signaller
 * marks it notified, and the waiter then does not sleep at all. A waiter
 * that does sleep marks itself parked under wl; the signaller readies only
 * parked waiters, and touches a waiter only while holding wl (a notified,
 * unparked waiter may return at once).
 * HB: none of its own; the locker's lock/unlock order everything, as in Go.
 */
#include "internal.h"

#include <assert.h>

struct cond {
	goc__lock_t wl;
	uint32_t pad;
	goc__waitq q; /* wl */
};

static_assert(sizeof(struct cond) <= sizeof(goc_cond), "goc_cond too small");

void goc_cond_wait_locker(goc_cond *c, goc_locker l)
{
	struct cond *cv = (struct cond *)c;
	goc__waiter w = { .g = goc__curg() };
	goc__lock(&cv->wl);
	goc__waitq_push(&cv->q, &w);
	goc__unlock(&cv->wl);
	l.unlock(l.obj);
	goc__lock(&cv->wl);
	if (w.notified) {
		goc__unlock(&cv->wl);
	} else {
		w.parked = true;
		goc__park(GOC_WAIT_COND, c, goc__unlock_cb, &cv->wl);
	}
	l.lock(l.obj);
}

void goc_cond_wait(goc_cond *c, goc_mutex *m)
{
	goc_cond_wait_locker(c, goc_mutex_locker(m));
}

void goc_cond_signal(goc_cond *c)
{
	struct cond *cv = (struct cond *)c;
	goc__g *g = NULL;
	goc__lock(&cv->wl);
	goc__waiter *w = goc__waitq_pop(&cv->q);
	if (w != NULL) {
		w->notified = true;
		if (w->parked)
			g = w->g;
	}
	goc__unlock(&cv->wl);
	if (g != NULL)
		goc__ready(g, true);
}

void goc_cond_broadcast(goc_cond *c)
{
	struct cond *cv = (struct cond *)c;
	goc__waiter *sleeping = NULL, **tail = &sleeping;
	goc__lock(&cv->wl);
	goc__waiter *w;
	while ((w = goc__waitq_pop(&cv->q)) != NULL) {
		w->notified = true;
		if (w->parked) { /* cannot return before we ready it */
			*tail = w;
			tail = &w->next;
		}
	}
	*tail = NULL;
	goc__unlock(&cv->wl);
	while (sleeping != NULL) {
		goc__waiter *next = sleeping->next;
		goc__ready(sleeping->g, false);
		sleeping = next;
	}
}
