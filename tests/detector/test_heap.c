/*
 * test_heap.c — detector/heap.c: free is a write over the block, a freed
 * block's cells outlive the free until the memory is allocated again, and
 * reports on heap memory name the block and its allocation stack.
 */
#include "detutil.h"
#include "internal.h"

TestSuite(heap, .init = det_test_init);

static det_thread *m, *a, *b;
static char block[64] __attribute__((aligned(16)));

static void setup(void)
{
	m = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(m, 0, 0);
	det_alloc(m, (uintptr_t)block, sizeof block, det_ctx_from_pcs((uintptr_t[]){FAKE_PC(5, 50), FAKE_PC(6, 60)}, 2));
	a = det_thread_create(m, DET_KIND_THREAD, -1, 0);
	b = det_thread_create(m, DET_KIND_THREAD, -1, 0);
}

Test(heap, a_use_racing_with_free_is_reported_with_the_free)
{
	setup();
	det_access(a, (uintptr_t)block + 8, 4, FAKE_PC(1, 10), DET_READ);
	cr_assert_eq(det_free(b, (uintptr_t)block, FAKE_PC(2, 20), true), sizeof block);
	json_object *r[2];
	cr_assert_eq(json_records(r, 2), 1);
	cr_assert_str_eq(jstr(r[0], "accesses.0.op"), "free");
	cr_assert_eq(jint(r[0], "accesses.0.stack.0.line"), 20);
	cr_assert_str_eq(jstr(r[0], "accesses.1.op"), "read");
}

Test(heap, a_use_after_an_unordered_free_is_reported)
{
	setup();
	det_free(b, (uintptr_t)block, FAKE_PC(2, 20), true);
	det_access(a, (uintptr_t)block + 8, 4, FAKE_PC(1, 10), DET_WRITE);
	json_object *r[2];
	cr_assert_eq(json_records(r, 2), 1);
	cr_assert_str_eq(jstr(r[0], "accesses.1.op"), "free");
}

/* Every granule of a freed block is remembered as freed, not only its
 * first kilobyte (TSan's limit): a's unordered use near the end of an
 * 8 KiB block races with b's free. */
Test(heap, a_use_at_the_end_of_a_large_freed_block_is_reported)
{
	static _Alignas(16) char large[8192];
	setup();
	det_ctx made = det_ctx_from_pcs((uintptr_t[]){FAKE_PC(5, 51)}, 1);
	det_alloc(m, (uintptr_t)large, sizeof large, made);
	cr_assert_eq(det_free(b, (uintptr_t)large, FAKE_PC(2, 20), true), sizeof large);
	det_access(a, (uintptr_t)large + 8000, 8, FAKE_PC(1, 10), DET_READ);
	json_object *r[2];
	cr_assert_eq(json_records(r, 2), 1);
	cr_assert_str_eq(jstr(r[0], "accesses.0.op"), "read");
	cr_assert_str_eq(jstr(r[0], "accesses.1.op"), "free");
	cr_assert_eq(jint(r[0], "accesses.1.stack.0.line"), 20);
	json_object_put(r[0]);
}

/* A write ordered after a free (a use after free, but no race) does not
 * forget the free: a's unordered read is still reported against the free,
 * for a write of one granule (the full check) and of the whole block (the
 * long write's path). */
static void free_then_ordered_write(size_t size)
{
	static uint64_t handoff;
	setup();
	cr_assert_eq(det_free(b, (uintptr_t)block, FAKE_PC(2, 20), true), sizeof block);
	det_release(b, (uintptr_t)&handoff);
	det_thread *d = det_thread_create(m, DET_KIND_THREAD, -1, 0);
	det_acquire(d, (uintptr_t)&handoff);
	det_access(d, (uintptr_t)block, size, FAKE_PC(4, 40), DET_WRITE);
	json_object *r[2];
	cr_assert_eq(json_records(r, 2), 0, "d's write is ordered after the free");
	det_access(a, (uintptr_t)block, 8, FAKE_PC(1, 10), DET_READ);
	cr_assert_eq(json_records(r, 2), 1);
	cr_assert_str_eq(jstr(r[0], "accesses.0.op"), "read");
	cr_assert_eq(jint(r[0], "accesses.0.stack.0.line"), 10);
	cr_assert_str_eq(jstr(r[0], "accesses.1.op"), "free");
	cr_assert_eq(jint(r[0], "accesses.1.stack.0.line"), 20);
	json_object_put(r[0]);
}

Test(heap, a_write_after_a_free_keeps_the_free)
{
	free_then_ordered_write(8);
}

Test(heap, a_long_write_after_a_free_keeps_the_free)
{
	free_then_ordered_write(sizeof block);
}

Test(heap, a_free_that_is_no_write_forgets_the_block_and_races_with_nothing)
{
	/* free(p) inside an access-ignore region (det_free's write false):
	 * neither a's earlier read nor c's later use races with it, and a's
	 * read is forgotten with the rest of the block's shadow */
	setup();
	det_access(a, (uintptr_t)block + 8, 4, FAKE_PC(1, 10), DET_READ);
	cr_assert_eq(det_free(b, (uintptr_t)block, FAKE_PC(2, 20), false), sizeof block);
	det_thread *c = det_thread_create(m, DET_KIND_THREAD, -1, 0);
	det_access(c, (uintptr_t)block + 8, 4, FAKE_PC(3, 30), DET_WRITE);
	json_object *r[2];
	cr_assert_eq(json_records(r, 2), 0);
	cr_assert_eq(det_free(b, (uintptr_t)block, FAKE_PC(2, 21), true), 0, "the block is gone");
}

Test(heap, reuse_after_allocation_starts_fresh)
{
	setup();
	det_access(a, (uintptr_t)block, 8, FAKE_PC(1, 10), DET_WRITE);
	/* a's write is forgotten when the memory is allocated again */
	det_thread_finish(a);
	det_thread_join(m, a);
	det_free(m, (uintptr_t)block, FAKE_PC(2, 20), true);
	det_alloc(b, (uintptr_t)block, sizeof block, 0);
	det_thread *c = det_thread_create(m, DET_KIND_THREAD, -1, 0);
	det_access(b, (uintptr_t)block, 8, FAKE_PC(3, 30), DET_WRITE);
	det_access(c, (uintptr_t)block + 32, 8, FAKE_PC(3, 31), DET_READ);
	json_object *r[2];
	cr_assert_eq(json_records(r, 2), 0);
}

Test(heap, a_race_on_heap_memory_names_the_block_and_its_allocation)
{
	setup();
	det_access(a, (uintptr_t)block + 40, 8, FAKE_PC(1, 10), DET_WRITE);
	det_access(b, (uintptr_t)block + 40, 8, FAKE_PC(2, 20), DET_WRITE);
	json_object *r[2];
	cr_assert_eq(json_records(r, 2), 1);
	cr_assert_str_eq(jstr(r[0], "location.kind"), "heap");
	cr_assert_eq(jint(r[0], "location.size"), 64);
	cr_assert_eq(jint(r[0], "location.stack.0.line"), 50);
	cr_assert_eq(jint(r[0], "location.stack.1.line"), 60);
	cr_assert_eq(jint(r[0], "location.allocated_by.id"), 0);
}

/* The anonymous memory (kB) of the mapping that holds p: smaps walks the
 * page tables, so a page that reads as the kernel's zero page is not
 * counted (mincore would count it). */
static long anon_kb_at(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	cr_assert(f != NULL);
	char line[512];
	bool in = false;
	long kb = -1;
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && sscanf(line, "Anonymous: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	cr_assert(kb >= 0, "no mapping holds %p", p);
	return kb;
}

/* A new block's shadow is emptied without writing to planes that hold
 * nothing (shadow.c's zero_cells): a thread that only writes a block
 * keeps its accesses in cell 0, so the pages of planes 1 to 3 stay the
 * kernel's zero page. (A memset of each plane made every plane of every
 * heap block resident: 4x the shadow of one.) The block starts 4 KiB
 * into a leaf: its cells are 1000 bytes of the second page of each
 * plane. */
Test(heap, a_new_block_leaves_the_planes_it_does_not_use_unwritten)
{
	setup();
	size_t span = 2u << 20;
	char *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(map != MAP_FAILED);
	char *base = (char *)(((uintptr_t)map + 0xffff) & ~(uintptr_t)0xffff); /* a leaf's start */
	char *blk = base + 4096;
	_Atomic det_cell *cells = det__shadow_cells((uintptr_t)blk); /* maps the leaf */
	cr_assert(cells != NULL);
	/* the same calls once elsewhere first: what they allocate for
	 * themselves (the heap table, the access's context) may sit in a
	 * mapping the kernel merged with the leaf's */
	det_alloc(m, (uintptr_t)base + 32768, 1000, 0);
	for (size_t i = 0; i < 1000; i += 8)
		det_access(m, (uintptr_t)base + 32768 + i, 8, FAKE_PC(1, 10), DET_WRITE);
	long before = anon_kb_at(cells);
	det_alloc(m, (uintptr_t)blk, 1000, 0);
	for (size_t i = 0; i < 1000; i += 8)
		det_access(m, (uintptr_t)blk + i, 8, FAKE_PC(1, 10), DET_WRITE);
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;
	long grew = anon_kb_at(cells) - before;
	/* one page (plane 0's); four when every plane is written */
	cr_assert(grew >= page_kb && grew < 3 * page_kb,
	          "the shadow grew by %ld kB, not about one page (plane 0's)", grew);
	munmap(map, span);
}
