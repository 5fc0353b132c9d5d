/*
 * tsan_annotations.h — the names and signatures of ThreadSanitizer's user
 * annotation API (tsan-abi.md §2.2, §2.4, §2.5; LLVM's
 * compiler-rt/lib/tsan/rtl/tsan_interface_ann.cpp), shared by the no-op
 * hooks library (hooks.c, which defines every one as a no-op) and the
 * preload runtime (annotations.c, which models the first list and defines
 * the second as no-ops, as LLVM's runtime does).
 *
 *   X(ret, dflt, name, params)   ret: the return type; dflt: what the
 *                                no-op returns (empty for void)
 *
 * GOCRACE_ANNOTATIONS_MODELLED: custom mutexes (§2.2), fibers (§2.4), and
 * the dynamic annotations that LLVM's runtime gives an effect (§2.5).
 * GOCRACE_ANNOTATIONS_EXTERNAL: the external-object API (§2.3), modelled
 * in external.c.
 * GOCRACE_ANNOTATIONS_NOOP: the dynamic annotations LLVM's runtime accepts
 * and ignores; defined so that programs written against
 * dynamic_annotations.h link and run the same with either runtime.
 *
 * Not here: __tsan_acquire/__tsan_release (tsan_abi.c; the hooks library
 * leaves them out, see hooks.c), and Valgrind's queries (RunningOnValgrind, ValgrindSlowdown,
 * ThreadSanitizerQuery).
 *
 * Addresses are `const volatile void *` and sizes uintptr_t where LLVM has
 * uptr: the same registers, and what dynamic_annotations.h declares.
 */
#ifndef GOC_INTERPOSE_TSAN_ANNOTATIONS_H
#define GOC_INTERPOSE_TSAN_ANNOTATIONS_H

#include <stddef.h>
#include <stdint.h>

/* Mutex flags (tsan-abi.md §2.2; <sanitizer/tsan_interface.h>). */
enum {
	GOCRACE_MUTEX_LINKER_INIT = 1u << 0,
	GOCRACE_MUTEX_WRITE_REENTRANT = 1u << 1,
	GOCRACE_MUTEX_READ_REENTRANT = 1u << 2,
	GOCRACE_MUTEX_READ_LOCK = 1u << 3,
	GOCRACE_MUTEX_TRY_LOCK = 1u << 4,
	GOCRACE_MUTEX_TRY_LOCK_FAILED = 1u << 5,
	GOCRACE_MUTEX_RECURSIVE_LOCK = 1u << 6,
	GOCRACE_MUTEX_RECURSIVE_UNLOCK = 1u << 7,
	GOCRACE_MUTEX_NOT_STATIC = 1u << 8,
};

/* __tsan_switch_to_fiber's flag (§2.4). */
#define GOCRACE_FIBER_NO_SYNC 1u

#define GOCRACE_ANN_FL const char *f, int l /* every Annotate*'s file, line */

#define GOCRACE_ANNOTATIONS_MODELLED(X)                                       \
	X(void, , __tsan_mutex_create, (void *addr, unsigned flags))              \
	X(void, , __tsan_mutex_destroy, (void *addr, unsigned flags))             \
	X(void, , __tsan_mutex_pre_lock, (void *addr, unsigned flags))            \
	X(void, , __tsan_mutex_post_lock, (void *addr, unsigned flags, int rec))  \
	X(int, 0, __tsan_mutex_pre_unlock, (void *addr, unsigned flags))          \
	X(void, , __tsan_mutex_post_unlock, (void *addr, unsigned flags))         \
	X(void, , __tsan_mutex_pre_signal, (void *addr, unsigned flags))          \
	X(void, , __tsan_mutex_post_signal, (void *addr, unsigned flags))         \
	X(void, , __tsan_mutex_pre_divert, (void *addr, unsigned flags))          \
	X(void, , __tsan_mutex_post_divert, (void *addr, unsigned flags))         \
	X(void, , __tsan_check_no_mutexes_held, (void))                           \
	X(void *, NULL, __tsan_get_current_fiber, (void))                         \
	X(void *, NULL, __tsan_create_fiber, (unsigned flags))                    \
	X(void, , __tsan_destroy_fiber, (void *fiber))                            \
	X(void, , __tsan_switch_to_fiber, (void *fiber, unsigned flags))          \
	X(void, , __tsan_set_fiber_name, (void *fiber, const char *name))         \
	X(void, , AnnotateHappensBefore, (GOCRACE_ANN_FL, const volatile void *addr)) \
	X(void, , AnnotateHappensAfter, (GOCRACE_ANN_FL, const volatile void *addr)) \
	X(void, , AnnotateRWLockCreate, (GOCRACE_ANN_FL, const volatile void *m)) \
	X(void, , AnnotateRWLockCreateStatic, (GOCRACE_ANN_FL, const volatile void *m)) \
	X(void, , AnnotateRWLockDestroy, (GOCRACE_ANN_FL, const volatile void *m)) \
	X(void, , AnnotateRWLockAcquired,                                         \
	  (GOCRACE_ANN_FL, const volatile void *m, uintptr_t is_w))               \
	X(void, , AnnotateRWLockReleased,                                         \
	  (GOCRACE_ANN_FL, const volatile void *m, uintptr_t is_w))               \
	X(void, , AnnotateBenignRaceSized,                                        \
	  (GOCRACE_ANN_FL, const volatile void *mem, uintptr_t size, const char *desc)) \
	X(void, , AnnotateBenignRace,                                             \
	  (GOCRACE_ANN_FL, const volatile void *mem, const char *desc))           \
	X(void, , WTFAnnotateBenignRaceSized,                                     \
	  (GOCRACE_ANN_FL, const volatile void *mem, uintptr_t size, const char *desc)) \
	X(void, , AnnotateIgnoreReadsBegin, (GOCRACE_ANN_FL))                     \
	X(void, , AnnotateIgnoreReadsEnd, (GOCRACE_ANN_FL))                       \
	X(void, , AnnotateIgnoreWritesBegin, (GOCRACE_ANN_FL))                    \
	X(void, , AnnotateIgnoreWritesEnd, (GOCRACE_ANN_FL))                      \
	X(void, , AnnotateIgnoreSyncBegin, (GOCRACE_ANN_FL))                      \
	X(void, , AnnotateIgnoreSyncEnd, (GOCRACE_ANN_FL))                        \
	X(void, , AnnotateThreadName, (GOCRACE_ANN_FL, const char *name))

/* The external-object API (§2.3; external.c). */
#define GOCRACE_ANNOTATIONS_EXTERNAL(X)                                       \
	X(void *, NULL, __tsan_external_register_tag, (const char *object_type))  \
	X(void, , __tsan_external_register_header, (void *tag, const char *header)) \
	X(void, , __tsan_external_assign_tag, (void *addr, void *tag))            \
	X(void, , __tsan_external_read, (void *addr, void *caller_pc, void *tag)) \
	X(void, , __tsan_external_write, (void *addr, void *caller_pc, void *tag))

#define GOCRACE_ANNOTATIONS_NOOP(X)                                           \
	X(void, , AnnotateCondVarSignal, (GOCRACE_ANN_FL, const volatile void *cv)) \
	X(void, , AnnotateCondVarSignalAll, (GOCRACE_ANN_FL, const volatile void *cv)) \
	X(void, , AnnotateCondVarWait,                                            \
	  (GOCRACE_ANN_FL, const volatile void *cv, const volatile void *lock))   \
	X(void, , AnnotateMutexIsNotPHB, (GOCRACE_ANN_FL, const volatile void *mu)) \
	X(void, , AnnotateMutexIsUsedAsCondVar, (GOCRACE_ANN_FL, const volatile void *mu)) \
	X(void, , AnnotateTraceMemory, (GOCRACE_ANN_FL, const volatile void *mem)) \
	X(void, , AnnotateFlushState, (GOCRACE_ANN_FL))                           \
	X(void, , AnnotateNewMemory,                                              \
	  (GOCRACE_ANN_FL, const volatile void *mem, uintptr_t size))             \
	X(void, , AnnotateNoOp, (GOCRACE_ANN_FL, const volatile void *arg))       \
	X(void, , AnnotateFlushExpectedRaces, (GOCRACE_ANN_FL))                   \
	X(void, , AnnotateEnableRaceDetection, (GOCRACE_ANN_FL, int enable))      \
	X(void, , AnnotatePCQCreate, (GOCRACE_ANN_FL, const volatile void *pcq))  \
	X(void, , AnnotatePCQDestroy, (GOCRACE_ANN_FL, const volatile void *pcq)) \
	X(void, , AnnotatePCQPut, (GOCRACE_ANN_FL, const volatile void *pcq))     \
	X(void, , AnnotatePCQGet, (GOCRACE_ANN_FL, const volatile void *pcq))     \
	X(void, , AnnotateExpectRace,                                             \
	  (GOCRACE_ANN_FL, const volatile void *mem, const char *desc))           \
	X(void, , AnnotatePublishMemoryRange,                                     \
	  (GOCRACE_ANN_FL, const volatile void *addr, uintptr_t size))            \
	X(void, , AnnotateUnpublishMemoryRange,                                   \
	  (GOCRACE_ANN_FL, const volatile void *addr, uintptr_t size))            \
	X(void, , AnnotateMemoryIsInitialized,                                    \
	  (GOCRACE_ANN_FL, const volatile void *mem, uintptr_t size))             \
	X(void, , AnnotateMemoryIsUninitialized,                                  \
	  (GOCRACE_ANN_FL, const volatile void *mem, uintptr_t size))             \
	X(void, , WTFAnnotateHappensBefore, (GOCRACE_ANN_FL, const volatile void *addr)) \
	X(void, , WTFAnnotateHappensAfter, (GOCRACE_ANN_FL, const volatile void *addr))

/* A no-op definition of one listed name, exported with `attr`. Parameters
 * go unused: the includer silences -Wunused-parameter around the list. */
#define GOCRACE_ANNOTATION_NOOP_DEF(attr, ret, dflt, name, params) \
	attr ret name params { return dflt; }

#endif /* GOC_INTERPOSE_TSAN_ANNOTATIONS_H */
