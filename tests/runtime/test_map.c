/*
 * test_map.c — tests for runtime/map.c (goc.h "Map", Go's sync.Map): load,
 * store (overwrite; keys copied in; byte-string keys, embedded NULs and the
 * empty key included; NULL values), load_or_store, load_and_delete, delete,
 * range (each key once with its value, early stop, calling back into the
 * map) and len; then the two cases sync.Map serves, concurrently: writers
 * on disjoint keys, and read-mostly readers beside a writer; and races on
 * one key (load_or_store stores once, load_and_delete hands the value out
 * once).
 *
 * Values point at plain memory written before the store: under
 * ThreadSanitizer a reader's use of it checks goc.h's edge "a store of a key
 * happens before every load that observes that stored value". Every test
 * ends with expect_no_leftovers().
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(map, .timeout = TEST_TIMEOUT_S);

static goc_map *map_or_fail(void)
{
	goc_map *m = goc_map_new();
	cr_assert_not_null(m, "goc_map_new returned NULL");
	return m;
}

/* Keys "k<i>" as strings (without the NUL). */
static size_t key_of(char *buf, size_t len, const char *prefix, int i)
{
	return (size_t)snprintf(buf, len, "%s%d", prefix, i);
}

/* ---- single-goroutine semantics ------------------------------------------------ */

static bool count_visit(const void *key, size_t keylen, void *value, void *arg)
{
	(void)key, (void)keylen, (void)value;
	(*(int *)arg)++;
	return true;
}

Test(map, an_empty_map_has_nothing)
{
	goc_map *m = map_or_fail();
	void *v = &v;
	cr_assert(!goc_map_load(m, "a", 1, &v));
	cr_assert_eq(v, &v, "a failed load wrote *value");
	cr_assert(!goc_map_load_and_delete(m, "a", 1, &v));
	goc_map_delete(m, "a", 1); /* absent: nothing happens */
	cr_assert_eq(goc_map_len(m), 0);
	int visits = 0;
	goc_map_range(m, count_visit, &visits);
	cr_assert_eq(visits, 0);
	goc_map_free(m);
	goc_map_free(NULL);
	expect_no_leftovers();
}

Test(map, store_then_load_and_store_overwrites)
{
	goc_map *m = map_or_fail();
	int a = 1, b = 2;
	void *v = NULL;
	cr_assert_eq(goc_map_store(m, "key", 3, &a), 0);
	cr_assert(goc_map_load(m, "key", 3, &v));
	cr_assert_eq(v, &a);
	cr_assert(goc_map_load(m, "key", 3, NULL), "value may be NULL");
	cr_assert_eq(goc_map_store(m, "key", 3, &b), 0);
	cr_assert(goc_map_load(m, "key", 3, &v));
	cr_assert_eq(v, &b, "store did not overwrite");
	cr_assert_eq(goc_map_len(m), 1, "an overwrite added a key");
	cr_assert_eq(goc_map_store(m, "nil", 3, NULL), 0);
	v = &v;
	cr_assert(goc_map_load(m, "nil", 3, &v), "a NULL value is a value");
	cr_assert_null(v);
	cr_assert_eq(goc_map_len(m), 2);
	goc_map_free(m);
	expect_no_leftovers();
}

Test(map, keys_are_byte_strings_copied_in)
{
	goc_map *m = map_or_fail();
	int vals[5];
	char buf[8] = "abc";
	cr_assert_eq(goc_map_store(m, buf, 3, &vals[0]), 0);
	memcpy(buf, "xyz", 3); /* the map must have its own copy */
	void *v = NULL;
	cr_assert(goc_map_load(m, "abc", 3, &v), "the key was not copied");
	cr_assert_eq(v, &vals[0]);
	cr_assert(!goc_map_load(m, "xyz", 3, NULL));

	/* Length counts, NULs included; prefixes are other keys. */
	cr_assert_eq(goc_map_store(m, "ab\0", 3, &vals[1]), 0);
	cr_assert_eq(goc_map_store(m, "ab\0c", 4, &vals[2]), 0);
	cr_assert_eq(goc_map_store(m, "ab", 2, &vals[3]), 0);
	cr_assert_eq(goc_map_store(m, "", 0, &vals[4]), 0);
	cr_assert_eq(goc_map_len(m), 5);
	const struct { const char *k; size_t n; int *want; } cases[] = {
	    {"abc", 3, &vals[0]}, {"ab\0", 3, &vals[1]}, {"ab\0c", 4, &vals[2]},
	    {"ab", 2, &vals[3]},  {"", 0, &vals[4]},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		v = NULL;
		cr_assert(goc_map_load(m, cases[i].k, cases[i].n, &v), "key %zu missing", i);
		cr_assert_eq(v, cases[i].want, "key %zu has another key's value", i);
	}
	cr_assert(!goc_map_load(m, "a", 1, NULL));
	goc_map_free(m);
	expect_no_leftovers();
}

Test(map, load_or_store_stores_only_when_absent)
{
	goc_map *m = map_or_fail();
	int a = 1, b = 2;
	void *actual = NULL;
	cr_assert(!goc_map_load_or_store(m, "k", 1, &a, &actual), "absent: not loaded");
	cr_assert_eq(actual, &a, "absent: actual is the stored value");
	actual = NULL;
	cr_assert(goc_map_load_or_store(m, "k", 1, &b, &actual), "present: loaded");
	cr_assert_eq(actual, &a, "present: actual is the existing value");
	void *v = NULL;
	cr_assert(goc_map_load(m, "k", 1, &v));
	cr_assert_eq(v, &a, "load_or_store replaced a present value");
	cr_assert_eq(goc_map_len(m), 1);
	goc_map_free(m);
	expect_no_leftovers();
}

Test(map, load_and_delete_and_delete_remove_keys)
{
	goc_map *m = map_or_fail();
	int a = 1, b = 2;
	cr_assert_eq(goc_map_store(m, "a", 1, &a), 0);
	cr_assert_eq(goc_map_store(m, "b", 1, &b), 0);
	void *v = NULL;
	cr_assert(goc_map_load_and_delete(m, "a", 1, &v));
	cr_assert_eq(v, &a);
	cr_assert(!goc_map_load(m, "a", 1, NULL), "load_and_delete left the key");
	cr_assert(!goc_map_load_and_delete(m, "a", 1, &v), "deleted twice");
	cr_assert_eq(goc_map_len(m), 1);
	goc_map_delete(m, "b", 1);
	cr_assert(!goc_map_load(m, "b", 1, NULL), "delete left the key");
	cr_assert_eq(goc_map_len(m), 0);
	/* A deleted key can come back. */
	cr_assert_eq(goc_map_store(m, "a", 1, &b), 0);
	cr_assert(goc_map_load(m, "a", 1, &v));
	cr_assert_eq(v, &b);
	cr_assert_eq(goc_map_len(m), 1);
	goc_map_free(m);
	expect_no_leftovers();
}

enum { RANGE_N = 1000 };

struct range_seen {
	int seen[RANGE_N];
	int bad;   /* visits whose value does not match the key */
	int visits;
	int stop_after; /* 0: never stop */
	goc_map *m;     /* set: delete every key visited */
};

static bool record_visit(const void *key, size_t keylen, void *value, void *arg)
{
	struct range_seen *r = arg;
	char buf[16];
	if (keylen == 0 || keylen >= sizeof buf) {
		r->bad++;
		return true;
	}
	memcpy(buf, key, keylen);
	buf[keylen] = '\0';
	int i = atoi(buf + 1);
	if (i < 0 || i >= RANGE_N || value != &r->seen[i])
		r->bad++;
	else
		r->seen[i]++;
	r->visits++;
	if (r->m != NULL)
		goc_map_delete(r->m, key, keylen); /* calling back into the map */
	return r->stop_after == 0 || r->visits < r->stop_after;
}

/* A new map of RANGE_N keys "k<i>", key i's value &r->seen[i]. */
static goc_map *range_map(struct range_seen *r)
{
	goc_map *m = map_or_fail();
	char k[16];
	for (int i = 0; i < RANGE_N; i++)
		cr_assert_eq(goc_map_store(m, k, key_of(k, sizeof k, "k", i), &r->seen[i]), 0);
	return m;
}

Test(map, range_visits_each_key_once_with_its_value_and_len_counts_them)
{
	static struct range_seen r;
	goc_map *m = range_map(&r);
	char k[16];
	for (int i = 0; i < RANGE_N; i += 2) /* overwrite half with the same value */
		cr_assert_eq(goc_map_store(m, k, key_of(k, sizeof k, "k", i), &r.seen[i]), 0);
	cr_assert_eq(goc_map_len(m), RANGE_N);
	r = (struct range_seen){0};
	goc_map_range(m, record_visit, &r);
	cr_assert_eq(r.bad, 0);
	cr_assert_eq(r.visits, RANGE_N);
	for (int i = 0; i < RANGE_N; i++)
		cr_assert_eq(r.seen[i], 1, "key %d visited %d times", i, r.seen[i]);
	goc_map_free(m);
	expect_no_leftovers();
}

Test(map, range_stops_when_fn_returns_false)
{
	static struct range_seen r;
	goc_map *m = range_map(&r);
	r = (struct range_seen){.stop_after = 1};
	goc_map_range(m, record_visit, &r);
	cr_assert_eq(r.visits, 1, "range went on after fn returned false");
	r = (struct range_seen){.stop_after = 10};
	goc_map_range(m, record_visit, &r);
	cr_assert_eq(r.visits, 10);
	cr_assert_eq(r.bad, 0);
	goc_map_free(m);
	expect_no_leftovers();
}

Test(map, range_fn_may_delete_from_the_map)
{
	static struct range_seen r;
	goc_map *m = range_map(&r);
	r = (struct range_seen){.m = m};
	goc_map_range(m, record_visit, &r);
	cr_assert_eq(r.bad, 0);
	cr_assert_eq(r.visits, RANGE_N, "keys present throughout must all be visited");
	cr_assert_eq(goc_map_len(m), 0, "%zu keys left", goc_map_len(m));
	goc_map_free(m);
	expect_no_leftovers();
}

/* ---- disjoint writers ---------------------------------------------------------- */

enum { DW_G = 8 };
#define DW_KEYS TEST_SCALE(20000)

struct payload {
	int owner, i;    /* plain: written before the store */
};

struct writers {
	goc_map *m;
	atomic_int bad;
	goc_chan *done;
};

struct writer_arg {
	struct writers *w;
	int g;
	struct payload *p; /* DW_KEYS of them */
};

static void disjoint_writer(void *arg)
{
	struct writer_arg *a = arg;
	struct writers *w = a->w;
	char k[32];
	char prefix[8];
	snprintf(prefix, sizeof prefix, "g%d:", a->g);
	for (int i = 0; i < DW_KEYS; i++) {
		a->p[i] = (struct payload){a->g, i};
		if (goc_map_store(w->m, k, key_of(k, sizeof k, prefix, i), &a->p[i]) != 0)
			atomic_fetch_add(&w->bad, 1);
	}
	for (int i = 0; i < DW_KEYS; i++) {
		void *v = NULL;
		size_t n = key_of(k, sizeof k, prefix, i);
		if (!goc_map_load(w->m, k, n, &v) || v != &a->p[i])
			atomic_fetch_add(&w->bad, 1);
		if (i % 2 == 1 && !goc_map_load_and_delete(w->m, k, n, NULL))
			atomic_fetch_add(&w->bad, 1); /* delete the odd keys */
		if (i % 256 == 0)
			goc_yield();
	}
	goc_chan_send(w->done, NULL);
}

Test(map, writers_on_disjoint_keys_each_see_exactly_their_own)
{
	static struct writers w;
	static struct writer_arg a[DW_G];
	w = (struct writers){.m = map_or_fail(), .done = chan_or_fail(0, DW_G)};
	for (int g = 0; g < DW_G; g++) {
		a[g] = (struct writer_arg){&w, g, calloc(DW_KEYS, sizeof(struct payload))};
		cr_assert_not_null(a[g].p);
		go_or_fail(disjoint_writer, &a[g]);
	}
	join(w.done, DW_G);
	cr_assert_eq(atomic_load(&w.bad), 0, "%d wrong results", atomic_load(&w.bad));
	cr_assert_eq(goc_map_len(w.m), (size_t)DW_G * (DW_KEYS - DW_KEYS / 2));
	char k[32], prefix[8];
	for (int g = 0; g < DW_G; g++) {
		snprintf(prefix, sizeof prefix, "g%d:", g);
		for (int i = 0; i < DW_KEYS; i++) {
			void *v = NULL;
			bool present = goc_map_load(w.m, k, key_of(k, sizeof k, prefix, i), &v);
			cr_assert_eq(present, i % 2 == 0, "g%d key %d present: %d", g, i, present);
			if (present) {
				struct payload *p = v;
				cr_assert(p->owner == g && p->i == i, "g%d key %d holds g%d's %d", g, i,
				          p->owner, p->i);
			}
		}
	}
	goc_map_free(w.m);
	for (int g = 0; g < DW_G; g++)
		free(a[g].p);
	goc_chan_free(w.done);
	expect_no_leftovers();
}

/* ---- read-mostly --------------------------------------------------------------- */

enum { RM_KEYS = 512, RM_READERS = 6 };
#define RM_READS TEST_SCALE(100000)

struct read_mostly {
	goc_map *m;
	struct payload base[RM_KEYS];    /* stored before the readers start */
	struct payload updates[RM_KEYS]; /* stored by the writer while they read */
	atomic_bool writer_done;
	atomic_int bad;
	atomic_long reads;
	goc_chan *done;
};

static void rm_reader(void *arg)
{
	struct read_mostly *r = arg;
	char k[16];
	unsigned x = (unsigned)goc_id() * 2654435761u;
	for (int n = 0; n < RM_READS; n++) {
		x = x * 1103515245u + 12345u;
		int i = (int)((x >> 8) % RM_KEYS);
		void *v = NULL;
		if (!goc_map_load(r->m, k, key_of(k, sizeof k, "r", i), &v)) {
			atomic_fetch_add(&r->bad, 1); /* a key is never absent */
			continue;
		}
		struct payload *p = v;
		/* Either the first value or the writer's update, each whole. */
		if (!(p == &r->base[i] || p == &r->updates[i]) || p->i != i)
			atomic_fetch_add(&r->bad, 1);
		if (n % 1024 == 0)
			goc_yield();
	}
	atomic_fetch_add(&r->reads, RM_READS);
	goc_chan_send(r->done, NULL);
}

static void rm_writer(void *arg)
{
	struct read_mostly *r = arg;
	char k[16];
	for (int i = 0; i < RM_KEYS; i++) {
		r->updates[i] = (struct payload){1, i};
		if (goc_map_store(r->m, k, key_of(k, sizeof k, "r", i), &r->updates[i]) != 0)
			atomic_fetch_add(&r->bad, 1);
		if (i % 16 == 0)
			goc_yield();
	}
	atomic_store(&r->writer_done, true);
	goc_chan_send(r->done, NULL);
}

Test(map, read_mostly_readers_always_find_a_whole_value_beside_a_writer)
{
	static struct read_mostly r;
	r = (struct read_mostly){.m = map_or_fail(), .done = chan_or_fail(0, RM_READERS + 1)};
	char k[16];
	for (int i = 0; i < RM_KEYS; i++) {
		r.base[i] = (struct payload){0, i};
		cr_assert_eq(goc_map_store(r.m, k, key_of(k, sizeof k, "r", i), &r.base[i]), 0);
	}
	for (int i = 0; i < RM_READERS; i++)
		go_or_fail(rm_reader, &r);
	go_or_fail(rm_writer, &r);
	join(r.done, RM_READERS + 1);
	cr_assert_eq(atomic_load(&r.bad), 0, "%d bad reads", atomic_load(&r.bad));
	cr_assert_eq(atomic_load(&r.reads), (long)RM_READERS * RM_READS);
	cr_assert_eq(goc_map_len(r.m), RM_KEYS);
	for (int i = 0; i < RM_KEYS; i++) {
		void *v = NULL;
		cr_assert(goc_map_load(r.m, k, key_of(k, sizeof k, "r", i), &v));
		cr_assert_eq(v, &r.updates[i], "key %d lost the writer's update", i);
	}
	goc_map_free(r.m);
	goc_chan_free(r.done);
	expect_no_leftovers();
}

/* ---- races on one key ------------------------------------------------------------ */

enum { RACE_G = 8, RACE_KEYS = 200 };

struct one_key {
	goc_map *m;
	int mine[RACE_G];
	void *actual[RACE_G][RACE_KEYS];
	bool stored[RACE_G][RACE_KEYS];
	bool took[RACE_G][RACE_KEYS];
	goc_chan *start, *stored_all, *delete_now, *done;
};

struct one_key_arg {
	struct one_key *o;
	int g;
};

static void store_race(void *arg)
{
	struct one_key_arg *a = arg;
	struct one_key *o = a->o;
	char k[16];
	goc_chan_recv(o->start, NULL); /* all start together */
	for (int i = 0; i < RACE_KEYS; i++)
		o->stored[a->g][i] = !goc_map_load_or_store(o->m, k, key_of(k, sizeof k, "s", i),
		                                            &o->mine[a->g], &o->actual[a->g][i]);
	/* Nobody deletes until everyone has stored. */
	goc_chan_send(o->stored_all, NULL);
	goc_chan_recv(o->delete_now, NULL);
	for (int i = 0; i < RACE_KEYS; i++)
		o->took[a->g][i] = goc_map_load_and_delete(o->m, k, key_of(k, sizeof k, "s", i), NULL);
	goc_chan_send(o->done, NULL);
}

Test(map, racing_load_or_store_stores_once_and_load_and_delete_hands_out_once)
{
	static struct one_key o;
	struct one_key_arg a[RACE_G];
	o = (struct one_key){.m = map_or_fail(), .start = chan_or_fail(0, 0),
	                     .stored_all = chan_or_fail(0, RACE_G),
	                     .delete_now = chan_or_fail(0, 0), .done = chan_or_fail(0, RACE_G)};
	for (int g = 0; g < RACE_G; g++) {
		a[g] = (struct one_key_arg){&o, g};
		go_or_fail(store_race, &a[g]);
	}
	goc_chan_close(o.start);
	join(o.stored_all, RACE_G);
	cr_assert_eq(goc_map_len(o.m), RACE_KEYS);
	goc_chan_close(o.delete_now);
	join(o.done, RACE_G);
	for (int i = 0; i < RACE_KEYS; i++) {
		int stores = 0, takes = 0, winner = -1;
		for (int g = 0; g < RACE_G; g++) {
			if (o.stored[g][i]) {
				stores++;
				winner = g;
			}
			takes += o.took[g][i];
		}
		cr_assert_eq(stores, 1, "key %d stored by %d goroutines", i, stores);
		cr_assert_eq(takes, 1, "key %d taken by %d goroutines", i, takes);
		for (int g = 0; g < RACE_G; g++)
			cr_assert_eq(o.actual[g][i], &o.mine[winner],
			             "key %d: goroutine %d saw another value than the one stored", i, g);
	}
	cr_assert_eq(goc_map_len(o.m), 0);
	goc_map_free(o.m);
	goc_chan_free(o.start);
	goc_chan_free(o.stored_all);
	goc_chan_free(o.delete_now);
	goc_chan_free(o.done);
	expect_no_leftovers();
}
