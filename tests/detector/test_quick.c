/*
 * test_quick.c — detector/access.c's det_access_quick against the full
 * check. The quick check decides the usual case alone and leaves the rest
 * to det_access_granule; whatever it decides must be what the full check
 * would have done. The test plays random sequences of accesses and clock
 * edges by four threads (one per seed), applying every access to four
 * copies of the memory: with the full check (det_access) to the first, and
 * through a quick check with det_access_granule as its fallback to each
 * other (as the hooks pick it; the SSE2 build; the AVX2 build). After
 * every step the copies' shadow cells must be equal bit for bit, and the
 * step must have found as many races in each (counted before
 * deduplication).
 *
 * The arrays lie 4 KiB apart, and each copy starts from the thread's same
 * count of evictions, so that the full check's pseudo-random choice of a
 * cell (access.c's evict_choice) is the same in each.
 */
#include "detutil.h"
#include "internal.h"

#define GRANULES 6                 /* the shadowed memory under test */
#define COPIES 4                   /* full check, then three quick ones */
#define STRIDE 4096

static _Alignas(4096) unsigned char mem[COPIES * STRIDE];

TestSuite(quick, .init = det_test_init);

/* xorshift64: the sequence depends on the seed alone */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t races_found(void)
{
	det_stats st;
	det_read_stats(&st);
	return st.races_reported + st.races_duplicate + st.races_suppressed;
}

static int fallbacks; /* calls of full_check: the quick check could not decide */

static void full_check(det_thread *t, uintptr_t addr, uintptr_t pc, unsigned how,
                       _Atomic uint64_t *cells)
{
	fallbacks++;
	det_access_granule(t, cells, addr, DET_HOW_SIZE(how), pc, DET_HOW_FLAGS(how));
}

/* Copy k's cells differ from copy 0's: the first granule that does. */
static int first_difference(int k)
{
	for (int g = 0; g < GRANULES; g++) {
		_Atomic det_cell *a = det__shadow_cells((uintptr_t)mem + (uintptr_t)g * 8);
		_Atomic det_cell *b = det__shadow_cells((uintptr_t)mem + (uintptr_t)k * STRIDE + (uintptr_t)g * 8);
		for (int i = 0; i < DET_CELLS; i++)
			if (atomic_load(det_cell_at(a, i)) != atomic_load(det_cell_at(b, i)))
				return g;
	}
	return -1;
}

static void play(uint64_t seed, int steps)
{
	det_access_quick_fn *variant[2];
	det__access_quick_variants(variant);
	det_thread *main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	/* 300 threads first, alive to the end: the test's own then have slots
	 * above 255 (more of a cell's slot bits in play), beyond the end of
	 * the clocks of threads that have not heard of them yet. Each ticks
	 * its clock 200 times, and main (so every later thread) acquires
	 * that: a clock lookup at the wrong slot then finds an epoch as
	 * high as the test's own, and a wrong "ordered" shows. */
	static uint64_t idle_obj;
	for (int i = 0; i < 300; i++) {
		det_thread *idle = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
		for (int n = 0; n < 200; n++)
			det_release(idle, (uintptr_t)&idle_obj);
		det_acquire(main_t, (uintptr_t)&idle_obj);
	}
	det_thread *th[4] = { main_t };
	for (int i = 1; i < 4; i++)
		th[i] = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	cr_assert_gt(th[1]->slot, 255);
	static uint64_t sync_obj[2];

	uint64_t s = seed;
	int decided = 0, accesses = 0; /* accesses the quick check decided alone (copy 1) */
	det_thread *t = main_t;
	for (int step = 0; step < steps; step++) {
		unsigned r = (unsigned)(rnd(&s) % 100);
		if (r < 20) {
			/* another thread goes on: mostly handed over (ordered after
			 * what ran before), sometimes not (then it may race) */
			det_thread *next = th[rnd(&s) % 4];
			uintptr_t o = (uintptr_t)&sync_obj[rnd(&s) % 2];
			if (r < 15) {
				det_release(t, o);
				det_acquire(next, o);
			}
			t = next;
			continue;
		}
		accesses++;
		/* mostly each granule's own size (as programs access memory),
		 * sometimes any: then the cells fill with different bytes */
		static const size_t sizes[] = { 1, 2, 4, 8, 16 };
		static const size_t natural[GRANULES] = { 8, 4, 2, 1, 16, 16 };
		size_t size, g = rnd(&s) % GRANULES;
		if (rnd(&s) % 8 != 0)
			size = natural[g];
		else
			size = sizes[rnd(&s) % 5];
		uintptr_t off = size == 16 ? (g & ~(size_t)1) * 8
		                           : g * 8 + (rnd(&s) % (8 / size)) * size;
		unsigned flags = (rnd(&s) % 2 ? DET_WRITE : DET_READ) |
		                 (rnd(&s) % 5 == 0 ? DET_ATOMIC : 0);
		uintptr_t pc = FAKE_PC(1 + rnd(&s) % 3, 10 + rnd(&s) % 3);
		int depth = (int)(rnd(&s) % 3);
		uintptr_t callers[2] = { FAKE_PC(5, 50 + rnd(&s) % 2), FAKE_PC(6, 60) };

		uint64_t before = races_found(), found[COPIES];
		uint32_t evictions = t->evictions;
		/* the quick checks first, a different one leading each step:
		 * they find the frames just entered (det__ctx_top_known) before
		 * the full check interns them; each copy enters them afresh, so
		 * that each finds their contexts itself */
		for (int j = 1; j <= COPIES; j++) {
			int k = j == COPIES ? 0 : 1 + (j - 1 + step) % (COPIES - 1);
			t->evictions = evictions;
			for (int d = 0; d < depth; d++)
				det_func_entry(t, callers[d]);
			uintptr_t a = (uintptr_t)mem + (uintptr_t)k * STRIDE + off;
			if (k == 0) {
				det_access(t, a, size, pc, flags);
			} else {
				/* 1: as the hooks call it; 2, 3: each compilation */
				det_access_quick_fn *q = k == 1 ? det_access_quick_for(size, flags) : variant[k - 2];
				int before_k = fallbacks;
				if (q != NULL)
					q(t, a, pc, DET_HOW(size, flags), det__shadow_cells(a), full_check);
				if (k == 1)
					decided += fallbacks == before_k;
			}
			found[k] = races_found() - before;
			before += found[k];
			for (int d = 0; d < depth; d++)
				det_func_exit(t);
		}
		for (int k = 1; k < COPIES; k++) {
			if (k == 3 && variant[1] == NULL)
				continue; /* no AVX2 here */
			int g = first_difference(k);
			cr_assert_eq(g, -1,
				"seed %llu step %d (thread %lld, %s%s of %zu at +%zu): copy %d's granule %d differs",
				(unsigned long long)seed, step, (long long)t->id,
				flags & DET_ATOMIC ? "atomic " : "", flags & DET_WRITE ? "write" : "read",
				size, (size_t)off, k, g);
			cr_assert_eq(found[k], found[0],
				"seed %llu step %d: %llu race(s) by the full check, %llu by copy %d",
				(unsigned long long)seed, step, (unsigned long long)found[0],
				(unsigned long long)found[k], k);
		}
	}
	/* both outcomes, or the agreement proves little */
	cr_assert(decided > accesses / 5 && decided < accesses - accesses / 8,
		"seed %llu: the quick check decided %d of %d accesses alone",
		(unsigned long long)seed, decided, accesses);
}

Test(quick, agrees_with_the_full_check_on_random_sequences)
{
	for (uint64_t seed = 1; seed <= 20; seed++)
		play(seed * 0x9e3779b97f4a7c15ull, 3000);
}

/* The same with races involving an atomic access not reported (the
 * report_atomic_races option off): then the full check neither reports
 * nor forgets such a cell, and the quick check must leave it alone too. */
static void init_no_atomic_races(void)
{
	det_test_init_atomic_races(false);
}

TestSuite(quick_quiet_atomics, .init = init_no_atomic_races);

Test(quick_quiet_atomics, agrees_with_the_full_check_on_random_sequences)
{
	for (uint64_t seed = 21; seed <= 30; seed++)
		play(seed * 0x9e3779b97f4a7c15ull, 3000);
}
