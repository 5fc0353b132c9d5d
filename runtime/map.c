/*
 * map.c — goc_map: a concurrent map from byte-string keys to void *
 * values, for sync.Map's two cases (write once/read many, disjoint keys).
 *
 * Structure: MAP_SHARDS shards chosen by the key's hash; each is a chained
 * hash table under its own short lock (goc__lock_t), so goroutines on
 * different keys rarely meet and a lookup is one lock, one hash step.
 * Entries carry a reference count: the table holds one, and goc_map_range
 * holds one on each entry of the shard it is visiting, so it can call the
 * user's function with no lock held while that function stores or deletes.
 *
 * Invariants: an entry is in its shard's table iff !e->deleted; the table
 * grows (doubling) when it holds more entries than buckets. Locks: each
 * shard's lock protects its buckets, count and its entries' value, next and
 * deleted fields; refs is atomic. Never held while calling out.
 * HB (Go's sync.Map as its race annotations see it): store and delete are
 * RELEASE_MERGE on the entry, every load that finds the entry ACQUIREs it,
 * so a store happens before each load that observes its value. The shard
 * lock is the memory ordering that makes this true.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define MAP_SHARD_BITS 6
#define MAP_SHARDS (1 << MAP_SHARD_BITS)
#define MAP_MIN_BUCKETS 8

typedef struct map_entry map_entry;
struct map_entry {
	map_entry *next;       /* bucket chain: shard lock */
	uint64_t hash;
	void *value;           /* shard lock */
	_Atomic uint32_t refs; /* the table's reference plus range holders */
	bool deleted;          /* shard lock */
	size_t keylen;
	unsigned char key[];
};

struct map_shard {
	goc__lock_t lock;
	size_t count;          /* lock */
	size_t nbuckets;       /* lock; 0 until the first store */
	map_entry **buckets;   /* lock */
} __attribute__((aligned(64)));

struct goc_map {
	struct map_shard shard[MAP_SHARDS];
};

/* FNV-1a with a final avalanche (keys are short; this is not the hot cost). */
static uint64_t hash_key(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static struct map_shard *shard_of(goc_map *m, uint64_t h)
{
	return &m->shard[h & (MAP_SHARDS - 1)];
}

/* Bucket index in a table of nbuckets (a power of two): the bits above the
 * shard bits. */
static size_t bucket_of(uint64_t h, size_t nbuckets)
{
	return (size_t)(h >> MAP_SHARD_BITS) & (nbuckets - 1);
}

static void entry_unref(map_entry *e)
{
	/* acq_rel: the last holder sees every other holder's use of e */
	if (atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
		free(e);
}

/* Caller holds s->lock. */
static map_entry **find_locked(struct map_shard *s, uint64_t h, const void *key, size_t len)
{
	if (s->nbuckets == 0)
		return NULL;
	map_entry **pp = &s->buckets[bucket_of(h, s->nbuckets)];
	for (; *pp != NULL; pp = &(*pp)->next) {
		map_entry *e = *pp;
		if (e->hash == h && e->keylen == len && memcmp(e->key, key, len) == 0)
			return pp;
	}
	return NULL;
}

/* Caller holds s->lock. Doubles the table; failure to grow is harmless
 * (chains get longer). */
static void grow_locked(struct map_shard *s)
{
	size_t n = s->nbuckets != 0 ? s->nbuckets * 2 : MAP_MIN_BUCKETS;
	map_entry **b = calloc(n, sizeof *b);
	if (b == NULL)
		return;
	for (size_t i = 0; i < s->nbuckets; i++) {
		map_entry *e = s->buckets[i];
		while (e != NULL) {
			map_entry *next = e->next;
			size_t j = bucket_of(e->hash, n);
			e->next = b[j];
			b[j] = e;
			e = next;
		}
	}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = n;
}

/* Caller holds s->lock; e is new. Returns false if there is no table. */
static bool insert_locked(struct map_shard *s, map_entry *e)
{
	if (s->count >= s->nbuckets)
		grow_locked(s);
	if (s->nbuckets == 0)
		return false;
	map_entry **b = &s->buckets[bucket_of(e->hash, s->nbuckets)];
	e->next = *b;
	*b = e;
	s->count++;
	return true;
}

static map_entry *entry_new(uint64_t h, const void *key, size_t len, void *value)
{
	map_entry *e = malloc(sizeof *e + len);
	if (e == NULL)
		return NULL;
	e->next = NULL;
	e->hash = h;
	e->value = value;
	atomic_init(&e->refs, 1);
	e->deleted = false;
	e->keylen = len;
	if (len != 0)
		memcpy(e->key, key, len);
	return e;
}

goc_map *goc_map_new(void)
{
	goc_map *m = aligned_alloc(64, sizeof *m);
	if (m == NULL)
		return NULL;
	memset(m, 0, sizeof *m);
	return m;
}

void goc_map_free(goc_map *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < MAP_SHARDS; i++) {
		struct map_shard *s = &m->shard[i];
		for (size_t b = 0; b < s->nbuckets; b++) {
			map_entry *e = s->buckets[b];
			while (e != NULL) {
				map_entry *next = e->next;
				entry_unref(e);
				e = next;
			}
		}
		free(s->buckets);
	}
	free(m);
}

/* Where a delete leaves its clock for later loads that miss the key: one
 * of 64 addresses inside the shard, picked by the key's top hash bits (the
 * shard and the bucket use the low ones). A miss acquires it, so a load
 * that finds a deleted key absent is ordered after the delete, as in Go;
 * keys sharing the address share the edge, which can hide a race but never
 * makes one up. */
static const void *tomb_of(struct map_shard *s, uint64_t h)
{
	return (const char *)s + (h >> 58);
}

bool goc_map_load(goc_map *m, const void *key, size_t keylen, void **value)
{
	uint64_t h = hash_key(key, keylen);
	struct map_shard *s = shard_of(m, h);
	goc__lock(&s->lock);
	map_entry **pp = find_locked(s, h, key, keylen);
	map_entry *e = pp != NULL ? *pp : NULL;
	void *v = e != NULL ? e->value : NULL;
	goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, e != NULL ? (const void *)e : tomb_of(s, h));
	goc__unlock(&s->lock);
	if (value != NULL && e != NULL)
		*value = v;
	return e != NULL;
}

/* The common store path. With only_if_absent, an existing entry's value is
 * returned in *actual and nothing changes. */
static int store(goc_map *m, const void *key, size_t keylen, void *value,
                 bool only_if_absent, void **actual, bool *loaded)
{
	uint64_t h = hash_key(key, keylen);
	struct map_shard *s = shard_of(m, h);
	/* Allocate outside the lock; most stores of a new key need it. */
	map_entry *fresh = NULL;
	goc__lock(&s->lock);
	map_entry **pp = find_locked(s, h, key, keylen);
	if (pp == NULL) {
		goc__unlock(&s->lock);
		fresh = entry_new(h, key, keylen, value);
		if (fresh == NULL)
			return GOC_ENOMEM;
		goc__lock(&s->lock);
		pp = find_locked(s, h, key, keylen); /* someone may have raced us */
	}
	int rc = 0;
	*loaded = false;
	if (pp != NULL) {
		map_entry *e = *pp;
		if (only_if_absent) {
			goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, e);
			*actual = e->value;
			*loaded = true;
		} else {
			goc__sync(goc__gid(), GOC_SYNC_RELEASE_MERGE, e);
			e->value = value;
		}
	} else if (insert_locked(s, fresh)) {
		goc__sync(goc__gid(), GOC_SYNC_RELEASE_MERGE, fresh);
		fresh = NULL;
	} else {
		rc = GOC_ENOMEM;
	}
	goc__unlock(&s->lock);
	if (fresh != NULL)
		free(fresh); /* never published */
	if (!*loaded && actual != NULL)
		*actual = rc == 0 ? value : NULL;
	return rc;
}

int goc_map_store(goc_map *m, const void *key, size_t keylen, void *value)
{
	bool loaded;
	return store(m, key, keylen, value, false, NULL, &loaded);
}

bool goc_map_load_or_store(goc_map *m, const void *key, size_t keylen,
                           void *value, void **actual)
{
	bool loaded;
	void *got = NULL;
	store(m, key, keylen, value, true, &got, &loaded);
	if (actual != NULL)
		*actual = got;
	return loaded;
}

bool goc_map_load_and_delete(goc_map *m, const void *key, size_t keylen, void **value)
{
	uint64_t h = hash_key(key, keylen);
	struct map_shard *s = shard_of(m, h);
	goc__lock(&s->lock);
	map_entry **pp = find_locked(s, h, key, keylen);
	map_entry *e = NULL;
	if (pp != NULL) {
		e = *pp;
		*pp = e->next;
		e->deleted = true;
		s->count--;
		goc__sync(goc__gid(), GOC_SYNC_RELEASE_ACQUIRE, e);
		goc__sync(goc__gid(), GOC_SYNC_RELEASE_MERGE, tomb_of(s, h));
	} else {
		goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, tomb_of(s, h));
	}
	goc__unlock(&s->lock);
	if (e == NULL)
		return false;
	if (value != NULL)
		*value = e->value;
	entry_unref(e);
	return true;
}

void goc_map_delete(goc_map *m, const void *key, size_t keylen)
{
	goc_map_load_and_delete(m, key, keylen, NULL);
}

size_t goc_map_len(goc_map *m)
{
	size_t n = 0;
	for (int i = 0; i < MAP_SHARDS; i++) {
		goc__lock(&m->shard[i].lock);
		n += m->shard[i].count;
		goc__unlock(&m->shard[i].lock);
	}
	return n;
}

/*
 * Range visits the shards one at a time: under the lock it takes a reference
 * on every entry of the shard (into a snapshot array), then calls fn for each
 * with no lock held, skipping entries deleted meanwhile. An entry is in one
 * shard only, so none is visited twice.
 */
void goc_map_range(goc_map *m, goc_map_range_fn fn, void *arg)
{
	bool more = true;
	for (int i = 0; i < MAP_SHARDS && more; i++) {
		struct map_shard *s = &m->shard[i];
		goc__lock(&s->lock);
		size_t n = s->count;
		map_entry **snap = n != 0 ? malloc(n * sizeof *snap) : NULL;
		if (n != 0 && snap == NULL) {
			goc__unlock(&s->lock);
			goc__throw("runtime: out of memory in goc_map_range");
		}
		size_t k = 0;
		for (size_t b = 0; b < s->nbuckets; b++)
			for (map_entry *e = s->buckets[b]; e != NULL; e = e->next) {
				atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
				snap[k++] = e;
			}
		goc__unlock(&s->lock);
		for (size_t j = 0; j < k; j++) {
			map_entry *e = snap[j];
			if (more) {
				goc__lock(&s->lock);
				bool live = !e->deleted;
				void *v = e->value;
				if (live)
					goc__sync(goc__gid(), GOC_SYNC_ACQUIRE, e);
				goc__unlock(&s->lock);
				if (live)
					more = fn(e->key, e->keylen, v, arg);
			}
			entry_unref(e);
		}
		free(snap);
	}
}
