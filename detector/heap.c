/*
 * heap.c — heap blocks: what a report says when a race is on heap memory
 * ("heap block of size N at ADDR allocated by … at …"), and the free edge.
 *
 * Allocation forgets the old shadow of the range (reused memory starts
 * fresh). Free is checked as a write over the whole block (a free racing
 * with a use is a race; checked before the block leaves the table, so its
 * report names the block), and its cells stay behind, so a use after the free
 * by a thread not ordered after it is reported as racing with the free; the
 * next allocation of that memory resets them. Sync objects inside a freed
 * block are forgotten.
 *
 * Table: a hash from block start to {size, allocation context, thread,
 * external-object tag}, one lock per bucket. Finding the block that
 * contains an interior address (reports only) probes the starts below it
 * in 16-byte steps, then falls back to a scan.
 */
#include "internal.h"

#define BUCKET_BITS 16
#define NBUCKETS (1u << BUCKET_BITS)
#define PROBE_BACK (64 * 1024)

typedef struct block block;
struct block {
	det_block_info info;
	block *next;       /* bucket lock */
};

struct bucket {
	det_lock lock;
	block *head;       /* lock */
};

static struct bucket *_Atomic buckets;

static struct bucket *bucket_of(uintptr_t start)
{
	struct bucket *b = det__map_once((void *_Atomic *)&buckets, NBUCKETS * sizeof *b);
	return &b[det__hash64(start >> 4) >> (64 - BUCKET_BITS)];
}

void det_alloc(det_thread *t, uintptr_t addr, size_t size, det_ctx ctx)
{
	det__shadow_reset(addr, size);
	block *b = det_malloc(sizeof *b);
	DET_CHECK(b != NULL);
	b->info = (det_block_info){addr, size, ctx, t, 0};
	struct bucket *k = bucket_of(addr);
	det__lock(&k->lock);
	b->next = k->head;
	k->head = b;
	det__unlock(&k->lock);
}

size_t det_free(det_thread *t, uintptr_t addr, uintptr_t pc, bool write)
{
	struct bucket *k = bucket_of(addr);
	size_t size = 0;
	bool known = false;
	det__lock(&k->lock);
	for (block *b = k->head; b != NULL && !known; b = b->next)
		if (b->info.start == addr) {
			size = b->info.size;
			known = true;
		}
	det__unlock(&k->lock);
	if (!known)
		return 0;
	/* The free's write is checked while the block is still in the table,
	 * so that a report of it says which block. Not under the bucket's
	 * lock: a report looks the block up. */
	if (write)
		det_access(t, addr, size, pc, DET_WRITE | DET_FREE);
	block *found = NULL;
	det__lock(&k->lock);
	for (block **pp = &k->head; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->info.start == addr) {
			found = *pp;
			*pp = found->next;
			break;
		}
	det__unlock(&k->lock);
	if (found == NULL) /* never allocated here, or freed twice at once */
		return 0;
	det_free_mem(found);
	if (!write)
		det__shadow_reset(addr, size);
	det_sync_forget(addr, size);
	return size;
}

static bool lookup_start(uintptr_t start, uintptr_t addr, det_block_info *out)
{
	struct bucket *k = bucket_of(start);
	bool ok = false;
	det__lock(&k->lock);
	for (block *b = k->head; b != NULL; b = b->next)
		if (b->info.start == start && addr - start < (b->info.size ? b->info.size : 1)) {
			*out = b->info;
			ok = true;
			break;
		}
	det__unlock(&k->lock);
	return ok;
}

bool det_heap_tag(uintptr_t addr, uintptr_t tag)
{
	det_block_info bi;
	if (!det__heap_find(addr, &bi))
		return false;
	struct bucket *k = bucket_of(bi.start);
	bool ok = false;
	det__lock(&k->lock);
	for (block *b = k->head; b != NULL && !ok; b = b->next)
		if (b->info.start == bi.start) {
			b->info.tag = tag;
			ok = true;
		}
	det__unlock(&k->lock);
	return ok;
}

bool det__heap_find(uintptr_t addr, det_block_info *out)
{
	/* acquire: pairs with the release in det__map_once */
	struct bucket *all = atomic_load_explicit(&buckets, memory_order_acquire);
	if (all == NULL)
		return false;
	uintptr_t s = addr & ~(uintptr_t)15;
	for (uintptr_t back = 0; back <= PROBE_BACK && back <= s; back += 16)
		if (lookup_start(s - back, addr, out))
			return true;
	for (uint32_t i = 0; i < NBUCKETS; i++) {
		struct bucket *k = &all[i];
		if (k->head == NULL)
			continue;
		bool ok = false;
		det__lock(&k->lock);
		for (block *b = k->head; b != NULL; b = b->next)
			if (addr >= b->info.start && addr - b->info.start < b->info.size) {
				*out = b->info;
				ok = true;
				break;
			}
		det__unlock(&k->lock);
		if (ok)
			return true;
	}
	return false;
}

void det__heap_fork_child(void)
{
	struct bucket *all = atomic_load_explicit(&buckets, memory_order_acquire);
	for (uint32_t i = 0; all != NULL && i < NBUCKETS; i++)
		det__lock_reset(&all[i].lock);
}
