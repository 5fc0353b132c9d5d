/*
 * chan.c — channels: a lock, a ring buffer of cap elements, and FIFO queues
 * of waiting senders and receivers (sudogs on the waiters' own stacks).
 *
 * Invariants (under c->lock):
 *   - at most one of recvq and sendq is non-empty;
 *   - recvq non-empty ⇒ qcount == 0; sendq non-empty ⇒ qcount == cap;
 *   - closed ⇒ sendq empty (close wakes every sender, who then panics).
 * A value goes straight from sender to a waiting receiver (or into the slot
 * a waiting sender is about to fill), never through the buffer twice.
 *
 * Waiters are readied in FIFO order after c->lock is dropped; a parked
 * waiter's sudog stays valid until it is readied, since the waiter cannot
 * run before that.
 *
 * HB, as reported to the tracer (Go's race annotations, DESIGN.md):
 *   - buffered send into / receive from slot i: RELEASE_ACQUIRE on the slot,
 *     for the goroutine whose value it is — this gives "k-th receive happens
 *     before the (k+C)-th send completes";
 *   - channels of empty elements have no slots: each operation ACQUIREs and
 *     then RELEASEs the channel itself, so its clock accumulates them all;
 *   - unbuffered handoff: a release/acquire pair both ways on slot 0;
 *   - close: RELEASE on the channel; a receive that sees the close, and every
 *     goroutine woken by it: ACQUIRE. A send reads the channel and close
 *     writes it, so an unordered send and close is a race;
 *   - free: the channel lives while it has references (the user's, a
 *     goc_after timer's); dropping one RELEASE_MERGEs refs, and the last
 *     ACQUIREs it before freeing.
 * Under real ThreadSanitizer (no tracer), every completed operation releases
 * and acquires the channel as a whole: coarser (it can hide a race between
 * two users of one channel) but never a false report.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define CHAN_HDR (((sizeof(struct goc_chan)) + 15) & ~(size_t)15)

/* The address a slot's HB edges are keyed on. Unbuffered channels and
 * channels of empty elements use the channel itself, as Go does. */
static const void *slotaddr(const goc_chan *c, size_t i)
{
	if (c->cap == 0 || c->elemsize == 0)
		return c;
	return c->buf + i * c->elemsize;
}

static inline int64_t gid_of(const goc__g *g)
{
	return g != NULL ? g->id : 0;
}

/* Go's racenotify: g's clock joins the slot's and the slot keeps g's.
 * Channels of empty elements have no slots: every operation acquires and
 * then releases the one address, so its clock accumulates all of them (a
 * release-acquire there would keep only the last operation's clock and
 * lose the earlier senders' edges to the receiver). */
static void notify(goc_chan *c, size_t slot, int64_t gid)
{
	if (c->elemsize == 0) {
		goc__sync(gid, GOC_SYNC_ACQUIRE, c);
		goc__sync(gid, GOC_SYNC_RELEASE, c);
		return;
	}
	goc__sync(gid, GOC_SYNC_RELEASE_ACQUIRE, slotaddr(c, slot));
}

/* Go's racesync: both directions between the current G and its partner. */
static void handoff_sync(goc_chan *c, int64_t me, int64_t partner)
{
	const void *a = slotaddr(c, 0);
	goc__sync(me, GOC_SYNC_RELEASE, a);
	goc__sync(partner, GOC_SYNC_ACQUIRE, a);
	goc__sync(partner, GOC_SYNC_RELEASE, a);
	goc__sync(me, GOC_SYNC_ACQUIRE, a);
}

static void tsan_edge(const goc_chan *c)
{
	goc__tsan_release(c);
	goc__tsan_acquire(c);
}

/* --------------------------------------------------------------- queues */

void goc__chan_enqueue(goc__sudog **head, goc__sudog **tail, goc__sudog *s)
{
	s->next = NULL;
	s->prev = *tail;
	if (*tail != NULL)
		(*tail)->next = s;
	else
		*head = s;
	*tail = s;
	s->in_queue = true;
}

void goc__chan_unlink(goc__sudog **head, goc__sudog **tail, goc__sudog *s)
{
	if (!s->in_queue)
		return;
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		*tail = s->prev;
	s->next = s->prev = NULL;
	s->in_queue = false;
}

/* Pop the first waiter that can still be woken: a select whose G has
 * already been won through another channel is dropped. */
goc__sudog *goc__chan_dequeue(goc__sudog **head, goc__sudog **tail)
{
	for (;;) {
		goc__sudog *s = *head;
		if (s == NULL)
			return NULL;
		goc__chan_unlink(head, tail, s);
		if (s->is_select) {
			uint32_t zero = 0;
			/* acq_rel: one winner per select; pairs with the other CASes */
			if (!atomic_compare_exchange_strong_explicit(&s->g->select_done, &zero, 1,
					memory_order_acq_rel, memory_order_relaxed))
				continue;
			s->g->param = s;
		}
		return s;
	}
}

static bool unlock_chan(void *arg)
{
	goc__unlock(&((goc_chan *)arg)->lock);
	return true;
}

/* ------------------------------------------------- operations, lock held */

void goc__chan_send_to_waiter(goc_chan *c, goc__sudog *s, const void *elem, goc__g *me)
{
	size_t slot = 0;
	if (c->cap == 0) {
		handoff_sync(c, gid_of(me), s->g->id);
	} else {
		/* The buffer is empty: the value passes through slot recvx. */
		slot = c->recvx;
		notify(c, slot, gid_of(me));
		notify(c, slot, s->g->id);
		c->recvx = (c->recvx + 1) % c->cap;
		c->sendx = c->recvx;
	}
	GOC_TRACE(chan_op, gid_of(me), GOC_CHAN_SEND, c, slot);
	GOC_TRACE(chan_op, s->g->id, GOC_CHAN_RECV, c, slot);
	if (s->elem != NULL && c->elemsize > 0)
		memcpy(s->elem, elem, c->elemsize);
	s->success = true;
	tsan_edge(c);
}

void goc__chan_recv_from_waiter(goc_chan *c, goc__sudog *s, void *elem, goc__g *me)
{
	size_t slot = 0;
	if (c->cap == 0) {
		handoff_sync(c, gid_of(me), s->g->id);
		if (elem != NULL && c->elemsize > 0)
			memcpy(elem, s->elem, c->elemsize);
	} else {
		/* The buffer is full: take the head, the sender's value takes its
		 * place at the tail (which is the same slot). */
		slot = c->recvx;
		notify(c, slot, gid_of(me));
		notify(c, slot, s->g->id);
		unsigned char *p = c->buf + slot * c->elemsize;
		if (elem != NULL && c->elemsize > 0)
			memcpy(elem, p, c->elemsize);
		if (c->elemsize > 0)
			memcpy(p, s->elem, c->elemsize);
		c->recvx = (c->recvx + 1) % c->cap;
		c->sendx = c->recvx;
	}
	GOC_TRACE(chan_op, gid_of(me), GOC_CHAN_RECV, c, slot);
	GOC_TRACE(chan_op, s->g->id, GOC_CHAN_SEND, c, slot);
	s->success = true;
	tsan_edge(c);
}

void goc__chan_bufsend(goc_chan *c, const void *elem, goc__g *me)
{
	size_t slot = c->sendx;
	notify(c, slot, gid_of(me));
	if (c->elemsize > 0)
		memcpy(c->buf + slot * c->elemsize, elem, c->elemsize);
	c->sendx = (c->sendx + 1) % c->cap;
	c->qcount++;
	GOC_TRACE(chan_op, gid_of(me), GOC_CHAN_SEND, c, slot);
	tsan_edge(c);
}

void goc__chan_bufrecv(goc_chan *c, void *elem, goc__g *me)
{
	size_t slot = c->recvx;
	notify(c, slot, gid_of(me));
	unsigned char *p = c->buf + slot * c->elemsize;
	if (c->elemsize > 0) {
		if (elem != NULL)
			memcpy(elem, p, c->elemsize);
		memset(p, 0, c->elemsize);
	}
	c->recvx = (c->recvx + 1) % c->cap;
	c->qcount--;
	GOC_TRACE(chan_op, gid_of(me), GOC_CHAN_RECV, c, slot);
	tsan_edge(c);
}

void goc__chan_recv_closed(goc_chan *c, void *elem, goc__g *me)
{
	if (elem != NULL && c->elemsize > 0)
		memset(elem, 0, c->elemsize);
	goc__sync(gid_of(me), GOC_SYNC_ACQUIRE, c);
	goc__tsan_acquire(c);
}

void goc__panic_closed_send(void)
{
	goc__panic("send on closed channel");
}

/* ------------------------------------------------------------ public API */

goc_chan *goc_chan_new(size_t elem_size, size_t cap)
{
	if (cap != 0 && elem_size > (SIZE_MAX - CHAN_HDR) / cap)
		return NULL;
	goc_chan *c = calloc(1, CHAN_HDR + elem_size * cap);
	if (c == NULL)
		return NULL;
	c->elemsize = elem_size;
	c->cap = cap;
	c->buf = (unsigned char *)c + CHAN_HDR;
	atomic_store_explicit(&c->refs, 1, memory_order_relaxed);
	GOC_TRACE(chan_op, gid_of(goc__getg()), GOC_CHAN_MAKE, c, cap);
	return c;
}

void goc__chan_unref(goc_chan *c)
{
	/* To the tracer as a reference count: each drop release-merges refs,
	 * the last acquires it before the free (a goc_after timer's send, then
	 * its drop, happen before the user's free). */
	goc__sync(goc__gid(), GOC_SYNC_RELEASE_MERGE, &c->refs);
	/* acq_rel: the last reference sees every other user's writes */
	if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1) {
		goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, &c->refs);
		free(c);
	}
}

void goc_chan_free(goc_chan *c)
{
	if (c == NULL)
		return;
	goc__lock(&c->lock);
	bool waiters = c->recvq_head != NULL || c->sendq_head != NULL;
	goc__unlock(&c->lock);
	if (waiters)
		goc__throw("free of a channel that goroutines are blocked on");
	GOC_TRACE(chan_op, gid_of(goc__getg()), GOC_CHAN_FREE, c, 0);
	goc__chan_unref(c);
}

static int chan_send(goc_chan *c, const void *elem, bool block, const void *pc)
{
	goc__g *me = goc__curg();
	if (c == NULL) {
		if (!block)
			return GOC_EAGAIN;
		goc__park(GOC_WAIT_CHAN_SEND_NIL, NULL, NULL, NULL);
		goc__throw("unreachable: nil channel send woke up");
	}
	GOC_TRACE(access, gid_of(me), c, 1, false, pc);
	goc__lock(&c->lock);
	if (c->closed) {
		goc__unlock(&c->lock);
		goc__panic_closed_send();
	}
	goc__sudog *s = goc__chan_dequeue(&c->recvq_head, &c->recvq_tail);
	if (s != NULL) {
		goc__chan_send_to_waiter(c, s, elem, me);
		goc__unlock(&c->lock);
		goc__ready(s->g, true);
		return 0;
	}
	if (c->qcount < c->cap) {
		goc__chan_bufsend(c, elem, me);
		goc__unlock(&c->lock);
		return 0;
	}
	if (!block) {
		goc__unlock(&c->lock);
		return GOC_EAGAIN;
	}
	goc__sudog self = { .g = me, .c = c, .elem = (void *)elem };
	goc__chan_enqueue(&c->sendq_head, &c->sendq_tail, &self);
	goc__tsan_release(c);
	goc__park(GOC_WAIT_CHAN_SEND, c, unlock_chan, c);
	goc__tsan_acquire(c);
	if (!self.success)
		goc__panic_closed_send();
	return 0;
}

static int chan_recv(goc_chan *c, void *elem, bool *ok, bool block)
{
	goc__g *me = goc__curg();
	if (c == NULL) {
		if (!block)
			return GOC_EAGAIN;
		goc__park(GOC_WAIT_CHAN_RECV_NIL, NULL, NULL, NULL);
		goc__throw("unreachable: nil channel receive woke up");
	}
	goc__lock(&c->lock);
	if (c->closed && c->qcount == 0) {
		goc__chan_recv_closed(c, elem, me);
		goc__unlock(&c->lock);
		*ok = false;
		return 0;
	}
	goc__sudog *s = goc__chan_dequeue(&c->sendq_head, &c->sendq_tail);
	if (s != NULL) {
		goc__chan_recv_from_waiter(c, s, elem, me);
		goc__unlock(&c->lock);
		goc__ready(s->g, true);
		*ok = true;
		return 0;
	}
	if (c->qcount > 0) {
		goc__chan_bufrecv(c, elem, me);
		goc__unlock(&c->lock);
		*ok = true;
		return 0;
	}
	if (!block) {
		goc__unlock(&c->lock);
		return GOC_EAGAIN;
	}
	goc__sudog self = { .g = me, .c = c, .elem = elem };
	goc__chan_enqueue(&c->recvq_head, &c->recvq_tail, &self);
	goc__tsan_release(c);
	goc__park(GOC_WAIT_CHAN_RECV, c, unlock_chan, c);
	goc__tsan_acquire(c);
	*ok = self.success;
	return 0;
}

void goc_chan_send(goc_chan *c, const void *elem)
{
	chan_send(c, elem, true, __builtin_return_address(0));
}

int goc_chan_trysend(goc_chan *c, const void *elem)
{
	return chan_send(c, elem, false, __builtin_return_address(0));
}

bool goc_chan_recv(goc_chan *c, void *elem)
{
	bool ok = false;
	chan_recv(c, elem, &ok, true);
	return ok;
}

int goc_chan_tryrecv(goc_chan *c, void *elem, bool *ok)
{
	bool got = false;
	int rc = chan_recv(c, elem, &got, false);
	if (rc == 0 && ok != NULL)
		*ok = got;
	return rc;
}

/* Dequeue every waiter of one queue for close, appending to first..last:
 * each will wake with success == false (receivers with a zeroed value) and
 * acquires the close. c->lock held. */
static void collect_closed(goc_chan *c, goc__sudog **head, goc__sudog **tail, bool zero,
		goc__sudog **first, goc__sudog **last)
{
	goc__sudog *s;
	while ((s = goc__chan_dequeue(head, tail)) != NULL) {
		if (zero && s->elem != NULL && c->elemsize > 0)
			memset(s->elem, 0, c->elemsize);
		s->success = false;
		goc__sync(s->g->id, GOC_SYNC_ACQUIRE, c);
		s->next = NULL;
		if (*last != NULL)
			(*last)->next = s;
		else
			*first = s;
		*last = s;
	}
}

void goc_chan_close(goc_chan *c)
{
	if (c == NULL)
		goc__panic("close of nil channel");
	goc__g *me = goc__curg();
	GOC_TRACE(access, gid_of(me), c, 1, true, __builtin_return_address(0));
	goc__lock(&c->lock);
	if (c->closed) {
		goc__unlock(&c->lock);
		goc__panic("close of closed channel");
	}
	c->closed = true;
	goc__sync(gid_of(me), GOC_SYNC_RELEASE, c);
	GOC_TRACE(chan_op, gid_of(me), GOC_CHAN_CLOSE, c, 0);
	goc__tsan_release(c);

	/* Collect every waiter, receivers first, in FIFO order. */
	goc__sudog *first = NULL, *last = NULL;
	collect_closed(c, &c->recvq_head, &c->recvq_tail, true, &first, &last);
	collect_closed(c, &c->sendq_head, &c->sendq_tail, false, &first, &last);
	goc__unlock(&c->lock);
	while (first != NULL) {
		goc__sudog *next = first->next; /* read before the waiter can run */
		goc__ready(first->g, false);
		first = next;
	}
}

size_t goc_chan_len(const goc_chan *c)
{
	if (c == NULL)
		return 0;
	goc_chan *mc = (goc_chan *)c;
	goc__lock(&mc->lock);
	size_t n = mc->qcount;
	goc__unlock(&mc->lock);
	return n;
}

size_t goc_chan_cap(const goc_chan *c)
{
	return c != NULL ? c->cap : 0;
}

size_t goc_chan_elem_size(const goc_chan *c)
{
	return c != NULL ? c->elemsize : 0;
}
