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
 * returns the object already locked, taken while the bucket lock is held,
 * so det_sync_forget (bucket lock, unlink, then the object's lock to wait
 * out a user) never frees an object someone is about to use. Objects are
 * created by the first release (an acquire of an address nobody released
 * creates nothing).
 * Lock order: bucket lock, then object lock (never the reverse).
 */
#include "internal.h"

#include <string.h>

#define BUCKET_BITS 16
#define NBUCKETS (1u << BUCKET_BITS)

typedef struct syncvar syncvar;
struct syncvar {
	det_lock lock;
	uintptr_t addr;
	det_vclock vc;   /* lock */
	syncvar *next;   /* bucket lock */
};

struct bucket {
	det_lock lock;
	syncvar *head;   /* lock */
};

static struct bucket *_Atomic buckets;

static struct bucket *bucket_of(uintptr_t addr)
{
	struct bucket *b = det__map_once((void *_Atomic *)&buckets, NBUCKETS * sizeof *b);
	return &b[det__hash64(addr >> 3) >> (64 - BUCKET_BITS)];
}

/* The object at addr, locked; created if create, else NULL if absent. */
static syncvar *find_locked(uintptr_t addr, bool create)
{
	struct bucket *b = bucket_of(addr);
	det__lock(&b->lock);
	syncvar *s = b->head;
	while (s != NULL && s->addr != addr)
		s = s->next;
	if (s == NULL && create) {
		s = det_calloc(1, sizeof *s);
		DET_CHECK(s != NULL);
		s->addr = addr;
		s->next = b->head;
		b->head = s;
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
		for (syncvar **pp = &b->head; *pp != NULL;) {
			syncvar *s = *pp;
			if (s->addr >= addr && s->addr < end && (s->addr & ~(uintptr_t)7) == g) {
				*pp = s->next;
				det__lock(&s->lock); /* wait out a holder */
				det__unlock(&s->lock);
				det__shadow_sync_count(s->addr, -1);
				det__vc_free(&s->vc);
				det_free_mem(s);
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
	for (uint32_t i = 0; all != NULL && i < NBUCKETS; i++) {
		det__lock_reset(&all[i].lock);
		for (syncvar *s = all[i].head; s != NULL; s = s->next)
			det__lock_reset(&s->lock);
	}
}
