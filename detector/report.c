/*
 * report.c — turning a finding into what the user reads: Go's race report
 * layout on the text sink and one JSON line (schema 1, docs/report-schema.md)
 * on the JSON sink.
 *
 * A race arrives from access.c with the current access and the remembered
 * cell. Here: drop it if the embedder's `expected` callback says its memory
 * was declared benign (AnnotateBenignRace; counted as suppressed once per
 * pair of calling contexts, and asked before any deduplication, since the
 * verdict depends on the address), drop it if the same pair of calling
 * contexts was reported already (cheap, before symbolizing), drop a free
 * whose previous access (the same cell at the same address) a written
 * report already showed racing, find the previous access's thread from
 * the cell's slot and epoch, expand both calling contexts into stacks,
 * symbolize, compute the fingerprint
 * (function and file names of the two top frames, unordered) and drop it
 * if the same fingerprint at the same two lines was reported already (the
 * same race seen through other call paths; another race in the same two
 * functions is reported), ask the suppression callback, describe the
 * memory (global, heap block, stack), render both forms and write each
 * with one write(2).
 *
 * Locks: report_lock serialises all of it, so reports never interleave and
 * the dedup sets are consistent. It is taken with no other detector lock
 * held (access.c holds none); under it only leaf locks are taken (slot,
 * heap, thread list). The symbolizer and the expected and suppressed
 * callbacks run under it too: it is the embedder's job to make their own
 * allocations invisible to the detector, and to take no lock under which
 * it calls the detector.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

det_config det__cfg = {.text_fd = 2, .json_fd = -1, .report_atomic_races = true};

static det_lock report_lock;
static _Atomic uint64_t n_reported, n_suppressed, n_duplicate;

void det_init(const det_config *cfg)
{
	det__cfg = *cfg;
}

/* ---- sets of 64-bit keys (report_lock) --------------------------------- */

typedef struct keyset {
	uint64_t *k;
	size_t cap, n;
} keyset;

/* The first cell a key probes in a table of cap (a power of two) cells. */
static size_t keyset_home(uint64_t key, size_t cap)
{
	return (size_t)(det__hash64(key) >> 32) & (cap - 1);
}

/* true if key was already in the set; inserts it otherwise. */
static bool keyset_add(keyset *s, uint64_t key)
{
	if (key == 0)
		key = 1;
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap != 0 ? s->cap * 2 : 64;
		uint64_t *k = det_calloc(cap, sizeof *k);
		DET_CHECK(k != NULL);
		for (size_t i = 0; i < s->cap; i++)
			if (s->k[i] != 0) {
				size_t j = keyset_home(s->k[i], cap);
				while (k[j] != 0)
					j = (j + 1) & (cap - 1);
				k[j] = s->k[i];
			}
		det_free_mem(s->k);
		s->k = k;
		s->cap = cap;
	}
	size_t j = keyset_home(key, s->cap);
	while (s->k[j] != 0) {
		if (s->k[j] == key)
			return true;
		j = (j + 1) & (s->cap - 1);
	}
	s->k[j] = key;
	s->n++;
	return false;
}

/* true if key is in the set. */
static bool keyset_has(const keyset *s, uint64_t key)
{
	if (key == 0)
		key = 1;
	if (s->cap == 0)
		return false;
	for (size_t j = keyset_home(key, s->cap); s->k[j] != 0; j = (j + 1) & (s->cap - 1))
		if (s->k[j] == key)
			return true;
	return false;
}

/* seen_expected: the context pairs of races dropped as expected, apart
 * from seen_ctx_pairs, so that the same code racing on memory nobody
 * declared benign is still reported. */
static keyset seen_ctx_pairs, seen_races, seen_expected;
/* The remembered accesses (cell and address) that a written report showed
 * racing: its previous access, and the cell its current one was
 * remembered in. */
static keyset seen_prev;

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* ---- output buffer ---------------------------------------------------- */

typedef struct buf {
	char *p;
	size_t n, cap;
} buf;

static void buf_put(buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 1024;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = det_realloc(b->p, cap);
		DET_CHECK(p != NULL);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

__attribute__((format(printf, 2, 3)))
static void buf_printf(buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void buf_json_str(buf *b, const char *s)
{
	buf_put(b, "\"", 1);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			buf_put(b, e, 2);
		} else if (c < 0x20) {
			buf_printf(b, "\\u%04x", c);
		} else {
			buf_put(b, (const char *)&c, 1);
		}
	}
	buf_put(b, "\"", 1);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* ---- stacks ----------------------------------------------------------- */

#define MAX_DEPTH 64

typedef struct stack {
	det_frame f[MAX_DEPTH];
	size_t n;
	/* the innermost external-object tag frame's type and header (NULL
	 * header: none registered); the frame itself is left out */
	const char *type, *header;
} stack;

static const char *strip(const char *file)
{
	const char *pre = det__cfg.strip_path_prefix;
	if (file != NULL && pre != NULL && pre[0] != '\0') {
		size_t n = strlen(pre);
		if (strncmp(file, pre, n) == 0)
			return file + n;
	}
	return file;
}

static void expand(det_ctx ctx, stack *s)
{
	uintptr_t pcs[MAX_DEPTH];
	size_t npcs = det_ctx_pcs(ctx, pcs, MAX_DEPTH);
	size_t n = 0, shown = 0;
	s->type = s->header = NULL;
	for (size_t i = 0; i < npcs && n < MAX_DEPTH; i++) {
		const char *type, *header;
		if (det__cfg.external_tag != NULL && det__cfg.external_tag(pcs[i], &type, &header)) {
			if (s->type == NULL) {
				s->type = type;
				s->header = header;
			}
			continue;
		}
		det_frame *f = &s->f[n];
		/* every pc the detector keeps is a return address (or an access
		 * hook's), so the instruction is the one before it */
		size_t k = det__cfg.symbolize != NULL
			? det__cfg.symbolize(pcs[i], true, f, MAX_DEPTH - n) : 0;
		if (k == 0) {
			memset(f, 0, sizeof *f);
			f->pc = pcs[i];
			k = 1;
		}
		for (size_t j = 0; j < k; j++) {
			f[j].file = strip(f[j].file);
			shown += !f[j].hidden;
		}
		n += k;
	}
	/* Leave out the runtime's plumbing frames, unless nothing would be
	 * left. */
	s->n = n;
	if (shown > 0 && shown < n) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!s->f[i].hidden)
				s->f[k++] = s->f[i];
		s->n = k;
	}
}

static const char *base_name(const char *path)
{
	const char *s = path != NULL ? strrchr(path, '/') : NULL;
	return s != NULL ? s + 1 : path != NULL ? path : "";
}

static void text_stack(buf *b, const stack *s)
{
	if (s->n == 0) {
		buf_printf(b, "  <no frames: the access came from code that is not instrumented>\n");
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		const det_frame *f = &s->f[i];
		buf_printf(b, "  %s()\n", f->func != NULL ? f->func : "??");
		if (f->file != NULL)
			buf_printf(b, "      %s:%d +0x%lx\n", f->file, f->line, (unsigned long)f->func_off);
		else if (f->module != NULL)
			buf_printf(b, "      %s+0x%lx\n", f->module, (unsigned long)f->module_off);
		else
			buf_printf(b, "      0x%lx\n", (unsigned long)f->pc);
	}
}

static void json_stack(buf *b, const stack *s)
{
	buf_put(b, "[", 1);
	for (size_t i = 0; i < s->n; i++) {
		const det_frame *f = &s->f[i];
		if (i > 0)
			buf_put(b, ",", 1);
		buf_put(b, "{\"func\":", 8);
		buf_json_str(b, f->func != NULL ? f->func : "??");
		if (f->file != NULL) {
			buf_put(b, ",\"file\":", 8);
			buf_json_str(b, f->file);
		}
		buf_printf(b, ",\"line\":%d,\"pc\":\"0x%lx\"", f->line, (unsigned long)f->pc);
		if (f->module != NULL) {
			buf_put(b, ",\"module\":", 10);
			buf_json_str(b, f->module);
			buf_printf(b, ",\"module_offset\":%lu", (unsigned long)f->module_off);
		}
		buf_put(b, "}", 1);
	}
	buf_put(b, "]", 1);
}

/* ---- threads ---------------------------------------------------------- */

static void thread_words(const det_thread *t, char *out, size_t n)
{
	if (t == NULL)
		snprintf(out, n, "unknown thread");
	else if (t->kind == DET_KIND_GOROUTINE)
		snprintf(out, n, "goroutine %lld", (long long)t->id);
	else if (t->id == 0)
		snprintf(out, n, "main thread");
	else
		snprintf(out, n, "thread T%lld", (long long)t->id);
}

static bool thread_finished(const det_thread *t)
{
	return atomic_load_explicit(&((det_thread *)t)->finished, memory_order_acquire);
}

static void json_thread(buf *b, const det_thread *t, const stack *created)
{
	if (t == NULL) {
		buf_printf(b, "{\"kind\":\"thread\",\"id\":-1,\"state\":\"finished\"}");
		return;
	}
	buf_printf(b, "{\"kind\":\"%s\",\"id\":%lld",
		t->kind == DET_KIND_GOROUTINE ? "goroutine" : "thread", (long long)t->id);
	if (t->name[0] != '\0') {
		buf_put(b, ",\"name\":", 8);
		buf_json_str(b, t->name);
	}
	buf_printf(b, ",\"state\":\"%s\"", thread_finished(t) ? "finished" : "running");
	if (created != NULL && created->n > 0) {
		buf_put(b, ",\"created_at\":", 14);
		json_stack(b, created);
	}
	buf_put(b, "}", 1);
}

/* ---- locations -------------------------------------------------------- */

/* What memory an address is, for a report's "Location" block; the order
 * matches the JSON names (kinds[] in render). */
typedef enum det_loc_kind {
	DET_LOC_UNKNOWN = 0,
	DET_LOC_GLOBAL,
	DET_LOC_HEAP,
	DET_LOC_STACK,
	DET_LOC_FD,
} det_loc_kind;

typedef struct location {
	det_loc_kind kind;
	const char *name;
	const char *module;
	uintptr_t start;
	size_t size;
	det_thread *thread;  /* heap: allocator; stack: owner */
	const char *type;    /* heap: the block's external-object type */
	int fd;              /* fd: the descriptor */
	stack alloc;         /* heap: the allocation; fd: where it was made */
} location;

static void describe(uintptr_t addr, location *loc)
{
	memset(loc, 0, sizeof *loc);
	det_ctx made_at = 0;
	if (det__cfg.describe_fd != NULL && det__cfg.describe_fd(addr, &loc->fd, &made_at)) {
		loc->kind = DET_LOC_FD;
		expand(made_at, &loc->alloc);
		return;
	}
	/* a heap block first: the detector knows its bounds exactly, where
	 * the embedder's answer for globals comes from symbol tables (a
	 * block in a thread's arena was once described as a global) */
	det_block_info bi;
	if (det__heap_find(addr, &bi)) {
		loc->kind = DET_LOC_HEAP;
		loc->start = bi.start;
		loc->size = bi.size;
		loc->thread = bi.alloc_thread;
		const char *header;
		if (bi.tag == 0 || det__cfg.external_tag == NULL ||
		    !det__cfg.external_tag(bi.tag, &loc->type, &header))
			loc->type = NULL;
		expand(bi.alloc_ctx, &loc->alloc);
		return;
	}
	if (det__cfg.describe_global != NULL &&
	    det__cfg.describe_global(addr, &loc->name, &loc->start, &loc->size, &loc->module)) {
		loc->kind = DET_LOC_GLOBAL;
		return;
	}
	det_thread *t = det__thread_by_stack(addr);
	if (t != NULL) {
		loc->kind = DET_LOC_STACK;
		loc->thread = t;
	}
}

/* ---- the race report -------------------------------------------------- */

/* An access of an external object (its stack has a tag: s->type), in
 * the text: TSan's words for it. */
static const char *external_op_word(unsigned flags, bool previous)
{
	if (flags & DET_WRITE)
		return previous ? "modifying access" : "Modifying access";
	return previous ? "read-only access" : "Read-only access";
}

static const char *op_word(unsigned flags, bool text)
{
	if (flags & DET_FREE)
		return text ? "Free" : "free";
	if (flags & DET_ATOMIC)
		return flags & DET_WRITE ? (text ? "Atomic write" : "write") : (text ? "Atomic read" : "read");
	return flags & DET_WRITE ? (text ? "Write" : "write") : (text ? "Read" : "read");
}

/* The report's title (its text header and the JSON "title"): Go's, with
 * what TSan's titles tell apart said after it — an access after an
 * unordered free (TSan's heap-use-after-free), a race on a C++ object's
 * vptr whose current access is the vptr's (a virtual call, or a
 * constructor or destructor setting it), and a race on an external
 * object (the current access's type, else the previous one's: "on TYPE",
 * or the header registered for it). Built in out[n] when it must be. */
static const char *title_of(unsigned flags, unsigned prev_flags, const stack *cur,
                            const stack *prev, char *out, size_t n)
{
	const stack *ext = cur->type != NULL ? cur : prev->type != NULL ? prev : NULL;
	if (ext != NULL) {
		if (ext->header != NULL)
			snprintf(out, n, "DATA RACE: %s", ext->header);
		else
			snprintf(out, n, "DATA RACE on %s", ext->type);
		return out;
	}
	if (prev_flags & DET_FREE)
		return flags & DET_VPTR ? "DATA RACE: heap use after free (virtual call vs free)"
		                        : "DATA RACE: heap use after free";
	return flags & DET_VPTR ? "DATA RACE on vptr (ctor/dtor vs virtual call)" : "DATA RACE";
}

/* Everything one report needs, built under report_lock. Big: static. */
static struct scratch {
	stack cur, prev, cur_created, prev_created;
	location loc;
	buf text, json;
} sc;

static void render(const det_race *r, det_thread *prev_t, unsigned prev_flags,
                   uint64_t fingerprint)
{
	char who[64], pwho[64];
	thread_words(r->cur, who, sizeof who);
	thread_words(prev_t, pwho, sizeof pwho);
	buf *t = &sc.text, *j = &sc.json;
	t->n = j->n = 0;

	/* text, Go's layout */
	char title_buf[256];
	const char *title = title_of(r->flags, prev_flags, &sc.cur, &sc.prev, title_buf,
	                             sizeof title_buf);
	buf_printf(t, "==================\nWARNING: %s\n", title);
	if (sc.cur.type != NULL)
		buf_printf(t, "%s of %s", external_op_word(r->flags, false), sc.cur.type);
	else
		buf_printf(t, "%s", op_word(r->flags, true));
	buf_printf(t, " at 0x%012lx by %s:\n", (unsigned long)r->addr, who);
	text_stack(t, &sc.cur);
	if (sc.prev.type != NULL) {
		buf_printf(t, "\nPrevious %s of %s", external_op_word(prev_flags, true), sc.prev.type);
	} else {
		const char *pw = op_word(prev_flags, true);
		buf_printf(t, "\nPrevious %c%s", pw[0] + ('a' - 'A'), pw + 1);
	}
	buf_printf(t, " at 0x%012lx by %s:\n", (unsigned long)r->prev_addr, pwho);
	text_stack(t, &sc.prev);
	location *l = &sc.loc;
	if (l->kind == DET_LOC_GLOBAL) {
		buf_printf(t, "\nLocation is global '%s' of size %zu at 0x%012lx (%s)\n", l->name, l->size,
			(unsigned long)l->start, base_name(l->module));
	} else if (l->kind == DET_LOC_HEAP) {
		char aw[64];
		thread_words(l->thread, aw, sizeof aw);
		buf_printf(t, "\nLocation is %s of size %zu at 0x%012lx allocated by %s:\n",
			l->type != NULL ? l->type : "heap block", l->size, (unsigned long)l->start, aw);
		text_stack(t, &l->alloc);
	} else if (l->kind == DET_LOC_STACK) {
		char sw[64];
		thread_words(l->thread, sw, sizeof sw);
		buf_printf(t, "\nLocation is stack of %s.\n", sw);
	} else if (l->kind == DET_LOC_FD) {
		buf_printf(t, "\nLocation is file descriptor %d%s\n", l->fd,
			l->alloc.n > 0 ? " created at:" : ".");
		text_stack(t, &l->alloc);
	}
	det_thread *ts[2] = {r->cur, prev_t};
	stack *cs[2] = {&sc.cur_created, &sc.prev_created};
	for (int i = 0; i < 2; i++) {
		det_thread *x = ts[i];
		if (x == NULL || (i == 1 && x == ts[0]) || (x->kind == DET_KIND_THREAD && x->id == 0))
			continue;
		char xw[64];
		thread_words(x, xw, sizeof xw);
		xw[0] = (char)(xw[0] - ('a' - 'A'));
		/* TSan's "Thread T1 'name' (running)": the name the program gave */
		bool named = x->name[0] != '\0';
		buf_printf(t, "\n%s%s%s%s (%s) created at:\n", xw, named ? " '" : "", x->name,
			named ? "'" : "", thread_finished(x) ? "finished" : "running");
		text_stack(t, cs[i]);
	}
	buf_printf(t, "==================\n");

	/* JSON, one line */
	/* the title may hold a type or header the program registered */
	buf_put(j, "{\"schema\":1,\"kind\":\"data-race\",\"title\":", 39);
	buf_json_str(j, title);
	buf_printf(j, ",\"fingerprint\":\"%016llx\",\"pid\":%d,\"accesses\":[",
		(unsigned long long)fingerprint, det__cfg.pid);
	for (int i = 0; i < 2; i++) {
		unsigned fl = i == 0 ? r->flags : prev_flags;
		buf_printf(j, "%s{\"op\":\"%s\",\"atomic\":%s,\"size\":%zu,\"addr\":\"0x%lx\",\"thread\":",
			i == 0 ? "" : ",", op_word(fl, false), fl & DET_ATOMIC ? "true" : "false",
			i == 0 ? r->size : r->prev_size,
			(unsigned long)(i == 0 ? r->addr : r->prev_addr));
		json_thread(j, ts[i], cs[i]);
		const stack *st = i == 0 ? &sc.cur : &sc.prev;
		if (st->type != NULL) {
			buf_put(j, ",\"object_type\":", 15);
			buf_json_str(j, st->type);
		}
		buf_put(j, ",\"stack\":", 9);
		json_stack(j, st);
		buf_put(j, "}", 1);
	}
	buf_put(j, "],\"location\":", 13);
	static const char *kinds[] = {"unknown", "global", "heap", "stack", "fd"};
	buf_printf(j, "{\"kind\":\"%s\"", kinds[l->kind]);
	if (l->kind == DET_LOC_GLOBAL) {
		buf_put(j, ",\"name\":", 8);
		buf_json_str(j, l->name);
	}
	if (l->kind == DET_LOC_GLOBAL || l->kind == DET_LOC_HEAP)
		buf_printf(j, ",\"addr\":\"0x%lx\",\"size\":%zu", (unsigned long)l->start, l->size);
	if (l->kind == DET_LOC_HEAP && l->type != NULL) {
		buf_put(j, ",\"object_type\":", 15);
		buf_json_str(j, l->type);
	}
	if (l->kind == DET_LOC_HEAP) {
		buf_put(j, ",\"allocated_by\":", 16);
		json_thread(j, l->thread, NULL);
		buf_put(j, ",\"stack\":", 9);
		json_stack(j, &l->alloc);
	}
	if (l->kind == DET_LOC_STACK) {
		buf_put(j, ",\"thread\":", 10);
		json_thread(j, l->thread, NULL);
	}
	if (l->kind == DET_LOC_FD) {
		buf_printf(j, ",\"fd\":%d,\"stack\":", l->fd);
		json_stack(j, &l->alloc);
	}
	buf_put(j, "},\"summary\":", 12);
	char summary[512];
	const det_frame *top = sc.cur.n > 0 ? &sc.cur.f[0] : NULL;
	snprintf(summary, sizeof summary, "data race at %s:%d in %s",
		top != NULL && top->file != NULL ? top->file : "??", top != NULL ? top->line : 0,
		top != NULL && top->func != NULL ? top->func : "??");
	buf_json_str(j, summary);
	buf_put(j, "}\n", 2);
}

static uint64_t fingerprint_of(const char *kind, const stack *a, const stack *b)
{
	char fa[512], fb[512];
	const det_frame *x = a->n > 0 ? &a->f[0] : NULL;
	const det_frame *y = b->n > 0 ? &b->f[0] : NULL;
	snprintf(fa, sizeof fa, "%s@%s", x != NULL && x->func != NULL ? x->func : "??",
		x != NULL ? base_name(x->file) : "");
	snprintf(fb, sizeof fb, "%s@%s", y != NULL && y->func != NULL ? y->func : "??",
		y != NULL ? base_name(y->file) : "");
	const char *lo = strcmp(fa, fb) <= 0 ? fa : fb;
	const char *hi = lo == fa ? fb : fa;
	uint64_t h = 0xcbf29ce484222325ull;
	h = fnv(h, kind);
	h = fnv(h, "|");
	h = fnv(h, lo);
	h = fnv(h, "|");
	h = fnv(h, hi);
	return h;
}

/* What makes a race the same race within a run: its fingerprint and the
 * two top frames' lines, unordered. The fingerprint leaves lines out to
 * stay stable across rebuilds, so alone it would merge two races in the
 * same two functions (two variables, two lines), and the second would go
 * unreported. */
static uint64_t race_key(uint64_t fp, const stack *a, const stack *b)
{
	uint64_t la = a->n > 0 ? (uint32_t)a->f[0].line : 0;
	uint64_t lb = b->n > 0 ? (uint32_t)b->f[0].line : 0;
	uint64_t lines = la < lb ? (la << 32 | lb) : (lb << 32 | la);
	return fp ^ det__hash64(lines + 1);
}

/* The embedder's verdict on the span of both accesses (TSan's
 * IsExpectedReport). */
static bool race_expected(const det_race *r)
{
	uintptr_t lo = r->addr < r->prev_addr ? r->addr : r->prev_addr;
	uintptr_t end = r->addr + r->size, pend = r->prev_addr + r->prev_size;
	uintptr_t hi = end > pend ? end : pend;
	return det__cfg.expected(lo, hi - lo);
}

static void report_race(const det_race *r)
{
	det__lock(&report_lock);
	uint64_t a = r->cur_ctx, b = CELL_CTX(r->prev);
	uint64_t pair = a < b ? (a << 32 | b) : (b << 32 | a);
	if (det__cfg.expected != NULL && race_expected(r)) {
		bool again = keyset_add(&seen_expected, pair);
		det__unlock(&report_lock);
		atomic_fetch_add_explicit(again ? &n_duplicate : &n_suppressed, 1,
			memory_order_relaxed);
		return;
	}
	if (keyset_add(&seen_ctx_pairs, pair ^ 0x5bd1e995ull)) {
		det__unlock(&report_lock);
		atomic_fetch_add_explicit(&n_duplicate, 1, memory_order_relaxed);
		return;
	}
	/* A free racing with an access that a written report already showed
	 * racing (a destructor's write or a destroy, then the free of the
	 * object) is the end of the same unordered use, and says nothing
	 * new: not reported again. */
	uint64_t prev_key = r->prev ^ det__hash64(r->prev_addr);
	if ((r->flags & DET_FREE) && keyset_has(&seen_prev, prev_key)) {
		det__unlock(&report_lock);
		atomic_fetch_add_explicit(&n_duplicate, 1, memory_order_relaxed);
		return;
	}
	det_thread *prev_t = det__slot_owner(CELL_SLOT(r->prev), CELL_EPOCH(r->prev));
	unsigned prev_flags = (CELL_READ(r->prev) ? 0 : DET_WRITE) |
		(CELL_ATOMIC(r->prev) ? DET_ATOMIC : 0) | (CELL_FREE(r->prev) ? DET_FREE : 0);
	expand(r->cur_ctx, &sc.cur);
	expand(CELL_CTX(r->prev), &sc.prev);
	uint64_t fp = fingerprint_of("data-race", &sc.cur, &sc.prev);
	if (keyset_add(&seen_races, race_key(fp, &sc.cur, &sc.prev))) {
		det__unlock(&report_lock);
		atomic_fetch_add_explicit(&n_duplicate, 1, memory_order_relaxed);
		return;
	}
	expand(r->cur->created_at, &sc.cur_created);
	sc.prev_created.n = 0;
	if (prev_t != NULL)
		expand(prev_t->created_at, &sc.prev_created);
	describe(r->addr, &sc.loc);

	if (det__cfg.suppressed != NULL) {
		const det_frame *stacks[4] = {sc.cur.f, sc.prev.f, sc.cur_created.f, sc.prev_created.f};
		size_t depths[4] = {sc.cur.n, sc.prev.n, sc.cur_created.n, sc.prev_created.n};
		if (det__cfg.suppressed("race", stacks, depths, 4,
				sc.loc.kind == DET_LOC_GLOBAL ? sc.loc.name : NULL)) {
			det__unlock(&report_lock);
			atomic_fetch_add_explicit(&n_suppressed, 1, memory_order_relaxed);
			return;
		}
	}
	/* both accesses are now shown racing */
	keyset_add(&seen_prev, prev_key);
	keyset_add(&seen_prev, r->stored ^ det__hash64(r->stored_addr));
	render(r, prev_t, prev_flags, fp);
	if (det__cfg.text_fd >= 0)
		write_all(det__cfg.text_fd, sc.text.p, sc.text.n);
	if (det__cfg.json_fd >= 0)
		write_all(det__cfg.json_fd, sc.json.p, sc.json.n);
	atomic_fetch_add_explicit(&n_reported, 1, memory_order_relaxed);
	det__unlock(&report_lock);
	if (det__cfg.on_report != NULL)
		det__cfg.on_report("data-race");
}

void det__report_race(const det_race *r)
{
	/* the program's errno as it was: the access that raced may sit
	 * between a call and its errno check (symbolizing and writing set it) */
	int err = errno;
	report_race(r);
	errno = err;
}

void det_read_stats(det_stats *s)
{
	memset(s, 0, sizeof *s);
	s->races_reported = atomic_load_explicit(&n_reported, memory_order_relaxed);
	s->races_suppressed = atomic_load_explicit(&n_suppressed, memory_order_relaxed);
	s->races_duplicate = atomic_load_explicit(&n_duplicate, memory_order_relaxed);
	s->threads_created = det__threads_created();
	s->slots_in_use = det__slots_in_use();
	s->slots_created = det__slots_created();
	s->shadow_bytes = det__shadow_bytes();
	s->contexts = det__ctx_count();
	s->contexts_truncated = det__ctx_truncated();
}

uint64_t det_findings(void)
{
	return atomic_load_explicit(&n_reported, memory_order_relaxed);
}

void det_set_text_fd(int fd)
{
	det__lock(&report_lock);
	det__cfg.text_fd = fd;
	det__unlock(&report_lock);
}

void det__report_fork_child(void)
{
	det__lock_reset(&report_lock);
	/* the child's findings carry its own pid */
	det__cfg.pid = getpid();
}
