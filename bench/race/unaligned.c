/*
 * unaligned.c — unaligned word accesses, as parsers, hash functions and
 * compressors make them (a memcpy into a uint64_t, or a packed struct,
 * that the compiler turns into one load). T threads each own a 64 KiB slice of one calloc'd byte
 * buffer, fill it with memset, then make N passes over it: at every third
 * byte, an 8-byte read at that offset and a 4-byte write of the same
 * bytes two further on, so most accesses cross two 8-byte granules and
 * their byte offsets within a granule keep changing.
 *
 * Unit of work: one pass over each slice (about 21,800 reads and as many
 * writes per thread).
 * HB: pthread_create and pthread_join only.
 * Checksum: N * T * 21,843 * 0x5a (every byte is 0x5a, and each write puts
 * back the bytes that are there).
 */
#include "race.h"

#include <stdint.h>

#define SLICE (1 << 16) /* bytes per thread */
#define STEP 3

struct part {
	unsigned char *p;
	int64_t passes, sum;
};

/* Unaligned accesses through packed structs; volatile, so that no build
 * folds the write of what was read, nor vectorises the loop. */
struct __attribute__((packed)) u64 {
	uint64_t v;
};
struct __attribute__((packed)) u32 {
	uint32_t v;
};

static uint64_t load64(const unsigned char *p)
{
	return ((const volatile struct u64 *)p)->v;
}

static uint32_t load32(const unsigned char *p)
{
	return ((const volatile struct u32 *)p)->v;
}

static void store32(unsigned char *p, uint32_t v)
{
	((volatile struct u32 *)p)->v = v;
}

/* One pass over a slice: the sum of the top byte of every word read. */
static int64_t pass(unsigned char *p)
{
	int64_t s = 0;
	for (size_t i = 1; i + 8 <= SLICE; i += STEP) {
		s += (int64_t)(load64(p + i) >> 56);
		if (i + 2 + 4 <= SLICE)
			store32(p + i + 2, load32(p + i + 2));
	}
	return s;
}

static void *worker(void *arg)
{
	struct part *w = arg;
	memset(w->p, 0x5a, SLICE);
	for (int64_t n = 0; n < w->passes; n++) {
		w->sum += pass(w->p);
		/* Keep each pass a pass: no folding of N passes into one. */
		__asm__ volatile("" ::: "memory");
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int64_t n = race_arg("unaligned", argc, argv, 1, 3000);
	int64_t t = race_arg("unaligned", argc, argv, 2, 2);
	unsigned char *buf = race_calloc("unaligned", (size_t)t, SLICE);
	struct part *parts = race_calloc("unaligned", (size_t)t, sizeof *parts);
	pthread_t *tid = race_calloc("unaligned", (size_t)t, sizeof *tid);

	for (int64_t k = 0; k < t; k++)
		parts[k] = (struct part){ buf + k * SLICE, n, 0 };
	race_start("unaligned", tid, t, worker, parts, sizeof *parts);
	race_join(tid, t);

	int64_t sum = 0;
	for (int64_t k = 0; k < t; k++)
		sum += parts[k].sum;
	/* every byte is 0x5a: each word read adds 0x5a */
	int64_t words = (SLICE - 8) / STEP + 1;
	race_check("unaligned", n, t, "", sum, n * t * words * 0x5a);
	free(tid);
	free(parts);
	free(buf);
	return 0;
}
