/*
 * libc.c — the libc interceptors: the heap (what a report says a block
 * is, and free as a write over it) and the memory and string functions
 * (range accesses that no __tsan_* hook sees: clang 14 lowers memcpy,
 * memmove and memset to calls of the libc functions, and str* are libc's
 * own loops).
 *
 * Shape (internal.h): gocrace_thr() NULL passes straight through; detector
 * calls and stack captures run with gocrace_ignore raised (rd and wr, the
 * range checks every memory and string function makes, raise it
 * themselves).
 *
 * Heap.
 *   malloc, calloc, realloc, reallocarray, posix_memalign, aligned_alloc,
 *   memalign, valloc, pvalloc: after a successful allocation det_alloc with
 *   the caller's stack (its shadow starts fresh; reports name it). calloc's
 *   zeroing (up to CALLOC_WRITE_MAX) and the bytes realloc keeps are then
 *   written by the caller, unless the caller is glibc itself (in_glibc).
 *   free: det_free (a write over the block; in an access-ignore region
 *   only forgetting its shadow) BEFORE the real free — once the
 *   real free returns another thread may be handed the same memory, and it
 *   must find the old shadow already dealt with.
 *   realloc: a free of the old block and an allocation of the new one; if
 *   the real realloc fails the old block is still live and is registered
 *   again (with the current stack: its original one is gone).
 *   strdup, strndup: performed here (length, the program's malloc, real
 *   memcpy), so the copy is registered once, at the program's call.
 * No happens-before edge comes from the allocator: memory handed from one
 * thread to another must be published by the program.
 *
 * Bootstrap: the real allocator is found with dlsym, which may itself call
 * malloc or calloc. While this thread is resolving, such calls are served
 * from a static arena; free and realloc recognise arena pointers and never
 * hand them to the real allocator (arena memory is never reused).
 *
 * Memory and strings: the bytes each function reads and writes, checked at
 * the caller's pc (a return address, as every hook's), then the real call
 * (copies, fills, plain comparisons and memchr/strchr here; the other
 * searches, case-blind comparisons, wide strings and tokenizers are
 * strsearch.c's).
 * A str* function reads up to and including the terminator it examines;
 * memcmp is taken to read all n bytes of both (TSan's strict_memcmp).
 * gocrace_{memcpy,memmove,memset}_checked serve clang 19's __tsan_mem*.
 * The fortified variants a -D_FORTIFY_SOURCE build calls instead
 * (__memcpy_chk, __strcpy_chk, …) are checked the same way, then the real
 * __*_chk runs and keeps its overflow check; accesses past the size it is
 * given are not recorded, since it aborts before making them.
 * Calls from libgoc's own code are not checked (gocrace_in_libgoc): its
 * copies are ordered by the tracer's edges, as Go's runtime copies are.
 *
 * Mappings: mmap resets the shadow of the fresh range (memory the process
 * unmapped inside libc, e.g. a large freed malloc chunk, may come back
 * here); munmap resets it and forgets sync objects in it before the real
 * munmap. mremap does either to each part of the old and new ranges that
 * the real call unmapped or mapped afresh, after it (only the result says
 * which): contents that moved start fresh at their new address.
 *
 * Spawning: posix_spawn and posix_spawnp read the path, argv and envp and
 * write *pid, as TSan checks them.
 *
 * State: the real-function pointers (written once, idempotently, by any
 * thread that finds them unset) and the arena (atomic bump pointer).
 */
#include "internal.h"

#include <errno.h>
#include <link.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* ---- the real allocator and its bootstrap ----------------------------- */

GOCRACE_REAL(void *, malloc, size_t);
GOCRACE_REAL(void *, calloc, size_t, size_t);
GOCRACE_REAL(void *, realloc, void *, size_t);
GOCRACE_REAL(void, free, void *);
GOCRACE_REAL(int, posix_memalign, void **, size_t, size_t);
GOCRACE_REAL(void *, aligned_alloc, size_t, size_t);
GOCRACE_REAL(void *, memalign, size_t, size_t);
GOCRACE_REAL(void *, valloc, size_t);
GOCRACE_REAL(void *, pvalloc, size_t);

#define ARENA_SIZE (256 * 1024)
#define ARENA_HDR 16
static _Alignas(16) char arena[ARENA_SIZE];
static atomic_size_t arena_used;  /* bump pointer; relaxed: no data published */
static atomic_bool alloc_ready;   /* release after every real_* is set */
static TLS int alloc_resolving;   /* this thread is inside the lookup */

static bool in_arena(const void *p)
{
	return (const char *)p >= arena && (const char *)p < arena + ARENA_SIZE;
}

static void *arena_alloc(size_t n)
{
	size_t need = ((n + 15) & ~(size_t)15) + ARENA_HDR;
	if (n > ARENA_SIZE)
		return NULL;
	size_t off = atomic_fetch_add_explicit(&arena_used, need, memory_order_relaxed);
	if (off + need > ARENA_SIZE)
		return NULL;
	char *b = arena + off;
	*(size_t *)b = n;
	return b + ARENA_HDR; /* zero: the arena is never reused */
}

static size_t arena_size(const void *p)
{
	return *(const size_t *)((const char *)p - ARENA_HDR);
}

/* false: this thread is inside dlsym; serve it from the arena */
static bool alloc_resolve(void)
{
	/* acquire: pairs with the release below */
	if (GOCRACE_LIKELY(atomic_load_explicit(&alloc_ready, memory_order_acquire)))
		return true;
	if (alloc_resolving)
		return false;
	alloc_resolving++;
	GOCRACE_RESOLVE(malloc);
	GOCRACE_RESOLVE(calloc);
	GOCRACE_RESOLVE(realloc);
	GOCRACE_RESOLVE(free);
	GOCRACE_RESOLVE(posix_memalign);
	GOCRACE_RESOLVE(aligned_alloc);
	GOCRACE_RESOLVE(memalign);
	GOCRACE_RESOLVE(valloc);
	GOCRACE_RESOLVE(pvalloc);
	alloc_resolving--;
	/* release: pairs with the acquire above */
	atomic_store_explicit(&alloc_ready, true, memory_order_release);
	return true;
}

/* The real allocator's call, with the guard raised: a signal handler
 * that interrupts it then waits until it returns (signal.c), instead of
 * reaching the detector, whose own allocations would re-enter a malloc
 * that holds its lock (docs/detector.md, "Signal handlers"). */
#define REAL_ALLOC(call)                                                      \
	({                                                                        \
		gocrace_guard();                                                     \
		__auto_type r_ = (call);                                              \
		gocrace_unguard();                                                     \
		r_;                                                                   \
	})

/* calloc's zeroing is a write of the block by the allocating thread (a
 * block published without an order is read racing with it, as TSan
 * reports), up to this size: a larger block's zero pages come from the
 * kernel (glibc maps it afresh, no write), and writing all its shadow
 * would cost as much memory as the block itself even if it stays unused. */
#define CALLOC_WRITE_MAX ((size_t)1 << 20)

/* The code of libc.so.6 and ld.so (their executable segments), found at
 * init: glibc hands its own blocks between threads by its own internal
 * order (dlopen's link maps, freed by another thread's dlclose; a new
 * thread's TLS; iconv's modules), so the zeroing and copying its calls
 * of calloc and realloc do are not recorded as writes. Written once at
 * init, read after. */
enum { GLIBC_SEGMENTS = 8 };
static uintptr_t glibc_lo[GLIBC_SEGMENTS], glibc_hi[GLIBC_SEGMENTS];
static int glibc_nseg;

static int glibc_segments(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	const char *name = info->dlpi_name, *base = name;
	for (const char *c = name; *c != '\0'; c++)
		if (*c == '/')
			base = c + 1;
	if (__builtin_strncmp(base, "libc.so", 7) != 0 && __builtin_strncmp(base, "ld-linux", 8) != 0)
		return 0;
	for (int i = 0; i < info->dlpi_phnum && glibc_nseg < GLIBC_SEGMENTS; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		glibc_lo[glibc_nseg] = info->dlpi_addr + ph->p_vaddr;
		glibc_hi[glibc_nseg] = glibc_lo[glibc_nseg] + ph->p_memsz;
		glibc_nseg++;
	}
	return 0;
}

void gocrace_libc_init(void)
{
	dl_iterate_phdr(glibc_segments, NULL);
}

/* Whether pc is in glibc's own code. */
static bool in_glibc(uintptr_t pc)
{
	for (int i = 0; i < glibc_nseg; i++)
		if (pc - glibc_lo[i] < glibc_hi[i] - glibc_lo[i])
			return true;
	return false;
}

/* The caller's stack: skip this interceptor's frame (the helpers that call
 * it are always inlined into the interceptor). */
ALWAYS_INLINE void note_alloc(det_thread *t, void *p, size_t n)
{
	gocrace_guard();
	det_alloc(t, (uintptr_t)p, n, gocrace_stack_here(t, 1));
	gocrace_unguard();
}

ALWAYS_INLINE size_t note_free(det_thread *t, void *p, uintptr_t pc)
{
	gocrace_guard();
	/* in an access-ignore region a free is no write, as in TSan */
	size_t n = det_free(t, (uintptr_t)p, pc, !gocrace_in_region());
	gocrace_unguard();
	return n;
}

GOCRACE_EXPORT void *malloc(size_t n)
{
	if (GOCRACE_UNLIKELY(!alloc_resolve()))
		return arena_alloc(n);
	det_thread *t = gocrace_thr();
	void *p = REAL_ALLOC(real_malloc(n));
	if (t != NULL && p != NULL)
		note_alloc(t, p, n);
	return p;
}

GOCRACE_EXPORT void *calloc(size_t nmemb, size_t size)
{
	if (GOCRACE_UNLIKELY(!alloc_resolve())) {
		size_t n;
		if (__builtin_mul_overflow(nmemb, size, &n))
			return NULL;
		return arena_alloc(n);
	}
	det_thread *t = gocrace_thr();
	void *p = REAL_ALLOC(real_calloc(nmemb, size));
	if (t != NULL && p != NULL) {
		size_t n = nmemb * size;
		uintptr_t pc = GOCRACE_CALLER_PC();
		note_alloc(t, p, n);
		if (n <= CALLOC_WRITE_MAX && !in_glibc(pc))
			gocrace_range_access(t, p, n, pc, DET_WRITE);
	}
	return p;
}

GOCRACE_EXPORT void free(void *p)
{
	if (p == NULL || in_arena(p))
		return;
	if (GOCRACE_UNLIKELY(!alloc_resolve()))
		return; /* a real block freed inside the lookup: leaked, not lost */
	det_thread *t = gocrace_thr();
	if (t != NULL)
		note_free(t, p, GOCRACE_CALLER_PC());
	gocrace_guard();
	real_free(p);
	gocrace_unguard();
}

ALWAYS_INLINE void *realloc_common(void *p, size_t n, uintptr_t pc)
{
	if (p != NULL && in_arena(p)) {
		/* Move out of the arena; the old copy stays where it is. */
		void *q = alloc_resolve() ? malloc(n) : arena_alloc(n);
		if (q != NULL) {
			size_t old = arena_size(p);
			const char *s = p;
			char *d = q;
			for (size_t i = 0; i < (old < n ? old : n); i++)
				d[i] = s[i];
		}
		return q;
	}
	if (GOCRACE_UNLIKELY(!alloc_resolve()))
		return arena_alloc(n); /* p is a real block: it cannot be here */
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return REAL_ALLOC(real_realloc(p, n));
	size_t old = p != NULL ? note_free(t, p, pc) : 0;
	void *q = REAL_ALLOC(real_realloc(p, n));
	if (q != NULL) {
		note_alloc(t, q, n);
		/* the bytes kept were copied (or stayed): the new block's */
		size_t kept = old < n ? old : n;
		if (kept != 0 && !in_glibc(pc))
			gocrace_range_access(t, q, kept, pc, DET_WRITE);
	} else if (p != NULL && n != 0 && old != 0)
		note_alloc(t, p, old); /* failed: the old block lives on */
	return q;
}

GOCRACE_EXPORT void *realloc(void *p, size_t n)
{
	return realloc_common(p, n, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;
	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc_common(p, n, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	if (GOCRACE_UNLIKELY(!alloc_resolve()))
		return ENOMEM; /* not asked for inside the lookup */
	det_thread *t = gocrace_thr();
	int r = REAL_ALLOC(real_posix_memalign(out, align, n));
	if (t != NULL && r == 0)
		note_alloc(t, *out, n);
	return r;
}

#define ALIGNED_WRAPPER(name, params, args, size)                             \
	GOCRACE_EXPORT void *name params                                          \
	{                                                                         \
		if (GOCRACE_UNLIKELY(!alloc_resolve()))                               \
			return NULL;                                                      \
		det_thread *t = gocrace_thr();                                        \
		void *p = REAL_ALLOC(real_##name args);                               \
		if (t != NULL && p != NULL)                                           \
			note_alloc(t, p, (size));                                         \
		return p;                                                             \
	}

ALIGNED_WRAPPER(aligned_alloc, (size_t align, size_t n), (align, n), n)
ALIGNED_WRAPPER(memalign, (size_t align, size_t n), (align, n), n)
ALIGNED_WRAPPER(valloc, (size_t n), (n), n)
ALIGNED_WRAPPER(pvalloc, (size_t n), (n), n)

/* ---- memory and string functions -------------------------------------- */

GOCRACE_REAL(void *, memcpy, void *, const void *, size_t);
GOCRACE_REAL(void *, memmove, void *, const void *, size_t);
GOCRACE_REAL(void *, memset, void *, int, size_t);
GOCRACE_REAL(void *, mempcpy, void *, const void *, size_t);
GOCRACE_REAL(void, bzero, void *, size_t);
GOCRACE_REAL(int, memcmp, const void *, const void *, size_t);
GOCRACE_REAL(void *, memchr, const void *, int, size_t);
GOCRACE_REAL(size_t, strlen, const char *);
GOCRACE_REAL(size_t, strnlen, const char *, size_t);
GOCRACE_REAL(char *, strcpy, char *, const char *);
GOCRACE_REAL(char *, stpcpy, char *, const char *);
GOCRACE_REAL(char *, strncpy, char *, const char *, size_t);
GOCRACE_REAL(char *, stpncpy, char *, const char *, size_t);
GOCRACE_REAL(char *, strcat, char *, const char *);
GOCRACE_REAL(char *, strncat, char *, const char *, size_t);
GOCRACE_REAL(int, strcmp, const char *, const char *);
GOCRACE_REAL(int, strncmp, const char *, const char *, size_t);
GOCRACE_REAL(char *, strchr, const char *, int);
GOCRACE_REAL(char *, strrchr, const char *, int);
GOCRACE_REAL(char *, strdup, const char *);
GOCRACE_REAL(char *, strndup, const char *, size_t);
GOCRACE_REAL(void *, memccpy, void *, const void *, int, size_t);

ALWAYS_INLINE void rd(det_thread *t, const void *a, size_t n, uintptr_t pc)
{
	gocrace_range_access(t, a, n, pc, DET_READ);
}

ALWAYS_INLINE void wr(det_thread *t, const void *a, size_t n, uintptr_t pc)
{
	gocrace_range_access(t, a, n, pc, DET_WRITE);
}

size_t gocrace_strlen(const char *s)
{
	GOCRACE_RESOLVE(strlen);
	return real_strlen(s);
}

/* The bytes of a and b that a comparison of at most max bytes examines:
 * up to the first difference or terminator, inclusive. */
static size_t cmp_extent(const char *a, const char *b, size_t max)
{
	size_t i = 0;
	while (i < max && a[i] == b[i] && a[i] != '\0')
		i++;
	return i < max ? i + 1 : max;
}

/* A copy of n bytes from s to d: s is read and d written, at pc. */
ALWAYS_INLINE void note_copy(void *d, const void *s, size_t n, uintptr_t pc)
{
	det_thread *t = gocrace_thr();
	if (t != NULL && n != 0) {
		rd(t, s, n, pc);
		wr(t, d, n, pc);
	}
}

/* n bytes written at d, at pc. */
ALWAYS_INLINE void note_fill(void *d, size_t n, uintptr_t pc)
{
	det_thread *t = gocrace_thr();
	if (t != NULL && n != 0)
		wr(t, d, n, pc);
}

void gocrace_memcpy_checked(void *d, const void *s, size_t n, uintptr_t pc)
{
	GOCRACE_RESOLVE(memcpy);
	note_copy(d, s, n, pc);
	real_memcpy(d, s, n);
}

void gocrace_memmove_checked(void *d, const void *s, size_t n, uintptr_t pc)
{
	GOCRACE_RESOLVE(memmove);
	note_copy(d, s, n, pc);
	real_memmove(d, s, n);
}

void gocrace_memset_checked(void *d, int c, size_t n, uintptr_t pc)
{
	GOCRACE_RESOLVE(memset);
	note_fill(d, n, pc);
	real_memset(d, c, n);
}

GOCRACE_EXPORT void *memcpy(void *d, const void *s, size_t n)
{
	gocrace_memcpy_checked(d, s, n, GOCRACE_CALLER_PC());
	return d;
}

GOCRACE_EXPORT void *memmove(void *d, const void *s, size_t n)
{
	gocrace_memmove_checked(d, s, n, GOCRACE_CALLER_PC());
	return d;
}

GOCRACE_EXPORT void *memset(void *d, int c, size_t n)
{
	gocrace_memset_checked(d, c, n, GOCRACE_CALLER_PC());
	return d;
}

GOCRACE_EXPORT void *mempcpy(void *d, const void *s, size_t n)
{
	GOCRACE_RESOLVE(mempcpy);
	note_copy(d, s, n, GOCRACE_CALLER_PC());
	return real_mempcpy(d, s, n);
}

/* The bytes copied, up to and with the first c, else n (known once it
 * returns). TSan checks no memccpy. */
GOCRACE_EXPORT void *memccpy(void *d, const void *s, int c, size_t n)
{
	GOCRACE_RESOLVE(memccpy);
	void *r = real_memccpy(d, s, c, n);
	note_copy(d, s, r != NULL ? (size_t)((char *)r - (char *)d) : n, GOCRACE_CALLER_PC());
	return r;
}

GOCRACE_EXPORT void bzero(void *d, size_t n)
{
	GOCRACE_RESOLVE(bzero);
	note_fill(d, n, GOCRACE_CALLER_PC());
	real_bzero(d, n);
}

/* The string copies, shared with their fortified variants: dlen is the
 * destination's size as the compiler knew it (SIZE_MAX: unknown, the plain
 * function). Accesses that would pass it are not recorded: the real __*_chk
 * aborts the program before making them. */

/* strcpy and stpcpy: s is read and d written up to and including s's
 * terminator. */
ALWAYS_INLINE void note_str_copy(char *d, const char *s, size_t dlen, uintptr_t pc)
{
	GOCRACE_RESOLVE(strlen);
	det_thread *t = gocrace_thr();
	if (t != NULL) {
		size_t n = real_strlen(s) + 1;
		if (n > dlen)
			return;
		rd(t, s, n, pc);
		wr(t, d, n, pc);
	}
}

/* strncpy and stpncpy: s is read up to its terminator or n bytes, d is
 * written for all n (the rest is padded with zeros). */
ALWAYS_INLINE void note_strn_copy(char *d, const char *s, size_t n, size_t dlen, uintptr_t pc)
{
	GOCRACE_RESOLVE(strnlen);
	det_thread *t = gocrace_thr();
	if (t != NULL && n != 0 && n <= dlen) {
		size_t sl = real_strnlen(s, n);
		rd(t, s, sl < n ? sl + 1 : n, pc);
		wr(t, d, n, pc);
	}
}

/* strcat and strncat (at most n bytes of s; SIZE_MAX: all of it): d is
 * read up to its terminator, s up to its terminator or n bytes, and d
 * written from its old terminator on, the copied bytes and a new one. */
ALWAYS_INLINE void note_str_cat(char *d, const char *s, size_t n, size_t dlen, uintptr_t pc)
{
	GOCRACE_RESOLVE(strlen);
	GOCRACE_RESOLVE(strnlen);
	det_thread *t = gocrace_thr();
	if (t != NULL) {
		size_t dl = real_strlen(d), sl = real_strnlen(s, n);
		if (dl + sl + 1 > dlen || dl + sl + 1 < dl)
			return;
		rd(t, d, dl + 1, pc);
		if (n != 0)
			rd(t, s, sl < n ? sl + 1 : n, pc);
		wr(t, d + dl, sl + 1, pc);
	}
}

GOCRACE_EXPORT char *strcpy(char *d, const char *s)
{
	GOCRACE_RESOLVE(strcpy);
	note_str_copy(d, s, SIZE_MAX, GOCRACE_CALLER_PC());
	return real_strcpy(d, s);
}

GOCRACE_EXPORT char *stpcpy(char *d, const char *s)
{
	GOCRACE_RESOLVE(stpcpy);
	note_str_copy(d, s, SIZE_MAX, GOCRACE_CALLER_PC());
	return real_stpcpy(d, s);
}

GOCRACE_EXPORT char *strncpy(char *d, const char *s, size_t n)
{
	GOCRACE_RESOLVE(strncpy);
	note_strn_copy(d, s, n, SIZE_MAX, GOCRACE_CALLER_PC());
	return real_strncpy(d, s, n);
}

GOCRACE_EXPORT char *stpncpy(char *d, const char *s, size_t n)
{
	GOCRACE_RESOLVE(stpncpy);
	note_strn_copy(d, s, n, SIZE_MAX, GOCRACE_CALLER_PC());
	return real_stpncpy(d, s, n);
}

GOCRACE_EXPORT char *strcat(char *d, const char *s)
{
	GOCRACE_RESOLVE(strcat);
	note_str_cat(d, s, SIZE_MAX, SIZE_MAX, GOCRACE_CALLER_PC());
	return real_strcat(d, s);
}

GOCRACE_EXPORT char *strncat(char *d, const char *s, size_t n)
{
	GOCRACE_RESOLVE(strncat);
	note_str_cat(d, s, n, SIZE_MAX, GOCRACE_CALLER_PC());
	return real_strncat(d, s, n);
}

/* ---- the fortified variants (-D_FORTIFY_SOURCE) ----------------------- */

GOCRACE_REAL(void *, __memcpy_chk, void *, const void *, size_t, size_t);
GOCRACE_REAL(void *, __memmove_chk, void *, const void *, size_t, size_t);
GOCRACE_REAL(void *, __mempcpy_chk, void *, const void *, size_t, size_t);
GOCRACE_REAL(void *, __memset_chk, void *, int, size_t, size_t);
GOCRACE_REAL(char *, __strcpy_chk, char *, const char *, size_t);
GOCRACE_REAL(char *, __stpcpy_chk, char *, const char *, size_t);
GOCRACE_REAL(char *, __strncpy_chk, char *, const char *, size_t, size_t);
GOCRACE_REAL(char *, __stpncpy_chk, char *, const char *, size_t, size_t);
GOCRACE_REAL(char *, __strcat_chk, char *, const char *, size_t);
GOCRACE_REAL(char *, __strncat_chk, char *, const char *, size_t, size_t);

#define MEM_CHK_WRAPPER(name)                                                 \
	GOCRACE_EXPORT void *name(void *d, const void *s, size_t n, size_t dlen)  \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		if (n <= dlen)                                                        \
			note_copy(d, s, n, GOCRACE_CALLER_PC());                          \
		return real_##name(d, s, n, dlen);                                    \
	}

MEM_CHK_WRAPPER(__memcpy_chk)
MEM_CHK_WRAPPER(__memmove_chk)
MEM_CHK_WRAPPER(__mempcpy_chk)

GOCRACE_EXPORT void *__memset_chk(void *d, int c, size_t n, size_t dlen)
{
	GOCRACE_RESOLVE(__memset_chk);
	if (n <= dlen)
		note_fill(d, n, GOCRACE_CALLER_PC());
	return real___memset_chk(d, c, n, dlen);
}

GOCRACE_EXPORT char *__strcpy_chk(char *d, const char *s, size_t dlen)
{
	GOCRACE_RESOLVE(__strcpy_chk);
	note_str_copy(d, s, dlen, GOCRACE_CALLER_PC());
	return real___strcpy_chk(d, s, dlen);
}

GOCRACE_EXPORT char *__stpcpy_chk(char *d, const char *s, size_t dlen)
{
	GOCRACE_RESOLVE(__stpcpy_chk);
	note_str_copy(d, s, dlen, GOCRACE_CALLER_PC());
	return real___stpcpy_chk(d, s, dlen);
}

GOCRACE_EXPORT char *__strncpy_chk(char *d, const char *s, size_t n, size_t dlen)
{
	GOCRACE_RESOLVE(__strncpy_chk);
	note_strn_copy(d, s, n, dlen, GOCRACE_CALLER_PC());
	return real___strncpy_chk(d, s, n, dlen);
}

GOCRACE_EXPORT char *__stpncpy_chk(char *d, const char *s, size_t n, size_t dlen)
{
	GOCRACE_RESOLVE(__stpncpy_chk);
	note_strn_copy(d, s, n, dlen, GOCRACE_CALLER_PC());
	return real___stpncpy_chk(d, s, n, dlen);
}

GOCRACE_EXPORT char *__strcat_chk(char *d, const char *s, size_t dlen)
{
	GOCRACE_RESOLVE(__strcat_chk);
	note_str_cat(d, s, SIZE_MAX, dlen, GOCRACE_CALLER_PC());
	return real___strcat_chk(d, s, dlen);
}

GOCRACE_EXPORT char *__strncat_chk(char *d, const char *s, size_t n, size_t dlen)
{
	GOCRACE_RESOLVE(__strncat_chk);
	note_str_cat(d, s, n, dlen, GOCRACE_CALLER_PC());
	return real___strncat_chk(d, s, n, dlen);
}

/* ---- comparisons and searches ----------------------------------------- */

GOCRACE_EXPORT int memcmp(const void *a, const void *b, size_t n)
{
	GOCRACE_RESOLVE(memcmp);
	det_thread *t = gocrace_thr();
	if (t != NULL && n != 0)
		gocrace_compare_read(t, a, b, n, GOCRACE_CALLER_PC());
	return real_memcmp(a, b, n);
}

GOCRACE_EXPORT void *memchr(const void *s, int c, size_t n)
{
	GOCRACE_RESOLVE(memchr);
	det_thread *t = gocrace_thr();
	void *r = real_memchr(s, c, n);
	if (t != NULL && n != 0) {
		size_t seen = r != NULL ? (size_t)((const char *)r - (const char *)s) + 1 : n;
		rd(t, s, seen, GOCRACE_CALLER_PC());
	}
	return r;
}

GOCRACE_EXPORT size_t strlen(const char *s)
{
	GOCRACE_RESOLVE(strlen);
	det_thread *t = gocrace_thr();
	size_t n = real_strlen(s);
	if (t != NULL)
		rd(t, s, n + 1, GOCRACE_CALLER_PC());
	return n;
}

GOCRACE_EXPORT size_t strnlen(const char *s, size_t max)
{
	GOCRACE_RESOLVE(strnlen);
	det_thread *t = gocrace_thr();
	size_t n = real_strnlen(s, max);
	if (t != NULL && max != 0)
		rd(t, s, n < max ? n + 1 : max, GOCRACE_CALLER_PC());
	return n;
}

GOCRACE_EXPORT int strcmp(const char *a, const char *b)
{
	GOCRACE_RESOLVE(strcmp);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_compare_read(t, a, b, cmp_extent(a, b, SIZE_MAX), GOCRACE_CALLER_PC());
	return real_strcmp(a, b);
}

GOCRACE_EXPORT int strncmp(const char *a, const char *b, size_t max)
{
	GOCRACE_RESOLVE(strncmp);
	det_thread *t = gocrace_thr();
	if (t != NULL && max != 0)
		gocrace_compare_read(t, a, b, cmp_extent(a, b, max), GOCRACE_CALLER_PC());
	return real_strncmp(a, b, max);
}

GOCRACE_EXPORT char *strchr(const char *s, int c)
{
	GOCRACE_RESOLVE(strchr);
	GOCRACE_RESOLVE(strlen);
	det_thread *t = gocrace_thr();
	char *r = real_strchr(s, c);
	if (t != NULL) {
		size_t n = r != NULL ? (size_t)(r - s) + 1 : real_strlen(s) + 1;
		rd(t, s, n, GOCRACE_CALLER_PC());
	}
	return r;
}

GOCRACE_EXPORT char *strrchr(const char *s, int c)
{
	GOCRACE_RESOLVE(strrchr);
	GOCRACE_RESOLVE(strlen);
	det_thread *t = gocrace_thr();
	char *r = real_strrchr(s, c);
	if (t != NULL)
		rd(t, s, real_strlen(s) + 1, GOCRACE_CALLER_PC());
	return r;
}

/* The copy comes from whatever malloc the program's free will take: the
 * global `malloc` (ours, or the program's own allocator if it defines one,
 * as glibc's strdup would call), passed through so that it is registered
 * once, here, at the program's call. */
static void *program_malloc(size_t n)
{
	gocrace_guard();
	void *p = malloc(n);
	gocrace_unguard();
	return p;
}

GOCRACE_EXPORT char *strdup(const char *s)
{
	GOCRACE_RESOLVE(strdup);
	det_thread *t = gocrace_thr();
	if (t == NULL || !alloc_resolve())
		return real_strdup(s);
	GOCRACE_RESOLVE(strlen);
	GOCRACE_RESOLVE(memcpy);
	size_t n = real_strlen(s) + 1;
	rd(t, s, n, GOCRACE_CALLER_PC());
	char *p = program_malloc(n);
	if (p == NULL)
		return NULL; /* errno: ENOMEM, from malloc */
	real_memcpy(p, s, n);
	note_alloc(t, p, n);
	return p;
}

GOCRACE_EXPORT char *strndup(const char *s, size_t max)
{
	GOCRACE_RESOLVE(strndup);
	det_thread *t = gocrace_thr();
	if (t == NULL || !alloc_resolve())
		return real_strndup(s, max);
	GOCRACE_RESOLVE(strnlen);
	GOCRACE_RESOLVE(memcpy);
	size_t n = real_strnlen(s, max);
	if (max != 0)
		rd(t, s, n < max ? n + 1 : max, GOCRACE_CALLER_PC());
	char *p = program_malloc(n + 1);
	if (p == NULL)
		return NULL;
	real_memcpy(p, s, n);
	p[n] = '\0';
	note_alloc(t, p, n + 1);
	return p;
}

/* ---- mappings --------------------------------------------------------- */

static size_t page_round(size_t n)
{
	size_t pg = 4096;
	return (n + pg - 1) & ~(pg - 1);
}

/* A range mapped afresh: no access to it happened yet. */
static void fresh_range(void *p, size_t n)
{
	gocrace_guard();
	det_reset_range((uintptr_t)p, page_round(n));
	gocrace_unguard();
}

/* A range unmapped: its accesses and sync objects are gone. */
static void forget_range(void *p, size_t n)
{
	gocrace_guard();
	det_reset_range((uintptr_t)p, page_round(n));
	det_sync_forget((uintptr_t)p, page_round(n));
	gocrace_unguard();
}

GOCRACE_REAL(void *, mmap, void *, size_t, int, int, int, off_t);

/* Both names, spelt out: with _FILE_OFFSET_BITS=64 <sys/mman.h> renames
 * mmap to mmap64, and a program may call either. */
GOCRACE_EXPORT void *gocrace_mmap(void *, size_t, int, int, int, off_t) __asm__("mmap");
GOCRACE_EXPORT void *gocrace_mmap64(void *, size_t, int, int, int, off_t) __asm__("mmap64");

static inline void *mmap_common(void *addr, size_t n, int prot, int flags, int fd, off_t off)
{
	GOCRACE_RESOLVE(mmap);
	det_thread *t = gocrace_thr();
	void *p = real_mmap(addr, n, prot, flags, fd, off);
	if (t != NULL && p != MAP_FAILED && n != 0)
		fresh_range(p, n);
	return p;
}

void *gocrace_mmap(void *addr, size_t n, int prot, int flags, int fd, off_t off)
{
	return mmap_common(addr, n, prot, flags, fd, off);
}

void *gocrace_mmap64(void *addr, size_t n, int prot, int flags, int fd, off_t off)
{
	return mmap_common(addr, n, prot, flags, fd, off);
}

GOCRACE_REAL(int, munmap, void *, size_t);

GOCRACE_EXPORT int munmap(void *addr, size_t n)
{
	GOCRACE_RESOLVE(munmap);
	det_thread *t = gocrace_thr();
	if (t != NULL && n != 0)
		forget_range(addr, n);
	return real_munmap(addr, n);
}

GOCRACE_REAL(void *, mremap, void *, size_t, size_t, int, ...);

/* Only the result says what went away, so the shadow is dealt with after
 * the real call, not before as munmap does: a shrunk mapping lost its
 * tail, a grown one gained a fresh tail, and a moved one (or one whose
 * pages MREMAP_DONTUNMAP took) lost its old range, while the new range
 * starts fresh as an mmap's would, its contents' history and any sync
 * objects in it left behind. A zero old size on a shared mapping makes a
 * second mapping of the same pages and takes nothing away. (Another
 * thread that maps a freed part in the instant before it is forgotten
 * resets it itself; the late forget can only drop what it did there in
 * that instant.) */
GOCRACE_EXPORT void *mremap(void *old, size_t old_size, size_t new_size, int flags, ...)
{
	GOCRACE_RESOLVE(mremap);
	void *want = NULL;
	if (flags & MREMAP_FIXED) {
		va_list ap;
		va_start(ap, flags);
		want = va_arg(ap, void *);
		va_end(ap);
	}
	det_thread *t = gocrace_thr();
	void *p = real_mremap(old, old_size, new_size, flags, want);
	if (t == NULL || p == MAP_FAILED)
		return p;
	size_t os = page_round(old_size), ns = page_round(new_size);
	if (p == old) {
		if (ns < os)
			forget_range((char *)old + ns, os - ns);
		else if (ns > os)
			fresh_range((char *)old + os, ns - os);
	} else {
		if (os != 0)
			forget_range(old, os);
		fresh_range(p, ns);
	}
	return p;
}

/* ---- spawning --------------------------------------------------------- */

GOCRACE_REAL(int, posix_spawn, pid_t *, const char *, const posix_spawn_file_actions_t *,
             const posix_spawnattr_t *, char *const[], char *const[]);
GOCRACE_REAL(int, posix_spawnp, pid_t *, const char *, const posix_spawn_file_actions_t *,
             const posix_spawnattr_t *, char *const[], char *const[]);

/* A NULL-terminated array of strings read, each string and the array. */
static void note_strv(det_thread *t, char *const *v, uintptr_t pc)
{
	for (; v != NULL; v++) {
		rd(t, v, sizeof *v, pc);
		if (*v == NULL)
			break;
		rd(t, *v, real_strlen(*v) + 1, pc);
	}
}

/* The spawn reads the path, the argument and environment strings, and
 * writes *pid (TSan's accesses). glibc's child shares our memory until
 * its exec but runs only glibc's own code, none of it through an
 * interceptor, so the detector is untouched by it; the new program gets
 * the preload from its environment like any other. (The real functions
 * are glibc's current versions: a program linked before glibc 2.15 loses
 * the old one's retry through /bin/sh on ENOEXEC.) */
#define SPAWN_WRAPPER(name)                                                   \
	GOCRACE_EXPORT int name(pid_t *pid, const char *path,                     \
	                        const posix_spawn_file_actions_t *fa,             \
	                        const posix_spawnattr_t *attr, char *const argv[], \
	                        char *const envp[])                               \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		GOCRACE_RESOLVE(strlen);                                              \
		det_thread *t = gocrace_thr();                                        \
		uintptr_t pc = GOCRACE_CALLER_PC();                                   \
		if (t != NULL) {                                                      \
			rd(t, path, real_strlen(path) + 1, pc);                           \
			note_strv(t, argv, pc);                                           \
			note_strv(t, envp, pc);                                           \
		}                                                                     \
		int r = real_##name(pid, path, fa, attr, argv, envp);                 \
		if (t != NULL && r == 0 && pid != NULL)                               \
			wr(t, pid, sizeof *pid, pc);                                      \
		return r;                                                             \
	}

SPAWN_WRAPPER(posix_spawn)
SPAWN_WRAPPER(posix_spawnp)

/* ---- functions that call the program back ----------------------------- */

/* The comparator's frames go on into the caller (gocrace_call_begin).
 * qsort also writes the whole array (it moves the elements: a reader in
 * another thread races with it), checked at the call. bsearch is not
 * intercepted: <stdlib.h> defines it inline in optimized builds. */
GOCRACE_REAL(void, qsort, void *, size_t, size_t, int (*)(const void *, const void *));
GOCRACE_REAL(void, qsort_r, void *, size_t, size_t, int (*)(const void *, const void *, void *),
             void *);

/* qsort's write over base[n * size], unless the product overflows. */
ALWAYS_INLINE void note_sort(det_thread *t, void *base, size_t n, size_t size, uintptr_t pc)
{
	size_t bytes;
	if (t != NULL && !__builtin_mul_overflow(n, size, &bytes) && bytes != 0)
		wr(t, base, bytes, pc);
}

GOCRACE_EXPORT void qsort(void *base, size_t n, size_t size,
                          int (*cmp)(const void *, const void *))
{
	GOCRACE_RESOLVE(qsort);
	uintptr_t pc = GOCRACE_CALLER_PC();
	note_sort(gocrace_thr(), base, n, size, pc);
	det_thread *st __attribute__((cleanup(gocrace_call_cleanup))) = gocrace_stack_thr();
	gocrace_call_begin(st, pc);
	real_qsort(base, n, size, cmp);
}

GOCRACE_EXPORT void qsort_r(void *base, size_t n, size_t size,
                            int (*cmp)(const void *, const void *, void *), void *arg)
{
	GOCRACE_RESOLVE(qsort_r);
	uintptr_t pc = GOCRACE_CALLER_PC();
	note_sort(gocrace_thr(), base, n, size, pc);
	det_thread *st __attribute__((cleanup(gocrace_call_cleanup))) = gocrace_stack_thr();
	gocrace_call_begin(st, pc);
	real_qsort_r(base, n, size, cmp, arg);
}
