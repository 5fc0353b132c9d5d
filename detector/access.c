/*
 * access.c — the race check, run on every instrumented memory access. The
 * hot path of the detector; nothing else lives here.
 *
 * An access is split into the 8-byte granules it touches, each with a byte
 * mask. For a granule, the DET_CELLS remembered accesses are compared with
 * the new one (FastTrack's check, with TSan's bounded set of cells instead
 * of read vector clocks):
 *   - an identical or covering cell (same slot, epoch and kind, at least
 *     the same bytes), or for a read the thread's write of them at that
 *     epoch (whatever races with the read races with it), means nothing
 *     new: return at once;
 *   - a cell conflicts if its bytes overlap, it is another slot's, at least
 *     one of the two is a write, they are not both atomic, and the thread's
 *     clock does not cover the cell's epoch (vc[slot] < epoch): a race;
 *   - then the new access is remembered: over the thread's own cell for the
 *     same bytes, else in an empty cell, else over a no stronger cell it
 *     happens after and covers, else over an atomic one when atomic races
 *     go unreported, else over a pseudo-randomly chosen one (which may
 *     forget an access: the one imprecision of bounded shadow, shared
 *     with TSan);
 *   - a plain write empties the other slots' cells it happens after and
 *     covers (forget_subsumed); a write longer than 16 bytes takes its
 *     own path (write_whole_granules), which overwrites a granule whose
 *     cells it all happens after, own ones too.
 * A race is reported once per access, a range's once per other slot it
 * races with (the first racing granule's); the check goes on and the
 * access is still remembered.
 *
 * The hooks of instrumented code first run det_access_quick (below), which
 * settles the usual case in one vector pass and leaves the rest to this
 * check.
 *
 * Cells are read and written with relaxed atomics and no lock (internal.h);
 * the thread's clock is its own.
 */
#include "internal.h"

#include <immintrin.h>

#define LOW_NO_CTX ((1ull << 44) - 1) /* every cell field but the context */
#define CELL_READ_BIT (1ull << 8)      /* CELL_READ's bit */

/* Cell c (a cell, or the cells as a vector) already remembers the access
 * want of a read (is_read) or not, or one that covers it: the same slot,
 * epoch and kind, and at least want's bytes; or for a read, the thread's
 * write of them at that epoch (TSan's rule). Whatever races with want
 * races with c, at the same bytes: the thread knew no more when it made
 * want than when it made c. (TSan asks for the same bytes. Covering also
 * keeps calloc's zeroing, or a memset, enough for every narrower access
 * of the thread until its next release: a loop over bytes needs 8 cells
 * a granule otherwise, and overflows the 4.) det_access_seen_inline
 * tests the same. */
#define CELL_SEEN(c, want, is_read)                                               \
	(((((c) | (det_cell)((is_read) ? CELL_READ_BIT : 0)) ^ (want)) &                \
	  (det_cell)((LOW_NO_CTX & ~0xffull) | ((want) & 0xff))) == 0)
_Static_assert(CELL_READ(CELL_READ_BIT) == 1, "CELL_READ_BIT is the read bit");

/* det_access_seen_inline (detector.h) spells the layout out itself. */
_Static_assert(DET_LEAF_SPAN == 1u << 16 && DET_CELLS == 4 && DET_GRANULE == 8 &&
                       DET_PLANE == 8200,
               "detector.h's inline check assumes 64 KiB leaves of 4 cells per 8 bytes, "
               "in planes 8200 cells apart");
_Static_assert(CELL_READ(1ull << 8) && CELL_ATOMIC(1ull << 9) && CELL_CTX(1ull << 44) == 1,
               "detector.h's inline check assumes the read and atomic bits");

/* Out of line: the check itself then needs fewer registers. */
static __attribute__((noinline, cold)) void report(det_thread *t, uintptr_t addr, size_t size,
                                                   unsigned flags, det_ctx ctx, uintptr_t g,
                                                   det_cell prev, det_cell stored)
{
	if (t->in_range) {
		uint32_t slot = CELL_SLOT(prev);
		for (unsigned i = 0; i < t->range_nslots; i++)
			if (t->range_slots[i] == slot)
				return;
		if (t->range_nslots == DET_RANGE_SLOTS)
			return;
		t->range_slots[t->range_nslots++] = slot;
	}
	uint32_t pm = CELL_MASK(prev);
	det_race r = {
		.cur = t,
		.addr = addr,
		.size = size,
		.flags = flags,
		.cur_ctx = ctx,
		.prev = prev,
		.prev_addr = g + (uintptr_t)__builtin_ctz(pm),
		.prev_size = (size_t)__builtin_popcount(pm),
		.stored = stored,
		.stored_addr = g + (uintptr_t)__builtin_ctz(CELL_MASK(stored)),
	};
	det__report_race(&r);
}

/* A plain write that happens after another thread's access and covers its
 * bytes subsumes it (FastTrack's rule for writes): an access checked
 * after the write that races with the older one races with the write
 * too. It cannot happen after the write (the older one would then happen
 * before it too), nor before it (it comes later), so it is unordered with
 * the write, which conflicts with anything the older access conflicts
 * with. So the cells in lanes (a bit per cell) are emptied: the next
 * accesses need not look at them again, and the cells are free. (The
 * thread's own older accesses are left: its next access of their kind
 * takes their cell; so is a free's, which a later unordered access is
 * better reported against.) Each only if it still holds what the check
 * saw, seen[i]: another thread may have stored its own access there
 * since, and emptying the cell would erase that one too. Compared just
 * before the store, not in one compare-and-swap: that leaves a window of
 * a few instructions, narrower than the one every store of a cell has
 * (between the check's load and its store), and the locked instruction
 * cost readshare a quarter of its time (bench/RESULTS.md). */
static inline __attribute__((always_inline)) void forget_subsumed(_Atomic det_cell *cells,
                                                                  unsigned lanes,
                                                                  const det_cell *seen)
{
	for (; lanes != 0; lanes &= lanes - 1) {
		int i = __builtin_ctz(lanes);
		_Atomic det_cell *cell = det_cell_at(cells, i);
		if (atomic_load_explicit(cell, memory_order_relaxed) == seen[i])
			atomic_store_explicit(cell, 0, memory_order_relaxed);
	}
}

/* Another slot's access o, not covered by t's clock: vc[slot] < epoch (a
 * slot beyond the clock counts 0). */
static inline bool cell_unordered(const det_thread *t, det_cell o)
{
	return det_vc_get(&t->vc, CELL_SLOT(o)) < CELL_EPOCH(o);
}

/* An access (a read or not, atomic or not) may take the cell of an
 * access c that happens before it only if it races with everything c
 * does: a write with what a read does, a plain access with what an
 * atomic one does. (An atomic write in a plain write's cell would hide
 * the plain write from an atomic read, and from a plain access when
 * atomic races go unreported.) */
static inline bool at_least_as_strong(bool read, bool atomic, det_cell c)
{
	return (!read || CELL_READ(c)) && (!atomic || CELL_ATOMIC(c));
}

/* Whether a cell stays empty once an access is stored in cell at (-1:
 * none chosen): then a plain write leaves the other threads' reads it
 * happens after and covers, instead of emptying them (forget_subsumed).
 * They are stale but harmless (whatever races with one races with the
 * write), and emptying them writes to lines their threads keep writing:
 * readshare, where every round's reads follow a write, took 5 % longer
 * (bench/RESULTS.md).
 * With no cell to spare they are emptied, so that the next accesses find
 * room without evicting one that matters. Their writes are emptied
 * always: the next accesses' checks stay short. */
static inline bool spare_cell(unsigned empty, int at)
{
	return (empty & ~(at >= 0 ? 1u << at : 0u)) != 0;
}

/* A plain write that will go into cell at (-1: none chosen yet) and
 * empty the cells in *forget (forget_subsumed) goes into the first of
 * those instead when it comes first, and empties the thread's own older
 * access it would have replaced (a bit in own), which it covers and
 * happens after. A granule's accesses then gather in its first cells,
 * where the inline "seen" test, which looks from cell 0, finds them at
 * the first load: a thread writing memory another thread wrote before
 * (calloc's zeroing, a handoff) would otherwise leave its cell behind
 * an emptied one, and every later access of it would load two planes. */
static inline int first_freed(int at, unsigned own, unsigned *forget)
{
	if (*forget == 0 || (at >= 0 && __builtin_ctz(*forget) > at))
		return at;
	if (at >= 0 && (own >> at & 1) != 0)
		*forget |= 1u << at;
	return __builtin_ctz(*forget);
}

/* The cell of granule g an access of t takes when no rule chooses one:
 * pseudo-random, drawn from the thread's count of these choices and its
 * slot (TSan draws from the thread's count of events). Two threads that
 * keep taking each other's cell of one granule (five readers, four cells)
 * then soon go different ways, and the two still running stay in the
 * cells. A choice fixed by the epoch and the granule made two threads
 * at the same epoch (two new threads) take the one same cell from each
 * other on every access, each a full check: a table read by four threads
 * after main wrote it took 3.9 times TSan's time, by eight 12 times
 * (bench/RESULTS.md, `lookup`). The granule only shifts the draw:
 * granules a multiple of 32 bytes apart draw alike (test_quick's copies
 * rely on it). */
static inline int evict_choice(det_thread *t, uintptr_t g)
{
	uint32_t x = t->evictions++ * 0x9e3779b9u ^ t->slot * 0x85ebca6bu;
	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return (int)(((x >> 30) + (g >> 3)) % DET_CELLS);
}

/* The first access of a granule whose cells are all empty: stored only if
 * the cell is still empty (a compare-and-swap). Two threads that both
 * found the granule empty would otherwise both store, the later over the
 * earlier, and neither see the other. The window is short for a granule
 * already in use, but a fresh granule is mostly on a shadow page nobody
 * has written yet: the store faults the page in, which keeps the window
 * open for microseconds, and two threads' first writes to a new global
 * went unreported in 5-18 % of runs. The check that loses looks again
 * and finds the other's access. */
static inline bool claim_fresh(_Atomic det_cell *cell, det_cell stored)
{
	det_cell none = 0;
	/* relaxed, as every cell access: the cell is the only thing shared */
	return atomic_compare_exchange_strong_explicit(cell, &none, stored, memory_order_relaxed,
	                                               memory_order_relaxed);
}

/* Stores an access in cell at of the granule at cells, whose cells were
 * all empty when looked at when fresh (claim_fresh); false when another
 * thread's access came first, and nothing was stored. */
static inline bool store_cell(_Atomic det_cell *cells, int at, det_cell stored, bool fresh)
{
	if (DET_UNLIKELY(fresh))
		return claim_fresh(det_cell_at(cells, at), stored);
	atomic_store_explicit(det_cell_at(cells, at), stored, memory_order_relaxed);
	return true;
}

/* cells: g's, or NULL to look them up. *ctx: the access's calling
 * context, looked up by the first granule (0 until then), so an access
 * over two granules looks it up once. Inlined into both callers:
 * the call would cost as much as a short check. */
static inline __attribute__((always_inline)) void
check_granule(det_thread *t, _Atomic det_cell *cells, uintptr_t g, uint32_t mask, uintptr_t pc,
              unsigned flags, uintptr_t addr, size_t size, det_ctx *ctx)
{
	if (cells == NULL)
		cells = det__shadow_cells(g);
	if (DET_UNLIKELY(cells == NULL))
		return;
	bool read = !(flags & DET_WRITE);
	bool atomic = (flags & DET_ATOMIC) != 0;
	bool freeing = (flags & DET_FREE) != 0;
	DET_DCHECK(t->hot.cell_id ==
		det_cell_make(0, false, false, false, t->slot, t->vc.c[t->slot], 0));
	det_cell want = t->hot.cell_id | det_cell_make(mask, read, atomic, freeing, 0, 0, 0);
	const det_cell slot_bits = det_cell_make(0, false, false, false, DET_MAX_SLOTS - 1, 0, 0);

	/* The context first, then the cells: the cells are looked at and
	 * written without a lock, so the time between the two is a window in
	 * which another thread's access to the granule goes unseen by this
	 * one and this one's by it (both check, then both store). Interning a
	 * new context takes a lock and may map memory: not in the window. */
	if (*ctx == 0)
		*ctx = det__ctx_leaf(t, pc);

	/* One pass: an identical or covering cell (CELL_SEEN) ends the
	 * check before anything is written; of the others, the new access
	 * will replace, in this order: the first of the thread's own weaker
	 * accesses, else the first empty cell, else the first weaker cell it
	 * happens after and covers, else, with atomic races unreported, the
	 * first atomic one, else a pseudo-random one (a plain write may move
	 * to a cell it empties: first_freed); and the first that races is
	 * reported. The first own access, as in TSan: a granule read and
	 * written by turns then keeps one read cell and one write cell, each
	 * renewed by the next access of its kind; taking the last let stale
	 * own writes fill the cells. */
	int at;
	det_cell racy;
	unsigned own, empty, subsumed, subsumed_reads;
	bool plain_write = !read && !atomic;
	det_cell seen[DET_CELLS];
again:
	at = -1;
	racy = 0;
	own = 0;
	empty = 0;
	subsumed = 0;
	subsumed_reads = 0;
	for (int i = 0; i < DET_CELLS; i++) {
		det_cell c = atomic_load_explicit(det_cell_at(cells, i), memory_order_relaxed);
		seen[i] = c;
		if (CELL_SEEN(c, want, read))
			return;
		if (c == 0) {
			empty |= 1u << i;
			continue;
		}
		uint32_t cm = CELL_MASK(c);
		if ((cm & mask) == 0)
			continue;
		if (((c ^ want) & slot_bits) == 0) {
			/* Own earlier access (or a previous owner's, ordered before
			 * us by the slot reuse rule) of the same bytes */
			if (cm == mask && at_least_as_strong(read, atomic, c))
				own |= 1u << i;
			continue;
		}
		if (!cell_unordered(t, c)) {
			/* ordered before this access: one it covers and is at
			 * least as strong as (a read, when this is a read) is
			 * subsumed, as far as what comes later can race with it */
			if ((mask & cm) == cm && at_least_as_strong(read, atomic, c) && at < 0)
				at = i;
			if (plain_write && (mask & cm) == cm && !CELL_FREE(c)) {
				subsumed |= 1u << i;
				subsumed_reads |= (unsigned)CELL_READ(c) << i;
			}
			continue;
		}
		if (read && CELL_READ(c))
			continue;
		if (atomic && CELL_ATOMIC(c))
			continue;
		if (!det__cfg.report_atomic_races && (atomic || CELL_ATOMIC(c)))
			continue;
		if (racy == 0)
			racy = c;
	}

	if (own != 0)
		at = __builtin_ctz(own);
	else if (empty != 0)
		at = __builtin_ctz(empty);
	if (spare_cell(empty, at))
		subsumed &= ~subsumed_reads;
	at = first_freed(at, own, &subsumed);
	if (at < 0 && !det__cfg.report_atomic_races) {
		/* an atomic access is never reported against: its cell goes first */
		for (int i = 0; i < DET_CELLS && at < 0; i++)
			if (CELL_ATOMIC(seen[i]))
				at = i;
	}
	if (at < 0)
		at = evict_choice(t, g);
	det_cell stored = want | (det_cell)*ctx << 44;
	if (!store_cell(cells, at, stored, empty == (1u << DET_CELLS) - 1))
		goto again; /* another thread's access came first: check it */
	forget_subsumed(cells, subsumed & ~(1u << at), seen);
	t->dirty = true;

	if (DET_UNLIKELY(racy != 0))
		report(t, addr, size, flags, *ctx, g, racy, stored);
}

bool det_access_seen(det_thread *t, uintptr_t addr, size_t size, unsigned flags)
{
	if (DET_UNLIKELY(t->slot == DET_NO_SLOT))
		return false;
	_Atomic det_cell *leaf = det__shadow_leaf_cached(addr);
	if (DET_UNLIKELY(leaf == NULL))
		return false;
	/* the inline check's leaves, most recent first; then it can answer.
	 * The hooks run this without the preload runtime's guard: a signal
	 * handler may run in its middle, and what the handler changes is put
	 * back after it (det_signal_enter/exit), but for a release's new
	 * epoch: so only the leaves are written, here and in the thread-local
	 * copy, not cell_id (a copy of it could undo that epoch). */
	det__hot_leaf_set(&t->hot, 1, t->hot.leaf_key[0], t->hot.leaf[0]);
	det__hot_leaf_set(&t->hot, 0, det_hot_leaf_key(addr), leaf);
	det__hot_leaves_changed(t);
	_Atomic det_cell *cells;
	return det_access_seen_inline(t, addr, size, flags, &cells) == 1;
}

/* The whole granules [g, end) of a plain write of many (memset, memcpy's
 * destination, free), which is (addr, size): a granule whose cells all
 * hold accesses this one happens after (the thread's own, or ordered
 * before it) is overwritten: the write in the first cell, the others
 * emptied, as forget_subsumed would leave them (the thread's own older
 * accesses too: they happen before it as much). Any other granule goes
 * through check_granule. The cells are looked up once a leaf, not once a
 * granule (bench/RESULTS.md has a large free's cost beside TSan's). */
static void write_whole_granules(det_thread *t, uintptr_t g, uintptr_t end, uintptr_t pc,
                                 unsigned flags, uintptr_t addr, size_t size, det_ctx *ctx)
{
	if (*ctx == 0)
		*ctx = det__ctx_leaf(t, pc);
	det_cell want = t->hot.cell_id |
	                det_cell_make(0xff, false, false, (flags & DET_FREE) != 0, 0, 0, 0);
	det_cell store = want | (det_cell)*ctx << 44;
	const det_cell slot_bits = det_cell_make(0, false, false, false, DET_MAX_SLOTS - 1, 0, 0);
	while (g < end) {
		uintptr_t leaf_end = (g | (DET_LEAF_SPAN - 1)) + 1;
		uintptr_t stop = leaf_end < end ? leaf_end : end;
		_Atomic det_cell *cells = det__shadow_cells(g);
		if (DET_UNLIKELY(cells == NULL)) {
			g = stop;
			continue;
		}
		for (; g < stop; g += DET_GRANULE, cells++) {
			bool ordered = true;
			det_cell seen[DET_CELLS];
			unsigned full = 0;
			for (int i = 0; i < DET_CELLS; i++) {
				det_cell c = atomic_load_explicit(det_cell_at(cells, i),
				                                  memory_order_relaxed);
				seen[i] = c;
				full |= (c != 0) << i;
				/* another slot's free stays: the full check keeps it */
				bool other = c != 0 && ((c ^ want) & slot_bits) != 0;
				if (other && (CELL_FREE(c) || cell_unordered(t, c)))
					ordered = false;
			}
			/* a fresh granule is claimed, as by the other checks; the
			 * full check looks again when another access came first */
			if (!ordered || (full == 0 && !claim_fresh(cells, store))) {
				check_granule(t, cells, g, 0xff, pc, flags, addr, size, ctx);
				continue;
			}
			if (full != 0)
				atomic_store_explicit(cells, store, memory_order_relaxed);
			forget_subsumed(cells, full & ~1u, seen);
		}
	}
	t->dirty = true;
}

void det_access(det_thread *t, uintptr_t addr, size_t size, uintptr_t pc, unsigned flags)
{
	if (DET_UNLIKELY(t == NULL || t->slot == DET_NO_SLOT || size == 0))
		return;
	uintptr_t start = addr;
	size_t total = size;
	det_ctx ctx = 0;
	/* a range longer than any single access, and a free, report once per
	 * other slot they race with (TSan's range accesses stop at the first
	 * race): a free racing with every field of a thread's object is one
	 * race. Not once in all: the range is remembered in every granule,
	 * racing ones too, and its cell then covers the thread's later
	 * accesses of those bytes (CELL_SEEN); a race with a second thread
	 * that went unreported would stay unreported for those too. */
	t->in_range = size > 2 * DET_GRANULE || (flags & DET_FREE);
	t->range_nslots = 0;
	/* a range longer than any fixed-size access: those keep check_granule's
	 * own rules, which the quick check mirrors */
	bool long_write = (flags & (DET_WRITE | DET_ATOMIC)) == DET_WRITE && size > 2 * DET_GRANULE;
	while (size > 0) {
		uintptr_t g = addr & ~(uintptr_t)(DET_GRANULE - 1);
		unsigned off = (unsigned)(addr - g);
		if (long_write && off == 0 && size >= DET_GRANULE) {
			size_t whole = size & ~(size_t)(DET_GRANULE - 1);
			write_whole_granules(t, g, g + whole, pc, flags, start, total, &ctx);
			addr += whole;
			size -= whole;
			continue;
		}
		size_t n = DET_GRANULE - off < size ? DET_GRANULE - off : size;
		uint32_t mask = ((1u << n) - 1) << off;
		/* A race is reported with the whole access, not the granule. */
		check_granule(t, NULL, g, mask, pc, flags, start, total, &ctx);
		addr += n;
		size -= n;
	}
	t->in_range = false;
}

/* The cells of a granule as one vector, and a vector of lane masks (a
 * comparison's result: all ones where true). */
typedef det_cell det_cellv __attribute__((vector_size(DET_CELLS * sizeof(det_cell))));
typedef int64_t det_maskv __attribute__((vector_size(DET_CELLS * sizeof(det_cell))));
_Static_assert(DET_CELLS == 4, "quick_granule's lane bits assume four cells");

/* Bit i set when lane i of m is true: one instruction with AVX2, two with
 * SSE2. quick_granule takes one of these as an argument, which its
 * callers fix, so that each build inlines its own. */
typedef unsigned lanes_fn(det_maskv m);

static inline __attribute__((always_inline, target("avx2"))) unsigned lanes_avx2(det_maskv m)
{
	return (unsigned)_mm256_movemask_pd((__m256d)m);
}

static inline __attribute__((always_inline)) unsigned lanes_sse2(det_maskv m)
{
	__m128d lo = (__m128d)__builtin_shufflevector(m, m, 0, 1);
	__m128d hi = (__m128d)__builtin_shufflevector(m, m, 2, 3);
	return (unsigned)_mm_movemask_pd(lo) | (unsigned)_mm_movemask_pd(hi) << 2;
}

/* Whether some conflict lane (all ones in conflict; bit i of k for lane
 * i) holds an access of a slot whose epoch the thread's clock does not
 * cover, vc[slot] < epoch (a slot beyond the clock counts 0).
 * quick_granule takes one of these too. With AVX2 it gathers two or more
 * clock entries at once; the loop needs registers for the cell, its slot,
 * epoch and clock, which the check would have to save and restore on
 * every access. */
typedef bool unordered_fn(const det_thread *t, det_cellv c, det_maskv conflict, unsigned k);

static inline __attribute__((always_inline, target("avx2"))) bool
unordered_avx2(const det_thread *t, det_cellv c, det_maskv conflict, unsigned k)
{
	/* one conflict (the usual case): its entry alone, without a gather,
	 * which Intel's microcode against Gather Data Sampling makes slow */
	if ((k & (k - 1)) == 0) {
		det_cell lane[DET_CELLS];
		__builtin_memcpy(lane, &c, sizeof lane);
		return cell_unordered(t, lane[__builtin_ctz(k)]);
	}
	__m256i cv = (__m256i)c;
	__m256i slot = _mm256_srli_epi64(cv, 11) & _mm256_set1_epi64x(DET_MAX_SLOTS - 1);
	__m256i epoch = _mm256_srli_epi64(cv, 24) & _mm256_set1_epi64x(DET_EPOCH_MAX);
	__m256i in = _mm256_cmpgt_epi64(_mm256_set1_epi64x(t->vc.n), slot) & (__m256i)conflict;
	/* the gather takes its mask in 32-bit lanes: the low half of each */
	__m128i in32 = _mm256_castsi256_si128(
		_mm256_permutevar8x32_epi32(in, _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0)));
	__m128i clock = _mm256_mask_i64gather_epi32(_mm_setzero_si128(), (const int *)t->vc.c, slot,
	                                            in32, 4);
	__m256i late = _mm256_cmpgt_epi64(epoch, _mm256_cvtepu32_epi64(clock));
	return !_mm256_testz_si256(late, (__m256i)conflict);
}

static inline __attribute__((always_inline)) bool
unordered_scalar(const det_thread *t, det_cellv c, det_maskv conflict, unsigned k)
{
	(void)conflict;
	for (; k != 0; k &= k - 1) {
		/* a variable lane: the vector goes to the stack (the red zone,
		 * unaligned: no frame to align it in) */
		det_cell lane[DET_CELLS];
		__builtin_memcpy(lane, &c, sizeof lane);
		if (cell_unordered(t, lane[__builtin_ctz(k)]))
			return true;
	}
	return false;
}

/* What quick_granule decided. */
enum quick_outcome {
	QUICK_FULL,     /* nothing written: run the full check */
	QUICK_DONE,     /* stored, or the cells hold this very access */
	QUICK_TOP,      /* nothing written: find the top frame's context first */
};

/* check_granule's usual outcome, decided from one snapshot of the cells
 * (every cell classified at once, in vector lanes) and without ranking
 * them: nothing that could race (every overlapping access of another slot
 * is a read when this one is, atomic when this one is, or happens before
 * it), and a cell the full check would choose too (the first of the
 * thread's own weaker accesses, else the first empty cell), and the
 * calling context in the thread's cache. Then it stores as check_granule
 * would and returns QUICK_DONE; also when the cells already remember the
 * access (CELL_SEEN). Otherwise it writes nothing; the caller runs
 * check_granule, which looks again, or (QUICK_TOP) finds the context of
 * a frame entered since and asks again. It makes no call: a call would need the vector
 * and half the arguments kept across it, and then every quick check
 * pays to save and restore the registers they are kept in. */
static inline __attribute__((always_inline)) enum quick_outcome
quick_granule(det_thread *t, _Atomic det_cell *cells, uint32_t mask, uintptr_t pc, unsigned flags,
              det_ctx *ctx, lanes_fn *lanes, unordered_fn *unordered)
{
	bool read = !(flags & DET_WRITE);
	bool atomic = (flags & DET_ATOMIC) != 0;
	det_cell want = t->hot.cell_id | det_cell_make(mask, read, atomic, false, 0, 0, 0);
	const det_cell slot_bits = det_cell_make(0, false, false, false, DET_MAX_SLOTS - 1, 0, 0);
	const det_cell read_bit = det_cell_make(0, true, false, false, 0, 0, 0);
	const det_cell atomic_bit = det_cell_make(0, false, true, false, 0, 0, 0);
	const det_cell free_bit = det_cell_make(0, false, false, true, 0, 0, 0);
	/* A cell c is the thread's own weaker access when c ^ want is 0 in
	 * these bits: same slot and bytes; for a read, c is a read too; for
	 * an atomic access, c is atomic too. */
	const det_cell own_bits = slot_bits | 0xff | (read ? read_bit : 0) |
	                          (atomic ? atomic_bit : 0);
	/* another slot's access conflicts unless both are reads or both atomic */
	const det_cell benign = (read ? read_bit : 0) | (atomic ? atomic_bit : 0);

	/* One snapshot, each cell read whole by a relaxed load, one from
	 * each plane (a vector gather is slow under Intel's microcode
	 * against Gather Data Sampling). */
	det_cell c0 = atomic_load_explicit(det_cell_at(cells, 0), memory_order_relaxed);
	det_cell c1 = atomic_load_explicit(det_cell_at(cells, 1), memory_order_relaxed);
	det_cell c2 = atomic_load_explicit(det_cell_at(cells, 2), memory_order_relaxed);
	det_cell c3 = atomic_load_explicit(det_cell_at(cells, 3), memory_order_relaxed);
	int at;
	unsigned empty_at, forget = 0;
	if (DET_LIKELY((c1 | c2 | c3) == 0) && ((c0 ^ want) & own_bits) == 0) {
		/* A new epoch of memory only the thread touches: its own older
		 * access of these bytes, alone in cell 0. Nothing can conflict,
		 * and cell 0 is the cell the full check would take: no vectors. */
		if (CELL_SEEN(c0, want, read))
			return QUICK_DONE;
		at = 0;
		empty_at = 0xe;
		goto store;
	}
	det_cellv c = { c0, c1, c2, c3 };
	det_cellv x = c ^ want;
	if (lanes(CELL_SEEN(c, want, read)) != 0)
		return QUICK_DONE;
	/* an empty cell's mask is 0: it never overlaps */
	det_maskv conflict = ((c & mask) != 0) & ((x & slot_bits) != 0) & ((c & benign) == 0);
	unsigned bits = lanes((x & own_bits) == 0) << 4 | lanes(c == 0) << 8 | lanes(conflict) << 12;

	if ((bits >> 12) != 0 && unordered(t, c, conflict, bits >> 12))
		return QUICK_FULL;
	unsigned own_at = (bits >> 4) & 0xf;
	empty_at = (bits >> 8) & 0xf;
	if (own_at != 0)
		at = __builtin_ctz(own_at);
	else if (empty_at != 0)
		at = __builtin_ctz(empty_at);
	else
		return QUICK_FULL;
	/* A plain write forgets the other slots' accesses it subsumes
	 * (those it covers, but not a free): for it, every overlapping cell
	 * of another slot is a conflict lane, and each of those happens
	 * before it (unordered() above). */
	if (!read && !atomic && DET_UNLIKELY((bits >> 12) != 0)) {
		unsigned inside = lanes((c & (0xff & ~(det_cell)mask)) == 0);
		forget = (bits >> 12) & inside & ~lanes((c & free_bit) != 0);
		if (spare_cell(empty_at, at))
			forget &= ~lanes((c & read_bit) != 0);
		at = first_freed(at, own_at, &forget);
	}
store:
	if (*ctx == 0) {
		det_ctx found = det__ctx_probe_known(t, pc);
		if (DET_UNLIKELY(found == 0 || found == DET_CTX_TOP_UNKNOWN))
			return found == 0 ? QUICK_FULL : QUICK_TOP;
		*ctx = found;
	}
	det_cell stored = want | (det_cell)*ctx << 44;
	if (!store_cell(cells, at, stored, empty_at == (1u << DET_CELLS) - 1))
		return QUICK_FULL;
	if (DET_UNLIKELY(forget != 0)) {
		det_cell seen[DET_CELLS] = { c0, c1, c2, c3 };
		forget_subsumed(cells, forget & ~(1u << at), seen);
	}
	t->dirty = true;
	return QUICK_DONE;
}

void det_access_granule(det_thread *t, _Atomic det_cell *cells, uintptr_t addr, size_t size,
                        uintptr_t pc, unsigned flags)
{
	uintptr_t g = addr & ~(uintptr_t)(DET_GRANULE - 1);
	unsigned off = (unsigned)(addr - g);
	det_ctx ctx = 0;
	DET_DCHECK(t->slot != DET_NO_SLOT && cells == det__shadow_cells(g));
	DET_DCHECK(!(flags & DET_FREE));
	if (size == 2 * DET_GRANULE) {
		DET_DCHECK(off == 0 && cells + 1 == det__shadow_cells(g + DET_GRANULE));
		check_granule(t, cells, g, 0xff, pc, flags, addr, size, &ctx);
		check_granule(t, cells + 1, g + DET_GRANULE, 0xff, pc, flags, addr, size,
		              &ctx);
		return;
	}
	DET_DCHECK(size > 0 && off + size <= DET_GRANULE);
	check_granule(t, cells, g, ((1u << size) - 1) << off, pc, flags, addr, size, &ctx);
}

/* The quick check once more, after finding the context of the frames
 * entered since the last access; the full check if one is not interned.
 * Each build retries with itself (det_access_quick's compilations, below). */
static __attribute__((target("avx2"))) det_access_quick_fn det_access_quick_avx2;
static det_access_quick_fn det_access_quick_base;

#define DEF_AFTER_TOP(BUILD)                                                      \
	static __attribute__((noinline, cold)) void quick_after_top_##BUILD(          \
		det_thread *t, uintptr_t addr, uintptr_t pc, unsigned how,                \
		_Atomic det_cell *cells, det_access_fallback fallback)                    \
	{                                                                             \
		if (det__ctx_top_known(t) != 0)                                           \
			det_access_quick_##BUILD(t, addr, pc, how, cells, fallback);          \
		else                                                                      \
			fallback(t, addr, pc, how, cells);                                    \
	}
DEF_AFTER_TOP(avx2)
DEF_AFTER_TOP(base)

static inline __attribute__((always_inline)) void
quick_access(det_thread *t, uintptr_t addr, uintptr_t pc, unsigned how, _Atomic det_cell *cells,
             det_access_fallback fallback, lanes_fn *lanes, unordered_fn *unordered,
             det_access_quick_fn *after_top)
{
	size_t size = DET_HOW_SIZE(how);
	unsigned flags = DET_HOW_FLAGS(how);
	det_ctx ctx = 0;
	DET_DCHECK(t->slot != DET_NO_SLOT && !(flags & DET_FREE));
	DET_DCHECK(cells == det__shadow_cells(addr));
	DET_DCHECK(size == 16 ? (addr & 15) == 0 : (addr & 7) + size <= DET_GRANULE);
	/* an 8- or 16-byte access is aligned (the precondition) */
	uint32_t mask = size >= 8 ? 0xff : ((1u << size) - 1) << (addr & 7);
	enum quick_outcome r = quick_granule(t, cells, mask, pc, flags, &ctx, lanes, unordered);
	if (size == 16 && r == QUICK_DONE)
		r = quick_granule(t, cells + 1, 0xff, pc, flags, &ctx, lanes, unordered);
	/* both calls are the last thing done: jumps */
	if (DET_LIKELY(r == QUICK_DONE))
		return;
	if (r == QUICK_TOP)
		after_top(t, addr, pc, how, cells, fallback);
	else
		fallback(t, addr, pc, how, cells);
}

/* det_access_quick and its fixed-size twins are compiled twice: for CPUs
 * with AVX2 (four cells in one register) and for the rest (two); the
 * loader picks one (an ifunc; clang 14's target_clones cannot be called
 * from another file). */
static bool have_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}

/* NAME: how (the caller's, or a constant the compiler folds in); BUILD:
 * each compilation's lane and clock helpers and its retry */
#define QUICK_AVX2 lanes_avx2, unordered_avx2, quick_after_top_avx2
#define QUICK_BASE lanes_sse2, unordered_scalar, quick_after_top_base
#define DEF_QUICK(NAME, HOW)                                                      \
	static __attribute__((target("avx2"))) void NAME##_avx2(                      \
		det_thread *t, uintptr_t addr, uintptr_t pc, unsigned how,                \
		_Atomic det_cell *cells, det_access_fallback fallback)                    \
	{                                                                             \
		(void)how;                                                                \
		quick_access(t, addr, pc, HOW, cells, fallback, QUICK_AVX2);              \
	}                                                                             \
	static void NAME##_base(det_thread *t, uintptr_t addr, uintptr_t pc,          \
	                        unsigned how, _Atomic det_cell *cells,                \
	                        det_access_fallback fallback)                         \
	{                                                                             \
		(void)how;                                                                \
		quick_access(t, addr, pc, HOW, cells, fallback, QUICK_BASE);              \
	}                                                                             \
	static __attribute__((used)) det_access_quick_fn *NAME##_resolve(void)       \
	{                                                                             \
		return have_avx2() ? NAME##_avx2 : NAME##_base;                           \
	}                                                                             \
	void NAME(det_thread *t, uintptr_t addr, uintptr_t pc, unsigned how,          \
	          _Atomic det_cell *cells, det_access_fallback fallback)              \
		__attribute__((ifunc(#NAME "_resolve")));

DEF_QUICK(det_access_quick, how)
DEF_QUICK(det_read1_quick, DET_HOW(1, DET_READ))
DEF_QUICK(det_read2_quick, DET_HOW(2, DET_READ))
DEF_QUICK(det_read4_quick, DET_HOW(4, DET_READ))
DEF_QUICK(det_read8_quick, DET_HOW(8, DET_READ))
DEF_QUICK(det_read16_quick, DET_HOW(16, DET_READ))
DEF_QUICK(det_write1_quick, DET_HOW(1, DET_WRITE))
DEF_QUICK(det_write2_quick, DET_HOW(2, DET_WRITE))
DEF_QUICK(det_write4_quick, DET_HOW(4, DET_WRITE))
DEF_QUICK(det_write8_quick, DET_HOW(8, DET_WRITE))
DEF_QUICK(det_write16_quick, DET_HOW(16, DET_WRITE))

void det__access_quick_variants(det_access_quick_fn *v[2])
{
	v[0] = det_access_quick_base;
	v[1] = have_avx2() ? det_access_quick_avx2 : NULL;
}
