/*
 * access.c — the race check, run on every instrumented memory access. The
 * hot path of the detector; nothing else lives here.
 *
 * An access is split into the 8-byte granules it touches, each with a byte
 * mask. For a granule, the DET_CELLS remembered accesses are compared with
 * the new one (FastTrack's check, with TSan's bounded set of cells instead
 * of read vector clocks):
 *   - an identical cell (same slot, epoch, bytes and kind) means nothing
 *     new: return at once;
 *   - a cell conflicts if its bytes overlap, it is another slot's, at least
 *     one of the two is a write, they are not both atomic, and the thread's
 *     clock does not cover the cell's epoch (vc[slot] < epoch): a race;
 *   - then the new access is remembered: over the thread's own cell for the
 *     same bytes, else in an empty cell, else over a cell it happens after
 *     and covers, else over a pseudo-randomly chosen one (which may forget
 *     an access: the one imprecision of bounded shadow, shared with TSan).
 * A race is reported once per access; the check goes on and the access is
 * still remembered.
 *
 * Cells are read and written with relaxed atomics and no lock (internal.h);
 * the thread's clock is its own.
 */
#include "internal.h"

#define LOW_NO_CTX ((1ull << 44) - 1) /* every cell field but the context */

static void check_granule(det_thread *t, uintptr_t g, uint32_t mask, uintptr_t pc,
                          unsigned flags, uintptr_t addr, size_t size)
{
	_Atomic det_cell *cells = det__shadow_cells(g);
	if (DET_UNLIKELY(cells == NULL))
		return;
	bool read = !(flags & DET_WRITE);
	bool atomic = (flags & DET_ATOMIC) != 0;
	bool freeing = (flags & DET_FREE) != 0;
	uint32_t slot = t->slot;
	uint32_t epoch = t->vc.c[slot];
	det_cell want = det_cell_make(mask, read, atomic, freeing, slot, epoch, 0);

	det_cell old[DET_CELLS];
	for (int i = 0; i < DET_CELLS; i++) {
		old[i] = atomic_load_explicit(&cells[i], memory_order_relaxed);
		if ((old[i] & LOW_NO_CTX) == want)
			return;
	}

	int same = -1, empty = -1, covered = -1;
	int racy = -1;
	for (int i = 0; i < DET_CELLS; i++) {
		det_cell c = old[i];
		if (c == 0) {
			if (empty < 0)
				empty = i;
			continue;
		}
		uint32_t cm = CELL_MASK(c);
		if ((cm & mask) == 0)
			continue;
		if (CELL_SLOT(c) == slot) {
			/* Own earlier access (or a previous owner's, ordered before
			 * us by the slot reuse rule): replace it if this one is at
			 * least as strong. */
			if (cm == mask && (!read || CELL_READ(c)) && (!CELL_ATOMIC(c) || atomic || !read))
				same = i;
			continue;
		}
		bool ordered = det_vc_get(&t->vc, CELL_SLOT(c)) >= CELL_EPOCH(c);
		if (ordered) {
			if (!read && (mask & cm) == cm && covered < 0)
				covered = i;
			continue;
		}
		if (read && CELL_READ(c))
			continue;
		if (atomic && CELL_ATOMIC(c))
			continue;
		if (!det__cfg.report_atomic_races && (atomic || CELL_ATOMIC(c)))
			continue;
		if (racy < 0)
			racy = i;
	}

	det_ctx ctx = det_ctx_current(t, pc);
	det_cell cur = want | (det_cell)ctx << 44;
	int at = same >= 0 ? same : empty >= 0 ? empty : covered >= 0 ? covered
		: (int)((epoch ^ (g >> 3)) % DET_CELLS);
	atomic_store_explicit(&cells[at], cur, memory_order_relaxed);
	t->dirty = true;

	if (DET_UNLIKELY(racy >= 0)) {
		det_cell p = old[racy];
		uint32_t pm = CELL_MASK(p);
		det_race r = {
			.cur = t,
			.addr = addr,
			.size = size,
			.flags = flags,
			.cur_ctx = ctx,
			.prev = p,
			.prev_addr = g + (uintptr_t)__builtin_ctz(pm),
			.prev_size = (size_t)__builtin_popcount(pm),
		};
		det__report_race(&r);
	}
}

void det_access(det_thread *t, uintptr_t addr, size_t size, uintptr_t pc, unsigned flags)
{
	if (DET_UNLIKELY(t == NULL || t->slot == DET_NO_SLOT || size == 0))
		return;
	uintptr_t start = addr;
	size_t total = size;
	while (size > 0) {
		uintptr_t g = addr & ~(uintptr_t)(DET_GRANULE - 1);
		unsigned off = (unsigned)(addr - g);
		size_t n = DET_GRANULE - off < size ? DET_GRANULE - off : size;
		uint32_t mask = ((1u << n) - 1) << off;
		/* A race is reported with the whole access, not the granule. */
		check_granule(t, g, mask, pc, flags, start, total);
		addr += n;
		size -= n;
	}
}
