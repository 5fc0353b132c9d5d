/*
 * test_access.c — detector/access.c: which pairs of accesses are races.
 * Each test plays a sequence of events for two or three det_threads and
 * checks the exact findings (count, ops, lines) in the JSON sink.
 */
#include "detutil.h"
#include "internal.h"

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <ucontext.h>
#include <sys/wait.h>

static _Alignas(16) uint64_t x[4]; /* the racy memory: a real address, shadow is real */

TestSuite(access, .init = det_test_init);

/* main creates two threads; returns them. The threads begin with their
 * creation and nothing else ordering them. */
static det_thread *main_t;

static void two_threads(det_thread **a, det_thread **b)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	*a = det_thread_create(main_t, DET_KIND_THREAD, -1, det_ctx_from_pcs((uintptr_t[]){FAKE_PC(9, 30)}, 1));
	*b = det_thread_create(main_t, DET_KIND_THREAD, -1, det_ctx_from_pcs((uintptr_t[]){FAKE_PC(9, 31)}, 1));
}

/* main starts and creates n threads (t[0..n), ids 1..n), ordered after
 * nothing main does later. */
static void main_and_threads(det_thread **t, int n)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	for (int k = 0; k < n; k++)
		t[k] = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
}

static void at(det_thread *t, int fn, int line, unsigned flags, void *p, size_t n)
{
	det_func_entry(t, FAKE_PC(20, 1));
	det_access(t, (uintptr_t)p, n, FAKE_PC(fn, line), flags);
	det_func_exit(t);
}

/* One access as a finding names it: its op, the function and line of its
 * top frame (fn<fn>, as at() plays it), and its thread's id. */
typedef struct want_access {
	const char *op;
	int fn, line, thread;
} want_access;

static void expect_access(json_object *rec, int i, want_access w)
{
	char path[64];
	const char *which = i == 0 ? "current" : "previous";
	char fn[16];
	snprintf(fn, sizeof fn, "fn%d", w.fn);
#define AT(k) (snprintf(path, sizeof path, "accesses.%d.%s", i, k), path)
	cr_assert_str_eq(jstr(rec, AT("op")), w.op, "%s access's op", which);
	cr_assert_str_eq(jstr(rec, AT("stack.0.func")), fn, "%s access's function", which);
	cr_assert_eq(jint(rec, AT("stack.0.line")), w.line, "%s access's line", which);
	cr_assert_str_eq(jstr(rec, AT("stack.1.func")), "fn20", "%s access's caller", which);
	cr_assert_eq(jint(rec, AT("thread.id")), w.thread, "%s access's thread", which);
#undef AT
}

/* Exactly `count` findings so far; the JSON records (caller puts them). */
static void expect_findings(json_object **r, size_t count)
{
	size_t n = json_records(r, 4);
	cr_assert_eq(n, count, "%zu finding(s), expected %zu", n, count);
}

static void expect_no_finding(void)
{
	json_object *r[4];
	expect_findings(r, 0);
}

/* Exactly one finding so far: a data race between cur (the access that
 * found it, accesses[0]) and prev (the remembered one, accesses[1]).
 * Returns the record for further checks (caller puts it). */
static json_object *expect_one_race(want_access cur, want_access prev)
{
	json_object *r[4];
	expect_findings(r, 1);
	cr_assert_str_eq(jstr(r[0], "kind"), "data-race");
	expect_access(r[0], 0, cur);
	expect_access(r[0], 1, prev);
	cr_assert_eq(json_object_array_length(jget(r[0], "accesses")), 2);
	return r[0];
}

Test(access, write_write_unordered_is_a_race_with_both_lines)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 12, DET_WRITE, &x[0], 8);
	at(b, 2, 23, DET_WRITE, &x[0], 8);
	json_object *r = expect_one_race((want_access){"write", 2, 23, 2},
	                                 (want_access){"write", 1, 12, 1});
	cr_assert_str_eq(jstr(r, "accesses.0.stack.0.file"), "dir/src2.c", "strip_path_prefix applies");
	json_object_put(r);
}

Test(access, read_read_is_not_a_race)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 12, DET_READ, &x[0], 8);
	at(b, 2, 23, DET_READ, &x[0], 8);
	expect_no_finding();
}

Test(access, read_then_unordered_write_is_a_race)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 12, DET_READ, &x[0], 4);
	at(b, 2, 23, DET_WRITE, &x[0], 4);
	json_object_put(expect_one_race((want_access){"write", 2, 23, 2},
	                                (want_access){"read", 1, 12, 1}));
}

Test(access, disjoint_bytes_of_one_word_do_not_race)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	char *c = (char *)&x[1];
	at(a, 1, 12, DET_WRITE, c, 4);
	at(b, 2, 23, DET_WRITE, c + 4, 4);
	expect_no_finding();
}

Test(access, unaligned_access_across_two_granules_races_with_either_half)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	char *c = (char *)&x[1];
	at(a, 1, 12, DET_WRITE, c + 6, 4); /* bytes 6..9: two granules */
	at(b, 2, 23, DET_READ, c + 8, 1);  /* byte 8: the second granule */
	json_object *r = expect_one_race((want_access){"read", 2, 23, 2},
	                                 (want_access){"write", 1, 12, 1});
	cr_assert_eq(jint(r, "accesses.0.size"), 1);
	cr_assert_eq(jint(r, "accesses.1.size"), 2, "previous access as remembered in that granule (bytes 8..9)");
	json_object_put(r);
}

Test(access, sixteen_byte_access_races_with_its_upper_half)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 12, DET_WRITE, &x[2], 16);
	at(b, 2, 23, DET_WRITE, &x[3], 8);
	json_object_put(expect_one_race((want_access){"write", 2, 23, 2},
	                                (want_access){"write", 1, 12, 1}));
}

Test(access, atomic_vs_atomic_is_not_a_race_atomic_vs_plain_is)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 12, DET_WRITE | DET_ATOMIC, &x[0], 8);
	at(b, 2, 23, DET_READ | DET_ATOMIC, &x[0], 8);
	expect_no_finding();
	at(b, 3, 40, DET_WRITE, &x[0], 8);
	/* b's own atomic read does not race with its write; a's atomic write does */
	json_object *r = expect_one_race((want_access){"write", 3, 40, 2},
	                                 (want_access){"write", 1, 12, 1});
	cr_assert_eq(json_object_get_boolean(jget(r, "accesses.0.atomic")), false);
	cr_assert_eq(json_object_get_boolean(jget(r, "accesses.1.atomic")), true);
	json_object_put(r);
}

/* A thread's atomic access does not take the cell of its plain access to
 * the same bytes: a's plain access of a kind (line 10), then its atomic
 * one (11); b's unordered atomic access of the other kind races with the
 * plain one only. */
static void plain_then_atomic(unsigned a_kind, unsigned b_kind)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 10, a_kind, &x[0], 8);
	at(a, 1, 11, a_kind | DET_ATOMIC, &x[0], 8);
	at(b, 2, 20, b_kind | DET_ATOMIC, &x[0], 8);
	const char *a_op = a_kind == DET_WRITE ? "write" : "read";
	const char *b_op = b_kind == DET_WRITE ? "write" : "read";
	json_object_put(expect_one_race((want_access){b_op, 2, 20, 2},
	                                (want_access){a_op, 1, 10, 1}));
}

Test(access, an_atomic_write_does_not_replace_the_threads_plain_write)
{
	plain_then_atomic(DET_WRITE, DET_READ);
}

Test(access, an_atomic_read_does_not_replace_the_threads_plain_read)
{
	plain_then_atomic(DET_READ, DET_WRITE);
}

Test(access, same_thread_never_races_with_itself)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	(void)b;
	for (int i = 0; i < 10; i++) {
		at(a, 1, 12, DET_WRITE, &x[0], 8);
		at(a, 1, 13, DET_READ, &x[0], 8);
	}
	expect_no_finding();
}

Test(access, creation_orders_parent_before_child_but_not_after)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	at(main_t, 1, 10, DET_WRITE, &x[0], 8);
	det_thread *c = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(c, 2, 20, DET_WRITE, &x[0], 8); /* after the parent's write: fine */
	expect_no_finding();
	at(main_t, 1, 11, DET_READ, &x[0], 8); /* parent after create: races */
	json_object_put(expect_one_race((want_access){"read", 1, 11, 0},
	                                (want_access){"write", 2, 20, 1}));
}

Test(access, join_orders_the_child_before_the_joiner)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	det_thread *c = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(c, 2, 20, DET_WRITE, &x[0], 8);
	det_thread_finish(c);
	det_thread_join(main_t, c);
	at(main_t, 1, 11, DET_READ, &x[0], 8);
	expect_no_finding();
}

/* Five unordered readers, DET_CELLS (4) remembered accesses a granule: one
 * read is forgotten, and the write still races with a remembered one. */
Test(access, a_write_races_even_when_one_of_five_readers_was_forgotten)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	det_thread *rd[5] = {a, b};
	for (int k = 2; k < 5; k++)
		rd[k] = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	/* reader k is thread k, reading in fn<k> on line k */
	for (int k = 1; k <= 5; k++)
		at(rd[k - 1], k, k, DET_READ, &x[0], 8);
	at(main_t, 9, 9, DET_WRITE, &x[0], 8); /* after create, unordered with all */
	json_object *r[4];
	expect_findings(r, 1);
	cr_assert_str_eq(jstr(r[0], "kind"), "data-race");
	int k = (int)jint(r[0], "accesses.1.stack.0.line");
	cr_assert(k >= 1 && k <= 5, "the previous access is one of the five reads, not line %d", k);
	expect_access(r[0], 0, (want_access){"write", 9, 9, 0});
	expect_access(r[0], 1, (want_access){"read", k, k, k});
	json_object_put(r[0]);
}

/* A read with no cell of its own or empty takes the cell of another
 * thread's read it happens after and covers (anything that races with
 * that read later races with this one), not a cell chosen at random,
 * which may be main's write: e, which began before it, then races with
 * it. Four granules, each checked cell by cell; the fourth reader's
 * random draws start where they would not take the first reader's cell
 * in all four (from 0 they happen to). */
Test(access, a_read_takes_the_cell_of_a_read_it_happens_after)
{
	static uint64_t sync_obj;
	det_thread *e;
	main_and_threads(&e, 1); /* before main's writes */
	for (int i = 0; i < 4; i++)
		at(main_t, 1, 10, DET_WRITE, &x[i], 8);
	det_thread *rd[4];
	for (int k = 0; k < 4; k++)
		rd[k] = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 4; i++)
			at(rd[k], 2 + k, 20, DET_READ, &x[i], 8);
	/* the first reader's reads happen before the fourth's, the others not */
	det_release(rd[0], (uintptr_t)&sync_obj);
	det_acquire(rd[3], (uintptr_t)&sync_obj);
	rd[3]->evictions = 1;
	for (int i = 0; i < 4; i++)
		at(rd[3], 5, 50, DET_READ, &x[i], 8);
	expect_no_finding();
	unsigned want = 1u << main_t->slot | 1u << rd[1]->slot | 1u << rd[2]->slot |
	                1u << rd[3]->slot;
	for (int i = 0; i < 4; i++) {
		_Atomic det_cell *cells = det__shadow_cells((uintptr_t)&x[i]);
		unsigned held = 0;
		for (int c = 0; c < DET_CELLS; c++)
			held |= 1u << CELL_SLOT(atomic_load(det_cell_at(cells, c)));
		cr_assert_eq(held, want, "granule %d: the slots %#x in the cells, want %#x", i,
		             held, want);
	}
	for (int i = 0; i < 4; i++)
		at(e, 11 + i, 60, DET_READ, &x[i], 8);
	json_object *r[4];
	expect_findings(r, 4);
	for (int i = 0; i < 4; i++) {
		cr_assert_str_eq(jstr(r[i], "kind"), "data-race");
		expect_access(r[i], 0, (want_access){"read", 11 + i, 60, (int)e->id});
		expect_access(r[i], 1, (want_access){"write", 1, 10, 0});
		json_object_put(r[i]);
	}
}

/* Five unordered readers of a granule, four cells: two that go on
 * reading by turns soon hold a cell each (the others' are taken), rather
 * than take one same cell from each other on every read, each read then
 * a full check. */
Test(access, two_readers_short_of_a_cell_soon_hold_one_each)
{
	det_thread *rd[6];
	main_and_threads(rd, 6);
	for (int k = 0; k < 4; k++)
		at(rd[k], 2 + k, 20, DET_READ, &x[0], 8);
	int misses = 0;
	for (int round = 0; round < 24; round++) {
		for (int k = 4; k < 6; k++) {
			bool seen = det_access_seen(rd[k], (uintptr_t)&x[0], 8, DET_READ);
			if (round >= 12)
				misses += !seen;
			at(rd[k], 6 + k, 60, DET_READ, &x[0], 8);
		}
	}
	cr_assert_eq(misses, 0, "%d of the last 24 reads not remembered", misses);
	expect_no_finding();
}

/* A plain write that happens after another thread's access to the same
 * bytes forgets it (FastTrack's rule): a thread that races with both is
 * then reported against the write, the newer of the two. Main writes x
 * after creating b, so b is unordered with main's write and with a's. */
Test(access, a_write_forgets_what_it_happens_after_and_covers)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	det_thread *b = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(main_t, 1, 10, DET_WRITE, &x[0], 8);
	det_thread *a = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(a, 2, 20, DET_WRITE, &x[0], 8); /* after main's write: forgets it */
	expect_no_finding();
	at(b, 3, 30, DET_READ, &x[0], 8);
	json_object_put(expect_one_race((want_access){"read", 3, 30, 1},
	                                (want_access){"write", 2, 20, 2}));
}

/* ...and nothing else: not bytes it does not cover, not as an atomic
 * write or as a read. In each case b's read (unordered with main's write)
 * still races with main's write, the only access it races with. */
static void write_then(unsigned flags, size_t off, size_t size)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	det_thread *b = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(main_t, 1, 10, DET_WRITE, &x[1], 8);
	det_thread *a = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(a, 2, 20, flags, (char *)&x[1] + off, size);
	expect_no_finding();
	at(b, 3, 30, DET_READ | DET_ATOMIC, (char *)&x[1] + 4, 4);
	json_object_put(expect_one_race((want_access){"read", 3, 30, 1},
	                                (want_access){"write", 1, 10, 0}));
}

Test(access, a_write_of_fewer_bytes_forgets_nothing)
{
	write_then(DET_WRITE, 0, 4);
}

Test(access, an_atomic_write_forgets_nothing)
{
	write_then(DET_WRITE | DET_ATOMIC, 0, 8);
}

Test(access, a_read_forgets_nothing)
{
	write_then(DET_READ, 0, 8);
}

/* A write longer than 16 bytes (memset, memcpy's destination, free) takes
 * its own path over whole granules: a granule it happens after all of is
 * overwritten, the others are checked. Over 4 KiB, b's write races with
 * a's write in the middle, and forgets main's two writes it happens after
 * (two cells: each half of big[200]), so a's later read races with b's and
 * b's write is the granule's only cell. */
Test(access, a_long_write_races_where_it_is_unordered_and_forgets_where_it_is_not)
{
	static _Alignas(64) uint64_t big[512];
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	det_thread *a = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(main_t, 1, 10, DET_WRITE, &big[200], 4);
	at(main_t, 1, 11, DET_WRITE, (char *)&big[200] + 4, 4);
	det_thread *b = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(a, 2, 20, DET_WRITE, &big[100], 8);
	at(b, 3, 30, DET_WRITE, big, sizeof big);
	_Atomic det_cell *cells = det__shadow_cells((uintptr_t)&big[200]);
	int held = 0;
	for (int i = 0; i < DET_CELLS; i++)
		held += atomic_load(det_cell_at(cells, i)) != 0;
	cr_assert_eq(held, 1, "%d cells hold an access, not b's write alone", held);
	at(a, 4, 40, DET_READ, (char *)&big[200] + 4, 4);
	json_object *r[4];
	expect_findings(r, 2);
	for (int i = 0; i < 2; i++)
		cr_assert_str_eq(jstr(r[i], "kind"), "data-race");
	expect_access(r[0], 0, (want_access){"write", 3, 30, 2});
	expect_access(r[0], 1, (want_access){"write", 2, 20, 1});
	cr_assert_eq(jint(r[0], "accesses.0.size"), (int64_t)sizeof big);
	expect_access(r[1], 0, (want_access){"read", 4, 40, 1});
	expect_access(r[1], 1, (want_access){"write", 3, 30, 2});
	for (int i = 0; i < 2; i++)
		json_object_put(r[i]);
}

/* The long write's path looks the cells up a shadow leaf (64 KiB) at a
 * time: across a leaf's end it finds the next leaf's cells, where a's
 * write is. main touches the first leaf before a the second, so that the
 * second leaf is not mapped right after the first (mmap places each new
 * mapping below the last): running on past the first leaf's end would
 * not find a's write. */
Test(access, a_long_write_across_a_shadow_leaf_races_beyond_it)
{
	static _Alignas(1 << 16) char span[2 << 16];
	det_thread *a, *b;
	two_threads(&a, &b);
	at(main_t, 3, 30, DET_WRITE, span, 8);
	at(a, 1, 10, DET_WRITE, span + (1 << 16) + 64, 8);
	at(b, 2, 20, DET_WRITE, span + (1 << 16) - 128, 256);
	json_object_put(expect_one_race((want_access){"write", 2, 20, 2},
	                                (want_access){"write", 1, 10, 1}));
}

/* det_access_seen and its inline twin (detector.h): true exactly when the
 * shadow already holds this access by this thread at this epoch; a new
 * epoch, another kind, other bytes or another thread is "not seen". */
static int seen_inline(det_thread *t, void *p, size_t n, unsigned flags)
{
	_Atomic uint64_t *cells;
	int r = det_access_seen_inline(t, (uintptr_t)p, n, flags, &cells);
	/* -1 (leaf not cached): det_access_seen also caches it */
	return r >= 0 ? r : det_access_seen(t, (uintptr_t)p, n, flags);
}

/* The current thread's hot fields are read from a thread-local copy
 * (detector.h det_tls.hot), which follows them: a new epoch, made on the
 * thread's own OS thread or on another (libgoc's handoffs release for the
 * goroutine they wake, whose thread is parked), and a new leaf; and goes
 * with det_set_current. A stale copy would call the thread's access at a
 * new epoch seen, and leave it unrecorded. */
static det_thread *copy_t;
static sem_t copy_parked, copy_woken;
static int copy_seen[2];

static void *copy_runner(void *arg)
{
	(void)arg;
	_Atomic uint64_t *cells;
	det_set_current(copy_t);
	at(copy_t, 1, 10, DET_WRITE, &x[0], 8);
	det_access_seen(copy_t, (uintptr_t)&x[0], 8, DET_WRITE); /* caches the leaf */
	copy_seen[0] = det_access_seen_inline(copy_t, (uintptr_t)&x[0], 8, DET_WRITE, &cells);
	sem_post(&copy_parked);
	sem_wait(&copy_woken);
	copy_seen[1] = det_access_seen_inline(copy_t, (uintptr_t)&x[0], 8, DET_WRITE, &cells);
	det_set_current(NULL);
	return NULL;
}

/* t runs on a new OS thread (copy_runner), which parks; returns it. */
static pthread_t park_on_a_thread(det_thread *t)
{
	copy_t = t;
	cr_assert_eq(sem_init(&copy_parked, 0, 0), 0);
	cr_assert_eq(sem_init(&copy_woken, 0, 0), 0);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, copy_runner, NULL), 0);
	sem_wait(&copy_parked);
	return th;
}

/* The parked thread th goes on and ends. */
static void wake_parked(pthread_t th)
{
	sem_post(&copy_woken);
	pthread_join(th, NULL);
}

Test(access, the_current_threads_copy_of_its_hot_fields_follows_them)
{
	det_thread *a;
	main_and_threads(&a, 1);
	_Atomic uint64_t *cells;
	det_set_current(a);
	cr_assert_eq(det__tls.hot.cell_id, a->hot.cell_id, "copied in by det_set_current");
	at(a, 1, 10, DET_WRITE, &x[0], 8);
	cr_assert(det_access_seen(a, (uintptr_t)&x[0], 8, DET_WRITE));
	cr_assert_eq(det_access_seen_inline(a, (uintptr_t)&x[0], 8, DET_WRITE, &cells), 1,
		"the leaf det_access_seen cached is in the copy");
	det_release(a, (uintptr_t)&x[3]);
	cr_assert_eq(det_access_seen_inline(a, (uintptr_t)&x[0], 8, DET_WRITE, &cells), 0,
		"the thread's own release: a new epoch in the copy too");
	det_set_current(main_t);
	cr_assert_eq(det__tls.hot.cell_id, main_t->hot.cell_id, "main's copy back");

	pthread_t th = park_on_a_thread(a);
	det_release(a, (uintptr_t)&x[3]); /* a runs on th, parked */
	wake_parked(th);
	cr_assert_eq(copy_seen[0], 1, "seen on its OS thread before");
	cr_assert_eq(copy_seen[1], 0, "a release made on another OS thread: a new epoch there");
}

/* In a fork child the parent's other OS threads are gone, their
 * thread-local blocks too (glibc reuses their stacks): a det_thread
 * current on one of them is current nowhere, and a change to its hot
 * fields writes no copy there. The forking thread's stays. */
Test(access, a_fork_child_keeps_no_copy_on_the_parents_other_threads)
{
	det_thread *a;
	main_and_threads(&a, 1);
	pthread_t th = park_on_a_thread(a);
	cr_assert_neq(atomic_load(&a->running_on), NULL, "a is current on its thread");
	pid_t pid = fork();
	if (pid == 0) {
		det_fork_child(main_t);
		bool ok = atomic_load(&a->running_on) == NULL &&
		          atomic_load(&main_t->running_on) == &det__tls;
		_exit(ok ? 0 : 1);
	}
	cr_assert_gt(pid, 0);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	wake_parked(th);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		"in the child a is current nowhere, main still here (status %#x)", st);
}

/* det_access_seen runs in the hooks without the preload runtime's guard,
 * so a signal handler's accesses and releases can run in its middle. The
 * test single-steps it (the trap flag: a SIGTRAP after every instruction)
 * and, at each instruction in turn, runs what a handler would, between
 * det_signal_enter and det_signal_exit as the runtime runs one: a release
 * (a new epoch) or another leaf's lookup. Afterwards each cached key must
 * still name its leaf, and the thread-local copy equal the fields (the
 * release's epoch too). */
static _Alignas(65536) char leaves_mem[4 << 16];
static volatile long trap_steps, trap_fire_at;
static det_thread *trap_t;
static int trap_action; /* 0: a release; 1: another leaf's lookup */
static uint64_t trap_sync;

/* The trap flag on (a SIGTRAP after each instruction from here) and off;
 * inline, so that only the code between them is stepped. */
static inline __attribute__((always_inline)) void step_on(void)
{
	trap_steps = 0;
	__asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq" ::: "memory", "cc");
}

static inline __attribute__((always_inline)) void step_off(void)
{
	__asm__ volatile("pushfq; andq $~0x100, (%%rsp); popfq" ::: "memory", "cc");
}

static void trap_handler(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	if (++trap_steps == trap_fire_at) {
		det_signal_state saved;
		det_signal_enter(&saved);
		if (trap_action == 0)
			det_release(trap_t, (uintptr_t)&trap_sync);
		else
			det_access_seen(trap_t, (uintptr_t)leaves_mem + (3 << 16), 8, DET_WRITE);
		det_signal_exit(&saved);
	}
	if (trap_steps >= trap_fire_at)
		uc->uc_mcontext.gregs[REG_EFL] &= ~0x100ll; /* no more steps */
}

static void trap_install(void)
{
	struct sigaction sa = { .sa_sigaction = trap_handler, .sa_flags = SA_SIGINFO };
	cr_assert_eq(sigaction(SIGTRAP, &sa, NULL), 0);
}

/* t's hot fields and their copy (of the OS thread t runs on) after a
 * handler ran at instruction `at`: each key names its leaf, the copy is
 * equal. */
static void hot_fields_whole(det_thread *t, const det_thread_hot *copy, const char *what,
                             long at)
{
	for (int i = 0; i < 2; i++) {
		uint64_t key = t->hot.leaf_key[i];
		if (key == 0)
			continue;
		cr_assert_eq(t->hot.leaf[i], det__shadow_leaf_cached((uintptr_t)(key - 1) << 16),
			"%s at instruction %ld: key %d names another leaf", what, at, i);
	}
	cr_assert(copy->cell_id == t->hot.cell_id && copy->leaf_key[0] == t->hot.leaf_key[0] &&
	          copy->leaf_key[1] == t->hot.leaf_key[1] && copy->leaf[0] == t->hot.leaf[0] &&
	          copy->leaf[1] == t->hot.leaf[1],
		"%s at instruction %ld: the thread-local copy differs", what, at);
}

Test(access, a_signal_in_the_middle_of_a_leaf_update_leaves_it_whole)
{
	det_thread *t;
	main_and_threads(&t, 1);
	det_set_current(t);
	trap_t = t;
	/* every leaf and the sync object exist: the handler takes no lock the
	 * stepped code could hold */
	for (int i = 0; i < 4; i++)
		det_access(t, (uintptr_t)leaves_mem + ((uintptr_t)i << 16), 8, FAKE_PC(1, 1),
		           DET_WRITE);
	det_release(t, (uintptr_t)&trap_sync);
	trap_install();
	for (trap_action = 0; trap_action < 2; trap_action++) {
		long fired = 0;
		for (trap_fire_at = 1;; trap_fire_at++) {
			det_access_seen(t, (uintptr_t)leaves_mem, 8, DET_WRITE);
			det_access_seen(t, (uintptr_t)leaves_mem + (1 << 16), 8, DET_WRITE);
			step_on();
			det_access_seen(t, (uintptr_t)leaves_mem + (2 << 16), 8, DET_WRITE);
			step_off();
			if (trap_steps < trap_fire_at)
				break; /* past the call's last instruction */
			fired++;
			hot_fields_whole(t, &det__tls.hot, trap_action == 0 ? "a release" : "a lookup",
			                 trap_fire_at);
		}
		cr_assert_gt(fired, 20, "only %ld instructions stepped", fired);
	}
	det_set_current(main_t);
}

/* A release made for t on another OS thread (libgoc's handoffs release
 * for the goroutine they wake) while a signal handler on t's own thread,
 * parked, looks up a leaf: single-stepped, with the lookup at every
 * instruction. The copy on t's thread keeps each key with its leaf and
 * equals t's fields: the release copies its new epoch alone. */
Test(access, a_release_from_another_thread_leaves_the_copy_whole)
{
	det_thread *a;
	main_and_threads(&a, 1);
	for (int i = 0; i < 4; i++)
		det_access(a, (uintptr_t)leaves_mem + ((uintptr_t)i << 16), 8, FAKE_PC(1, 1),
		           DET_WRITE);
	det_release(a, (uintptr_t)&trap_sync);
	pthread_t th = park_on_a_thread(a);
	det_tls *on = atomic_load(&a->running_on);
	cr_assert_neq(on, NULL);
	trap_t = a;
	trap_action = 1;
	trap_install();
	long fired = 0;
	for (trap_fire_at = 1;; trap_fire_at++) {
		det_access_seen(a, (uintptr_t)leaves_mem + (1 << 16), 8, DET_WRITE);
		det_access_seen(a, (uintptr_t)leaves_mem, 8, DET_WRITE);
		step_on();
		det_release(a, (uintptr_t)&trap_sync);
		step_off();
		if (trap_steps < trap_fire_at)
			break;
		fired++;
		hot_fields_whole(a, &on->hot, "a lookup in a release", trap_fire_at);
	}
	wake_parked(th);
	cr_assert_gt(fired, 20, "only %ld instructions stepped", fired);
}

Test(access, seen_for_the_same_or_a_covered_access_at_the_same_epoch)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	cr_assert_not(det_access_seen(a, (uintptr_t)&x[0], 8, DET_WRITE), "never accessed");
	at(a, 1, 10, DET_WRITE, &x[0], 8);
	cr_assert(det_access_seen(a, (uintptr_t)&x[0], 8, DET_WRITE));
	cr_assert(seen_inline(a, &x[0], 8, DET_WRITE) == 1);
	_Atomic uint64_t *cells;
	cr_assert(det_access_seen_inline(a, (uintptr_t)&x[0], 8, DET_WRITE, &cells) == 1,
		"det_access_seen cached the leaf for the inline check");
	cr_assert_eq(seen_inline(a, &x[0], 8, DET_READ), 1, "a read is seen in the same write");
	cr_assert_eq(seen_inline(a, &x[0], 8, DET_READ | DET_ATOMIC), 0, "but not an atomic one");
	cr_assert_eq(seen_inline(a, &x[0], 4, DET_READ), 1, "a read of bytes the write covers");
	cr_assert_eq(seen_inline(a, (char *)&x[0] + 4, 4, DET_WRITE), 1, "a write of covered bytes");
	cr_assert_eq(seen_inline(a, (char *)&x[0] + 7, 1, DET_WRITE), 1, "its last byte");
	at(a, 1, 12, DET_WRITE, &x[2], 4);
	cr_assert_eq(seen_inline(a, &x[2], 8, DET_WRITE), 0, "not more bytes than the cell's");
	cr_assert_eq(seen_inline(a, (char *)&x[2] + 2, 4, DET_WRITE), 0, "nor bytes it lacks");
	cr_assert_eq(seen_inline(a, (char *)&x[2] + 1, 2, DET_READ), 1, "but bytes it has");
	cr_assert_eq(seen_inline(a, &x[0], 8, DET_WRITE | DET_ATOMIC), 0, "atomic");
	cr_assert_eq(seen_inline(b, &x[0], 8, DET_WRITE), 0, "another thread");
	cr_assert_eq(seen_inline(a, (char *)&x[1] - 4, 8, DET_WRITE), 0, "two granules");
	cr_assert_eq(det_access_seen_inline(a, (uintptr_t)&x[0], 16, DET_WRITE, &cells), 0,
		"16 bytes: x[1], the upper granule, holds no write");

	/* a release starts a new epoch: the same access is new again */
	det_release(a, (uintptr_t)&x[3]);
	cr_assert_eq(seen_inline(a, &x[0], 8, DET_WRITE), 0, "new epoch");
	at(a, 1, 11, DET_WRITE, &x[0], 8);
	cr_assert_eq(seen_inline(a, &x[0], 8, DET_WRITE), 1);

	/* and "seen" never hides a race: b's write is still checked */
	at(b, 2, 20, DET_WRITE, &x[0], 8);
	json_object_put(expect_one_race((want_access){ "write", 2, 20, 2 },
	                                (want_access){ "write", 1, 11, 1 }));
}

/* Cells of x[3] holding an access (its granule's four). */
static int cells_in_use(void)
{
	_Atomic det_cell *cells = det__shadow_cells((uintptr_t)&x[3]);
	int n = 0;
	for (int i = 0; i < DET_CELLS; i++)
		n += atomic_load(det_cell_at(cells, i)) != 0;
	return n;
}

/* A range reports once per other thread it races with, not once in all
 * (TSan stops a range at its first race). It is remembered in every
 * granule, racing ones too, and its cell covers the thread's later
 * accesses of those bytes (CELL_SEEN): a race it did not report would go
 * unreported for them too. a writes buf[0] and buf[2] (two granules), b
 * reads buf[4] (a third); main's 24-byte write (a memset) races with
 * all three: two reports, one per thread. main's write
 * of buf[4] after it is seen in the memset's cell; its race with b is the
 * memset's, reported. (With one report per range, b's race was never
 * reported, for the memset or the write.) */
Test(access, a_range_reports_once_per_thread_it_races_with)
{
	static _Alignas(8) uint32_t buf[6];
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 10, DET_WRITE, &buf[0], 4);
	at(a, 1, 11, DET_WRITE, &buf[2], 4);
	at(b, 2, 20, DET_READ, &buf[4], 4);
	at(main_t, 3, 30, DET_WRITE, buf, sizeof buf);
	at(main_t, 3, 31, DET_WRITE, &buf[4], 4);
	json_object *r[4];
	expect_findings(r, 2);
	expect_access(r[0], 0, (want_access){ "write", 3, 30, 0 });
	expect_access(r[0], 1, (want_access){ "write", 1, 10, 1 });
	expect_access(r[1], 0, (want_access){ "write", 3, 30, 0 });
	expect_access(r[1], 1, (want_access){ "read", 2, 20, 2 });
	json_object_put(r[0]);
	json_object_put(r[1]);
}

/* A plain write that empties another thread's older access goes into
 * the first cell it frees (access.c's first_freed), and the thread's own
 * older read it covers goes too: main writes x[3] (as calloc's zeroing
 * does) before it starts a, a reads it (cell 1: main's write holds cell
 * 0), then writes it. a's write must end in cell 0, alone, where the
 * inline "seen" test finds it at its first load; else each of a's later
 * accesses would load two planes. The full check here; test_quick plays
 * the same choice through both. */
Test(access, a_write_that_frees_an_earlier_cell_moves_into_it)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	at(main_t, 1, 10, DET_WRITE, &x[3], 8);
	det_thread *a = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	_Atomic det_cell *cells = det__shadow_cells((uintptr_t)&x[3]);
	at(a, 2, 20, DET_READ, &x[3], 8);
	cr_assert(atomic_load(det_cell_at(cells, 1)) != 0, "a's read went into cell 1");
	at(a, 2, 21, DET_WRITE, &x[3], 8);
	det_cell c0 = atomic_load(det_cell_at(cells, 0));
	cr_assert(c0 != 0 && !CELL_READ(c0) && CELL_SLOT(c0) == a->slot,
	          "cell 0 holds a's write, not main's");
	for (int i = 1; i < DET_CELLS; i++)
		cr_assert_eq(atomic_load(det_cell_at(cells, i)), 0, "cell %d still holds an access", i);
	cr_assert_eq(seen_inline(a, &x[3], 8, DET_READ), 1);
	expect_no_finding();
}

/* Readers each read x[3] and release; main acquires them all and writes
 * it. With a cell to spare after the write, the readers' cells stay (a
 * write that empties them writes lines their threads keep writing:
 * access.c's spare_cell); with none, they are emptied, to leave room.
 * Either way a later unordered reader races with the write. */
static void readers_then_write(int readers, int want_cells)
{
	main_t = det_thread_create(NULL, DET_KIND_THREAD, -1, 0);
	det_thread_start(main_t, 0, 0);
	static uint64_t sync[3];
	for (int k = 0; k < readers; k++) {
		det_thread *r = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
		at(r, 1, 10 + k, DET_READ, &x[3], 8);
		det_release(r, (uintptr_t)&sync[k]);
		det_acquire(main_t, (uintptr_t)&sync[k]);
	}
	det_thread *late = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(main_t, 2, 20, DET_WRITE, &x[3], 8);
	cr_assert_eq(cells_in_use(), want_cells, "%d cells in use after the write, expected %d",
	             cells_in_use(), want_cells);
	expect_no_finding();
	at(late, 3, 30, DET_READ, &x[3], 8);
	want_access cur = { "read", 3, 30, (int)det_thread_id(late) };
	json_object_put(expect_one_race(cur, (want_access){ "write", 2, 20, 0 }));
}

Test(access, a_write_keeps_the_reads_it_covers_while_a_cell_is_spare)
{
	readers_then_write(2, 3);
}

Test(access, a_write_empties_the_reads_it_covers_when_no_cell_is_spare)
{
	readers_then_write(3, 1);
}

/* A thread's read of bytes it wrote in the same epoch, or of some of
 * them, takes no cell: its write races with whatever the read would
 * (TSan's rule, for the same bytes). b's unordered
 * write is reported against a's write. The full check. */
Test(access, a_read_is_covered_by_the_threads_write_at_the_same_epoch)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 10, DET_WRITE, &x[3], 8);
	at(a, 1, 11, DET_READ, &x[3], 8);
	cr_assert_eq(cells_in_use(), 1, "the read took a cell beside the write");
	_Atomic det_cell *cells = det__shadow_cells((uintptr_t)&x[3]);
	for (int i = 0; i < DET_CELLS; i++)
		if (atomic_load(det_cell_at(cells, i)) != 0)
			cr_assert_eq(CELL_READ(atomic_load(det_cell_at(cells, i))), 0);
	at(a, 1, 12, DET_READ, &x[3], 4);
	cr_assert_eq(cells_in_use(), 1, "a read of fewer bytes is covered too");
	at(b, 2, 20, DET_WRITE, &x[3], 8);
	json_object_put(expect_one_race((want_access){ "write", 2, 20, 2 },
	                                (want_access){ "write", 1, 10, 1 }));
}

/* ...but not an atomic read by a plain write (the atomicity must match,
 * as the bytes must), nor a read after a release (a new epoch). */
Test(access, an_atomic_read_or_a_new_epoch_is_not_covered_by_the_write)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	(void)b;
	at(a, 1, 10, DET_WRITE, &x[3], 8);
	at(a, 1, 11, DET_READ | DET_ATOMIC, &x[3], 8);
	cr_assert_eq(cells_in_use(), 2, "the atomic read has a cell");
	det_release(a, (uintptr_t)&x[0]);
	at(a, 1, 12, DET_WRITE, &x[3], 8);
	cr_assert_eq(cells_in_use(), 2, "the write took its own older write's cell");
	det_release(a, (uintptr_t)&x[0]);
	at(a, 1, 13, DET_READ, &x[3], 8);
	cr_assert_eq(cells_in_use(), 2, "the read took the older atomic read's cell");
	cr_assert_eq(seen_inline(a, &x[3], 8, DET_READ), 1);
	cr_assert_eq(seen_inline(a, &x[3], 8, DET_WRITE), 0, "the write is of the epoch before");
	expect_no_finding();
}

Test(access, an_aligned_16_byte_access_is_seen_in_both_granules)
{
	static _Alignas(16) uint64_t y[2];
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 10, DET_READ, y, 16);
	cr_assert_eq(seen_inline(a, y, 16, DET_READ), 1);
	cr_assert_eq(seen_inline(a, y, 8, DET_READ), 1, "each granule holds its 8 bytes");
	cr_assert_eq(seen_inline(a, y, 4, DET_READ), 1, "and 4 of them");
	at(a, 1, 11, DET_WRITE, &y[1], 8);
	cr_assert_eq(seen_inline(a, y, 16, DET_WRITE), 0, "only the upper granule holds a write");
	/* b's 16-byte write races with a's read in the lower granule (the
	 * first checked), and with a's write in the upper one: another pair
	 * of lines, so another finding */
	at(b, 2, 20, DET_WRITE, y, 16);
	json_object *r[4];
	expect_findings(r, 2);
	expect_access(r[0], 0, (want_access){ "write", 2, 20, 2 });
	expect_access(r[0], 1, (want_access){ "read", 1, 10, 1 });
	expect_access(r[1], 0, (want_access){ "write", 2, 20, 2 });
	expect_access(r[1], 1, (want_access){ "write", 1, 11, 1 });
	json_object_put(r[0]);
	json_object_put(r[1]);
}

Test(access, seen_follows_the_thread_into_a_new_slot)
{
	/* A finished thread's slot goes back; a thread created after the
	 * join may take it, and its first access is new, not "seen". */
	det_thread *a, *b;
	two_threads(&a, &b);
	at(a, 1, 10, DET_WRITE, &x[2], 8);
	det_thread_finish(a);
	det_thread_join(main_t, a);
	det_thread *c = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	det_thread_start(c, 0, 0);
	cr_assert_eq(seen_inline(c, &x[2], 8, DET_WRITE), 0);
	at(c, 3, 30, DET_WRITE, &x[2], 8);
	cr_assert_eq(seen_inline(c, &x[2], 8, DET_WRITE), 1);
	expect_no_finding();
}

Test(access, one_pc_under_another_caller_is_remembered_with_that_caller)
{
	/* The thread remembers the context of its last access's pc until its
	 * stack changes: the same pc in a frame just entered, or back in the
	 * caller, has another context. Each place's first access interns the
	 * context (w, no race); the second finds it cached and remembers it. */
	static uint64_t w[2];
	det_thread *a, *b;
	two_threads(&a, &b);
	uintptr_t pc = FAKE_PC(1, 12);
	det_access(a, (uintptr_t)&w[0], 8, pc, DET_WRITE); /* depth 0 */
	det_access(a, (uintptr_t)&x[0], 8, pc, DET_WRITE);
	det_func_entry(a, FAKE_PC(21, 5));
	det_access(a, (uintptr_t)&w[1], 8, pc, DET_WRITE);
	det_access(a, (uintptr_t)&x[1], 8, pc, DET_WRITE);
	det_func_exit(a);
	det_access(a, (uintptr_t)&x[2], 8, pc, DET_WRITE); /* depth 0 again */
	static const int caller[3] = { 0, 21, 0 };
	for (int i = 0; i < 3; i++) /* fn3..fn5: three races, not one reported thrice */
		at(b, 3 + i, 23 + i, DET_WRITE, &x[i], 8);
	json_object *r[4];
	expect_findings(r, 3);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(jint(r[i], "accesses.0.stack.0.line"), 23 + i, "race %d's current line", i);
		cr_assert_eq(jint(r[i], "accesses.1.stack.0.line"), 12, "race %d's previous line", i);
		if (caller[i] == 0) {
			cr_assert_null(jget(r[i], "accesses.1.stack.1"), "race %d: no caller", i);
		} else {
			char fn[16];
			snprintf(fn, sizeof fn, "fn%d", caller[i]);
			cr_assert_str_eq(jstr(r[i], "accesses.1.stack.1.func"), fn, "race %d's caller", i);
		}
		json_object_put(r[i]);
	}
}

/* ---- setjmp and longjmp (det_setjmp, det_longjmp) --------------------- */

/* Stack pointers for the setjmp points below: the stack grows down, so
 * a deeper frame has a lower one. */
#define SP_OUTER 0x7f0000f000u
#define SP_INNER 0x7f0000e000u

/* t enters n frames of function fn (lines 1..n). */
static void enter(det_thread *t, int fn, int n)
{
	for (int i = 1; i <= n; i++)
		det_func_entry(t, FAKE_PC(fn, i));
}

/* The frames between a longjmp and its setjmp are left without their
 * exits: the jump cuts the shadow stack back, so the access after it has
 * the stack it has in the program (fn1, fn20, fn30), in a's report and
 * in b's. */
Test(access, a_longjmp_cuts_the_stack_back_to_its_setjmp)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	int env;
	enter(a, 30, 1);
	det_setjmp(a, (uintptr_t)&env, SP_OUTER);
	enter(a, 31, 5);
	det_longjmp(a, (uintptr_t)&env);
	cr_assert_eq(a->depth, 1);
	at(a, 1, 10, DET_WRITE, &x[2], 8);
	at(b, 2, 20, DET_WRITE, &x[2], 8);
	json_object *r = expect_one_race((want_access){ "write", 2, 20, 2 },
	                                 (want_access){ "write", 1, 10, 1 });
	json_object *prev = jget(r, "accesses.1.stack");
	cr_assert_eq(json_object_array_length(prev), 3, "fn1, fn20, fn30: the jump left fn31's");
	cr_assert_str_eq(jstr(r, "accesses.1.stack.2.func"), "fn30");
	json_object_put(r);
}

/* A loop that jumps out of nested calls (error handling, an interpreter)
 * keeps its stack and its setjmp points as they are, however long it
 * runs. */
Test(access, jumps_in_a_loop_keep_the_stack_and_the_points_bounded)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	(void)b;
	enter(a, 30, 1);
	for (int i = 0; i < 1000; i++) {
		int env; /* a buffer in the loop's frame: the same address each time */
		det_setjmp(a, (uintptr_t)&env, SP_OUTER);
		enter(a, 31, 5);
		det_longjmp(a, (uintptr_t)&env);
	}
	cr_assert_eq(a->depth, 1);
	cr_assert_eq(a->njmps, 1, "one point per buffer");
}

/* A longjmp to a buffer whose setjmp's frame has returned, or to one never
 * set, leaves the stack as it is: the frames cannot be known. */
Test(access, a_longjmp_to_a_dead_or_unknown_buffer_changes_nothing)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	(void)b;
	int outer, inner, later, never;
	enter(a, 30, 1);
	det_setjmp(a, (uintptr_t)&outer, SP_OUTER);
	enter(a, 31, 1);
	det_setjmp(a, (uintptr_t)&inner, SP_INNER); /* fn31's frame */
	det_func_exit(a);                           /* fn31 returns */
	/* a setjmp in a frame above the dead one drops its point */
	det_setjmp(a, (uintptr_t)&later, SP_INNER + 0x800);
	enter(a, 32, 3);
	det_longjmp(a, (uintptr_t)&inner);
	cr_assert_eq(a->depth, 4, "inner's frame returned: no cut");
	det_longjmp(a, (uintptr_t)&never);
	cr_assert_eq(a->depth, 4, "never set: no cut");
	det_longjmp(a, (uintptr_t)&outer);
	cr_assert_eq(a->depth, 1, "outer's frame is live: cut to it");
	cr_assert_eq(a->njmps, 1, "later's point went with the jump past its frame");
	/* a jump never deepens the stack: outer's point was taken at depth 1 */
	det_func_exit(a);
	det_longjmp(a, (uintptr_t)&outer);
	cr_assert_eq(a->depth, 0);
}

/* A thread keeps at most 64 points; the oldest goes first. */
Test(access, the_oldest_of_too_many_setjmp_points_goes)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	(void)b;
	static int bufs[65];
	enter(a, 30, 1);
	for (int i = 0; i < 65; i++) {
		det_setjmp(a, (uintptr_t)&bufs[i], SP_OUTER);
		enter(a, 31, 1);
	}
	cr_assert_eq(a->njmps, 64);
	det_longjmp(a, (uintptr_t)&bufs[0]);
	cr_assert_eq(a->depth, 66, "bufs[0]'s point went");
	det_longjmp(a, (uintptr_t)&bufs[1]);
	cr_assert_eq(a->depth, 2);
}

/* Several buffers set in one frame (the same stack pointer) all stay
 * live: a jump to any of them cuts to its own depth. */
Test(access, buffers_set_in_one_frame_stay_live)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	(void)b;
	int first, second;
	enter(a, 30, 1);
	det_setjmp(a, (uintptr_t)&first, SP_OUTER);
	enter(a, 31, 1); /* a call that returns: fn31 */
	det_func_exit(a);
	det_setjmp(a, (uintptr_t)&second, SP_OUTER);
	enter(a, 32, 4);
	det_longjmp(a, (uintptr_t)&second);
	cr_assert_eq(a->depth, 1);
	enter(a, 33, 2);
	det_longjmp(a, (uintptr_t)&first);
	cr_assert_eq(a->depth, 1);
	cr_assert_eq(a->njmps, 2);
}

/* A stack deeper than the first array moves into mappings, each twice
 * the last, and keeps every frame: a report from 1000 frames down names
 * the innermost ones, and the frames are in order after every move. */
Test(access, a_deep_stack_moves_and_keeps_every_frame)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	enter(a, 30, 1000);
	cr_assert_geq(a->stack_cap, 1000);
	cr_assert_not_null(a->maps, "grown into a mapping");
	cr_assert_not_null(a->maps->prev, "and grown again");
	for (uint32_t i = 0; i < a->depth; i++)
		cr_assert_eq(a->stack[i].pc, FAKE_PC(30, i + 1), "frame %u", i);
	at(a, 1, 10, DET_WRITE, &x[2], 8);
	at(b, 2, 20, DET_WRITE, &x[2], 8);
	json_object *r = expect_one_race((want_access){ "write", 2, 20, 2 },
	                                 (want_access){ "write", 1, 10, 1 });
	cr_assert_eq(jint(r, "accesses.1.stack.2.line"), 1000, "the innermost fn30 frame");
	json_object_put(r);
}

/* A signal handler that interrupts the growth of its thread's stack
 * cannot grow it: its frames beyond the end are only counted, its exits
 * drop them first, and the thread's own frames are untouched. Its
 * accesses have the stack up to there. A jump out of the handler drops
 * them too. */
Test(access, frames_entered_inside_a_growth_are_counted_not_stored)
{
	det_thread *a, *b;
	two_threads(&a, &b);
	int env;
	enter(a, 30, a->stack_cap); /* full: the next entry grows */
	uint32_t cap = a->stack_cap;
	det_setjmp(a, (uintptr_t)&env, SP_OUTER);
	a->growing = true;          /* as if interrupted inside stack_grow */
	enter(a, 31, 3);            /* the handler's frames */
	cr_assert_eq(a->depth, cap);
	cr_assert_eq(a->lost, 3);
	cr_assert_eq(a->stack_cap, cap, "no growth inside a growth");
	det_access(a, (uintptr_t)&x[2], 8, FAKE_PC(1, 10), DET_WRITE);
	det_func_exit(a);
	cr_assert_eq(a->lost, 2);
	det_longjmp(a, (uintptr_t)&env); /* siglongjmp out of the handler */
	cr_assert_eq(a->lost, 0);
	cr_assert_eq(a->depth, cap);
	a->growing = false;
	enter(a, 32, 1);
	cr_assert_eq(a->depth, cap + 1, "grows once the growth is over");
	cr_assert_eq(a->stack[cap - 1].pc, FAKE_PC(30, cap));
	cr_assert_eq(a->stack[cap].pc, FAKE_PC(32, 1));
	at(b, 2, 20, DET_WRITE, &x[2], 8);
	json_object *r[4];
	expect_findings(r, 1);
	cr_assert_str_eq(jstr(r[0], "accesses.1.stack.0.func"), "fn1");
	cr_assert_str_eq(jstr(r[0], "accesses.1.stack.1.func"), "fn30",
	                 "the handler's frames are not there; the thread's are");
	cr_assert_eq(jint(r[0], "accesses.1.stack.1.line"), (int)cap);
	json_object_put(r[0]);
}

/* ---- with report_atomic_races off ------------------------------------- */

static void init_quiet(void)
{
	det_test_init_atomic_races(false);
}

TestSuite(access_quiet, .init = init_quiet);

/* An atomic write does not take the cell of a plain write it happens
 * after when every cell is full: with atomic races unreported, that plain
 * write is the only access a later unordered plain write can be reported
 * against. When a cell must go, an atomic one goes first (it can never be
 * reported against). Main's write (line 10) fills the cells with three
 * unordered atomic reads (20-40); d, created after it, writes atomically
 * (50); e's plain write (60) still races with main's. */
Test(access_quiet, an_atomic_write_does_not_push_out_the_plain_write_it_follows)
{
	det_thread *r[4]; /* three readers, then e */
	main_and_threads(r, 4);
	det_thread *e = r[3];
	at(main_t, 1, 10, DET_WRITE, &x[3], 8);
	for (int i = 0; i < 3; i++)
		at(r[i], 2 + i, 20 + 10 * i, DET_READ | DET_ATOMIC, &x[3], 8);
	det_thread *d = det_thread_create(main_t, DET_KIND_THREAD, -1, 0);
	at(d, 5, 50, DET_WRITE | DET_ATOMIC, &x[3], 8);
	expect_no_finding();
	at(e, 6, 60, DET_WRITE, &x[3], 8);
	json_object_put(expect_one_race((want_access){ "write", 6, 60, 4 },
	                                (want_access){ "write", 1, 10, 0 }));
}
