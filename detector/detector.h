/*
 * detector.h — the analysis core's event API (libgocdet, a static library).
 *
 * The detector knows nothing about interposition: the preload runtime
 * (interpose/) and the unit tests feed it events. Everything here may be
 * called from any thread, concurrently, unless a function says otherwise.
 *
 * Model. A det_thread is one logical thread of execution: a pthread or a
 * goroutine. Each has a vector clock (indexed by *slot*, see clock.c) and a
 * shadow call stack. The caller tells the detector which det_thread runs on
 * the calling OS thread (det_thread_enter/det_thread_switch), and passes the
 * det_thread explicitly to every event, so a goroutine moving between worker
 * threads is just a switch.
 *
 * Happens-before: the sync operations below (acquire/release on an address)
 * are ThreadSanitizer's and Go's race annotations, with their clock meaning
 * (DESIGN.md "Happens-before edges"). Memory accesses are checked against
 * shadow memory (shadow.c, access.c): a race is two accesses to overlapping
 * bytes, from different det_threads, at least one a write, not both atomic,
 * and neither happening before the other.
 *
 * Reports. A finding is decided under the detector's locks and handed to
 * report.c, which renders it (Go's text layout and one JSON line, schema 1,
 * docs/report-schema.md) after the locks are dropped, through the sinks and
 * symbolizer in det_config. The same race (by fingerprint) is reported once.
 */
#ifndef GOC_DETECTOR_H
#define GOC_DETECTOR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct det_thread det_thread;

/* A calling context: an interned stack (root ... leaf pc). 0 is "none". */
typedef uint32_t det_ctx;

/* ---- configuration ---------------------------------------------------- */

/* One frame, symbolized. Strings are owned by the symbolizer and must stay
 * valid for the life of the process (it caches them). */
typedef struct det_frame {
	uintptr_t pc;
	const char *func;   /* NULL if unknown */
	const char *file;   /* NULL if unknown */
	int line;           /* 0 if unknown */
	const char *module; /* NULL if unknown */
	uintptr_t module_off;
	uintptr_t func_off; /* pc - function start (0 if unknown) */
	bool hidden;        /* runtime plumbing: left out of reports */
} det_frame;

typedef struct det_config {
	/* Where reports go: text (Go's layout) to text_fd, JSON lines to
	 * json_fd; -1 disables a sink. */
	int text_fd;
	int json_fd;
	/* Symbolize pc (is_return_address: the instruction is the one before
	 * pc, so look up pc - 1; false: pc itself) into f[max], innermost
	 * first: several frames when the code at pc was inlined (each with
	 * pc). Returns how many (0: unknown). May be NULL (frames print as
	 * addresses). */
	size_t (*symbolize)(uintptr_t pc, bool is_return_address, det_frame *f, size_t max);
	/* Describe a global at addr: its name, start and size. May be NULL. */
	bool (*describe_global)(uintptr_t addr, const char **name, uintptr_t *start,
	                        size_t *size, const char **module);
	/* Describe a file descriptor's word at addr (memory of the embedder's
	 * that stands for descriptor *fd: a use reads it, a close writes it),
	 * and where the descriptor was made. May be NULL. */
	bool (*describe_fd)(uintptr_t addr, int *fd, det_ctx *made_at);
	/* Called once per reported finding, after it was written (for
	 * halt_on_error; counting). May be NULL. */
	void (*on_report)(const char *kind);
	/* Suppression check: true drops the finding. Frames are of the two
	 * access stacks and the creation stacks. May be NULL. */
	bool (*suppressed)(const char *kind, const det_frame *const *stacks,
	                   const size_t *depths, size_t nstacks, const char *global_name);
	/* Expected races (TSan's AnnotateBenignRace): true drops a race whose
	 * two accesses span [addr, addr + size) and overlap a range the
	 * program declared benign. Asked before the race is deduplicated (an
	 * address-based verdict must not hide another race of the same code),
	 * every time one is found; a dropped race counts as suppressed once
	 * per pair of calling contexts (det_stats). May be NULL. */
	bool (*expected)(uintptr_t addr, size_t size);
	/* External-object tags (TSan's __tsan_external_*): true when pc is
	 * not code but a tag the embedder pushed on the shadow stack under a
	 * library's access of one of its objects, with the tag's object type
	 * and report header. Such a frame is left out of the stack and makes
	 * the race a race on that type; a heap block given the tag
	 * (det_heap_tag) is described as one. May be NULL. */
	bool (*external_tag)(uintptr_t pc, const char **type, const char **header);
	const char *strip_path_prefix; /* removed from file names in reports */
	bool report_atomic_races;      /* atomic vs plain races (default true) */
	int pid;
} det_config;

/* det_init sets the configuration; call once, before any other call. */
void det_init(const det_config *cfg);
/* The text report sink from now on (a fork child's own log file). */
void det_set_text_fd(int fd);

/* ---- threads and goroutines ------------------------------------------- */

typedef enum det_thread_kind {
	DET_KIND_THREAD = 1,    /* a pthread; id is its T-number (main thread is 0) */
	DET_KIND_GOROUTINE = 2, /* a goroutine; id is its goc id */
} det_thread_kind;

/* det_thread_create: a new det_thread whose first event happens after
 * everything parent has done so far (parent NULL: the process's first
 * thread). created_at is the creator's stack at the creation call. The
 * parent's clock is incremented (its later work does not happen before the
 * child's start). */
det_thread *det_thread_create(det_thread *parent, det_thread_kind kind, int64_t id,
                              det_ctx created_at);

/* det_thread_start: t begins running on the calling OS thread; [stack_lo,
 * stack_lo + stack_size) is its stack, whose old shadow is forgotten (a
 * reused stack must not race with its previous owner). */
void det_thread_start(det_thread *t, uintptr_t stack_lo, size_t stack_size);

/* det_thread_finish: t has returned. Its clock is kept for joiners. */
void det_thread_finish(det_thread *t);

/* det_thread_join: everything t did happens before joiner's next event
 * (pthread_join, or any "wait for exit" edge). */
void det_thread_join(det_thread *joiner, det_thread *t);

/* det_thread_release_ref: the caller will not name t again (joined or
 * detached and finished). The detector frees it when no report needs it. */
void det_thread_release_ref(det_thread *t);

/* What the inline "seen" test (det_access_seen_inline, below) reads of a
 * thread. A det_thread begins with these fields, which the detector keeps
 * true: the slot and epoch bits its accesses are remembered with, and the
 * two shadow leaves (a leaf shadows 64 KiB of memory, 4 cells of 8 bytes
 * per 8 bytes, cell-major) det_access_seen last looked up, most recent
 * first: two, because a loop over an array usually also reads a struct
 * elsewhere on every round. internal.h has the cell layout; access.c
 * asserts it matches. */
typedef struct det_thread_hot {
	uint64_t cell_id;                /* slot << 11 | epoch << 24 */
	uint64_t leaf_key[2];            /* (addr >> 16) + 1 of each leaf; 0: none */
	_Atomic uint64_t *leaf[2];       /* its first cell */
} det_thread_hot;

/* The det_thread running on the calling OS thread (thread-local), or NULL;
 * and setting it (a worker switching goroutines). Inline: every
 * instrumented access asks. Beside it, one word the program that embeds
 * the detector keeps for itself (the preload runtime: its ignore counts),
 * so that a hook finds both at one thread-local address; and a copy of
 * the current thread's hot fields, which the detector keeps equal to
 * them (all zero with no current thread): the inline seen test then
 * finds them at a thread-local address too, one load sooner than through
 * the det_thread. (initial-exec: the detector is linked into the program
 * or into a library loaded at start-up, never dlopen'd.) */
typedef struct det_tls {
	det_thread *current;
	int host;
	det_thread_hot hot;
} det_tls;
extern __thread det_tls det__tls __attribute__((tls_model("initial-exec"), visibility("hidden")));
static inline det_thread *det_current(void)
{
	return det__tls.current;
}
/* Around a signal handler that runs on the calling thread in the middle
 * of instrumented code (whose hooks take no guard): the caches that code
 * updates without one (the current thread's leaves and their
 * thread-local copy, the level-1 cache, the context memo) are saved, and
 * put back after the handler, so that an update the handler's own
 * accesses made in the middle of another's leaves no key with another's
 * value. Only caches: what the handler did (a release's new epoch)
 * stays. Call both under the embedder's guard: they copy memory. */
typedef struct det_signal_state {
	uint64_t words[48];
} det_signal_state;
void det_signal_enter(det_signal_state *s);
void det_signal_exit(const det_signal_state *s);

/* t (or NULL) becomes the calling OS thread's current thread (should t
 * still be another's, that one's copy of its hot fields stops following
 * them). An OS thread that ends sets NULL first: the
 * thread-local copy of its current thread's hot fields goes with it.
 * Not while a signal handler could run on the thread (under the
 * embedder's guard, or with signals blocked): one that ran in the middle
 * would find the current thread and the copy apart. */
void det_set_current(det_thread *t);

det_thread_kind det_thread_kind_of(const det_thread *t);
int64_t det_thread_id(const det_thread *t);
void det_thread_set_name(det_thread *t, const char *name);
/* The slot t's clock entry lives in (clock.c), for diagnostics and tests;
 * UINT32_MAX when t holds none. */
uint32_t det_thread_slot(const det_thread *t);

/* ---- call stacks ------------------------------------------------------ */

/* Shadow call stack of instrumented code (__tsan_func_entry/exit): pc is the
 * return address into the caller. */
void det_func_entry(det_thread *t, uintptr_t pc);
void det_func_exit(det_thread *t);
/* setjmp(env) by t, whose stack pointer (the caller's, after the call)
 * is sp: a later longjmp(env) leaves the frames entered since without
 * their exits, and det_longjmp then cuts t's shadow stack back to the
 * depth it has now. */
void det_setjmp(det_thread *t, uintptr_t env, uintptr_t sp);
/* longjmp(env) by t: its shadow stack as at the last det_setjmp of env,
 * if t made one whose frame is still live; else unchanged. */
void det_longjmp(det_thread *t, uintptr_t env);

/* det_ctx_current: the context of t's shadow stack plus a leaf pc (0: none). */
det_ctx det_ctx_current(det_thread *t, uintptr_t leaf_pc);
/* det_ctx_from_pcs: intern a stack given leaf-first (as unwinders produce). */
det_ctx det_ctx_from_pcs(const uintptr_t *pcs, size_t n);
/* det_ctx_pcs: the stack of ctx, leaf first, into pcs[max]; returns depth. */
size_t det_ctx_pcs(det_ctx ctx, uintptr_t *pcs, size_t max);

/* ---- memory accesses -------------------------------------------------- */

enum {
	DET_READ = 0,
	DET_WRITE = 1u << 0,
	DET_ATOMIC = 1u << 1,
	DET_FREE = 1u << 2, /* a free's write over the block */
	DET_VPTR = 1u << 3, /* a C++ object's vptr (__tsan_vptr_*): the report's title says so */
};

/* A plain or atomic access of size bytes (any size, any alignment) at addr
 * by t, at instruction pc (the access itself, not a return address). */
void det_access(det_thread *t, uintptr_t addr, size_t size, uintptr_t pc, unsigned flags);
/* det_access's fast path, for an access that stays inside one 8-byte
 * granule: true when t's shadow already remembers this very access (same
 * epoch, bytes and kind), so det_access would do nothing. Never reports,
 * allocates or calls out, so it may run without any guard against
 * reentry; false means "call det_access" (and is always a safe answer). */
bool det_access_seen(det_thread *t, uintptr_t addr, size_t size, unsigned flags);
/* det_access for an access whose shadow cells det_access_seen_inline found
 * (it saves the lookup): inside one 8-byte granule, or 16 bytes aligned. */
void det_access_granule(det_thread *t, _Atomic uint64_t *cells, uintptr_t addr, size_t size,
                        uintptr_t pc, unsigned flags);

/* A fixed-size access as det_access_quick takes it: size in bits 0-7,
 * flags in 8-15; the bits above are the caller's. */
#define DET_HOW(size, flags) ((unsigned)(size) | (unsigned)(flags) << 8)
#define DET_HOW_SIZE(how) ((size_t)((how) & 0xff))
#define DET_HOW_FLAGS(how) (((unsigned)(how) >> 8) & 0xff)

typedef void (*det_access_fallback)(det_thread *t, uintptr_t addr, uintptr_t pc, unsigned how,
                                    _Atomic uint64_t *cells);

/* The usual case of det_access_granule, for the hooks of instrumented
 * code: an access with nothing it could race with and a cell to remember
 * it in, whose calling context the thread has cached. It takes no lock,
 * allocates nothing, reports nothing and calls nothing but fallback and,
 * for a frame entered since the last access, the lock-free lookup of its
 * context (then it tries once more), so it needs no reentry guard. When
 * it cannot decide alone (a possible race, every cell taken, a context to
 * intern) it calls fallback with its own arguments, last, which should
 * then call det_access_granule; the access may by then be remembered in
 * one granule of the two, which the full check finds and keeps. cells:
 * addr's, as det_access_seen_inline gives them; flags: no DET_FREE. */
typedef void det_access_quick_fn(det_thread *t, uintptr_t addr, uintptr_t pc, unsigned how,
                                 _Atomic uint64_t *cells, det_access_fallback fallback);
det_access_quick_fn det_access_quick;

/* det_access_quick for a plain read or write of N bytes, how being
 * DET_HOW(N, DET_READ or DET_WRITE): the same check with the size and
 * kind compiled in, which is worth a dozen instructions an access. */
#define DET_DECLARE_QUICK(N) det_access_quick_fn det_read##N##_quick, det_write##N##_quick;
DET_DECLARE_QUICK(1)
DET_DECLARE_QUICK(2)
DET_DECLARE_QUICK(4)
DET_DECLARE_QUICK(8)
DET_DECLARE_QUICK(16)
#undef DET_DECLARE_QUICK

/* The quick check for an access of size bytes with flags: its fixed-size
 * twin when there is one, else det_access_quick. Constant arguments fold
 * to one function. */
static inline det_access_quick_fn *det_access_quick_for(size_t size, unsigned flags)
{
#define DET_PICK(N)                                                                \
	case N:                                                                        \
		return flags == DET_READ ? det_read##N##_quick : det_write##N##_quick;
	if (flags == DET_READ || flags == DET_WRITE) {
		switch (size) {
		DET_PICK(1)
		DET_PICK(2)
		DET_PICK(4)
		DET_PICK(8)
		DET_PICK(16)
		}
	}
#undef DET_PICK
	return det_access_quick;
}

/* Each det_thread also keeps DET_HOST_BYTES, zeroed at creation, for the
 * program that embeds the detector: state of a goroutine's or fiber's own
 * that must move with it between OS threads (the preload runtime's thread
 * fences). Right after det_thread_hot, so that it is found inline. */
#define DET_HOST_BYTES 192
static inline void *det_thread_host(det_thread *t)
{
	return (char *)t + sizeof(det_thread_hot);
}

/* det_thread_hot.leaf_key of the leaf shadowing addr. */
static inline uint64_t det_hot_leaf_key(uintptr_t addr)
{
	return ((uint64_t)addr >> 16) + 1;
}

/* The "seen" check inline, for the hooks of instrumented code, where it
 * runs on nearly every access. 1: seen, det_access would do nothing; 0:
 * not seen, call det_access (or, when *cells was set, det_access_granule
 * with them); -1: neither leaf holds addr, so ask det_access_seen, which
 * also makes addr's leaf the first. It reads the thread-local copy of t's
 * hot fields when t is the current thread (a hook's t is; the compiler
 * then drops the test), else t's own: one load sooner. */
static inline int det_access_seen_inline(const det_thread *t, uintptr_t addr, size_t size,
                                         unsigned flags, _Atomic uint64_t **cells_out)
{
	const det_thread_hot *h = t == det__tls.current ? &det__tls.hot
	                                                 : (const det_thread_hot *)t;
	uint64_t key = det_hot_leaf_key(addr);
	unsigned off = (unsigned)(addr & 7);
	_Atomic uint64_t *leaf;
	*cells_out = NULL;
	/* expected: the hit path then falls through, with no jump taken */
	if (__builtin_expect(key == h->leaf_key[0], 1))
		leaf = h->leaf[0];
	else if (key == h->leaf_key[1])
		leaf = h->leaf[1];
	else
		return -1;
	/* one granule, or two whole ones (an aligned 16-byte access: both
	 * in the leaf, which is 16-byte aligned) */
	unsigned granules = size == 16 && (addr & 15) == 0 ? 2 : 1;
	if (__builtin_expect(granules == 1 && off + size > 8, 0))
		return 0;
	/* the leaf is cell-major: cell k of a granule is 8200 cells (a
	 * plane: 64 KiB and a cache line) after cell k - 1, and the next
	 * granule's is the next cell (internal.h's DET_PLANE) */
	_Atomic uint64_t *cells = leaf + (addr & 0xffff) / 8;
	*cells_out = cells;
	/* a read is also seen in the thread's write of the same bytes at the
	 * same epoch (whatever races with the read races with the write):
	 * the read bit is set in each cell before comparing, as TSan does;
	 * and an access in one of the same kind and epoch that covers its
	 * bytes: a cell's bytes beyond the access's are not compared */
	uint64_t read = (flags & DET_WRITE) ? 0 : 1ull << 8;
	uint64_t bytes = granules == 2 ? 0xff : ((1ull << size) - 1) << off;
	uint64_t want = h->cell_id | bytes | read | ((flags & DET_ATOMIC) ? 1ull << 9 : 0);
	uint64_t compared = ~(0xff & ~bytes); /* all ones for 8 bytes */
	for (unsigned g = 0; g < granules; g++) {
		/* one cell at a time: the hook then keeps no registers; a cell
		 * matches when all but its calling context (the top 20 bits)
		 * does, which a shift tests without a 64-bit mask constant */
		_Atomic uint64_t *c = cells + g;
		int k = 0;
		while (k < 4) {
			uint64_t v = atomic_load_explicit(&c[(size_t)k * 8200], memory_order_relaxed);
			if (__builtin_expect((((v | read) ^ want) & compared) << 20 == 0, 1))
				break;
			k++;
		}
		if (k == 4)
			return 0;
	}
	return 1;
}

/* ---- synchronisation (clock operations on the object at addr) ---------- */

void det_acquire(det_thread *t, uintptr_t addr);         /* t ⊔= S */
void det_release(det_thread *t, uintptr_t addr);         /* S := t */
void det_release_merge(det_thread *t, uintptr_t addr);   /* S ⊔= t */
void det_release_acquire(det_thread *t, uintptr_t addr); /* swap-like (Go's) */
/* t acquires every thread's current clock (the child side of fork: all the
 * parent did happens before the child's first event). Only valid when no
 * other thread runs (it reads their clocks). */
void det_acquire_global(det_thread *t);
/* In a fork child, before any other call: every detector lock is released
 * (a thread that held one in the parent does not exist in the child), then
 * t acquires everything the parent's threads did (det_acquire_global). */
void det_fork_child(det_thread *t);
/* The object at addr is gone (destroyed, or its memory freed). */
void det_sync_forget(uintptr_t addr, size_t size);

/* ---- heap ------------------------------------------------------------- */

/* A block [addr, addr + size) was allocated by t at ctx: its shadow starts
 * fresh and reports about it name the allocation. */
void det_alloc(det_thread *t, uintptr_t addr, size_t size, det_ctx ctx);
/* The heap block that contains addr holds an object of tag's type
 * (det_config.external_tag); reports describe it so. False if no block
 * does. */
bool det_heap_tag(uintptr_t addr, uintptr_t tag);
/* The block at addr is being freed by t (at pc): when write, this is a
 * write over the whole block (use vs free races), else (t ignores its
 * accesses) the block's shadow is only forgotten; then its sync objects
 * are. Returns the block's size, 0 if addr is not a known block. */
size_t det_free(det_thread *t, uintptr_t addr, uintptr_t pc, bool write);
/* Forget shadow for a range without checking (stack reuse, munmap). */
void det_reset_range(uintptr_t addr, size_t size);

/* ---- results ---------------------------------------------------------- */

typedef struct det_stats {
	uint64_t races_reported;
	uint64_t races_suppressed;
	uint64_t races_duplicate;
	uint64_t threads_created;
	uint64_t slots_in_use;
	uint64_t slots_created;  /* distinct slots ever used: the clocks' length */
	uint64_t shadow_bytes;   /* mapped shadow */
	uint64_t contexts;       /* interned calling contexts */
	uint64_t contexts_truncated; /* stacks cut short: the context table was full */
} det_stats;

void det_read_stats(det_stats *s);
/* Findings reported so far (all kinds). */
uint64_t det_findings(void);

#ifdef __cplusplus
}
#endif

#endif /* GOC_DETECTOR_H */
