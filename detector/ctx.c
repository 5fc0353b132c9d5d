/*
 * ctx.c — calling contexts: interned stacks, so a shadow cell can name the
 * whole stack of the access it remembers in 20 bits. This is how every race
 * report gets both stacks without replaying a trace (and so never says
 * "failed to restore the stack").
 *
 * A context is a node (parent context, pc) in a calling-context tree; node 0
 * is the empty root. Nodes are never freed. The shadow call stack of a
 * thread (func_entry/exit) keeps, per frame, the context up to that frame,
 * computed lazily: only when an access is remembered is the top frame's
 * context interned, and a per-thread cache maps (top context, access pc) to
 * the leaf context, so a loop's accesses cost one cache probe.
 *
 * Table: an open-addressing hash from (parent, pc) to node id, twice as many
 * cells as nodes can exist, filled under insert_lock and read without a
 * lock: a cell's id is stored with release after the node's fields, and
 * lookups load it with acquire. When every id is used, interning returns
 * the parent (the stack loses its innermost frames; counted in truncated).
 */
#include "internal.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TABLE_BITS (DET_CTX_BITS + 1)
#define TABLE_SIZE (1u << TABLE_BITS)

static uintptr_t *node_pc;          /* [DET_MAX_CTX + 1], written before publish */
static uint32_t *node_parent;       /* likewise */
static _Atomic uint32_t *table;     /* ids; 0 empty */
static _Atomic uint32_t nnodes;     /* ids in use: written under insert_lock */
static _Atomic uint64_t truncated;
static det_lock insert_lock;
static _Atomic bool ready;
static det_lock init_lock;

static void init(void)
{
	det__lock(&init_lock);
	if (!atomic_load_explicit(&ready, memory_order_relaxed)) {
		node_pc = det__map((DET_MAX_CTX + 1) * sizeof *node_pc);
		node_parent = det__map((DET_MAX_CTX + 1) * sizeof *node_parent);
		table = det__map(TABLE_SIZE * sizeof *table);
		DET_CHECK(node_pc != NULL && node_parent != NULL && table != NULL);
		/* release: pairs with the acquire in det__ctx_intern */
		atomic_store_explicit(&ready, true, memory_order_release);
	}
	det__unlock(&init_lock);
}

static uint32_t hash(det_ctx parent, uintptr_t pc)
{
	uint64_t h = (uint64_t)pc * 0x9e3779b97f4a7c15ull ^ (uint64_t)parent * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 29;
	return (uint32_t)h & (TABLE_SIZE - 1);
}

/* The node (parent, pc), or 0 if not interned yet. No lock. */
static det_ctx find(det_ctx parent, uintptr_t pc, uint32_t h)
{
	for (uint32_t i = h;; i = (i + 1) & (TABLE_SIZE - 1)) {
		/* acquire: pairs with the release that published the node */
		uint32_t id = atomic_load_explicit(&table[i], memory_order_acquire);
		if (id == 0)
			return 0;
		if (node_pc[id] == pc && node_parent[id] == parent)
			return id;
	}
}

det_ctx det__ctx_find(det_ctx parent, uintptr_t pc)
{
	/* acquire: pairs with the release in init */
	if (DET_UNLIKELY(!atomic_load_explicit(&ready, memory_order_acquire)))
		return 0;
	return find(parent, pc, hash(parent, pc));
}

det_ctx det__ctx_intern(det_ctx parent, uintptr_t pc)
{
	/* acquire: pairs with the release in init */
	if (DET_UNLIKELY(!atomic_load_explicit(&ready, memory_order_acquire)))
		init();
	uint32_t h = hash(parent, pc);
	det_ctx found = find(parent, pc, h);
	if (found != 0)
		return found;
	det__lock(&insert_lock);
	uint32_t i = h;
	for (;; i = (i + 1) & (TABLE_SIZE - 1)) {
		uint32_t id = atomic_load_explicit(&table[i], memory_order_relaxed);
		if (id == 0)
			break;
		if (node_pc[id] == pc && node_parent[id] == parent) {
			det__unlock(&insert_lock);
			return id;
		}
	}
	uint32_t n = atomic_load_explicit(&nnodes, memory_order_relaxed);
	if (n >= DET_MAX_CTX) {
		det__unlock(&insert_lock);
		atomic_fetch_add_explicit(&truncated, 1, memory_order_relaxed);
		return parent;
	}
	uint32_t id = n + 1;
	node_pc[id] = pc;
	node_parent[id] = parent;
	atomic_store_explicit(&nnodes, id, memory_order_relaxed);
	/* release: pairs with the acquire loads in the lookups above */
	atomic_store_explicit(&table[i], id, memory_order_release);
	det__unlock(&insert_lock);
	return id;
}

uint64_t det__ctx_count(void)
{
	return atomic_load_explicit(&nnodes, memory_order_relaxed);
}

uint64_t det__ctx_truncated(void)
{
	return atomic_load_explicit(&truncated, memory_order_relaxed);
}

det_ctx det_ctx_from_pcs(const uintptr_t *pcs, size_t n)
{
	det_ctx c = 0;
	while (n-- > 0)
		c = det__ctx_intern(c, pcs[n]);
	return c;
}

size_t det_ctx_pcs(det_ctx ctx, uintptr_t *pcs, size_t max)
{
	size_t k = 0;
	/* A node's fields were published before its id could be seen. */
	while (ctx != 0 && k < max) {
		pcs[k++] = node_pc[ctx];
		ctx = node_parent[ctx];
	}
	return k;
}

/* ---- shadow call stacks ----------------------------------------------- */

/* A thread keeps at most this many setjmp points (det_setjmp, below); a
 * new one pushes out the oldest (a longjmp to that one then leaves the
 * stack as it is). Points whose frames have returned go sooner
 * (jmps_keep_from). The table is freed with the stack. */
#define DET_MAX_JMPS 64
#define DET_JMPS_BYTES (DET_MAX_JMPS * sizeof(struct det_jmp))

/* Function entry runs in signal handlers too, which may have interrupted
 * malloc, or this thread's own entry or exit. So a stack never grows with
 * malloc: the first array (DET_STACK_FIRST frames) comes with the thread,
 * and a deeper stack moves into a mapping of its own (mmap is
 * async-signal-safe). The arrays it moved from stay until the thread's
 * stack goes: an entry interrupted between loading t->stack and storing
 * its frame still writes memory of ours (that one frame is then wrong).
 * A handler that interrupts a growth cannot grow the stack itself: its
 * frames beyond the end are only counted (t->lost), and its reports show
 * the stack up to there. */
#define DET_STACK_FIRST 64
#define DET_STACK_MAX (1u << 26) /* frames; a deeper program overflows first */

bool det__stack_init(det_thread *t)
{
	t->stack = t->stack_first = det_malloc(DET_STACK_FIRST * sizeof *t->stack);
	t->stack_cap = t->stack != NULL ? DET_STACK_FIRST : 0;
	return t->stack != NULL;
}

void det__stack_free(det_thread *t)
{
	while (t->maps != NULL) {
		struct det_stack_map *m = t->maps;
		t->maps = m->prev;
		munmap(m, m->bytes);
	}
	det_free_mem(t->stack_first);
	t->stack = t->stack_first = NULL;
	t->depth = t->stack_cap = t->lost = 0;
	if (t->jmps != NULL)
		munmap(t->jmps, DET_JMPS_BYTES);
	t->jmps = NULL;
	t->njmps = 0;
}

/* Moves t's stack into a mapping twice its size; false when it cannot
 * (inside another growth on this thread, frames already lost, out of
 * memory). A handler that interrupted the caller between its test and
 * setting t->growing may have grown it already: then nothing to do. */
static __attribute__((noinline, cold)) bool stack_grow(det_thread *t)
{
	if (t->growing || t->lost != 0)
		return false;
	t->growing = true;
	atomic_signal_fence(memory_order_seq_cst);
	bool ok = t->depth < t->stack_cap;
	uint64_t want = t->stack_cap * 2ull;
	if (!ok && want <= DET_STACK_MAX) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		size_t bytes = sizeof(struct det_stack_map) + want * sizeof(struct det_frame_slot);
		bytes = (bytes + page - 1) / page * page;
		struct det_stack_map *m = det__map(bytes);
		if (m != NULL) {
			m->prev = t->maps;
			m->bytes = bytes;
			/* field by field, not memcpy (nor a struct copy, which an
			 * unoptimized build makes one): the runtime intercepts
			 * memcpy, and would record the copy as the program's */
			const volatile struct det_frame_slot *from = t->stack;
			for (uint32_t i = 0; i < t->depth; i++) {
				m->frames[i].pc = from[i].pc;
				m->frames[i].ctx = from[i].ctx;
			}
			t->maps = m;
			atomic_signal_fence(memory_order_seq_cst);
			t->stack = m->frames;
			atomic_signal_fence(memory_order_seq_cst);
			t->stack_cap = (uint32_t)((bytes - sizeof *m) / sizeof *m->frames);
			ok = true;
		}
	}
	atomic_signal_fence(memory_order_seq_cst);
	t->growing = false;
	return ok;
}

void det_func_entry(det_thread *t, uintptr_t pc)
{
	uint32_t d = t->depth;
	if (DET_UNLIKELY(d >= t->stack_cap) && !stack_grow(t)) {
		t->lost++;
		return;
	}
	t->stack[d].pc = pc;
	t->stack[d].ctx = 0;
	t->depth = d + 1;
	det__ctx_memo_clear(t);
}

void det_func_exit(det_thread *t)
{
	/* An unbalanced exit (longjmp out of instrumented code, a thread that
	 * started mid-stack) must not underflow. */
	if (DET_UNLIKELY(t->lost != 0))
		t->lost--;
	else if (DET_LIKELY(t->depth > 0))
		t->depth--;
	det__ctx_memo_clear(t);
}

/* ---- setjmp and longjmp ----------------------------------------------- */

/* Keeps only the points of frames at or above sp: the stack grows down,
 * so a point with a lower stack pointer was made in a frame that has
 * since returned (or been jumped out of), and its buffer is dead. */
static void jmps_keep_from(det_thread *t, uintptr_t sp)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < t->njmps; i++)
		if (t->jmps[i].sp >= sp)
			t->jmps[k++] = t->jmps[i];
	t->njmps = k;
}

/* Removes point i, keeping the order of the others. */
static void jmps_remove(det_thread *t, uint32_t i)
{
	memmove(&t->jmps[i], &t->jmps[i + 1], (t->njmps - i - 1) * sizeof *t->jmps);
	t->njmps--;
}

void det_setjmp(det_thread *t, uintptr_t env, uintptr_t sp)
{
	jmps_keep_from(t, sp);
	/* a longjmp returns to the last setjmp of its buffer */
	for (uint32_t i = 0; i < t->njmps; i++)
		if (t->jmps[i].env == env) {
			jmps_remove(t, i);
			break;
		}
	if (t->jmps == NULL) {
		/* mapped, not malloc'd: setjmp may run in a signal handler */
		t->jmps = det__map(DET_JMPS_BYTES);
		if (t->jmps == NULL)
			return;
	}
	if (t->njmps == DET_MAX_JMPS)
		jmps_remove(t, 0);
	t->jmps[t->njmps++] = (struct det_jmp){ env, sp, t->depth, t->lost };
}

void det_longjmp(det_thread *t, uintptr_t env)
{
	for (uint32_t i = t->njmps; i-- > 0;)
		if (t->jmps[i].env == env) {
			struct det_jmp j = t->jmps[i];
			/* never deeper: frames cannot be re-entered by a jump */
			if (j.depth < t->depth) {
				t->depth = j.depth;
				t->lost = j.lost;
				det__ctx_memo_clear(t);
			} else if (j.depth == t->depth && j.lost < t->lost) {
				t->lost = j.lost;
			}
			/* the frames below the setjmp's are gone */
			jmps_keep_from(t, j.sp);
			return;
		}
}

/* The context of t's top frame, filling in the frames entered since the
 * last one whose context is known: interning their nodes (intern), or only
 * finding them, without a lock (then 0 when one is not interned yet; the
 * frames found so far keep their contexts). 0 also at depth 0, and
 * interning gives a frame its parent's context when the table is full. */
static det_ctx frames_ctx(det_thread *t, bool intern)
{
	uint32_t i = t->depth;
	while (i > 0 && t->stack[i - 1].ctx == 0)
		i--;
	det_ctx c = i > 0 ? t->stack[i - 1].ctx : 0;
	for (; i < t->depth; i++) {
		c = intern ? det__ctx_intern(c, t->stack[i].pc) : det__ctx_find(c, t->stack[i].pc);
		if (c == 0 && !intern)
			return 0;
		t->stack[i].ctx = c;
	}
	return c;
}

static det_ctx top_ctx(det_thread *t)
{
	return frames_ctx(t, true);
}

det_ctx det__ctx_top_known(det_thread *t)
{
	return frames_ctx(t, false);
}

det_ctx det__ctx_leaf_miss(det_thread *t, det_ctx top, uintptr_t pc)
{
	det_ctx leaf = det__ctx_intern(top, pc);
	uint32_t k = det__ctx_cache_index(top, pc);
	t->ctx_cache[k].top = top;
	t->ctx_cache[k].pc = pc;
	t->ctx_cache[k].leaf = leaf;
	return leaf;
}

det_ctx det_ctx_current(det_thread *t, uintptr_t leaf_pc)
{
	det_ctx top = top_ctx(t);
	if (leaf_pc == 0)
		return top;
	det_ctx leaf = det__ctx_cached(t, top, leaf_pc);
	return leaf != 0 ? leaf : det__ctx_leaf_miss(t, top, leaf_pc);
}

void det__ctx_fork_child(void)
{
	det__lock_reset(&insert_lock);
	det__lock_reset(&init_lock);
}
