/*
 * runq.c — run queues: each P's bounded lock-free ring plus its runnext
 * slot, and the global queue.
 *
 * Ring invariants: only the owning P's M writes runqtail and stores into
 * runq[]; anyone (owner or a stealer) advances runqhead by CAS, after
 * reading the entries it takes. tail - head <= GOC_RUNQ_SIZE.
 * runnext holds a G readied by the running goroutine, to run next in its
 * place (a direct handoff, as Go does); owner puts, owner or stealers take
 * by CAS.
 * HB: the owner's release store of runqtail pairs with the acquire loads of
 * runqtail in runqget/runqgrab; the head CAS is acq_rel so a stealer's read
 * of the entries happens before the owner reuses the slots. The global
 * queue is protected by sched.lock.
 */
#include "internal.h"

/* Put half of the local ring plus g on the global queue (ring is full).
 * Returns false if a stealer took entries meanwhile (then retry locally). */
static bool runqputslow(goc__p *p, goc__g *g, uint32_t head, uint32_t tail)
{
	goc__g *batch[GOC_RUNQ_SIZE / 2 + 1];
	uint32_t n = (tail - head) / 2;
	GOC_CHECK(n == GOC_RUNQ_SIZE / 2);
	for (uint32_t i = 0; i < n; i++)
		batch[i] = atomic_load_explicit(&p->runq[(head + i) % GOC_RUNQ_SIZE],
				memory_order_relaxed);
	/* acq_rel: pairs with the other CASes on runqhead */
	if (!atomic_compare_exchange_strong_explicit(&p->runqhead, &head, head + n,
			memory_order_acq_rel, memory_order_relaxed))
		return false;
	batch[n] = g;
	goc__lock(&goc__sched.lock);
	for (uint32_t i = 0; i <= n; i++)
		goc__globrunqput(batch[i]);
	goc__unlock(&goc__sched.lock);
	return true;
}

bool goc__runqput(goc__p *p, goc__g *g, bool next)
{
	if (next) {
		goc__g *old = atomic_exchange_explicit(&p->runnext, g, memory_order_acq_rel);
		if (old == NULL)
			return false;
		g = old; /* kick the previous runnext to the tail */
	}
	for (;;) {
		/* acquire: pairs with the head CAS of stealers */
		uint32_t head = atomic_load_explicit(&p->runqhead, memory_order_acquire);
		uint32_t tail = atomic_load_explicit(&p->runqtail, memory_order_relaxed);
		if (tail - head < GOC_RUNQ_SIZE) {
			atomic_store_explicit(&p->runq[tail % GOC_RUNQ_SIZE], g, memory_order_relaxed);
			/* release: pairs with the acquire of runqtail in get/grab */
			atomic_store_explicit(&p->runqtail, tail + 1, memory_order_release);
			return false;
		}
		if (runqputslow(p, g, head, tail))
			return true;
	}
}

goc__g *goc__runqget(goc__p *p)
{
	/* Take runnext unless it has run many times in a row: two goroutines
	 * handing off to each other must not starve the rest of the ring. */
	goc__g *next = atomic_load_explicit(&p->runnext, memory_order_relaxed);
	if (next != NULL && (p->runnext_streak < 64 || goc__runqempty(p))) {
		if (atomic_compare_exchange_strong_explicit(&p->runnext, &next, NULL,
				memory_order_acq_rel, memory_order_relaxed)) {
			p->runnext_streak++;
			return next;
		}
	}
	for (;;) {
		/* acquire: pairs with the head CAS of stealers */
		uint32_t head = atomic_load_explicit(&p->runqhead, memory_order_acquire);
		uint32_t tail = atomic_load_explicit(&p->runqtail, memory_order_acquire);
		if (tail == head) {
			next = atomic_load_explicit(&p->runnext, memory_order_relaxed);
			if (next != NULL && atomic_compare_exchange_strong_explicit(&p->runnext,
					&next, NULL, memory_order_acq_rel, memory_order_relaxed))
				return next;
			return NULL;
		}
		goc__g *g = atomic_load_explicit(&p->runq[head % GOC_RUNQ_SIZE], memory_order_relaxed);
		if (atomic_compare_exchange_strong_explicit(&p->runqhead, &head, head + 1,
				memory_order_acq_rel, memory_order_relaxed)) {
			p->runnext_streak = 0;
			return g;
		}
	}
}

bool goc__runqempty(goc__p *p)
{
	uint32_t head = atomic_load_explicit(&p->runqhead, memory_order_acquire);
	uint32_t tail = atomic_load_explicit(&p->runqtail, memory_order_acquire);
	return head == tail && atomic_load_explicit(&p->runnext, memory_order_relaxed) == NULL;
}

/* Take up to half of victim's ring into batch; returns how many. */
static uint32_t runqgrab(goc__p *victim, goc__g **batch, bool stealnext)
{
	for (;;) {
		uint32_t head = atomic_load_explicit(&victim->runqhead, memory_order_acquire);
		uint32_t tail = atomic_load_explicit(&victim->runqtail, memory_order_acquire);
		uint32_t n = tail - head;
		n = n - n / 2;
		if (n == 0) {
			if (!stealnext)
				return 0;
			goc__g *next = atomic_load_explicit(&victim->runnext, memory_order_relaxed);
			if (next == NULL)
				return 0;
			if (atomic_load_explicit(&victim->status, memory_order_relaxed) == P_RUNNING) {
				/* The victim's M is about to run runnext itself (a direct
				 * handoff, e.g. one side of a ping-pong). Give it ~3 µs
				 * first, as Go does, rather than split the pair across
				 * threads. A racy read of status is only a hint. */
				int64_t until = goc__nanotime() + 3000;
				while (goc__nanotime() < until)
					__builtin_ia32_pause();
				next = atomic_load_explicit(&victim->runnext, memory_order_relaxed);
				if (next == NULL)
					return 0;
			}
			if (atomic_compare_exchange_strong_explicit(&victim->runnext, &next, NULL,
					memory_order_acq_rel, memory_order_relaxed)) {
				batch[0] = next;
				return 1;
			}
			continue;
		}
		if (n > GOC_RUNQ_SIZE / 2)
			continue; /* read an inconsistent head/tail pair: retry */
		for (uint32_t i = 0; i < n; i++)
			batch[i] = atomic_load_explicit(&victim->runq[(head + i) % GOC_RUNQ_SIZE],
					memory_order_relaxed);
		if (atomic_compare_exchange_strong_explicit(&victim->runqhead, &head, head + n,
				memory_order_acq_rel, memory_order_relaxed))
			return n;
	}
}

goc__g *goc__runqsteal(goc__p *p, goc__p *victim, bool stealnext)
{
	goc__g *batch[GOC_RUNQ_SIZE / 2];
	uint32_t n = runqgrab(victim, batch, stealnext);
	if (n == 0)
		return NULL;
	/* Our own ring is empty (we only steal when it is), so the rest fits. */
	uint32_t tail = atomic_load_explicit(&p->runqtail, memory_order_relaxed);
	for (uint32_t i = 1; i < n; i++)
		atomic_store_explicit(&p->runq[(tail + i - 1) % GOC_RUNQ_SIZE], batch[i],
				memory_order_relaxed);
	/* release: pairs with the acquire of runqtail in get/grab */
	atomic_store_explicit(&p->runqtail, tail + n - 1, memory_order_release);
	return batch[0];
}

void goc__runq_drain_to_global(goc__p *p)
{
	goc__g *g;
	while ((g = goc__runqget(p)) != NULL)
		goc__globrunqput(g);
}

void goc__globrunqput(goc__g *g)
{
	g->schedlink = NULL;
	if (goc__sched.runqtail != NULL)
		goc__sched.runqtail->schedlink = g;
	else
		goc__sched.runqhead = g;
	goc__sched.runqtail = g;
	atomic_store_explicit(&goc__sched.runqsize,
			atomic_load_explicit(&goc__sched.runqsize, memory_order_relaxed) + 1,
			memory_order_relaxed);
}

/* Take one G to run and move up to max-1 more to p's ring (p may be NULL). */
goc__g *goc__globrunqget(goc__p *p, int max)
{
	int64_t size = atomic_load_explicit(&goc__sched.runqsize, memory_order_relaxed);
	if (size == 0)
		return NULL;
	int nprocs = atomic_load_explicit(&goc__sched.gomaxprocs, memory_order_relaxed);
	int64_t n = size / nprocs + 1;
	if (n > size)
		n = size;
	if (max > 0 && n > max)
		n = max;
	if (n > GOC_RUNQ_SIZE / 2)
		n = GOC_RUNQ_SIZE / 2;
	if (p == NULL)
		n = 1;
	atomic_store_explicit(&goc__sched.runqsize, size - n, memory_order_relaxed);
	goc__g *g = goc__sched.runqhead;
	goc__sched.runqhead = g->schedlink;
	if (goc__sched.runqhead == NULL)
		goc__sched.runqtail = NULL;
	for (int64_t i = 1; i < n; i++) {
		goc__g *g2 = goc__sched.runqhead;
		goc__sched.runqhead = g2->schedlink;
		if (goc__sched.runqhead == NULL)
			goc__sched.runqtail = NULL;
		goc__runqput(p, g2, false);
	}
	return g;
}
