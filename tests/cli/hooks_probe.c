/*
 * hooks_probe.c — a program built with clang's ThreadSanitizer pass
 * (-fsanitize=thread -fno-sanitize-link-runtime -mcx16) and linked against
 * libgoc-race-hooks only, by tests/cli/hooks_test.sh. It exercises every
 * construct tsan-abi.md §1.3-1.5 lists (plain, volatile, bit-field, packed
 * and 16-byte accesses, struct copies and mem intrinsics, atomics of every
 * width and operation, fences) and prints the values it sees, which the
 * script compares with hooks_probe.expected: the atomic hooks must really
 * perform the operation, with nothing preloaded. The last part has four
 * threads hammer one counter of each width, so a hook that is not atomic
 * (or does nothing) loses updates.
 *
 * The same source, compiled with -c, is the probe whose undefined __tsan_*
 * symbols must all be defined by the library (mode "symbols").
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define HI(x) ((uint64_t)((unsigned __int128)(x) >> 64))
#define LO(x) ((uint64_t)(x))

/* Globals escape, so every access to them is instrumented. */
char g1;
short g2;
int g4;
long g8;
__int128 g16;
float gf;
double gd;
volatile int gv;
typedef int v4si __attribute__((vector_size(16)));
v4si gvec;

struct bits {
	unsigned a : 3;
	unsigned b : 13;
	uint64_t c : 40;
} gbits;

struct __attribute__((packed)) packed {
	char pad;
	short s;
	int i;
	long l;
	__int128 q;
} gpacked;

struct big {
	long w[13];
} gbig_a, gbig_b;

static void plain_accesses(void)
{
	g1 = 1;
	g2 = 2;
	g4 = 4;
	g8 = 8;
	g16 = (__int128)16 << 64 | 16;
	gf = 1.5f;
	gd = 2.5;
	gv = gv + 7;
	gvec = (v4si){1, 2, 3, 4};
	gbits.a = 5;
	gbits.b = 1000;
	gbits.c = 123456789012;
	gpacked.s = 22;
	gpacked.i = 44;
	gpacked.l = 88;
	gpacked.q = 1616;
	v4si v = gvec;
	printf("plain %d %d %d %ld %" PRIu64 ":%" PRIu64 " %.1f %.1f %d %d\n", g1, g2, g4,
	       g8, HI(g16), LO(g16), gf, gd, gv, v[0] + v[1] + v[2] + v[3]);
	printf("bits %u %u %" PRIu64 "\n", gbits.a, gbits.b, (uint64_t)gbits.c);
	printf("packed %d %d %ld %ld\n", gpacked.s, gpacked.i, gpacked.l, (long)gpacked.q);
}

/* Variable sizes keep these as calls: libc's under clang 14, __tsan_mem*
 * under clang 19 — either way the copy must happen. */
static void mem_intrinsics(size_t n)
{
	char buf[64];
	for (int i = 0; i < 13; i++)
		gbig_a.w[i] = i * 3;
	gbig_b = gbig_a; /* struct copy */
	memset(buf, 'x', n);
	buf[n] = '\0';
	memcpy(buf + 2, "abcd", n / 4);
	memmove(buf + 1, buf + 2, n / 2);
	printf("mem %ld %ld %s\n", gbig_b.w[1], gbig_b.w[12], buf);
}

/* One width's worth of operations, through the __atomic builtins (which
 * take the memory order as the ABI does) and, for 32 bits, stdatomic. */
#define ATOMIC_OPS(T, v)                                                       \
	do {                                                                       \
		__atomic_store_n(&v, (T)5, __ATOMIC_RELEASE);                          \
		T r_load = __atomic_load_n(&v, __ATOMIC_ACQUIRE);                      \
		T r_add = __atomic_fetch_add(&v, (T)3, __ATOMIC_SEQ_CST);              \
		T r_sub = __atomic_fetch_sub(&v, (T)1, __ATOMIC_RELAXED);              \
		T r_and = __atomic_fetch_and(&v, (T)6, __ATOMIC_ACQ_REL);              \
		T r_or = __atomic_fetch_or(&v, (T)9, __ATOMIC_ACQUIRE);                \
		T r_xor = __atomic_fetch_xor(&v, (T)3, __ATOMIC_RELEASE);              \
		T r_nand = __atomic_fetch_nand(&v, (T)12, __ATOMIC_SEQ_CST);           \
		T r_xchg = __atomic_exchange_n(&v, (T)40, __ATOMIC_ACQ_REL);           \
		T exp1 = 40, exp2 = 1;                                                 \
		int ok1 = __atomic_compare_exchange_n(&v, &exp1, (T)41, 0,             \
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);                               \
		int ok2 = __atomic_compare_exchange_n(&v, &exp2, (T)42, 1,             \
			__ATOMIC_RELEASE, __ATOMIC_RELAXED);                               \
		T end = __atomic_load_n(&v, __ATOMIC_SEQ_CST);                         \
		printf("%s load=%d add=%d sub=%d and=%d or=%d xor=%d nand=%d "         \
		       "xchg=%d cas=%d,%d fail_saw=%d end=%d\n", #T, (int)r_load,      \
		       (int)r_add, (int)r_sub, (int)r_and, (int)r_or, (int)r_xor,      \
		       (int)r_nand, (int)r_xchg, ok1, ok2, (int)exp2, (int)end);       \
	} while (0)

int8_t a8;
int16_t a16;
int32_t a32;
int64_t a64;
__int128 a128;
_Atomic int c11;
atomic_flag flag = ATOMIC_FLAG_INIT;

static void atomics(void)
{
	ATOMIC_OPS(int8_t, a8);
	ATOMIC_OPS(int16_t, a16);
	ATOMIC_OPS(int32_t, a32);
	ATOMIC_OPS(int64_t, a64);
	ATOMIC_OPS(__int128, a128);

	/* 128-bit values that need both halves. */
	__int128 big = (__int128)0x0123456789abcdefLL << 64 | 0x0fedcba987654321ULL;
	__atomic_store_n(&a128, big, __ATOMIC_SEQ_CST);
	__int128 old = __atomic_fetch_add(&a128, (__int128)1 << 64, __ATOMIC_SEQ_CST);
	__int128 now = __atomic_load_n(&a128, __ATOMIC_ACQUIRE);
	printf("int128 old=%016" PRIx64 ":%016" PRIx64 " now=%016" PRIx64 ":%016" PRIx64 "\n",
	       HI(old), LO(old), HI(now), LO(now));

	/* C11 forms, the legacy __sync builtins, flags and fences. */
	atomic_store(&c11, 10);
	int f = atomic_fetch_add_explicit(&c11, 5, memory_order_relaxed);
	int e = 15;
	_Bool s = atomic_compare_exchange_strong(&c11, &e, 20);
	int sync_old = __sync_fetch_and_add(&a32, 100);
	int sync_cas = __sync_val_compare_and_swap(&a32, sync_old + 100, 7);
	_Bool t1 = atomic_flag_test_and_set(&flag);
	_Bool t2 = atomic_flag_test_and_set(&flag);
	atomic_flag_clear(&flag);
	_Bool t3 = atomic_flag_test_and_set(&flag);
	atomic_thread_fence(memory_order_seq_cst);
	atomic_signal_fence(memory_order_acquire);
	__sync_synchronize();
	printf("c11 fetch_add=%d cas=%d now=%d sync_old=%d sync_cas=%d a32=%d flag=%d%d%d\n",
	       f, s, atomic_load(&c11), sync_old, sync_cas, a32, t1, t2, t3);
}

enum { THREADS = 4, ITERS = 100000 };
int8_t h8;
int16_t h16;
int32_t h32;
int64_t h64;
__int128 h128;

static void *hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < ITERS; i++) {
		__atomic_fetch_add(&h8, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&h16, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&h32, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&h64, 1, __ATOMIC_RELAXED);
		/* a CAS loop: compare_exchange_val under the hood */
		__int128 o = __atomic_load_n(&h128, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&h128, &o, o + 1, 1,
				__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			;
	}
	return NULL;
}

static void contention(void)
{
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	/* 400000 mod 256 = 128 → int8 -128; mod 65536 = 6784 */
	printf("contention %d %d %d %ld %ld\n", h8, h16, h32, (long)h64, (long)h128);
}

int main(void)
{
	plain_accesses();
	mem_intrinsics(16);
	atomics();
	contention();
	return 0;
}
