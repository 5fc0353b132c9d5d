/*
 * stack.c — goroutine stacks and G structures, allocated together.
 *
 * A goroutine's G lives at the top of its own stack mapping, so a goroutine
 * that is blocked with a shallow stack touches a single page. Stacks are
 * carved from large arenas mapped with MAP_NORESERVE and no huge pages, so
 * memory is committed lazily, page by page, as the stack grows. Stacks are
 * never unmapped: a finished goroutine's G+stack goes to its P's cache
 * (owner only, no lock) and, past GOC_GCACHE_MAX, to the global pool.
 *
 * Overflow protection. vm.max_map_count (65530 by default) bounds how many
 * guard pages there can be: each PROT_NONE page splits its arena's mapping
 * in two. So every slot is twice the stack size: the stack in the upper
 * half, an untouched gap in the lower half. The gap costs address space but
 * no memory (it is never written, so never committed) and no extra mapping.
 * An overflow of up to a whole stack size lands in the gap, never in the
 * neighbouring slot (whose top holds that goroutine's G and live frames).
 * Running into the gap corrupts nothing (it is spare memory), so the
 * neighbour is reached only by an overflow of more than a whole stack size.
 * Overflows are reported as fatal errors: at once by a guard page at the
 * top of the gap, for as many stacks as the map-count budget allows
 * (GOC_STACK_GUARDS, default half of what remains after a reserve); for the
 * rest, when the goroutine switches out with its stack pointer below its
 * stack. (Reading the gap to look for writes would commit a page per stack.)
 * docs/runtime.md explains the trade-off.
 *
 * Locks: pool.lock protects the pool, the arena cursor and the counters it
 * shares with goc_read_stats (which reads them atomically).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GOC_GCACHE_MAX 64
#define GOC_ARENA_STACKS 64
#define GOC_DEFAULT_STACK (64 * 1024)
#define GOC_MAX_GUARD_RANGES 4096

static struct {
	goc__lock_t lock;
	size_t stack_size;   /* usable bytes per stack, page multiple */
	size_t page;
	char *arena_cur, *arena_end; /* uncarved part of the current arena */
	goc__g *free;        /* pooled Gs */
	int64_t nfree;
	int64_t guard_budget;
	_Atomic int64_t nguarded;
	_Atomic int64_t in_use;
	_Atomic int64_t cached; /* in the pool and in P caches */
} pool = { .lock = GOC_LOCK_INIT };

static size_t read_max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	unsigned long v = 65530;
	if (f != NULL) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 65530;
		fclose(f);
	}
	return v;
}

void goc__stack_init(void)
{
	pool.page = (size_t)sysconf(_SC_PAGESIZE);
	size_t size = GOC_DEFAULT_STACK;
	const char *env = getenv("GOC_STACK_SIZE");
	if (env != NULL && *env != '\0') {
		char *end;
		unsigned long long v = strtoull(env, &end, 0);
		if (*end == 'k' || *end == 'K')
			v *= 1024;
		else if (*end == 'm' || *end == 'M')
			v *= 1024 * 1024;
		if (v >= 4 * pool.page && v <= (1ULL << 32))
			size = (size_t)v;
	}
	size = (size + pool.page - 1) & ~(pool.page - 1);
	pool.stack_size = size;

	int64_t budget = ((int64_t)read_max_map_count() - 16384) / 2;
	env = getenv("GOC_STACK_GUARDS");
	if (env != NULL && *env != '\0')
		budget = strtoll(env, NULL, 0);
	pool.guard_budget = budget < 0 ? 0 : budget;
}

size_t goc__stack_size(void)
{
	return pool.stack_size;
}

/* Carve one fresh stack slot; pool.lock held. */
static char *carve_locked(void)
{
	if (pool.arena_cur == pool.arena_end) {
		size_t len = 2 * pool.stack_size * GOC_ARENA_STACKS;
		void *a = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (a == MAP_FAILED)
			return NULL;
		madvise(a, len, MADV_NOHUGEPAGE);
		pool.arena_cur = a;
		pool.arena_end = (char *)a + len;
	}
	char *slot = pool.arena_cur;
	pool.arena_cur += 2 * pool.stack_size;
	return slot;
}

/* Lay out a fresh slot: [gap | stack ... G]. */
static goc__g *g_from_slot(char *slot)
{
	size_t gsize = (sizeof(goc__g) + 63) & ~(size_t)63;
	char *lo = slot + pool.stack_size;
	goc__g *g = (goc__g *)(lo + pool.stack_size - gsize);
	memset(g, 0, sizeof(*g));
	g->stack_hi = (char *)g;
	g->stack_lo = lo;
	int64_t n = atomic_fetch_add_explicit(&pool.nguarded, 1, memory_order_relaxed);
	if (n < pool.guard_budget && mprotect(lo - pool.page, pool.page, PROT_NONE) == 0)
		g->guarded = true;
	else
		atomic_fetch_sub_explicit(&pool.nguarded, 1, memory_order_relaxed);
	return g;
}

goc__g *goc__galloc(goc__p *p)
{
	goc__g *g = NULL;
	if (p != NULL && p->gfree != NULL) {
		g = p->gfree;
		p->gfree = g->schedlink;
		p->ngfree--;
	} else {
		goc__lock(&pool.lock);
		if (pool.free != NULL) {
			/* Refill the P's cache with a batch while we hold the lock. */
			g = pool.free;
			pool.free = g->schedlink;
			pool.nfree--;
			while (p != NULL && pool.free != NULL && p->ngfree < GOC_GCACHE_MAX / 2) {
				goc__g *x = pool.free;
				pool.free = x->schedlink;
				pool.nfree--;
				x->schedlink = p->gfree;
				p->gfree = x;
				p->ngfree++;
			}
			goc__unlock(&pool.lock);
		} else {
			char *slot = carve_locked();
			goc__unlock(&pool.lock);
			if (slot == NULL)
				return NULL;
			g = g_from_slot(slot);
			atomic_fetch_add_explicit(&pool.cached, 1, memory_order_relaxed);
		}
	}
	atomic_fetch_sub_explicit(&pool.cached, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&pool.in_use, 1, memory_order_relaxed);
	g->schedlink = NULL;
	return g;
}

void goc__gfree(goc__p *p, goc__g *g)
{
	atomic_fetch_sub_explicit(&pool.in_use, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&pool.cached, 1, memory_order_relaxed);
	atomic_store_explicit(&g->status, G_IDLE, memory_order_relaxed);
	if (p != NULL && p->ngfree < GOC_GCACHE_MAX) {
		g->schedlink = p->gfree;
		p->gfree = g;
		p->ngfree++;
		return;
	}
	goc__lock(&pool.lock);
	g->schedlink = pool.free;
	pool.free = g;
	pool.nfree++;
	/* Move half of a full P cache along with it. */
	while (p != NULL && p->ngfree > GOC_GCACHE_MAX / 2) {
		goc__g *x = p->gfree;
		p->gfree = x->schedlink;
		p->ngfree--;
		x->schedlink = pool.free;
		pool.free = x;
		pool.nfree++;
	}
	goc__unlock(&pool.lock);
}

void goc__gfree_flush(goc__p *p)
{
	goc__lock(&pool.lock);
	while (p->gfree != NULL) {
		goc__g *x = p->gfree;
		p->gfree = x->schedlink;
		x->schedlink = pool.free;
		pool.free = x;
		pool.nfree++;
	}
	p->ngfree = 0;
	goc__unlock(&pool.lock);
}

void goc__check_sp(goc__g *g, const void *sp)
{
	if (GOC_UNLIKELY((const char *)sp < g->stack_lo))
		goc__throw_stack_overflow(g->id, NULL);
}

bool goc__stack_is_guard(const void *addr, int64_t *goid)
{
	goc__g *g = goc__getg();
	if (g == NULL || g->is_thread || !g->guarded)
		return false;
	const char *a = addr;
	if (a >= g->stack_lo - pool.page && a < g->stack_lo) {
		*goid = g->id;
		return true;
	}
	return false;
}

void goc__stack_stats(int64_t *in_use, int64_t *cached, int64_t *guarded)
{
	*in_use = atomic_load_explicit(&pool.in_use, memory_order_relaxed);
	*cached = atomic_load_explicit(&pool.cached, memory_order_relaxed);
	*guarded = atomic_load_explicit(&pool.nguarded, memory_order_relaxed);
}
