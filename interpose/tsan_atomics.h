/*
 * tsan_atomics.h — generates every __tsan_atomic* entry point (tsan-abi.md
 * §1.5): loads, stores, exchange, fetch_{add,sub,and,or,xor,nand},
 * compare_exchange_{val,strong,weak} for 8, 16, 32, 64 and 128 bits, and
 * the two fences. Each performs the operation, with the memory order the
 * program asked for, around hooks the including file defines:
 *
 *   GOCRACE_ATOMIC_BEFORE(addr, size, kind, mo)  before the operation
 *   GOCRACE_ATOMIC_AFTER(addr, size, kind, mo)   after it
 *   GOCRACE_ATOMIC_FENCE(mo)                     before a thread fence
 *
 * kind is ATOMIC_LOAD, ATOMIC_STORE or ATOMIC_RMW (a failed CAS is an
 * ATOMIC_RMW with the failure order, as TSan treats it). BEFORE is the
 * first statement of the body and may declare a local that AFTER, later in
 * the same block, uses. The hooks library (hooks.c) defines them as
 * nothing; the preload runtime (tsan_abi.c) turns them into detector
 * events. A signal fence calls none (one thread: no edge). Memory
 * orders use the ABI's int encoding (0 relaxed … 5 seq_cst); GCC's flag
 * bits above 0x7fff are dropped and consume is treated as acquire.
 */
#ifndef GOC_INTERPOSE_TSAN_ATOMICS_H
#define GOC_INTERPOSE_TSAN_ATOMICS_H

#include <stdint.h>

enum { ATOMIC_LOAD = 0, ATOMIC_STORE = 1, ATOMIC_RMW = 2 };

typedef int8_t gocrace_a8;
typedef int16_t gocrace_a16;
typedef int32_t gocrace_a32;
typedef int64_t gocrace_a64;
typedef __int128 gocrace_a128;

/* ABI order → compiler order, valid for the kind of operation (a store
 * cannot be acquire, a load cannot be release). */
static inline int gocrace_mo(int mo, int kind)
{
	mo &= 0x7fff;
	switch (mo) {
	case 0: return __ATOMIC_RELAXED;
	case 1: /* consume: promoted to acquire */
	case 2: return kind == ATOMIC_STORE ? __ATOMIC_SEQ_CST : __ATOMIC_ACQUIRE;
	case 3: return kind == ATOMIC_LOAD ? __ATOMIC_SEQ_CST : __ATOMIC_RELEASE;
	case 4: return kind == ATOMIC_RMW ? __ATOMIC_ACQ_REL : __ATOMIC_SEQ_CST;
	default: return __ATOMIC_SEQ_CST;
	}
}

/* Failure order of a CAS: no stronger than acquire. */
static inline int gocrace_fail_mo(int mo)
{
	mo &= 0x7fff;
	if (mo == 0)
		return __ATOMIC_RELAXED;
	return mo == 5 ? __ATOMIC_SEQ_CST : __ATOMIC_ACQUIRE;
}

#define GOCRACE_ATOMIC_API __attribute__((visibility("default"), used))

#define GOCRACE_DEF_LOAD(N)                                                    \
	GOCRACE_ATOMIC_API gocrace_a##N __tsan_atomic##N##_load(const volatile gocrace_a##N *a, int mo) \
	{                                                                          \
		GOCRACE_ATOMIC_BEFORE(a, N / 8, ATOMIC_LOAD, mo);                      \
		gocrace_a##N v = __atomic_load_n(a, gocrace_mo(mo, ATOMIC_LOAD));      \
		GOCRACE_ATOMIC_AFTER(a, N / 8, ATOMIC_LOAD, mo);                       \
		return v;                                                              \
	}

#define GOCRACE_DEF_STORE(N)                                                   \
	GOCRACE_ATOMIC_API void __tsan_atomic##N##_store(volatile gocrace_a##N *a, gocrace_a##N v, int mo) \
	{                                                                          \
		GOCRACE_ATOMIC_BEFORE(a, N / 8, ATOMIC_STORE, mo);                     \
		__atomic_store_n(a, v, gocrace_mo(mo, ATOMIC_STORE));                  \
		GOCRACE_ATOMIC_AFTER(a, N / 8, ATOMIC_STORE, mo);                      \
	}

#define GOCRACE_DEF_RMW(N, name, builtin)                                      \
	GOCRACE_ATOMIC_API gocrace_a##N __tsan_atomic##N##_##name(volatile gocrace_a##N *a, gocrace_a##N v, int mo) \
	{                                                                          \
		GOCRACE_ATOMIC_BEFORE(a, N / 8, ATOMIC_RMW, mo);                       \
		gocrace_a##N old = builtin(a, v, gocrace_mo(mo, ATOMIC_RMW));          \
		GOCRACE_ATOMIC_AFTER(a, N / 8, ATOMIC_RMW, mo);                        \
		return old;                                                            \
	}

/* compare_exchange_val returns the old value (success iff old == cmp);
 * strong/weak update *cmp on failure and return 1/0. On failure the hooks
 * see the failure order. All three expand one always-inline body instead
 * of calling each other: the hooks take the entry point's return address
 * as the access's pc, and a call from one exported entry point to another
 * (through the PLT) made that a pc in this library, not the program's. */
#define GOCRACE_DEF_CAS(N)                                                     \
	static inline __attribute__((always_inline)) int gocrace_cas##N(           \
		volatile gocrace_a##N *a, gocrace_a##N *cmp, gocrace_a##N x, int mo, int fmo) \
	{                                                                          \
		GOCRACE_ATOMIC_BEFORE(a, N / 8, ATOMIC_RMW, mo);                       \
		int ok = __atomic_compare_exchange_n(a, cmp, x, 0,                     \
			gocrace_mo(mo, ATOMIC_RMW), gocrace_fail_mo(fmo));                 \
		GOCRACE_ATOMIC_AFTER(a, N / 8, ATOMIC_RMW, ok ? mo : fmo);             \
		return ok;                                                             \
	}                                                                          \
	GOCRACE_ATOMIC_API int __tsan_atomic##N##_compare_exchange_strong(         \
		volatile gocrace_a##N *a, gocrace_a##N *cmp, gocrace_a##N x, int mo, int fmo) \
	{                                                                          \
		return gocrace_cas##N(a, cmp, x, mo, fmo);                             \
	}                                                                          \
	GOCRACE_ATOMIC_API int __tsan_atomic##N##_compare_exchange_weak(           \
		volatile gocrace_a##N *a, gocrace_a##N *cmp, gocrace_a##N x, int mo, int fmo) \
	{                                                                          \
		return gocrace_cas##N(a, cmp, x, mo, fmo);                             \
	}                                                                          \
	GOCRACE_ATOMIC_API gocrace_a##N __tsan_atomic##N##_compare_exchange_val(   \
		volatile gocrace_a##N *a, gocrace_a##N cmp, gocrace_a##N x, int mo, int fmo) \
	{                                                                          \
		gocrace_cas##N(a, &cmp, x, mo, fmo);                                   \
		return cmp;                                                            \
	}

#define GOCRACE_DEF_WIDTH(N)                                                   \
	GOCRACE_DEF_LOAD(N)                                                        \
	GOCRACE_DEF_STORE(N)                                                       \
	GOCRACE_DEF_RMW(N, exchange, __atomic_exchange_n)                          \
	GOCRACE_DEF_RMW(N, fetch_add, __atomic_fetch_add)                          \
	GOCRACE_DEF_RMW(N, fetch_sub, __atomic_fetch_sub)                          \
	GOCRACE_DEF_RMW(N, fetch_and, __atomic_fetch_and)                          \
	GOCRACE_DEF_RMW(N, fetch_or, __atomic_fetch_or)                            \
	GOCRACE_DEF_RMW(N, fetch_xor, __atomic_fetch_xor)                          \
	GOCRACE_DEF_RMW(N, fetch_nand, __atomic_fetch_nand)                        \
	GOCRACE_DEF_CAS(N)

/* The including file writes GOCRACE_DEFINE_ATOMICS once. 128-bit atomics
 * need cmpxchg16b: build that file with -mcx16 (clang then inlines them). */
#define GOCRACE_DEFINE_ATOMICS                                                 \
	GOCRACE_DEF_WIDTH(8)                                                       \
	GOCRACE_DEF_WIDTH(16)                                                      \
	GOCRACE_DEF_WIDTH(32)                                                      \
	GOCRACE_DEF_WIDTH(64)                                                      \
	GOCRACE_DEF_WIDTH(128)                                                     \
	GOCRACE_ATOMIC_API void __tsan_atomic_thread_fence(int mo)                 \
	{                                                                          \
		GOCRACE_ATOMIC_FENCE(mo);                                              \
		__atomic_thread_fence(gocrace_mo(mo, ATOMIC_RMW));                     \
	}                                                                          \
	GOCRACE_ATOMIC_API void __tsan_atomic_signal_fence(int mo)                 \
	{                                                                          \
		__atomic_signal_fence(gocrace_mo(mo, ATOMIC_RMW));                     \
	}

#endif /* GOC_INTERPOSE_TSAN_ATOMICS_H */
