/*
 * detector/internal.h — the detector core's private declarations. Nothing
 * outside detector/ includes this file.
 *
 * Lock order (outermost first):
 *   1. report lock (report.c) — never held while taking another below
 *      except the heap and thread-list locks, read-only, to describe
 *   2. a sync table bucket lock, then that bucket's object's lock
 *      (sync.c), one object at a time (a lookup that finds the object
 *      without the bucket lock takes only the object's); the slot lock
 *      (clock.c) may be taken after them (a release advances the epoch)
 *   3. slot lock, heap table locks, thread list lock, ctx insert lock,
 *      shadow map lock, sync objects' free list lock — leaves: nothing is
 *      taken while holding them
 * Shadow cells are never locked: they are read and written with relaxed
 * atomics, as TSan does; a lost update only loses a remembered access.
 *
 * Memory: the detector allocates with glibc's __libc_malloc family (never
 * the program's malloc, which the preload runtime intercepts) and with mmap
 * for shadow and tables.
 */
#ifndef GOC_DETECTOR_INTERNAL_H
#define GOC_DETECTOR_INTERNAL_H

#include "detector.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DET_LIKELY(x) __builtin_expect(!!(x), 1)
#define DET_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The detector's own invariant checks: always on. They print and abort
 * (a broken detector must not go on reporting nonsense). */
void det__check_failed(const char *what, const char *file, int line)
	__attribute__((noreturn, cold));
#define DET_CHECK(c)                                                        \
	do {                                                                    \
		if (DET_UNLIKELY(!(c)))                                             \
			det__check_failed(#c, __FILE__, __LINE__);                      \
	} while (0)
#ifdef GOC_DEBUG
#define DET_DCHECK(c) DET_CHECK(c)
#else
#define DET_DCHECK(c) ((void)0)
#endif

/* Fibonacci hashing: the multiplier spreads a key's low bits into the
 * high ones, so a table of 2^k takes the top k bits. */
static inline uint64_t det__hash64(uint64_t key)
{
	return key * 0x9e3779b97f4a7c15ull;
}

/* ---- allocation (never the program's malloc) -------------------------- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

#define det_malloc __libc_malloc
#define det_calloc __libc_calloc
#define det_realloc __libc_realloc
#define det_free_mem __libc_free

/* Anonymous, lazily committed memory (MAP_NORESERVE); NULL on failure. */
void *det__map(size_t bytes);
/* The zeroed table *slot points to, mapped on the first call (once, even
 * when threads race to it). */
void *det__map_once(void *_Atomic *slot, size_t bytes);

/* ---- a tiny spin-then-futex lock -------------------------------------- */

typedef struct det_lock {
	_Atomic uint32_t state; /* 0 free, 1 locked, 2 locked with waiters */
} det_lock;

void det__lock(det_lock *l);
void det__unlock(det_lock *l);
/* Fork child only: the lock is free again (its holder is gone). */
static inline void det__lock_reset(det_lock *l)
{
	atomic_store_explicit(&l->state, 0, memory_order_relaxed);
}
/* Each file's fork-child reset of the locks it owns (det_fork_child). */
void det__clock_fork_child(void);
void det__thread_fork_child(void);
void det__ctx_fork_child(void);
void det__shadow_fork_child(void);
void det__sync_fork_child(void);
void det__heap_fork_child(void);
void det__report_fork_child(void);
void det__util_fork_child(void);

/* ---- vector clocks (clock.c) ------------------------------------------ */

/* Epochs are per slot (see clock.c); a clock maps slot → epoch. Slots at or
 * beyond n read as 0. */
#define DET_SLOT_BITS 13
#define DET_MAX_SLOTS (1u << DET_SLOT_BITS)
#define DET_EPOCH_BITS 20
#define DET_EPOCH_MAX ((1u << DET_EPOCH_BITS) - 1)

typedef struct det_vclock {
	uint32_t n;    /* entries in c */
	uint32_t cap;
	uint32_t *c;
} det_vclock;

static inline uint32_t det_vc_get(const det_vclock *v, uint32_t slot)
{
	return slot < v->n ? v->c[slot] : 0;
}

void det__vc_set(det_vclock *v, uint32_t slot, uint32_t epoch);
void det__vc_join(det_vclock *dst, const det_vclock *src);   /* dst ⊔= src */
void det__vc_copy(det_vclock *dst, const det_vclock *src);   /* dst := src */
void det__vc_free(det_vclock *v);

/* ---- threads (thread.c) and slots (clock.c) --------------------------- */

#define DET_RANGE_SLOTS 4 /* a range's reports: one per other slot, up to this many */
#define DET_CTX_CACHE 64 /* det__ctx_cache_index takes the top 6 bits */

struct det_frame_slot {
	uintptr_t pc;   /* return address into the caller */
	det_ctx ctx;    /* context up to and including this frame; 0: not yet */
};

/* A mapping a shadow call stack grew into (ctx.c). */
struct det_stack_map {
	struct det_stack_map *prev; /* the mapping it grew from, or NULL */
	size_t bytes;
	struct det_frame_slot frames[];
};

/* Shadow call stacks (ctx.c): t's first array, allocated with it (false:
 * out of memory); everything its stack and setjmp points hold, freed. */
bool det__stack_init(det_thread *t);
void det__stack_free(det_thread *t);

struct det_thread {
	det_thread_hot hot;     /* first: detector.h's inline fast path reads it;
	                         * each write followed in det_tls.hot
	                         * (det__hot_cell_id_changed,
	                         * det__hot_leaves_changed) */
	/* second: det_thread_host's (detector.h); the embedder's, never read
	 * here */
	_Alignas(8) unsigned char host[DET_HOST_BYTES];
	det_thread_kind kind;
	int64_t id;
	char name[32];
	det_ctx created_at;
	_Atomic bool finished;

	/* Owned by the thread itself (only it runs its events). */
	uint32_t slot;          /* DET_NO_SLOT: not checked (out of slots) */
	bool dirty;             /* accessed memory since its last release */
	uint32_t evictions;     /* cells taken by access.c's evict_choice */
	/* det_access of a free or of a range longer than 16 bytes is running:
	 * its first race with each other slot is reported, not the others
	 * (range_slots[0, range_nslots): the slots reported; a range meets at
	 * most DET_RANGE_SLOTS) */
	bool in_range;
	uint8_t range_nslots;
	uint32_t range_slots[DET_RANGE_SLOTS];
	det_vclock vc;          /* vc.c[slot] is its own current epoch */
	/* The shadow call stack (ctx.c): stack[0, depth) of stack_cap. The
	 * first array (stack_first) comes with the thread; a deeper stack
	 * moves into a mapping of its own (maps, newest first), and the
	 * arrays it moved from stay until the thread's stack goes. Frames
	 * entered when it could not grow are only counted (lost), above
	 * depth. */
	struct det_frame_slot *stack, *stack_first;
	uint32_t depth, stack_cap, lost;
	bool growing;                   /* stack_grow is running on this thread */
	struct det_stack_map *maps;
	/* The live setjmp points (det_setjmp), oldest first, at most
	 * DET_MAX_JMPS. */
	struct det_jmp {
		uintptr_t env, sp;
		uint32_t depth, lost;
	} *jmps;
	uint32_t njmps;
	/* The leaf contexts of the last two pcs probed (ctx_memo_pc[i],
	 * ctx_memo[i]; 0 the newer), valid until the stack changes: a loop's
	 * accesses at one or two pcs (a read and a write of an element) skip
	 * the cache's hash. DET_NO_MEMO: none. */
	uintptr_t ctx_memo_pc[2];
	det_ctx ctx_memo[2];
	struct {
		uintptr_t pc;
		det_ctx top;
		det_ctx leaf;   /* 0: empty */
	} ctx_cache[DET_CTX_CACHE];
	uintptr_t stack_lo, stack_hi;   /* its stack, for "Location is stack" */

	det_thread *all_next;           /* list of all threads: thread list lock */
	/* The det_tls of the OS thread t is current on (det_set_current),
	 * NULL when none: where the copy of its hot fields is kept. */
	_Atomic(det_tls *) running_on;
};

/* Leaf i of h becomes (key, leaf), with no state between in which the
 * key names another leaf: a signal handler that jumps out of the middle
 * leaves it whole (det_signal_enter has the rest). */
static inline void det__hot_leaf_set(det_thread_hot *h, int i, uint64_t key,
                                     _Atomic uint64_t *leaf)
{
	h->leaf_key[i] = 0;
	atomic_signal_fence(memory_order_seq_cst);
	h->leaf[i] = leaf;
	atomic_signal_fence(memory_order_seq_cst);
	h->leaf_key[i] = key;
}

/* *to = *from field by field: a struct assignment may become a call of
 * memcpy, which the preload runtime intercepts. The leaves alone, or
 * everything. */
static inline void det__hot_copy_leaves(det_thread_hot *to, const det_thread_hot *from)
{
	for (int i = 0; i < 2; i++)
		det__hot_leaf_set(to, i, from->leaf_key[i], from->leaf[i]);
}

static inline void det__hot_copy(det_thread_hot *to, const det_thread_hot *from)
{
	to->cell_id = from->cell_id;
	det__hot_copy_leaves(to, from);
}

/* t's cell_id changed (clock.c): the thread-local copy (det_tls.hot) of
 * the OS thread t is current on follows. Usually that is the calling
 * thread; libgoc's handoffs also run events for the goroutine woken (a
 * release for the receiver of a send), whose thread, parked on it, reads
 * the copy after its wake-up orders the two. cell_id alone, one store:
 * a signal handler on that thread may be updating the leaves meanwhile
 * (det_access_seen), which only the thread itself changes. With no slot
 * (cell_id 0) the copy's leaves may stay: cell_id 0 matches no cell. */
static inline void det__hot_cell_id_changed(det_thread *t)
{
	det_tls *on = atomic_load_explicit(&t->running_on, memory_order_relaxed);
	if (on != NULL)
		on->hot.cell_id = t->hot.cell_id;
}

/* The leaves changed (det_access_seen, on t's own thread): the copy
 * follows. */
static inline void det__hot_leaves_changed(det_thread *t)
{
	det_tls *on = atomic_load_explicit(&t->running_on, memory_order_relaxed);
	if (on != NULL)
		det__hot_copy_leaves(&on->hot, &t->hot);
}

#define DET_NO_SLOT UINT32_MAX
#define DET_NO_MEMO UINTPTR_MAX

/* The stack changed: the memoised leaf contexts are stale. */
static inline void det__ctx_memo_clear(det_thread *t)
{
	t->ctx_memo_pc[0] = DET_NO_MEMO;
	t->ctx_memo_pc[1] = DET_NO_MEMO;
}

/* Slot management (clock.c). A thread takes a slot when it is created and
 * gives it back when it finishes; see clock.c for the reuse rule. */
void det__slot_take(det_thread *t);
void det__slot_give_back(det_thread *t);
/* The epoch advances after every release-type operation. */
void det__tick(det_thread *t);
/* t->hot.cell_id anew, after its slot or epoch changed (clock.c). */
void det__hot_update(det_thread *t);
/* The thread that owned slot at epoch (for reports). */
det_thread *det__slot_owner(uint32_t slot, uint32_t epoch);
uint32_t det__slots_in_use(void);
uint32_t det__slots_created(void);

/* Threads (thread.c), for reports and stats. */
uint64_t det__threads_created(void);
det_thread *det__thread_by_stack(uintptr_t addr);

/* ---- calling contexts (ctx.c) ----------------------------------------- */

#define DET_CTX_BITS 20
#define DET_MAX_CTX ((1u << DET_CTX_BITS) - 1)

det_ctx det__ctx_intern(det_ctx parent, uintptr_t pc);
uint64_t det__ctx_count(void);
uint64_t det__ctx_truncated(void);

/* The cache slot of (top, pc) in t->ctx_cache. */
static inline uint32_t det__ctx_cache_index(det_ctx top, uintptr_t pc)
{
	/* multiplicative: nearby pcs (an unrolled loop's accesses) must not
	 * share a slot */
	return (uint32_t)(((pc ^ (uint64_t)top << 40) * 0x9e3779b97f4a7c15ull) >> 58);
}

/* t's cached leaf context for (top, pc), or 0. */
static inline det_ctx det__ctx_cached(const det_thread *t, det_ctx top, uintptr_t pc)
{
	uint32_t k = det__ctx_cache_index(top, pc);
	/* an empty entry's leaf is 0 */
	return t->ctx_cache[k].pc == pc && t->ctx_cache[k].top == top ? t->ctx_cache[k].leaf : 0;
}

/* (top, pc) missed t's cache: intern the leaf and cache it (ctx.c). */
det_ctx det__ctx_leaf_miss(det_thread *t, det_ctx top, uintptr_t pc);

/* The node (parent, pc) if it is interned, else 0. Takes no lock. */
det_ctx det__ctx_find(det_ctx parent, uintptr_t pc);

/* The context of t's top frame (depth > 0) when every frame entered since
 * the last known one is interned already: found and remembered in the
 * frames without a lock. 0 if one is not. */
det_ctx det__ctx_top_known(det_thread *t);

/* det__ctx_probe_known's answer when the top frame's context is not
 * known yet (a frame entered since the last access): no context has it. */
#define DET_CTX_TOP_UNKNOWN UINT32_MAX

/* t's leaf context for pc from the thread's last one or its cache, when
 * the top frame's context is known; 0 when the cache misses. Makes no
 * call, so that the quick check needs no frame of its own. */
static inline det_ctx det__ctx_probe_known(det_thread *t, uintptr_t pc)
{
	if (t->ctx_memo_pc[0] == pc)
		return t->ctx_memo[0];
	if (t->ctx_memo_pc[1] == pc)
		return t->ctx_memo[1];
	uint32_t d = t->depth;
	det_ctx top = d != 0 ? t->stack[d - 1].ctx : 0;
	if (DET_UNLIKELY(d != 0 && top == 0))
		return DET_CTX_TOP_UNKNOWN;
	det_ctx leaf = det__ctx_cached(t, top, pc);
	if (leaf != 0) {
		t->ctx_memo_pc[1] = t->ctx_memo_pc[0];
		t->ctx_memo[1] = t->ctx_memo[0];
		t->ctx_memo_pc[0] = pc;
		t->ctx_memo[0] = leaf;
	}
	return leaf;
}

/* t's leaf context for pc when the top frame's context is interned and
 * (top, pc) is in the thread's cache; else 0. Takes no lock and interns
 * nothing. */
static inline det_ctx det__ctx_probe(det_thread *t, uintptr_t pc)
{
	det_ctx leaf = det__ctx_probe_known(t, pc);
	if (DET_UNLIKELY(leaf == DET_CTX_TOP_UNKNOWN))
		leaf = det__ctx_top_known(t) != 0 ? det__ctx_probe_known(t, pc) : 0;
	return leaf;
}

/* det_ctx_current, inline for the access path: det__ctx_probe, and when
 * that finds nothing, the context interned. Each path probes the cache
 * once: a known top that misses goes straight to det__ctx_leaf_miss; a
 * top not interned yet (a frame entered since the last access) is
 * interned by det_ctx_current first. */
static inline det_ctx det__ctx_leaf(det_thread *t, uintptr_t pc)
{
	det_ctx leaf = det__ctx_probe(t, pc);
	if (DET_LIKELY(leaf != 0))
		return leaf;
	uint32_t d = t->depth;
	det_ctx top = d != 0 ? t->stack[d - 1].ctx : 0; /* det__ctx_probe may have found it */
	if ((d == 0 || top != 0) && pc != 0)
		return det__ctx_leaf_miss(t, top, pc);
	return det_ctx_current(t, pc);
}

/* ---- shadow memory (shadow.c) and accesses (access.c) ----------------- */

/* One remembered access per 64-bit cell:
 *   bits  0- 7  byte mask within the 8-byte granule
 *   bit   8     read (0: write)
 *   bit   9     atomic
 *   bit  10     free (the write of a free)
 *   bits 11-23  slot
 *   bits 24-43  epoch
 *   bits 44-63  calling context of the access
 * 0 is an empty cell. */
#define DET_CELLS 4
#define DET_GRANULE 8

typedef uint64_t det_cell;

#define CELL_MASK(c) ((uint32_t)((c) & 0xff))
#define CELL_READ(c) (((c) >> 8) & 1)
#define CELL_ATOMIC(c) (((c) >> 9) & 1)
#define CELL_FREE(c) (((c) >> 10) & 1)
#define CELL_SLOT(c) ((uint32_t)(((c) >> 11) & (DET_MAX_SLOTS - 1)))
#define CELL_EPOCH(c) ((uint32_t)(((c) >> 24) & DET_EPOCH_MAX))
#define CELL_CTX(c) ((det_ctx)((c) >> 44))

static inline det_cell det_cell_make(uint32_t mask, bool read, bool atomic, bool free_,
                                     uint32_t slot, uint32_t epoch, det_ctx ctx)
{
	return (det_cell)mask | (det_cell)read << 8 | (det_cell)atomic << 9 |
	       (det_cell)free_ << 10 | (det_cell)slot << 11 | (det_cell)epoch << 24 |
	       (det_cell)ctx << 44;
}

/* The three-level lookup (shadow.c's opening comment). A level-2 table
 * covers 4 GiB: one leaf pointer per 64 KiB, and the per-region count of
 * sync objects (det__shadow_sync_count). */
#define DET_L2_BITS 16
#define DET_L2_SIZE (1u << DET_L2_BITS)
#define DET_LEAF_SPAN (1ull << (32 - DET_L2_BITS))

/* A leaf is cell-major: DET_CELLS planes of one cell per granule, so
 * cell i of a granule is DET_PLANE cells after cell i - 1, and the next
 * granule's cell i is the next cell. A loop that finds its access in one
 * cell (the usual case: the thread's own, in the first plane) then reads
 * 8 bytes of shadow per granule, not 32, and pages of planes nobody
 * wrote stay the kernel's zero page (shadow.c's opening comment). */
#define DET_PLANE (DET_LEAF_SPAN / DET_GRANULE + DET_PLANE_SKEW)
/* Planes are a cache line more than 64 KiB apart: the four cells of a
 * granule would otherwise share their low 12 address bits, and a load of
 * one just after a store to another is taken by the CPU as a possible
 * store-to-load forward (4K aliasing) and waits. */
#define DET_PLANE_SKEW 8

/* Cell i of the granule whose first cell is cells. */
static inline _Atomic det_cell *det_cell_at(_Atomic det_cell *cells, int i)
{
	return cells + (size_t)i * DET_PLANE;
}

struct det_l2 {
	_Atomic(_Atomic det_cell *) leaf[DET_L2_SIZE]; /* set once: release/acquire */
	_Atomic int32_t nsync[DET_L2_SIZE];
};

/* Each thread's cache of level-1 hits, direct-mapped by region, so that a
 * loop touching the heap, an mmap'd array and the stack (three 4 GiB
 * regions) does not probe the level-1 hash on every access. Owned by the
 * thread; an entry, once filled, stays true (level-1 entries never change). */
#define DET_L1_CACHE 16
struct det_l1_cached {
	uint64_t key;           /* det__l1_key; 0: empty */
	struct det_l2 *table;
};
extern __thread struct det_l1_cached det__l1_cache[DET_L1_CACHE]
	__attribute__((tls_model("initial-exec")));

static inline uint64_t det__l1_key(uintptr_t addr)
{
	return ((uint64_t)addr >> 32) + 1;
}

static inline uint32_t det__l1_cache_index(uint64_t key)
{
	return (uint32_t)(det__hash64(key) >> 60) & (DET_L1_CACHE - 1);
}

/* addr's leaf pointer in its level-2 table, and its granule in the leaf. */
static inline uint32_t det__l2_index(uintptr_t addr)
{
	return (uint32_t)(addr >> (32 - DET_L2_BITS)) & (DET_L2_SIZE - 1);
}

static inline size_t det__granule_index(uintptr_t addr)
{
	return (size_t)((addr & (DET_LEAF_SPAN - 1)) / DET_GRANULE);
}

/* The leaf (its first cell) that shadows addr, when the level-1 cache holds
 * addr's region and the leaf is mapped; else NULL. Takes no lock and maps
 * nothing: det_access_seen may call it without a reentry guard. */
static inline _Atomic det_cell *det__shadow_leaf_cached(uintptr_t addr)
{
	uint64_t key = det__l1_key(addr);
	const struct det_l1_cached *c = &det__l1_cache[det__l1_cache_index(key)];
	if (DET_UNLIKELY(c->key != key))
		return NULL;
	/* acquire: pairs with the release that published the leaf (shadow.c) */
	return atomic_load_explicit(&c->table->leaf[det__l2_index(addr)], memory_order_acquire);
}

_Atomic det_cell *det__shadow_cells_slow(uintptr_t addr);

/* The first cell of the granule holding addr (det_cell_at the others);
 * allocates shadow on first touch. NULL only if shadow could not be
 * mapped. Inline: this is the access path; a cache miss or an unmapped
 * leaf goes out of line.
 * It repeats det__shadow_leaf_cached's probe rather than calling it: the
 * access check is register-bound, and the call cost it spills. */
static inline _Atomic det_cell *det__shadow_cells(uintptr_t addr)
{
	uint64_t key = det__l1_key(addr);
	const struct det_l1_cached *c = &det__l1_cache[det__l1_cache_index(key)];
	if (DET_LIKELY(c->key == key)) {
		/* acquire: pairs with the release that published the leaf (shadow.c) */
		_Atomic det_cell *leaf = atomic_load_explicit(&c->table->leaf[det__l2_index(addr)],
			memory_order_acquire);
		/* the granule spelled out, not det__granule_index: with the
		 * call, clang 14 allocates the registers of the inlined check
		 * worse (14 more instructions a 16-byte access) */
		if (DET_LIKELY(leaf != NULL))
			return leaf + (addr & (DET_LEAF_SPAN - 1)) / DET_GRANULE;
	}
	return det__shadow_cells_slow(addr);
}

/* The two compilations of det_access_quick (access.c), for its tests:
 * v[0] for any CPU, v[1] with AVX2 (NULL on a CPU without it). */
void det__access_quick_variants(det_access_quick_fn *v[2]);

void det__shadow_reset(uintptr_t addr, size_t size);
uint64_t det__shadow_bytes(void);
/* Per 64 KiB region, how many sync variables live there (a filter that
 * lets det_sync_forget skip regions without any). */
void det__shadow_sync_count(uintptr_t addr, int delta);
bool det__shadow_has_sync(uintptr_t addr);

/* ---- sync variables (sync.c) ------------------------------------------ */

/* ---- heap blocks (heap.c) --------------------------------------------- */

typedef struct det_block_info {
	uintptr_t start;
	size_t size;
	det_ctx alloc_ctx;
	det_thread *alloc_thread;
	uintptr_t tag;          /* det_heap_tag's, 0 for none */
} det_block_info;

bool det__heap_find(uintptr_t addr, det_block_info *out);

/* ---- reports (report.c) ----------------------------------------------- */

typedef struct det_race {
	det_thread *cur;
	uintptr_t addr;       /* the current access */
	size_t size;
	unsigned flags;       /* DET_WRITE, DET_ATOMIC, DET_FREE, DET_VPTR */
	det_ctx cur_ctx;
	det_cell prev;        /* the remembered conflicting access */
	det_cell stored;      /* the cell the current access was remembered in */
	uintptr_t stored_addr; /* the first byte that cell covers */
	uintptr_t prev_addr;
	size_t prev_size;
} det_race;

extern det_config det__cfg;

void det__report_race(const det_race *r);

#endif /* GOC_DETECTOR_INTERNAL_H */
