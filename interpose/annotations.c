/*
 * annotations.c — ThreadSanitizer's user annotation API (tsan-abi.md §2.2,
 * §2.4, §2.5; the list is tsan_annotations.h): what a program tells the
 * detector about synchronisation it cannot see, turned into detector
 * events with the meaning LLVM's runtime gives them
 * (compiler-rt/lib/tsan/rtl/tsan_interface_ann.cpp, tsan_rtl_mutex.cpp,
 * tsan_rtl_thread.cpp).
 *
 * Ignore regions, two kinds:
 *   __tsan_mutex_pre_X ... post_X        a mutex region (X: lock, unlock,
 *                                         signal): one count of the guard,
 *                                         gocrace_ignore (internal.h), held
 *                                         for the program; every hook passes
 *                                         through (the lock's own atomics
 *                                         are neither checked nor edges)
 *                                         but __tsan_func_entry/exit
 *   __tsan_mutex_pre_divert/post_divert   leave it and re-enter it
 *   AnnotateIgnore{Reads,Writes}Begin/End an access-ignore region (LLVM:
 *                                         one counter; also
 *                                         __tsan_ignore_thread_begin/end):
 *                                         GOCRACE_REGION, accesses are not
 *                                         checked, sync still counts
 *   AnnotateIgnoreSyncBegin/End           gocrace_ignore_sync: the clock
 *                                         helpers of internal.h, thread
 *                                         and fiber creation and join do
 *                                         nothing; accesses are checked
 * `mutex_regions` counts the mutex regions this OS thread holds, so an end
 * without a begin changes nothing and the runtime's own raise/lower pairs
 * nest inside; internal.h counts access-ignore regions the same way.
 *
 * Custom mutexes (§2.2), S(k) being the detector's clock at key k:
 *   post_lock, write   acquire S(m) and S(read key) when the lock is the
 *                      thread's first level (recursion 0 → rec); nothing
 *                      after a failed try-lock
 *   post_lock, read    acquire S(m)
 *   pre_unlock, write  when the last level goes (recursive_unlock: all of
 *                      them, whose count it returns): release S(m) := t
 *   pre_unlock, read   release-merge into S(read key)
 *   create / destroy   creation flags; destroy forgets both keys, unless
 *                      the mutex is linker-initialised (or was not created
 *                      not_static while destroy says not_static), as TSan
 * That is sync.c's rwlock model (Go's RWMutex): unlock → lock and
 * unlock → read lock through S(m), every read unlock → lock through the
 * read key, readers never ordered with each other. The read key is the
 * mutex's entry in the table below, not m + 1 as for a pthread rwlock: a
 * custom mutex may be one byte, next to another atomic. As TSan, the
 * annotations also stand for accesses of the mutex word: create is a
 * 1-byte write (unless linker_init), lock and unlock atomic 1-byte reads,
 * destroy a write, at the annotation's call site.
 *
 * Fibers (§2.4): a fiber is a det_thread of kind thread (a T<n> in reports,
 * named by __tsan_set_fiber_name), created as a child of the current one
 * (creation happens before its first event). The handle is the
 * det_thread itself; __tsan_get_current_fiber returns the current one, a
 * thread's own or a fiber. __tsan_switch_to_fiber makes the fiber current
 * on this OS thread (det_set_current, as tracer.c does for goroutines),
 * with, unless no_sync, release-merge of the switching thread into S(fiber)
 * before and an acquire of S(fiber) by the fiber after: a switch happens
 * before what the fiber does next. Each fiber keeps its own clock and
 * shadow call stack: __tsan_switch_to_fiber must come right before the
 * swapcontext, in the same function, as TSan requires.
 *
 * Dynamic annotations (§2.5): HappensBefore/After are release-merge and
 * acquire on the address (as __tsan_release/__tsan_acquire); RWLock* are
 * the custom-mutex operations (created write-reentrant); ThreadName names
 * the current thread or fiber; BenignRace* add an expected range: a race
 * whose accesses overlap one is dropped (det_config.expected, report.c)
 * and counted as suppressed; print_suppressions lists the ranges that
 * matched. The rest, AnnotateNewMemory included, are no-ops, as in LLVM's
 * runtime.
 *
 * Not as TSan (see docs/detector.md "Annotations"): misuse is not reported
 * (goc-race's report schema has no finding kind for it yet): destroy of a
 * locked mutex, double lock, bad unlock, __tsan_check_no_mutexes_held (a
 * no-op). Where TSan would report a bad unlock and drop its edge, the
 * unlock here still releases. Ignore regions are per OS thread, not per
 * fiber.
 *
 * State and locks: the mutex table (address → creation flags, write owner
 * and recursion), a chained hash with a real pthread mutex per bucket,
 * taken with gocrace_ignore raised; detector calls are made under it (they
 * take only detector locks; the detector never calls in here for a
 * mutex). The benign ranges, a list that only grows, published with
 * release and read with acquire, no lock: the report path reads it under
 * the detector's report lock. `mutex_regions` is per OS thread. Memory comes
 * from __libc_malloc.
 */
#include "internal.h"
#include "tsan_annotations.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Every definition below matches its declaration in the lists. */
#define DECLARE_API(ret, dflt, name, params) GOCRACE_EXPORT ret name params;
GOCRACE_ANNOTATIONS_MODELLED(DECLARE_API)
GOCRACE_ANNOTATIONS_NOOP(DECLARE_API)

/* ---- ignore regions ---------------------------------------------------- */

static TLS int mutex_regions; /* counts of gocrace_ignore the open mutex regions hold */

int gocrace_mutex_region_guard(void)
{
	return mutex_regions;
}

static void mutex_region_begin(void)
{
	mutex_regions++;
	gocrace_guard();
}

static void mutex_region_end(void)
{
	if (mutex_regions > 0) {
		mutex_regions--;
		gocrace_unguard();
	}
}

/* An ignore-sync region (AnnotateIgnoreSync): no count of gocrace_ignore,
 * the clock helpers look at gocrace_ignore_sync. */
static void sync_ignore_begin(void)
{
	gocrace_ignore_sync++;
}

static void sync_ignore_end(void)
{
	if (gocrace_ignore_sync > 0)
		gocrace_ignore_sync--;
}

/* ---- the mutex table --------------------------------------------------- */

typedef struct amutex amutex;
struct amutex {
	uintptr_t addr;     /* immutable */
	unsigned flags;     /* creation flags: bucket lock */
	det_thread *owner;  /* the write owner, NULL if none: bucket lock */
	int recursion;      /* write levels held: bucket lock */
	amutex *next;       /* bucket lock */
};

#define CREATION_FLAGS                                                        \
	(GOCRACE_MUTEX_LINKER_INIT | GOCRACE_MUTEX_WRITE_REENTRANT |              \
	 GOCRACE_MUTEX_READ_REENTRANT | GOCRACE_MUTEX_NOT_STATIC)

#define MUTEX_BUCKETS 256

static struct {
	pthread_mutex_t lock; /* the real pthread mutex: taken with ignore raised */
	amutex *head;
} mutexes[MUTEX_BUCKETS] = {[0 ... MUTEX_BUCKETS - 1] = {PTHREAD_MUTEX_INITIALIZER, NULL}};

static size_t mutex_bucket(uintptr_t addr)
{
	return (size_t)(((uint64_t)addr * 0x9e3779b97f4a7c15ull) >> 56) & (MUTEX_BUCKETS - 1);
}

/* Locks addr's bucket (raising the guard) and returns its entry, created
 * if create (NULL if absent, or out of memory). table_drop undoes it. */
static amutex *table_take(uintptr_t addr, bool create)
{
	size_t b = mutex_bucket(addr);
	gocrace_guard();
	pthread_mutex_lock(&mutexes[b].lock);
	amutex *e = mutexes[b].head;
	while (e != NULL && e->addr != addr)
		e = e->next;
	if (e == NULL && create && (e = __libc_malloc(sizeof *e)) != NULL) {
		memset(e, 0, sizeof *e);
		e->addr = addr;
		e->next = mutexes[b].head;
		mutexes[b].head = e;
	}
	return e;
}

static void table_drop(uintptr_t addr)
{
	pthread_mutex_unlock(&mutexes[mutex_bucket(addr)].lock);
	gocrace_unguard();
}

/* The read side's key: the entry's own address, which no program object
 * shares while the entry lives. */
static const void *read_key(const amutex *e)
{
	return e;
}

/* An access of the mutex word by t at pc (t from gocrace_thr()). */
static void mutex_access(det_thread *t, uintptr_t addr, uintptr_t pc, unsigned flags)
{
	if (t != NULL)
		gocrace_access(t, (const void *)addr, 1, pc, flags);
}

static void mutex_create(uintptr_t addr, unsigned flags, uintptr_t pc)
{
	det_thread *t = gocrace_thr();
	if (!(flags & GOCRACE_MUTEX_LINKER_INIT))
		mutex_access(t, addr, pc, DET_WRITE);
	amutex *e = table_take(addr, true);
	if (e != NULL) {
		/* A fresh mutex: an entry left by one whose memory was freed
		 * without a destroy must not make it look held. */
		e->flags = flags & CREATION_FLAGS;
		e->owner = NULL;
		e->recursion = 0;
		det_sync_forget((uintptr_t)read_key(e), 1);
	}
	table_drop(addr);
}

static void mutex_destroy(uintptr_t addr, unsigned flags, uintptr_t pc)
{
	size_t b = mutex_bucket(addr);
	amutex *e = table_take(addr, false);
	bool keep = e == NULL || (flags & GOCRACE_MUTEX_LINKER_INIT) ||
	            (e->flags & GOCRACE_MUTEX_LINKER_INIT) ||
	            ((flags & GOCRACE_MUTEX_NOT_STATIC) && !(e->flags & GOCRACE_MUTEX_NOT_STATIC));
	if (!keep) {
		/* TSan reports "destroy of a locked mutex" here when
		 * e->recursion > 0: goc-race has no finding kind for it yet. */
		for (amutex **pp = &mutexes[b].head; *pp != NULL; pp = &(*pp)->next)
			if (*pp == e) {
				*pp = e->next;
				break;
			}
		det_sync_forget(addr, 1);
		det_sync_forget((uintptr_t)read_key(e), 1);
	}
	table_drop(addr);
	if (keep)
		return;
	__libc_free(e);
	mutex_access(gocrace_thr(), addr, pc, DET_WRITE);
}

/* A lock was taken (post_lock without try_lock_failed, RWLockAcquired). */
static void mutex_locked(uintptr_t addr, unsigned flags, int rec, uintptr_t pc)
{
	det_thread *t = gocrace_thr();
	mutex_access(t, addr, pc, DET_READ | DET_ATOMIC);
	if (flags & GOCRACE_MUTEX_READ_LOCK) {
		if (t != NULL)
			gocrace_acquire(t, (const void *)addr);
		return;
	}
	if (!(flags & GOCRACE_MUTEX_RECURSIVE_LOCK) || rec <= 0)
		rec = 1;
	det_thread *me = det_current();
	amutex *e = table_take(addr, true);
	if (e != NULL) {
		/* Held by another thread: only a mutex whose memory was freed
		 * while locked, or misuse; it starts afresh. */
		bool first = e->recursion == 0 || e->owner != me;
		if (first) {
			e->owner = me;
			e->recursion = 0;
		}
		e->recursion += rec;
		if (first && t != NULL) {
			gocrace_acquire(t, (const void *)addr);
			gocrace_acquire(t, read_key(e));
		}
	}
	table_drop(addr);
}

/* A lock is about to be released (pre_unlock, RWLockReleased); returns
 * the write levels released. An unlock of a mutex the runtime does not
 * know as held (TSan's "bad unlock") still releases. */
static int mutex_unlocking(uintptr_t addr, unsigned flags, uintptr_t pc)
{
	det_thread *t = gocrace_thr();
	mutex_access(t, addr, pc, DET_READ | DET_ATOMIC);
	amutex *e = table_take(addr, true);
	int rec = 0;
	if (e != NULL && (flags & GOCRACE_MUTEX_READ_LOCK)) {
		if (t != NULL)
			gocrace_release_merge(t, read_key(e));
	} else if (e != NULL) {
		if (e->recursion > 0)
			rec = (flags & GOCRACE_MUTEX_RECURSIVE_UNLOCK) ? e->recursion : 1;
		e->recursion -= rec;
		if (e->recursion == 0) {
			e->owner = NULL;
			if (t != NULL)
				gocrace_release(t, (const void *)addr);
		}
	}
	table_drop(addr);
	return rec;
}

/* ---- custom mutexes (§2.2) --------------------------------------------- */

/* A call that only opens or closes a mutex region. */
#define MUTEX_REGION_CALL(name, action)                                       \
	GOCRACE_EXPORT void name(void *addr, unsigned flags)                      \
	{                                                                         \
		(void)addr;                                                           \
		(void)flags;                                                          \
		action();                                                             \
	}

GOCRACE_EXPORT void __tsan_mutex_create(void *addr, unsigned flags)
{
	mutex_create((uintptr_t)addr, flags, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT void __tsan_mutex_destroy(void *addr, unsigned flags)
{
	mutex_destroy((uintptr_t)addr, flags, GOCRACE_CALLER_PC());
}

MUTEX_REGION_CALL(__tsan_mutex_pre_lock, mutex_region_begin)

GOCRACE_EXPORT void __tsan_mutex_post_lock(void *addr, unsigned flags, int rec)
{
	mutex_region_end();
	if (!(flags & GOCRACE_MUTEX_TRY_LOCK_FAILED))
		mutex_locked((uintptr_t)addr, flags, rec, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT int __tsan_mutex_pre_unlock(void *addr, unsigned flags)
{
	int rec = mutex_unlocking((uintptr_t)addr, flags, GOCRACE_CALLER_PC());
	mutex_region_begin();
	return rec;
}

MUTEX_REGION_CALL(__tsan_mutex_post_unlock, mutex_region_end)
MUTEX_REGION_CALL(__tsan_mutex_pre_signal, mutex_region_begin)
MUTEX_REGION_CALL(__tsan_mutex_post_signal, mutex_region_end)
MUTEX_REGION_CALL(__tsan_mutex_pre_divert, mutex_region_end)
MUTEX_REGION_CALL(__tsan_mutex_post_divert, mutex_region_begin)

/* TSan reports "mutex held in the wrong context" when the caller holds any
 * mutex. goc-race keeps no per-thread set of held mutexes (sync.c does
 * not track them) and has no finding kind for misuse: a no-op. */
GOCRACE_EXPORT void __tsan_check_no_mutexes_held(void)
{
}

/* ---- fibers (§2.4) ----------------------------------------------------- */

/* The det_thread current on this OS thread, made for it if it has none;
 * NULL before init. Unlike gocrace_thr(), also inside mutex regions: a
 * fiber's identity does not depend on them. */
static det_thread *current(void)
{
	if (!gocrace_ready)
		return NULL;
	det_thread *t = det_current();
	return t != NULL ? t : gocrace_thr_slow();
}

GOCRACE_EXPORT void *__tsan_get_current_fiber(void)
{
	return current();
}

GOCRACE_EXPORT void *__tsan_create_fiber(unsigned flags)
{
	(void)flags; /* must be 0 */
	gocrace_init();
	det_thread *parent = current();
	gocrace_guard();
	det_ctx at = gocrace_stack_here(parent, 1);
	/* inside an ignore-sync region the creation orders nothing, as TSan */
	det_thread *f = det_thread_create(gocrace_ignore_sync == 0 ? parent : NULL,
		DET_KIND_THREAD, -1, at);
	gocrace_unguard();
	return f;
}

GOCRACE_EXPORT void __tsan_destroy_fiber(void *fiber)
{
	det_thread *f = fiber;
	if (!gocrace_ready || f == NULL)
		return;
	gocrace_guard();
	bool was_current = det_current() == f;
	det_thread_finish(f);
	/* Destroying the running fiber is misuse; the OS thread goes on as
	 * its own det_thread. */
	if (was_current)
		det_set_current(gocrace_home());
	det_sync_forget((uintptr_t)f, 1);
	det_thread_release_ref(f);
	gocrace_unguard();
}

GOCRACE_EXPORT void __tsan_switch_to_fiber(void *fiber, unsigned flags)
{
	det_thread *to = fiber;
	if (!gocrace_ready || to == NULL)
		return;
	det_thread *from = gocrace_thr(); /* NULL in a mutex region: no edge */
	bool sync = from != NULL && !(flags & GOCRACE_FIBER_NO_SYNC);
	if (sync)
		gocrace_release_merge(from, to);
	/* under the guard: a signal handler that ran in the middle of the
	 * switch would find the current thread and the thread-local copy of
	 * its hot fields apart */
	gocrace_guard();
	det_set_current(to);
	gocrace_unguard();
	if (sync)
		gocrace_acquire(to, to);
}

GOCRACE_EXPORT void __tsan_set_fiber_name(void *fiber, const char *name)
{
	if (gocrace_ready && fiber != NULL)
		gocrace_name_thread(fiber, name);
}

/* ---- dynamic annotations (§2.5) ----------------------------------------- */

/* An Annotate* call of no argument but its file and line. */
#define ANNOTATE_CALL(name, action)                                           \
	GOCRACE_EXPORT void name(const char *f, int l)                            \
	{                                                                         \
		(void)f;                                                              \
		(void)l;                                                              \
		action();                                                             \
	}

GOCRACE_EXPORT void AnnotateHappensBefore(const char *f, int l, const volatile void *addr)
{
	(void)f;
	(void)l;
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_release_merge(t, addr);
}

GOCRACE_EXPORT void AnnotateHappensAfter(const char *f, int l, const volatile void *addr)
{
	(void)f;
	(void)l;
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_acquire(t, addr);
}

GOCRACE_EXPORT void AnnotateRWLockCreate(const char *f, int l, const volatile void *m)
{
	(void)f;
	(void)l;
	mutex_create((uintptr_t)m, GOCRACE_MUTEX_WRITE_REENTRANT, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT void AnnotateRWLockCreateStatic(const char *f, int l, const volatile void *m)
{
	(void)f;
	(void)l;
	mutex_create((uintptr_t)m, GOCRACE_MUTEX_WRITE_REENTRANT | GOCRACE_MUTEX_LINKER_INIT,
		GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT void AnnotateRWLockDestroy(const char *f, int l, const volatile void *m)
{
	(void)f;
	(void)l;
	mutex_destroy((uintptr_t)m, 0, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT void AnnotateRWLockAcquired(const char *f, int l, const volatile void *m,
                                           uintptr_t is_w)
{
	(void)f;
	(void)l;
	mutex_locked((uintptr_t)m, is_w ? 0 : GOCRACE_MUTEX_READ_LOCK, 1, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT void AnnotateRWLockReleased(const char *f, int l, const volatile void *m,
                                           uintptr_t is_w)
{
	(void)f;
	(void)l;
	mutex_unlocking((uintptr_t)m, is_w ? 0 : GOCRACE_MUTEX_READ_LOCK, GOCRACE_CALLER_PC());
}

ANNOTATE_CALL(AnnotateIgnoreReadsBegin, gocrace_region_begin)
ANNOTATE_CALL(AnnotateIgnoreReadsEnd, gocrace_region_end)
ANNOTATE_CALL(AnnotateIgnoreWritesBegin, gocrace_region_begin)
ANNOTATE_CALL(AnnotateIgnoreWritesEnd, gocrace_region_end)
ANNOTATE_CALL(AnnotateIgnoreSyncBegin, sync_ignore_begin)
ANNOTATE_CALL(AnnotateIgnoreSyncEnd, sync_ignore_end)

GOCRACE_EXPORT void AnnotateThreadName(const char *f, int l, const char *name)
{
	(void)f;
	(void)l;
	det_thread *t = current();
	if (t != NULL)
		gocrace_name_thread(t, name);
}

/* ---- expected (benign) races ------------------------------------------- */

typedef struct benign benign;
struct benign {
	uintptr_t addr;       /* immutable, as all but hits */
	uintptr_t size;
	const char *file;     /* the program's __FILE__ */
	int line;
	char desc[128];
	_Atomic unsigned long hits;
	benign *next;
};

static benign *_Atomic benign_head;

static void benign_add(const char *f, int l, const volatile void *mem, uintptr_t size,
                       const char *desc)
{
	uintptr_t addr = (uintptr_t)mem;
	/* acquire: pairs with the release that published each range */
	for (benign *b = atomic_load_explicit(&benign_head, memory_order_acquire); b != NULL;
	     b = b->next)
		if (b->addr == addr && b->size == size)
			return;
	benign *n = __libc_malloc(sizeof *n);
	if (n == NULL)
		return;
	/* the runtime's own memset and snprintf: no accesses of the program's */
	gocrace_guard();
	memset(n, 0, sizeof *n);
	n->addr = addr;
	n->size = size;
	n->file = f;
	n->line = l;
	snprintf(n->desc, sizeof n->desc, "%s", desc != NULL ? desc : "");
	gocrace_unguard();
	n->next = atomic_load_explicit(&benign_head, memory_order_relaxed);
	/* release: pairs with the acquire loads that walk the list */
	while (!atomic_compare_exchange_weak_explicit(&benign_head, &n->next, n,
		memory_order_release, memory_order_relaxed))
		;
}

bool gocrace_race_expected(uintptr_t addr, size_t size)
{
	/* acquire: pairs with the release in benign_add */
	for (benign *b = atomic_load_explicit(&benign_head, memory_order_acquire); b != NULL;
	     b = b->next) {
		uintptr_t lo = b->addr > addr ? b->addr : addr;
		uintptr_t hi = b->addr + b->size < addr + size ? b->addr + b->size : addr + size;
		if (lo < hi) {
			atomic_fetch_add_explicit(&b->hits, 1, memory_order_relaxed);
			return true;
		}
	}
	return false;
}

void gocrace_expected_print(void)
{
	unsigned long total = 0;
	benign *head = atomic_load_explicit(&benign_head, memory_order_acquire);
	for (benign *b = head; b != NULL; b = b->next)
		total += atomic_load_explicit(&b->hits, memory_order_relaxed);
	if (total == 0)
		return;
	fprintf(stderr, "goc-race: matched %lu expected races (pid=%d):\n", total, (int)getpid());
	for (benign *b = head; b != NULL; b = b->next) {
		unsigned long h = atomic_load_explicit(&b->hits, memory_order_relaxed);
		if (h != 0)
			fprintf(stderr, "%lu %s:%d (%s)\n", h, b->file != NULL ? b->file : "??",
				b->line, b->desc);
	}
}

GOCRACE_EXPORT void AnnotateBenignRaceSized(const char *f, int l, const volatile void *mem,
                                            uintptr_t size, const char *desc)
{
	benign_add(f, l, mem, size, desc);
}

GOCRACE_EXPORT void AnnotateBenignRace(const char *f, int l, const volatile void *mem,
                                       const char *desc)
{
	benign_add(f, l, mem, 1, desc);
}

GOCRACE_EXPORT void WTFAnnotateBenignRaceSized(const char *f, int l, const volatile void *mem,
                                               uintptr_t size, const char *desc)
{
	benign_add(f, l, mem, size, desc);
}

/* ---- the rest: no-ops, as in LLVM's runtime ----------------------------- */

#define DEFINE_NOOP(ret, dflt, name, params) \
	GOCRACE_ANNOTATION_NOOP_DEF(GOCRACE_EXPORT, ret, dflt, name, params)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
GOCRACE_ANNOTATIONS_NOOP(DEFINE_NOOP)
#pragma GCC diagnostic pop
