/*
 * clock.c — vector clocks and the slots they are indexed by.
 *
 * A vector clock maps a *slot* to an epoch. Every running det_thread owns
 * one slot; its own epoch is vc[slot], advanced after each release-type
 * operation (det__tick), so an access tagged (slot, e) happens before a
 * thread whose clock has vc[slot] >= e. (FastTrack's epochs; TSan's slots.)
 *
 * Why slots and not thread ids: programs create threads and goroutines
 * without bound, and a clock indexed by thread id grows with every one ever
 * created — each spawn would copy it. A slot is handed back when its thread
 * finishes and reused by a later thread, so clocks stay as long as the
 * number of threads alive (or finished but not yet synchronised with) at
 * once.
 *
 * The reuse rule keeps this exact. A finished thread's slot records the
 * last epoch its accesses carry (`final`). A new thread may take that slot
 * only if its own clock, inherited from its creator, already has
 * vc[slot] >= final: then every access the old owner made happens before
 * the new thread starts, and so before anything the new owner does, and
 * the slot's epochs continue past the old owner's. A spawn-and-join loop
 * (or wait group) thus recycles the same slots. Otherwise a fresh slot is
 * taken. Only when all DET_MAX_SLOTS exist does a new thread take the
 * longest-free slot anyway (the one place the detector may miss a race:
 * it then treats the old owner's accesses as ordered before the new one's,
 * and those the old owner's took the cells of, access.c's rule for an
 * access it happens after and covers),
 * and if every slot is owned by a live thread the new thread is not checked.
 * docs/detector.md records the limits.
 *
 * An epoch that would overflow DET_EPOCH_BITS retires the slot: its thread
 * moves to a fresh one, carrying its clock.
 *
 * Locks: slot_lock protects the slot table, the free queue and journals.
 * A thread's vc is written only by the thread itself (and read by others
 * only through sync objects, under their locks).
 */
#include "internal.h"

#include <string.h>

/* ---- vector clocks ---------------------------------------------------- */

static void vc_grow(det_vclock *v, uint32_t n)
{
	if (n <= v->n)
		return;
	if (n > v->cap) {
		uint32_t cap = v->cap != 0 ? v->cap : 4;
		while (cap < n)
			cap *= 2;
		uint32_t *c = det_realloc(v->c, cap * sizeof *c);
		DET_CHECK(c != NULL);
		v->c = c;
		v->cap = cap;
	}
	memset(v->c + v->n, 0, (n - v->n) * sizeof *v->c);
	v->n = n;
}

void det__vc_set(det_vclock *v, uint32_t slot, uint32_t epoch)
{
	vc_grow(v, slot + 1);
	v->c[slot] = epoch;
}

void det__vc_join(det_vclock *dst, const det_vclock *src)
{
	vc_grow(dst, src->n);
	for (uint32_t i = 0; i < src->n; i++)
		if (src->c[i] > dst->c[i])
			dst->c[i] = src->c[i];
}

void det__vc_copy(det_vclock *dst, const det_vclock *src)
{
	vc_grow(dst, src->n);
	memcpy(dst->c, src->c, src->n * sizeof *src->c);
	if (dst->n > src->n)
		memset(dst->c + src->n, 0, (dst->n - src->n) * sizeof *dst->c);
}

void det__vc_free(det_vclock *v)
{
	det_free_mem(v->c);
	v->c = NULL;
	v->n = v->cap = 0;
}

/* ---- slots ------------------------------------------------------------ */

struct journal_entry {
	uint32_t start;     /* first epoch of this owner */
	det_thread *t;
};

struct slot {
	uint32_t epoch;     /* last epoch handed out in this slot */
	uint32_t final;     /* free: last epoch the previous owner's accesses carry */
	det_thread *owner;  /* NULL when free */
	bool retired;
	uint32_t next_free; /* free queue link */
	struct journal_entry *journal;
	uint32_t njournal, journal_cap;
};

#define NO_SLOT DET_NO_SLOT
/* How many free slots a new thread looks at for an exact reuse. */
#define REUSE_SCAN 32

static det_lock slot_lock;
static struct slot *slots;          /* DET_MAX_SLOTS entries, mapped lazily */
static uint32_t nslots;             /* slots ever used: slot_lock */
static uint32_t free_head = NO_SLOT, free_tail = NO_SLOT; /* FIFO: slot_lock */
static _Atomic uint32_t in_use;

static void journal_add(struct slot *s, uint32_t start, det_thread *t)
{
	if (s->njournal == s->journal_cap) {
		uint32_t cap = s->journal_cap != 0 ? s->journal_cap * 2 : 4;
		struct journal_entry *j = det_realloc(s->journal, cap * sizeof *j);
		DET_CHECK(j != NULL);
		s->journal = j;
		s->journal_cap = cap;
	}
	s->journal[s->njournal++] = (struct journal_entry){start, t};
}

/* Removes slot i from the free queue; prev is its predecessor or NO_SLOT. */
static void free_unlink(uint32_t prev, uint32_t i)
{
	uint32_t next = slots[i].next_free;
	if (prev == NO_SLOT)
		free_head = next;
	else
		slots[prev].next_free = next;
	if (free_tail == i)
		free_tail = prev;
}

static void free_push(uint32_t i)
{
	slots[i].next_free = NO_SLOT;
	if (free_tail == NO_SLOT)
		free_head = i;
	else
		slots[free_tail].next_free = i;
	free_tail = i;
}

/* Caller holds slot_lock. Chooses a slot for t (see the file comment). */
static uint32_t choose_locked(det_thread *t)
{
	uint32_t prev = NO_SLOT;
	int scanned = 0;
	for (uint32_t i = free_head; i != NO_SLOT && scanned < REUSE_SCAN;
	     prev = i, i = slots[i].next_free, scanned++) {
		if (det_vc_get(&t->vc, i) >= slots[i].final) {
			free_unlink(prev, i);
			return i;
		}
	}
	if (nslots < DET_MAX_SLOTS)
		return nslots++;
	if (free_head != NO_SLOT) {
		uint32_t i = free_head;
		free_unlink(NO_SLOT, i);
		return i;
	}
	return NO_SLOT;
}

void det__slot_take(det_thread *t)
{
	det__lock(&slot_lock);
	if (slots == NULL) {
		slots = det__map(DET_MAX_SLOTS * sizeof *slots);
		DET_CHECK(slots != NULL);
	}
	uint32_t i = choose_locked(t);
	if (i != NO_SLOT) {
		struct slot *s = &slots[i];
		uint32_t e = s->epoch + 1;
		s->epoch = e;
		s->owner = t;
		journal_add(s, e, t);
		det__vc_set(&t->vc, i, e);
		atomic_fetch_add_explicit(&in_use, 1, memory_order_relaxed);
	}
	t->slot = i;
	t->dirty = false;
	det__unlock(&slot_lock);
	det__hot_update(t);
}

void det__slot_give_back(det_thread *t)
{
	uint32_t i = t->slot;
	if (i == NO_SLOT)
		return;
	uint32_t e = t->vc.c[i];
	det__lock(&slot_lock);
	struct slot *s = &slots[i];
	s->owner = NULL;
	s->epoch = e;
	s->final = t->dirty ? e : e - 1;
	if (!s->retired)
		free_push(i);
	det__unlock(&slot_lock);
	atomic_fetch_sub_explicit(&in_use, 1, memory_order_relaxed);
	t->slot = NO_SLOT;
	det__hot_update(t);
}

void det__hot_update(det_thread *t)
{
	if (t->slot == NO_SLOT) {
		/* cell_id 0 matches no cell, and no leaf: the inline check
		 * always falls back, and det_access skips the thread. */
		t->hot.cell_id = 0;
		t->hot.leaf_key[0] = t->hot.leaf_key[1] = 0;
	} else {
		t->hot.cell_id = det_cell_make(0, false, false, false, t->slot, t->vc.c[t->slot],
		                               0);
	}
	det__hot_cell_id_changed(t);
}

void det__tick(det_thread *t)
{
	uint32_t i = t->slot;
	if (i == NO_SLOT)
		return;
	t->dirty = false;
	if (DET_LIKELY(t->vc.c[i] < DET_EPOCH_MAX - 1)) {
		t->vc.c[i]++;
		t->hot.cell_id += 1ull << 24; /* the epoch field of the cell */
		det__hot_cell_id_changed(t);
		return;
	}
	/* Epochs exhausted: retire the slot, continue in another. */
	det__lock(&slot_lock);
	slots[i].retired = true;
	det__unlock(&slot_lock);
	det__slot_give_back(t);
	det__slot_take(t);
}

void det_acquire_global(det_thread *t)
{
	det__lock(&slot_lock);
	/* Only in a fork child: the owners are gone, their clocks are still. */
	for (uint32_t i = 0; i < nslots; i++) {
		if (i == t->slot)
			continue;
		det_thread *o = slots[i].owner;
		uint32_t e = o != NULL ? det_vc_get(&o->vc, i) : slots[i].epoch;
		if (e > det_vc_get(&t->vc, i))
			det__vc_set(&t->vc, i, e);
	}
	det__unlock(&slot_lock);
}

det_thread *det__slot_owner(uint32_t slot, uint32_t epoch)
{
	det_thread *t = NULL;
	det__lock(&slot_lock);
	if (slots != NULL && slot < nslots) {
		struct slot *s = &slots[slot];
		/* the last owner that started at or before epoch */
		uint32_t lo = 0, hi = s->njournal;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (s->journal[mid].start <= epoch)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0)
			t = s->journal[lo - 1].t;
	}
	det__unlock(&slot_lock);
	return t;
}

uint32_t det__slots_created(void)
{
	det__lock(&slot_lock);
	uint32_t n = nslots;
	det__unlock(&slot_lock);
	return n;
}

uint32_t det__slots_in_use(void)
{
	return atomic_load_explicit(&in_use, memory_order_relaxed);
}

void det__clock_fork_child(void)
{
	det__lock_reset(&slot_lock);
}
