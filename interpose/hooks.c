/*
 * hooks.c — libgoc-race-hooks.so, the no-op ThreadSanitizer hooks library.
 *
 * A program instrumented by clang's own ThreadSanitizer pass
 * (`-fsanitize=thread -fno-sanitize-link-runtime`, what `goc-race cc`
 * passes) calls a __tsan_* hook at every function entry and exit, memory
 * access, atomic operation and (clang 19) mem intrinsic. Linked against
 * this library it runs unchanged and unobserved; under
 * `LD_PRELOAD=libgoc-race.so` the preload runtime's definitions of the same
 * names come first in the lookup order and interpose all of these
 * (tsan-abi.md §1.1, the "stub .so" recipe).
 *
 * Contract:
 * - Every entry point clang 14 and clang 19 emit (tsan-abi.md §1.7) is
 *   defined here, plus the range and PC-carrying variants of §1.8 that
 *   non-clang front ends and hand-written annotations call.
 * - Access, function and range hooks do nothing. Atomic hooks perform the
 *   operation with the requested memory order (they replace the atomic
 *   instruction: a no-op would break the program), generated from
 *   tsan_atomics.h with empty before/after hooks; 128-bit ones need this
 *   file built with -mcx16. __tsan_mem{cpy,move,set} perform the copy.
 * - The user annotation API of tsan-abi.md §2.2, §2.4 and §2.5 (custom
 *   mutexes, fibers, the dynamic Annotate* ones) and the external-object
 *   API of §2.3 (the lists are tsan_annotations.h) are defined too, as
 *   no-ops, so that a program or library that annotates its own
 *   synchronisation or objects links with `goc-race cc` and runs
 *   unchanged; the fiber calls and register_tag return NULL, pre_unlock 0.
 * - Not defined, on purpose: __tsan_acquire and __tsan_release. libgoc
 *   looks __tsan_acquire up with a weak reference to learn whether a real
 *   ThreadSanitizer runtime is present (and then annotates every edge and
 *   makes goroutines fibers, runtime/trace.c); finding it here would make
 *   it annotate into the void, and send goc.h's inline mutex fast paths to
 *   the slow path.
 * - No state, no locks, no dependencies beyond libc; nothing here creates
 *   or observes a happens-before edge. Built with -fvisibility=hidden: only
 *   the names marked GOCRACE_HOOK (and the atomics' GOCRACE_ATOMIC_API)
 *   are exported.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define GOCRACE_ATOMIC_BEFORE(addr, size, kind, mo)
#define GOCRACE_ATOMIC_AFTER(addr, size, kind, mo)
#define GOCRACE_ATOMIC_FENCE(mo)
#include "tsan_atomics.h"
#include "tsan_annotations.h"

#define GOCRACE_HOOK __attribute__((visibility("default"), used))

/* ---- module init, function entry/exit (§1.2) --------------------------- */

GOCRACE_HOOK void __tsan_init(void) {}
GOCRACE_HOOK void __tsan_func_entry(void *call_pc) { (void)call_pc; }
GOCRACE_HOOK void __tsan_func_exit(void) {}
GOCRACE_HOOK void __tsan_ignore_thread_begin(void) {}
GOCRACE_HOOK void __tsan_ignore_thread_end(void) {}

/* ---- plain accesses (§1.3) and their PC-carrying forms (§1.8) ---------- */

#define GOCRACE_DEF_ACCESS(N)                                                  \
	GOCRACE_HOOK void __tsan_read##N(void *addr) { (void)addr; }               \
	GOCRACE_HOOK void __tsan_write##N(void *addr) { (void)addr; }              \
	GOCRACE_HOOK void __tsan_read##N##_pc(void *addr, void *pc)                \
	{                                                                          \
		(void)addr;                                                            \
		(void)pc;                                                              \
	}                                                                          \
	GOCRACE_HOOK void __tsan_write##N##_pc(void *addr, void *pc)               \
	{                                                                          \
		(void)addr;                                                            \
		(void)pc;                                                              \
	}

#define GOCRACE_DEF_UNALIGNED(N)                                               \
	GOCRACE_HOOK void __tsan_unaligned_read##N(const void *addr) { (void)addr; } \
	GOCRACE_HOOK void __tsan_unaligned_write##N(void *addr) { (void)addr; }

GOCRACE_DEF_ACCESS(1)
GOCRACE_DEF_ACCESS(2)
GOCRACE_DEF_ACCESS(4)
GOCRACE_DEF_ACCESS(8)
GOCRACE_DEF_ACCESS(16)
GOCRACE_DEF_UNALIGNED(2)
GOCRACE_DEF_UNALIGNED(4)
GOCRACE_DEF_UNALIGNED(8)
GOCRACE_DEF_UNALIGNED(16)

GOCRACE_HOOK void __tsan_vptr_read(void **vptr_p) { (void)vptr_p; }

GOCRACE_HOOK void __tsan_vptr_update(void **vptr_p, void *new_val)
{
	(void)vptr_p;
	(void)new_val;
}

/* ---- ranges (§1.8) ------------------------------------------------------ */

GOCRACE_HOOK void __tsan_read_range(void *addr, unsigned long size)
{
	(void)addr;
	(void)size;
}

GOCRACE_HOOK void __tsan_write_range(void *addr, unsigned long size)
{
	(void)addr;
	(void)size;
}

GOCRACE_HOOK void __tsan_read_range_pc(void *addr, unsigned long size, void *pc)
{
	(void)addr;
	(void)size;
	(void)pc;
}

GOCRACE_HOOK void __tsan_write_range_pc(void *addr, unsigned long size, void *pc)
{
	(void)addr;
	(void)size;
	(void)pc;
}

/* ---- mem intrinsics, clang 19 (§1.4): same contract as libc's ---------- */

GOCRACE_HOOK void *__tsan_memcpy(void *dst, const void *src, uintptr_t n)
{
	return memcpy(dst, src, n);
}

GOCRACE_HOOK void *__tsan_memmove(void *dst, const void *src, uintptr_t n)
{
	return memmove(dst, src, n);
}

GOCRACE_HOOK void *__tsan_memset(void *dst, int c, uintptr_t n)
{
	return memset(dst, c, n);
}

/* ---- atomics (§1.5): performed, nothing recorded ------------------------ */

GOCRACE_DEFINE_ATOMICS

/* ---- the user annotation API (§2.2, §2.4, §2.5): no-ops ---------------- */

#define GOCRACE_DEF_NOOP(ret, dflt, name, params) \
	GOCRACE_ANNOTATION_NOOP_DEF(GOCRACE_HOOK, ret, dflt, name, params)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
GOCRACE_ANNOTATIONS_MODELLED(GOCRACE_DEF_NOOP)
GOCRACE_ANNOTATIONS_EXTERNAL(GOCRACE_DEF_NOOP)
GOCRACE_ANNOTATIONS_NOOP(GOCRACE_DEF_NOOP)
#pragma GCC diagnostic pop
