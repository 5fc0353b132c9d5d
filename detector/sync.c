/*
 * sync.c — synchronisation objects: a vector clock per address that a
 * program synchronises through (a mutex, a channel slot, an atomic, …),
 * and the four clock operations of TSan's and Go's race annotations.
 *
 *   acquire          t ⊔= S
 *   release          S := t            then t's epoch advances
 *   release_merge    S ⊔= t            then t's epoch advances
 *   release_acquire  t ⊔= S_old, S := t_old   (Go's channel slots)
 *
 * Advancing the epoch after a release is what makes the edge exact: an
 * acquirer learns the releaser's accesses up to the release, not after it.
 *
 * Table: a hash from address to object, with one lock per bucket. A lookup
 * returns the object locked. It first walks the bucket's chain without the
 * bucket lock (the usual case: the object exists), takes the object's lock
 * and checks that the object is still addr's; only a miss takes the bucket
 * lock (and creates the object, for a release). The bucket lock is then
 * held while the object's lock is taken, so det_sync_forget (bucket lock,
 * unlink, then the object's lock, under which it clears the object's
 * address) never frees an object someone is about to use. Without it, two
 * threads that lock and unlock one mutex moved the bucket lock's line
 * between their cores on every operation, besides the object's.
 * Objects are type-stable: a forgotten one goes on a free list and is only
 * ever reused as an object, never given back, so a walker that holds a
 * stale pointer reads an object (whose address it checks) and its next
 * pointer (which leads into some chain, or to NULL: a walk is bounded, and
 * a walk that misses falls back to the bucket lock). Objects are created
 * by the first release (an acquire of an address nobody released creates
 * nothing).
 * Lock order: bucket lock, then object lock (never the reverse); the free
 * list's lock is a leaf.
 */
#include "internal.h"

#include <string.h>

#define BUCKET_BITS 16
#define NBUCKETS (1u << BUCKET_BITS)

typedef struct syncvar syncvar;
struct syncvar {
	det_lock lock;
	/* written under the bucket lock and this lock (0: forgotten), read
	 * relaxed by walkers, which check it again under this lock */
	_Atomic uintptr_t addr;
	det_vclock vc;            /* lock */
	/* written under the bucket lock (or on the free list, under
	 * free_lock); read relaxed by walkers: a new object is published by
	 * the release store of head */
	_Atomic(syncvar *) next;
};

struct bucket {
	det_lock lock;
	_Atomic(syncvar *) head; /* written under lock: release; acquire loads */
};

static struct bucket *_Atomic buckets;

/* Forgotten objects, for reuse (free_lock; linked through next). */
static det_lock free_lock;
static syncvar *free_list;

/* The most objects a lock-free walk looks at before it takes the lock (a
 * chain is rarely longer; a walker led astray by a reused object stops). */
#define WALK_MAX 64

static struct bucket *bucket_of(uintptr_t addr)
{
	struct bucket *b = det__map_once((void *_Atomic *)&buckets, NBUCKETS * sizeof *b);
	return &b[det__hash64(addr >> 3) >> (64 - BUCKET_BITS)];
}

/* addr's object, locked, found without the bucket lock; NULL if the walk
 * did not find it (it may still exist: ask under the lock). */
static syncvar *find_unlocked(struct bucket *b, uintptr_t addr)
{
	/* acquire: pairs with the release store of head in find_locked */
	syncvar *s = atomic_load_explicit(&b->head, memory_order_acquire);
	for (int n = 0; s != NULL && n < WALK_MAX; n++) {
		if (atomic_load_explicit(&s->addr, memory_order_relaxed) == addr) {
			det__lock(&s->lock);
			/* under its lock the address is final: forgetting clears it
			 * under this lock */
			if (atomic_load_explicit(&s->addr, memory_order_relaxed) == addr)
				return s;
			det__unlock(&s->lock);
			return NULL;
		}
		s = atomic_load_explicit(&s->next, memory_order_relaxed);
	}
	return NULL;
}

/* A new object for addr (the bucket lock held): a forgotten one, or a new
 * allocation. */
static syncvar *new_syncvar(uintptr_t addr)
{
	det__lock(&free_lock);
	syncvar *s = free_list;
	if (s != NULL)
		free_list = atomic_load_explicit(&s->next, memory_order_relaxed);
	det__unlock(&free_lock);
	if (s == NULL) {
		s = det_calloc(1, sizeof *s);
		DET_CHECK(s != NULL);
	}
	/* vc is empty (calloc, or freed when forgotten); its lock is free */
	atomic_store_explicit(&s->addr, addr, memory_order_relaxed);
	return s;
}

/* The object at addr, locked; created if create, else NULL if absent. */
static syncvar *find_locked(uintptr_t addr, bool create)
{
	struct bucket *b = bucket_of(addr);
	/* (a forgotten object's address is 0: never looked for unlocked) */
	syncvar *s = addr != 0 ? find_unlocked(b, addr) : NULL;
	if (DET_LIKELY(s != NULL))
		return s;
	det__lock(&b->lock);
	s = atomic_load_explicit(&b->head, memory_order_relaxed);
	while (s != NULL && atomic_load_explicit(&s->addr, memory_order_relaxed) != addr)
		s = atomic_load_explicit(&s->next, memory_order_relaxed);
	if (s == NULL && create) {
		s = new_syncvar(addr);
		atomic_store_explicit(&s->next, atomic_load_explicit(&b->head, memory_order_relaxed),
		                      memory_order_relaxed);
		/* release: pairs with the acquire in find_unlocked */
		atomic_store_explicit(&b->head, s, memory_order_release);
		det__shadow_sync_count(addr, 1);
	}
	if (s != NULL)
		det__lock(&s->lock);
	det__unlock(&b->lock);
	return s;
}

void det_acquire(det_thread *t, uintptr_t addr)
{
	if (t == NULL)
		return;
	syncvar *s = find_locked(addr, false);
	if (s == NULL)
		return;
	det__vc_join(&t->vc, &s->vc);
	det__unlock(&s->lock);
}

void det_release(det_thread *t, uintptr_t addr)
{
	if (t == NULL)
		return;
	syncvar *s = find_locked(addr, true);
	det__vc_copy(&s->vc, &t->vc);
	det__unlock(&s->lock);
	det__tick(t);
}

void det_release_merge(det_thread *t, uintptr_t addr)
{
	if (t == NULL)
		return;
	syncvar *s = find_locked(addr, true);
	det__vc_join(&s->vc, &t->vc);
	det__unlock(&s->lock);
	det__tick(t);
}

void det_release_acquire(det_thread *t, uintptr_t addr)
{
	if (t == NULL)
		return;
	syncvar *s = find_locked(addr, true);
	uint32_t n = t->vc.n > s->vc.n ? t->vc.n : s->vc.n;
	if (n > 0) {
		det__vc_set(&t->vc, n - 1, det_vc_get(&t->vc, n - 1));
		det__vc_set(&s->vc, n - 1, det_vc_get(&s->vc, n - 1));
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t mine = t->vc.c[i];
		if (s->vc.c[i] > mine)
			t->vc.c[i] = s->vc.c[i];
		s->vc.c[i] = mine;
	}
	det__unlock(&s->lock);
	det__tick(t);
}

void det_sync_forget(uintptr_t addr, size_t size)
{
	/* acquire: pairs with the release in det__map_once */
	if (atomic_load_explicit(&buckets, memory_order_acquire) == NULL || size == 0)
		return;
	uintptr_t end = addr + size;
	uintptr_t g = addr & ~(uintptr_t)7;
	while (g < end) {
		/* Skip 64 KiB regions that hold no sync object at all. */
		if (!det__shadow_has_sync(g)) {
			g = (g | 0xffff) + 1;
			continue;
		}
		struct bucket *b = bucket_of(g);
		det__lock(&b->lock);
		for (_Atomic(syncvar *) *pp = &b->head;;) {
			syncvar *s = atomic_load_explicit(pp, memory_order_relaxed);
			if (s == NULL)
				break;
			uintptr_t a = atomic_load_explicit(&s->addr, memory_order_relaxed);
			if (a >= addr && a < end && (a & ~(uintptr_t)7) == g) {
				/* unlinked: a walker already on it reads on */
				atomic_store_explicit(pp, atomic_load_explicit(&s->next,
					memory_order_relaxed), memory_order_relaxed);
				det__lock(&s->lock); /* wait out a holder */
				atomic_store_explicit(&s->addr, 0, memory_order_relaxed);
				det__vc_free(&s->vc);
				det__unlock(&s->lock);
				det__shadow_sync_count(a, -1);
				det__lock(&free_lock);
				atomic_store_explicit(&s->next, free_list, memory_order_relaxed);
				free_list = s;
				det__unlock(&free_lock);
			} else {
				pp = &s->next;
			}
		}
		det__unlock(&b->lock);
		g += 8;
	}
}

void det__sync_fork_child(void)
{
	struct bucket *all = atomic_load_explicit(&buckets, memory_order_acquire);
	det__lock_reset(&free_lock);
	for (uint32_t i = 0; all != NULL && i < NBUCKETS; i++) {
		det__lock_reset(&all[i].lock);
		for (syncvar *s = atomic_load_explicit(&all[i].head, memory_order_relaxed); s != NULL;
		     s = atomic_load_explicit(&s->next, memory_order_relaxed))
			det__lock_reset(&s->lock);
	}
}
