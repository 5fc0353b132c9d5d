/*
 * shadow.c — where the shadow cells of an address live.
 *
 * No assumption about the address-space layout (TSan's fixed shadow
 * mapping breaks when the kernel places memory where it did not expect, e.g.
 * with a larger vm.mmap_rnd_bits). Instead a three-level lookup, allocated
 * on first touch:
 *   level 1: a small hash table from the address's top bits (addr >> 32)
 *            to a level-2 table — a program touches only a handful of 4 GiB
 *            regions (heap, stacks, libraries, mmap area), wherever they are,
 *            in a 47- or 57-bit address space;
 *   level 2: 65536 leaf pointers, one per 64 KiB of addresses;
 *   leaf:    DET_CELLS cells per 8-byte granule (8192 granules, 256 KiB),
 *            cell-major: DET_CELLS planes (64 KiB and a cache line
 *            apart: internal.h's DET_PLANE_SKEW), plane i holding
 *            cell i of every granule (internal.h's det_cell_at); mapped
 *            MAP_NORESERVE so only pages of a plane that a cell was
 *            stored in ever become resident (reading an untouched page
 *            maps the kernel's zero page).
 * Shadow memory is therefore proportional to the memory the program touches
 * (4 cells × 8 bytes per 8 bytes of it at most; 8 bytes where one cell
 * is ever used, as in a thread's own array), never to the address space.
 *
 * Invariants: level-1 entries and leaf pointers, once set, never change
 * (shadow is reset by zeroing, never unmapped), so each thread's cache of
 * level-1 hits (det__l1_cache, its own) never goes stale. Its hit path is
 * inline in internal.h (det__shadow_leaf_cached, and det__shadow_cells for
 * access.c). Locks: map_lock
 * serialises creating level-1 entries, level-2 tables and leaves; lookups
 * take no lock: pointers are published with release and read with acquire.
 */
#include "internal.h"

#include <sys/mman.h>

#define L1_SIZE 4096
#define LEAF_SPAN DET_LEAF_SPAN                 /* 64 KiB of addresses */
#define LEAF_GRANULES (LEAF_SPAN / DET_GRANULE)
#define LEAF_BYTES (DET_PLANE * DET_CELLS * sizeof(det_cell))

struct l1_entry {
	_Atomic uint64_t key;       /* det__l1_key(addr); 0: empty */
	_Atomic(struct det_l2 *) table;
};

static struct l1_entry l1[L1_SIZE];
static det_lock map_lock;
static _Atomic uint64_t leaves;

__thread struct det_l1_cached det__l1_cache[DET_L1_CACHE]
	__attribute__((tls_model("initial-exec")));

static struct det_l2 *l2_lookup(uintptr_t addr, bool create)
{
	uint64_t key = det__l1_key(addr);
	struct det_l1_cached *c = &det__l1_cache[det__l1_cache_index(key)];
	if (DET_LIKELY(c->key == key))
		return c->table;
	uint32_t h = (uint32_t)(det__hash64(key) >> 52) & (L1_SIZE - 1);
	for (uint32_t n = 0; n < L1_SIZE; n++) {
		struct l1_entry *e = &l1[(h + n) & (L1_SIZE - 1)];
		/* acquire: pairs with the release store of key below */
		uint64_t k = atomic_load_explicit(&e->key, memory_order_acquire);
		if (k == key) {
			struct det_l2 *t = atomic_load_explicit(&e->table, memory_order_relaxed);
			c->key = key;
			c->table = t;
			return t;
		}
		if (k == 0)
			break;
	}
	if (!create)
		return NULL;
	det__lock(&map_lock);
	struct det_l2 *found = NULL;
	for (uint32_t n = 0; n < L1_SIZE; n++) {
		struct l1_entry *e = &l1[(h + n) & (L1_SIZE - 1)];
		uint64_t k = atomic_load_explicit(&e->key, memory_order_relaxed);
		if (k == key) {
			found = atomic_load_explicit(&e->table, memory_order_relaxed);
			break;
		}
		if (k == 0) {
			found = det__map(sizeof(struct det_l2));
			DET_CHECK(found != NULL);
			atomic_store_explicit(&e->table, found, memory_order_relaxed);
			/* release: pairs with the acquire load of key above */
			atomic_store_explicit(&e->key, key, memory_order_release);
			break;
		}
	}
	det__unlock(&map_lock);
	DET_CHECK(found != NULL); /* more than L1_SIZE distinct 4 GiB regions */
	c->key = key;
	c->table = found;
	return found;
}

static _Atomic det_cell *leaf_of(struct det_l2 *t, uintptr_t addr, bool create)
{
	uint32_t i = det__l2_index(addr);
	/* acquire: pairs with the release store of the new leaf below */
	_Atomic det_cell *leaf = atomic_load_explicit(&t->leaf[i], memory_order_acquire);
	if (DET_LIKELY(leaf != NULL) || !create)
		return leaf;
	det__lock(&map_lock);
	leaf = atomic_load_explicit(&t->leaf[i], memory_order_relaxed);
	if (leaf == NULL) {
		leaf = det__map(LEAF_BYTES);
		if (leaf != NULL) {
			atomic_fetch_add_explicit(&leaves, 1, memory_order_relaxed);
			/* release: pairs with the acquire load above */
			atomic_store_explicit(&t->leaf[i], leaf, memory_order_release);
		}
	}
	det__unlock(&map_lock);
	return leaf;
}

/* The slow path of det__shadow_cells (internal.h): a level-1 cache miss or
 * a leaf not yet mapped. */
_Atomic det_cell *det__shadow_cells_slow(uintptr_t addr)
{
	struct det_l2 *t = l2_lookup(addr, true);
	_Atomic det_cell *leaf = leaf_of(t, addr, true);
	if (DET_UNLIKELY(leaf == NULL))
		return NULL;
	return leaf + det__granule_index(addr);
}

/* Empties n cells from c on, storing only into cells that hold
 * something: a page of a plane nobody wrote stays the zero page (a
 * memset would make every plane of each new heap block resident). */
static void zero_cells(_Atomic det_cell *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (atomic_load_explicit(&c[i], memory_order_relaxed) != 0)
			atomic_store_explicit(&c[i], 0, memory_order_relaxed);
}

void det__shadow_reset(uintptr_t addr, size_t size)
{
	uintptr_t p = addr & ~(uintptr_t)(DET_GRANULE - 1);
	uintptr_t end = addr + size;
	while (p < end) {
		uintptr_t leaf_end = (p & ~(uintptr_t)(LEAF_SPAN - 1)) + LEAF_SPAN;
		uintptr_t stop = end < leaf_end ? end : leaf_end;
		struct det_l2 *t = l2_lookup(p, false);
		_Atomic det_cell *leaf = t != NULL ? leaf_of(t, p, false) : NULL;
		if (leaf != NULL) {
			size_t first = det__granule_index(p);
			size_t last = stop == leaf_end ? LEAF_GRANULES : det__granule_index(stop - 1) + 1;
			if (first == 0 && last == LEAF_GRANULES)
				madvise((void *)leaf, LEAF_BYTES, MADV_DONTNEED); /* reads as zero */
			else
				for (int i = 0; i < DET_CELLS; i++)
					zero_cells(det_cell_at(leaf + first, i), last - first);
		}
		p = stop;
		p = (p + DET_GRANULE - 1) & ~(uintptr_t)(DET_GRANULE - 1);
	}
}

uint64_t det__shadow_bytes(void)
{
	return atomic_load_explicit(&leaves, memory_order_relaxed) * LEAF_BYTES;
}

void det__shadow_sync_count(uintptr_t addr, int delta)
{
	struct det_l2 *t = l2_lookup(addr, true);
	uint32_t i = det__l2_index(addr);
	atomic_fetch_add_explicit(&t->nsync[i], delta, memory_order_relaxed);
}

bool det__shadow_has_sync(uintptr_t addr)
{
	struct det_l2 *t = l2_lookup(addr, false);
	if (t == NULL)
		return false;
	uint32_t i = det__l2_index(addr);
	return atomic_load_explicit(&t->nsync[i], memory_order_relaxed) != 0;
}

void det_reset_range(uintptr_t addr, size_t size)
{
	det__shadow_reset(addr, size);
}

void det__shadow_fork_child(void)
{
	det__lock_reset(&map_lock);
}
