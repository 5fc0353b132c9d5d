/*
 * select.c — select over any number of send and receive cases.
 *
 * Algorithm (Go's selectgo): put the non-NULL cases in a random poll order
 * and in lock order (by channel address, duplicates locked once); lock all
 * channels in lock order; take the first ready case in poll order. If none
 * is ready and the select may block, enqueue one sudog per case (all on this
 * stack), park, and let the first channel operation that dequeues one of
 * them win: it claims the select by CAS on g->select_done (see
 * goc__chan_dequeue) and records the winning sudog in g->param. On wake the
 * select relocks every channel and unlinks its other sudogs.
 *
 * Lock order: channels by ascending address, released in reverse. Two
 * selects over the same channels therefore never deadlock each other.
 * HB: exactly those of the one operation performed (chan.c).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define SELECT_STACK_CASES 16

struct select_locks {
	goc_select_case *cases;
	uint32_t *lockorder;
	size_t n;
};

static void lock_all(struct select_locks *l)
{
	goc_chan *prev = NULL;
	for (size_t i = 0; i < l->n; i++) {
		goc_chan *c = l->cases[l->lockorder[i]].chan;
		if (c != prev)
			goc__lock(&c->lock);
		prev = c;
	}
}

static void unlock_all(struct select_locks *l)
{
	for (size_t i = l->n; i-- > 0;) {
		goc_chan *c = l->cases[l->lockorder[i]].chan;
		if (i > 0 && l->cases[l->lockorder[i - 1]].chan == c)
			continue; /* locked once; unlock at its first occurrence */
		goc__unlock(&c->lock);
	}
}

static bool unlock_all_cb(void *arg)
{
	unlock_all(arg);
	return true;
}

static void set_ok(goc_select_case *sc, bool ok)
{
	if (sc->ok != NULL)
		*sc->ok = ok;
}

static int do_select(goc_select_case *cases, size_t n, bool block)
{
	goc__g *me = goc__curg();
	uint32_t stack_order[2 * SELECT_STACK_CASES];
	goc__sudog stack_sudogs[SELECT_STACK_CASES];
	uint32_t *order = stack_order;
	goc__sudog *sudogs = stack_sudogs;
	if (n > SELECT_STACK_CASES) {
		order = malloc(2 * n * sizeof(*order));
		sudogs = malloc(n * sizeof(*sudogs));
		if (order == NULL || sudogs == NULL)
			goc__throw("out of memory in select");
	}
	uint32_t *pollorder = order;
	uint32_t *lockorder = order + n;
	int result = -1;

	/* Poll order: a uniform random permutation of the non-NULL cases. */
	size_t nn = 0;
	for (size_t i = 0; i < n; i++) {
		if (cases[i].chan == NULL)
			continue;
		uint32_t j = goc__fastrand() % (uint32_t)(nn + 1);
		pollorder[nn] = pollorder[j];
		pollorder[j] = (uint32_t)i;
		nn++;
	}
	if (nn == 0) {
		if (block)
			goc__park(n == 0 ? GOC_WAIT_SELECT_NO_CASES : GOC_WAIT_SELECT, NULL, NULL, NULL);
		goto out; /* select_try: the default case */
	}

	/* Lock order: by channel address (insertion sort; n is small). */
	for (size_t i = 0; i < nn; i++) {
		uint32_t k = pollorder[i];
		size_t j = i;
		while (j > 0 && (uintptr_t)cases[lockorder[j - 1]].chan > (uintptr_t)cases[k].chan) {
			lockorder[j] = lockorder[j - 1];
			j--;
		}
		lockorder[j] = k;
	}
	struct select_locks locks = { cases, lockorder, nn };
	lock_all(&locks);

	for (size_t i = 0; i < nn; i++) {
		uint32_t k = pollorder[i];
		goc_select_case *sc = &cases[k];
		goc_chan *c = sc->chan;
		goc__sudog *s;
		if (sc->dir == GOC_SELECT_SEND) {
			if (c->closed) {
				unlock_all(&locks);
				goc__panic_closed_send();
			}
			if ((s = goc__chan_dequeue(&c->recvq_head, &c->recvq_tail)) != NULL) {
				goc__chan_send_to_waiter(c, s, sc->elem, me);
				unlock_all(&locks);
				goc__ready(s->g, true);
				result = (int)k;
				goto out;
			}
			if (c->qcount < c->cap) {
				goc__chan_bufsend(c, sc->elem, me);
				unlock_all(&locks);
				result = (int)k;
				goto out;
			}
		} else {
			if ((s = goc__chan_dequeue(&c->sendq_head, &c->sendq_tail)) != NULL) {
				goc__chan_recv_from_waiter(c, s, sc->elem, me);
				unlock_all(&locks);
				goc__ready(s->g, true);
				set_ok(sc, true);
				result = (int)k;
				goto out;
			}
			if (c->qcount > 0) {
				goc__chan_bufrecv(c, sc->elem, me);
				unlock_all(&locks);
				set_ok(sc, true);
				result = (int)k;
				goto out;
			}
			if (c->closed) {
				goc__chan_recv_closed(c, sc->elem, me);
				unlock_all(&locks);
				set_ok(sc, false);
				result = (int)k;
				goto out;
			}
		}
	}
	if (!block) {
		unlock_all(&locks);
		goto out;
	}

	/* Nothing ready: wait on every channel at once. */
	atomic_store_explicit(&me->select_done, 0, memory_order_relaxed);
	me->param = NULL;
	for (size_t i = 0; i < nn; i++) {
		uint32_t k = lockorder[i];
		goc_select_case *sc = &cases[k];
		goc__sudog *s = &sudogs[i];
		memset(s, 0, sizeof(*s));
		s->g = me;
		s->c = sc->chan;
		s->elem = sc->elem;
		s->is_select = true;
		s->case_index = (int)k;
		if (sc->dir == GOC_SELECT_SEND)
			goc__chan_enqueue(&sc->chan->sendq_head, &sc->chan->sendq_tail, s);
		else
			goc__chan_enqueue(&sc->chan->recvq_head, &sc->chan->recvq_tail, s);
		goc__tsan_release(sc->chan);
	}
	goc__park(GOC_WAIT_SELECT, NULL, unlock_all_cb, &locks);

	goc__sudog *won = me->param;
	GOC_CHECK(won != NULL);
	lock_all(&locks);
	for (size_t i = 0; i < nn; i++) {
		goc__sudog *s = &sudogs[i];
		if (s == won)
			continue;
		goc_chan *c = s->c;
		if (cases[s->case_index].dir == GOC_SELECT_SEND)
			goc__chan_unlink(&c->sendq_head, &c->sendq_tail, s);
		else
			goc__chan_unlink(&c->recvq_head, &c->recvq_tail, s);
	}
	unlock_all(&locks);
	goc__tsan_acquire(won->c);
	result = won->case_index;
	if (cases[result].dir == GOC_SELECT_SEND) {
		if (!won->success)
			goc__panic_closed_send();
	} else {
		set_ok(&cases[result], won->success);
	}
out:
	if (order != stack_order) {
		free(order);
		free(sudogs);
	}
	return result;
}

int goc_select(goc_select_case *cases, size_t n)
{
	return do_select(cases, n, true);
}

int goc_select_try(goc_select_case *cases, size_t n)
{
	return do_select(cases, n, false);
}
