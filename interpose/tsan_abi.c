/*
 * tsan_abi.c — the ThreadSanitizer instrumentation ABI (tsan-abi.md §1):
 * what clang 14 and clang 19 emit into a program built with
 * -fsanitize=thread, turned into detector events.
 *
 *   __tsan_func_entry/exit          the thread's shadow call stack
 *   __tsan_{read,write}N, unaligned, _pc, range, vptr
 *                                    det_access at the caller's pc
 *   __tsan_atomicN_*                 the operation itself, with the order
 *                                    asked for (tsan_atomics.h), plus an
 *                                    atomic access and the clock edges of
 *                                    tsan-abi.md §1.9: a release store is a
 *                                    release (S := t), a release RMW a
 *                                    release-merge (S ⊔= t), both before the
 *                                    operation; an acquire load or RMW
 *                                    acquires after it; thread fences
 *                                    (below, "Thread fences")
 *   __tsan_mem{cpy,move,set}         (clang 19) range accesses, via libc.c
 *   __tsan_acquire/__tsan_release   the public annotations (§2.1)
 *
 * Every hook follows internal.h: gocrace_thr() NULL means pass through;
 * calls into the detector run with gocrace_ignore raised, except the
 * fixed-size accesses' (atomics' too) quick check (det_access_quick and
 * its fixed-size twins, det_access_seen_inline, det_access_seen), which
 * needs no guard: most accesses end there. The access pc is
 * the hook's return address: the instruction after the call in the
 * program, which the report path symbolizes as pc - 1.
 *
 * Not modelled: atomics clang leaves uninstrumented (min/max,
 * floating-point RMW).
 */
#include "internal.h"
#include "tsan_atomics.h"

__attribute__((noinline)) void gocrace_access_small_slow(det_thread *t, uintptr_t addr,
                                                         uintptr_t pc, unsigned how,
                                                         _Atomic uint64_t *cells)
{
	size_t size = DET_HOW_SIZE(how);
	unsigned flags = DET_HOW_FLAGS(how);
	if ((how & GOCRACE_SLOW_ASK) && det_access_seen(t, addr, size, flags))
		return;
	gocrace_guard();
	if (cells != NULL)
		det_access_granule(t, cells, addr, size, pc, flags);
	else
		det_access(t, addr, size, pc, flags);
	gocrace_unguard();
}

/* A part of a split access (gocrace_access_split) carries, above DET_HOW,
 * where it starts in the whole access and the whole's size, so that the
 * quick check's fallback can run the full check on the whole access:
 * a race is then reported with the access the program made. */
#define SPLIT_OFF_SHIFT 17 /* 3 bits: 1 to 7 */
#define SPLIT_SIZE_SHIFT 20 /* 4 bits: 2 to 8 */

/* The quick check of a part could not decide: the whole access, from
 * scratch (a part already remembered is found and kept). */
static void split_slow(det_thread *t, uintptr_t part, uintptr_t pc, unsigned how,
                       _Atomic uint64_t *cells)
{
	(void)cells;
	uintptr_t addr = part - ((how >> SPLIT_OFF_SHIFT) & 7);
	size_t size = (how >> SPLIT_SIZE_SHIFT) & 15;
	gocrace_guard();
	det_access(t, addr, size, pc, DET_HOW_FLAGS(how));
	gocrace_unguard();
}

__attribute__((noinline)) void gocrace_access_split(det_thread *t, uintptr_t addr, uintptr_t pc,
                                                    unsigned how)
{
	size_t size = DET_HOW_SIZE(how);
	unsigned flags = DET_HOW_FLAGS(how);
	uintptr_t mid = (addr | 7) + 1;
	for (int i = 0; i < 2; i++) {
		uintptr_t part = i == 0 ? addr : mid;
		size_t n = i == 0 ? mid - addr : addr + size - mid;
		_Atomic uint64_t *cells;
		int seen = det_access_seen_inline(t, part, n, flags, &cells);
		if (seen > 0)
			continue;
		if (cells == NULL) { /* a leaf not in the thread's cache */
			gocrace_access_small_slow(t, addr, pc, how | GOCRACE_SLOW_ASK, NULL);
			return;
		}
		unsigned whole = (unsigned)(part - addr) << SPLIT_OFF_SHIFT |
		                 (unsigned)size << SPLIT_SIZE_SHIFT;
		/* returns after the fallback too, which then remembered both
		 * parts: the second one is seen */
		det_access_quick(t, part, pc, DET_HOW(n, flags) | whole, cells, split_slow);
	}
}

/* An access by a thread without a det_thread: before init (ignored), or
 * the thread's first (the check after gocrace_thr_slow). Out of line, as
 * gocrace_access_small_slow. */
static __attribute__((noinline, cold)) void access_small_first(const void *addr, size_t size,
                                                              uintptr_t pc, unsigned flags)
{
	if (!gocrace_ready)
		return;
	det_thread *t = gocrace_thr_slow();
	if (t != NULL)
		gocrace_check_small(t, addr, size, pc, flags);
}

/* The calling thread's fixed-size access, at pc: gocrace_thr(), with the
 * thread's first access out of line (so the hook makes no call that
 * returns to it). One test of gocrace_ignore covers the guard and the
 * access-ignore regions. gocrace_ready needs no test here: a thread has a
 * det_thread only once init is done, or inside init, under its guard. */
static inline __attribute__((always_inline)) void access_small(const void *addr, size_t size,
                                                               uintptr_t pc, unsigned flags)
{
	if (GOCRACE_UNLIKELY(gocrace_ignore != 0))
		return;
	det_thread *t = det_current();
	if (GOCRACE_LIKELY(t != NULL))
		gocrace_check_small(t, addr, size, pc, flags);
	else
		access_small_first(addr, size, pc, flags);
}

/* The calling thread's access of any size (the range hooks), at pc. */
static inline __attribute__((always_inline)) void access_range(const void *addr, size_t size,
                                                               uintptr_t pc, unsigned flags)
{
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_access(t, addr, size, pc, flags);
}

/* ---- call stack ------------------------------------------------------- */

GOCRACE_EXPORT void __tsan_func_entry(void *call_pc)
{
	det_thread *t = gocrace_stack_thr();
	if (GOCRACE_LIKELY(t != NULL))
		det_func_entry(t, (uintptr_t)call_pc);
}

GOCRACE_EXPORT void __tsan_func_exit(void)
{
	det_thread *t = gocrace_stack_thr();
	if (GOCRACE_LIKELY(t != NULL))
		det_func_exit(t);
}

/* An access-ignore region, as AnnotateIgnoreReads/WritesBegin/End. */
GOCRACE_EXPORT void __tsan_ignore_thread_begin(void)
{
	gocrace_region_begin();
}

GOCRACE_EXPORT void __tsan_ignore_thread_end(void)
{
	gocrace_region_end();
}

/* ---- plain accesses --------------------------------------------------- */

#define DEF_ACCESS(N)                                                         \
	GOCRACE_EXPORT void __tsan_read##N(void *a)                               \
	{                                                                         \
		access_small(a, N, GOCRACE_CALLER_PC(), DET_READ);                    \
	}                                                                         \
	GOCRACE_EXPORT void __tsan_write##N(void *a)                              \
	{                                                                         \
		access_small(a, N, GOCRACE_CALLER_PC(), DET_WRITE);                   \
	}                                                                         \
	GOCRACE_EXPORT void __tsan_read##N##_pc(void *a, void *pc)                \
	{                                                                         \
		access_small(a, N, (uintptr_t)pc, DET_READ);                          \
	}                                                                         \
	GOCRACE_EXPORT void __tsan_write##N##_pc(void *a, void *pc)               \
	{                                                                         \
		access_small(a, N, (uintptr_t)pc, DET_WRITE);                         \
	}

DEF_ACCESS(1)
DEF_ACCESS(2)
DEF_ACCESS(4)
DEF_ACCESS(8)
DEF_ACCESS(16)

/* An unaligned hook's access. One across two granules (of at most 8
 * bytes) runs both parts' seen tests inline first: a loop over unaligned
 * words whose bytes the thread's cells cover ends there, without the
 * split check's call (a word at a fixed odd offset took twice the time
 * of an aligned one). The rest is access_small's. */
static inline __attribute__((always_inline)) void access_unaligned(const void *a, size_t size,
                                                                   uintptr_t pc, unsigned flags)
{
	uintptr_t addr = (uintptr_t)a;
	det_thread *t = det_current();
	if (size > 8 || (addr & 7) + size <= 8 || GOCRACE_UNLIKELY(t == NULL)) {
		access_small(a, size, pc, flags);
		return;
	}
	if (GOCRACE_UNLIKELY(gocrace_ignore != 0))
		return;
	uintptr_t mid = (addr | 7) + 1;
	_Atomic uint64_t *cells;
	if (det_access_seen_inline(t, addr, mid - addr, flags, &cells) > 0 &&
	    det_access_seen_inline(t, mid, addr + size - mid, flags, &cells) > 0)
		return;
	gocrace_access_split(t, addr, pc, DET_HOW(size, flags));
}

#define DEF_UNALIGNED(N)                                                      \
	GOCRACE_EXPORT void __tsan_unaligned_read##N(const void *a)               \
	{                                                                         \
		access_unaligned(a, N, GOCRACE_CALLER_PC(), DET_READ);                \
	}                                                                         \
	GOCRACE_EXPORT void __tsan_unaligned_write##N(void *a)                    \
	{                                                                         \
		access_unaligned(a, N, GOCRACE_CALLER_PC(), DET_WRITE);               \
	}

DEF_UNALIGNED(2)
DEF_UNALIGNED(4)
DEF_UNALIGNED(8)
DEF_UNALIGNED(16)

GOCRACE_EXPORT void __tsan_read_range(void *a, unsigned long size)
{
	access_range(a, size, GOCRACE_CALLER_PC(), DET_READ);
}

GOCRACE_EXPORT void __tsan_write_range(void *a, unsigned long size)
{
	access_range(a, size, GOCRACE_CALLER_PC(), DET_WRITE);
}

GOCRACE_EXPORT void __tsan_read_range_pc(void *a, unsigned long size, void *pc)
{
	access_range(a, size, (uintptr_t)pc, DET_READ);
}

GOCRACE_EXPORT void __tsan_write_range_pc(void *a, unsigned long size, void *pc)
{
	access_range(a, size, (uintptr_t)pc, DET_WRITE);
}

GOCRACE_EXPORT void __tsan_vptr_read(void **vptr_p)
{
	access_small(vptr_p, sizeof(void *), GOCRACE_CALLER_PC(), DET_READ | DET_VPTR);
}

GOCRACE_EXPORT void __tsan_vptr_update(void **vptr_p, void *new_val)
{
	/* Rewriting a vptr with the same value (constructors of a hierarchy)
	 * is not a write that can race. */
	if (*vptr_p != new_val)
		access_small(vptr_p, sizeof(void *), GOCRACE_CALLER_PC(), DET_WRITE | DET_VPTR);
}

/* ---- clang 19's memory intrinsics ------------------------------------- */

GOCRACE_EXPORT void *__tsan_memcpy(void *d, const void *s, unsigned long n)
{
	gocrace_memcpy_checked(d, s, n, GOCRACE_CALLER_PC());
	return d;
}

GOCRACE_EXPORT void *__tsan_memmove(void *d, const void *s, unsigned long n)
{
	gocrace_memmove_checked(d, s, n, GOCRACE_CALLER_PC());
	return d;
}

GOCRACE_EXPORT void *__tsan_memset(void *d, int c, unsigned long n)
{
	gocrace_memset_checked(d, c, n, GOCRACE_CALLER_PC());
	return d;
}

/* ---- atomics ---------------------------------------------------------- */

static inline bool mo_releases(int mo)
{
	mo &= 0x7fff;
	return mo == 3 || mo == 4 || mo == 5;
}

static inline bool mo_acquires(int mo)
{
	mo &= 0x7fff;
	return mo == 1 || mo == 2 || mo == 4 || mo == 5;
}

/* Thread fences (C11 7.17.4), on the state of the goroutine, fiber or
 * thread that made them (in its det_thread's host bytes: it moves with a
 * goroutine that a worker switches out, or that resumes on another):
 *  - after a release fence, every store or RMW of the thread, relaxed
 *    ones too, release-merges its clock into the atomic (the fence's
 *    edge to an acquire that reads it). The thread's clock at the store
 *    is at least the fence's: more order than C11's when the thread
 *    accessed memory in between, never less (no false race; such a race
 *    can go unseen);
 *  - the atomics a thread loads without acquiring (relaxed loads and
 *    RMWs) are remembered, the last FENCE_LOADS of them, until its next
 *    acquire fence, which acquires each (what a release on it before the
 *    fence published: again at least what the load read from).
 * A seq_cst or acq_rel fence is both. TSan 14 models neither: it reports
 * races that fences order. */
enum { FENCE_LOADS = 16 };
struct fence_state {
	bool released; /* a release fence is in force */
	unsigned nloaded; /* loads recorded; the last FENCE_LOADS kept */
	const volatile void *loaded[FENCE_LOADS];
	/* The atomic the last store after the fence released into, and the
	 * thread's slot and epoch just after (det_thread_hot.cell_id): a
	 * store to it again before the thread's epoch moves (a release of its
	 * own, or a new fence) has nothing new of the fence's to publish, and
	 * skips the merge (a loop of relaxed RMWs after one fence would
	 * otherwise merge on each: 4x the cost). The skip assumes no other
	 * thread's release store replaced the atomic's clock meanwhile. */
	const volatile void *last;
	uint64_t last_id;
};
_Static_assert(sizeof(struct fence_state) <= DET_HOST_BYTES, "the fence state fits the host bytes");

static inline struct fence_state *fences(det_thread *t)
{
	return det_thread_host(t);
}

/* A store or RMW of t to a after its release fence. */
static void fence_publish(det_thread *t, const volatile void *a)
{
	struct fence_state *f = fences(t);
	const det_thread_hot *h = (const det_thread_hot *)t;
	if (a == f->last && h->cell_id == f->last_id)
		return;
	gocrace_release_merge(t, a);
	f->last = a;
	f->last_id = h->cell_id;
}

/* t's load that did not acquire: its atomic, for t's next acquire fence. */
static inline void fence_remember(det_thread *t, const volatile void *a)
{
	struct fence_state *f = fences(t);
	unsigned n = f->nloaded;
	if (n != 0 && f->loaded[(n - 1) % FENCE_LOADS] == a)
		return; /* a spin on one flag takes one entry */
	f->loaded[n % FENCE_LOADS] = a;
	f->nloaded = n + 1;
}

static void atomic_fence(int mo)
{
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return;
	struct fence_state *f = fences(t);
	if (mo_acquires(mo)) {
		unsigned n = f->nloaded < FENCE_LOADS ? f->nloaded : FENCE_LOADS;
		for (unsigned i = 0; i < n; i++)
			gocrace_acquire(t, f->loaded[i]);
		f->nloaded = 0;
	}
	if (mo_releases(mo)) {
		f->released = true;
		f->last = NULL;
	}
}

/* The atomic access, then (a release store or RMW) the release, both
 * before the operation; returns the thread for atomic_after. */
static inline __attribute__((always_inline)) det_thread *atomic_before(const volatile void *a,
                                                                       size_t size, int kind,
                                                                       int mo, uintptr_t pc)
{
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return NULL;
	if (!gocrace_in_region())
		gocrace_check_small(t, a, size, pc, DET_ATOMIC | (kind == ATOMIC_LOAD ? DET_READ : DET_WRITE));
	if (kind != ATOMIC_LOAD && mo_releases(mo)) {
		if (kind == ATOMIC_STORE)
			gocrace_release(t, a);
		else
			gocrace_release_merge(t, a);
	} else if (kind != ATOMIC_LOAD && GOCRACE_UNLIKELY(fences(t)->released)) {
		fence_publish(t, a);
	}
	return t;
}

/* An acquire load or RMW acquires after the operation; another is
 * remembered for the next acquire fence. */
static inline __attribute__((always_inline)) void atomic_after(det_thread *t,
                                                               const volatile void *a,
                                                               int kind, int mo)
{
	if (t == NULL || kind == ATOMIC_STORE)
		return;
	if (mo_acquires(mo))
		gocrace_acquire(t, a);
	else
		fence_remember(t, a);
}

#define GOCRACE_ATOMIC_BEFORE(a, size, kind, mo) \
	det_thread *atomic_t_ = atomic_before((a), (size), (kind), (mo), GOCRACE_CALLER_PC())
#define GOCRACE_ATOMIC_AFTER(a, size, kind, mo) atomic_after(atomic_t_, (a), (kind), (mo))
#define GOCRACE_ATOMIC_FENCE(mo) atomic_fence(mo)

GOCRACE_DEFINE_ATOMICS

/* ---- annotations (sanitizer/tsan_interface.h) ------------------------- */

GOCRACE_EXPORT void __tsan_acquire(void *addr)
{
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_acquire(t, addr);
}

GOCRACE_EXPORT void __tsan_release(void *addr)
{
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_release_merge(t, addr);
}
