/*
 * pool.c — goc_pool: a bounded cache of interchangeable objects, per P.
 *
 * Each P has a small private stack of objects (POOL_LOCAL); a goroutine gets
 * and puts on its own P's stack, which nobody else touches unless it is
 * empty or full, so the lock guarding it is almost never contended. Below
 * those sits one shared stack (POOL_SHARED objects) that gets fall back to
 * and puts overflow into; a put that finds it full too destroys the object
 * (goc has no garbage collector to trim the pool later). Threads without a
 * P (the main thread, foreign pthreads) use the shared stack directly.
 *
 * Invariants: every cached object is in exactly one stack; a stack's count
 * never exceeds its capacity. Locks: each per-P stack and the shared stack
 * have their own goc__lock_t; a path holds at most one, and never while
 * calling make or destroy.
 * HB (Go's sync.Pool race annotations): put is RELEASE_MERGE on the object,
 * the get that returns it ACQUIREs it, so a put happens before the get that
 * hands the object out again. The stacks' locks order the memory.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define POOL_LOCAL 8
#define POOL_SHARED 256

struct pool_local {
	goc__lock_t lock;
	int n;                     /* lock */
	void *obj[POOL_LOCAL];     /* lock */
} __attribute__((aligned(128)));

struct goc_pool {
	void *(*make)(void *arg);
	void (*destroy)(void *obj, void *arg);
	void *arg;
	goc__lock_t shared_lock;
	int nshared;               /* shared_lock */
	void *shared[POOL_SHARED]; /* shared_lock */
	struct pool_local local[GOC_MAX_PROCS];
};

/* The stack of the P this goroutine runs on, or NULL on a thread without
 * one. The P cannot change under us: a goroutine leaves its P only when it
 * blocks, and nothing here blocks. */
static struct pool_local *my_local(goc_pool *p)
{
	goc__m *m = goc__getm();
	if (m == NULL || m->p == NULL)
		return NULL;
	return &p->local[m->p->id];
}

goc_pool *goc_pool_new(void *(*make)(void *arg), void (*destroy)(void *obj, void *arg),
                       void *arg)
{
	goc_pool *p = aligned_alloc(128, sizeof *p);
	if (p == NULL)
		return NULL;
	memset(p, 0, sizeof *p);
	p->make = make;
	p->destroy = destroy;
	p->arg = arg;
	return p;
}

static void *pop(goc__lock_t *l, int *n, void **obj)
{
	void *x = NULL;
	goc__lock(l);
	if (*n > 0)
		x = obj[--*n];
	goc__unlock(l);
	return x;
}

static bool push(goc__lock_t *l, int *n, void **obj, int cap, void *x)
{
	bool ok = false;
	goc__lock(l);
	if (*n < cap) {
		obj[(*n)++] = x;
		ok = true;
	}
	goc__unlock(l);
	return ok;
}

void *goc_pool_get(goc_pool *p)
{
	struct pool_local *l = my_local(p);
	void *x = NULL;
	if (l != NULL)
		x = pop(&l->lock, &l->n, l->obj);
	if (x == NULL)
		x = pop(&p->shared_lock, &p->nshared, p->shared);
	if (x != NULL) {
		goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, x);
		return x;
	}
	return p->make != NULL ? p->make(p->arg) : NULL;
}

void goc_pool_put(goc_pool *p, void *x)
{
	if (x == NULL)
		return;
	goc__sync(goc__gid(), GOC_SYNC_RELEASE_MERGE, x);
	struct pool_local *l = my_local(p);
	if (l != NULL && push(&l->lock, &l->n, l->obj, POOL_LOCAL, x))
		return;
	if (push(&p->shared_lock, &p->nshared, p->shared, POOL_SHARED, x))
		return;
	if (p->destroy != NULL)
		p->destroy(x, p->arg);
}

void goc_pool_free(goc_pool *p)
{
	if (p == NULL)
		return;
	if (p->destroy != NULL) {
		for (int i = 0; i < GOC_MAX_PROCS; i++)
			for (int j = 0; j < p->local[i].n; j++)
				p->destroy(p->local[i].obj[j], p->arg);
		for (int j = 0; j < p->nshared; j++)
			p->destroy(p->shared[j], p->arg);
	}
	free(p);
}
