/*
 * rwmutex.c — goc_rwmutex: readers or one writer, fair both ways.
 *
 * All state is under the internal lock `wl`: active readers, whether a
 * writer holds it, how many writers wait, and FIFO queues of waiting
 * readers and writers. A waiting writer blocks new readers; a writer's
 * unlock admits every reader waiting at that moment before the next writer;
 * the last reader's unlock hands the lock to the next writer. Waiters are
 * woken already granted (the counts updated on their behalf).
 *
 * HB, reported as Go's race annotations (sync/rwmutex.go): RLock acquires
 * readerSem; RUnlock release-merges writerSem; Lock acquires both; Unlock
 * releases readerSem. So Unlock → Lock/RLock and RUnlock → Lock are edges and
 * readers are not ordered with each other. (Under real TSan, wl orders
 * everything: coarser, never a false report.)
 *
 * Every way to take the lock first registers an unknown calling thread
 * (goc__curg): one that got in without parking would otherwise hold the lock
 * unseen by the deadlock check (goc.h: a thread counts from its first call).
 */
#include "internal.h"

#include <assert.h>

struct rwmutex {
	goc__lock_t wl;
	int32_t readers;         /* wl */
	int32_t writer;          /* wl: 1 while a writer holds it */
	int32_t writers_waiting; /* wl */
	goc__waitq rq, wq;       /* wl */
};

static_assert(sizeof(struct rwmutex) <= sizeof(goc_rwmutex), "goc_rwmutex too small");

static inline struct rwmutex *RW(goc_rwmutex *rw)
{
	return (struct rwmutex *)rw;
}

static const void *reader_sem(goc_rwmutex *rw)
{
	return rw;
}

static const void *writer_sem(goc_rwmutex *rw)
{
	return (const char *)rw + 8;
}

void goc_rwmutex_rlock(goc_rwmutex *rw)
{
	struct rwmutex *r = RW(rw);
	goc__g *me = goc__curg();
	goc__lock(&r->wl);
	if (!r->writer && r->writers_waiting == 0) {
		r->readers++;
		goc__unlock(&r->wl);
	} else {
		goc__waiter w = { .g = me };
		goc__waitq_push(&r->rq, &w);
		goc__park(GOC_WAIT_RWMUTEX_RLOCK, rw, goc__unlock_cb, &r->wl);
	}
	goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, reader_sem(rw));
}

bool goc_rwmutex_tryrlock(goc_rwmutex *rw)
{
	struct rwmutex *r = RW(rw);
	(void)goc__curg();
	goc__lock(&r->wl);
	bool ok = !r->writer && r->writers_waiting == 0;
	if (ok)
		r->readers++;
	goc__unlock(&r->wl);
	if (ok)
		goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, reader_sem(rw));
	return ok;
}

void goc_rwmutex_runlock(goc_rwmutex *rw)
{
	struct rwmutex *r = RW(rw);
	goc__sync(goc__gid(), GOC_SYNC_RELEASE_MERGE, writer_sem(rw));
	goc__waiter *w = NULL;
	goc__lock(&r->wl);
	if (r->readers <= 0) {
		goc__unlock(&r->wl);
		goc__throw("sync: RUnlock of unlocked RWMutex");
	}
	if (--r->readers == 0 && (w = goc__waitq_pop(&r->wq)) != NULL) {
		r->writers_waiting--;
		r->writer = 1;
	}
	goc__unlock(&r->wl);
	if (w != NULL)
		goc__ready(w->g, true);
}

static void write_acquired(goc_rwmutex *rw)
{
	goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, reader_sem(rw));
	goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, writer_sem(rw));
}

void goc_rwmutex_lock(goc_rwmutex *rw)
{
	struct rwmutex *r = RW(rw);
	goc__g *me = goc__curg();
	goc__lock(&r->wl);
	if (!r->writer && r->readers == 0) {
		r->writer = 1;
		goc__unlock(&r->wl);
	} else {
		goc__waiter w = { .g = me };
		r->writers_waiting++;
		goc__waitq_push(&r->wq, &w);
		goc__park(GOC_WAIT_RWMUTEX_LOCK, rw, goc__unlock_cb, &r->wl);
	}
	write_acquired(rw);
}

bool goc_rwmutex_trylock(goc_rwmutex *rw)
{
	struct rwmutex *r = RW(rw);
	(void)goc__curg();
	goc__lock(&r->wl);
	bool ok = !r->writer && r->readers == 0;
	if (ok)
		r->writer = 1;
	goc__unlock(&r->wl);
	if (ok)
		write_acquired(rw);
	return ok;
}

void goc_rwmutex_unlock(goc_rwmutex *rw)
{
	struct rwmutex *r = RW(rw);
	goc__sync(goc__gid(), GOC_SYNC_RELEASE, reader_sem(rw));
	goc__lock(&r->wl);
	if (!r->writer) {
		goc__unlock(&r->wl);
		goc__throw("sync: Unlock of unlocked RWMutex");
	}
	r->writer = 0;
	goc__waiter *wake = NULL;
	if (r->rq.head != NULL) {
		/* Admit every waiting reader, before any waiting writer. */
		wake = r->rq.head;
		for (goc__waiter *w = wake; w != NULL; w = w->next)
			r->readers++;
		r->rq.head = r->rq.tail = NULL;
	} else if ((wake = goc__waitq_pop(&r->wq)) != NULL) {
		r->writers_waiting--;
		r->writer = 1;
		wake->next = NULL;
	}
	goc__unlock(&r->wl);
	while (wake != NULL) {
		goc__waiter *next = wake->next; /* before it can run */
		goc__ready(wake->g, false);
		wake = next;
	}
}
