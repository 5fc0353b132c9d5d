/*
 * check_e2e.c — runs one end-to-end fixture under `goc-race run`, as a user
 * would, and checks goc-race's verdict exactly.
 *
 *   check_e2e SOURCE.c PROGRAM GOC-RACE
 *
 * PROGRAM (built by `goc-race cc`) runs as
 *   GOC-RACE run --json-path=TMP -- PROGRAM
 * with GOC_RACE_OPTIONS, GOC_RACE_SHIM and LD_PRELOAD removed from the
 * environment, so goc-race finds its own runtime and nothing else applies.
 * The fixture's name says its verdict:
 *   (either)  exit status 77 with no finding: skipped (meson's skip status;
 *             the fixture could not set up what it tests, e.g. a TCP
 *             loopback connection)
 *   norace_*  exit status 0 (the program's own), no finding in the JSON
 *             file, no text report, and goc-race's summary says
 *             "no findings";
 *   race_*    exit status 66 (goc-race's exitcode for findings), exactly
 *             one finding, a data race whose two accesses are the lines
 *             marked in SOURCE.c, one text report ("WARNING: DATA RACE",
 *             or the expect-title below),
 *             and a summary of "1 finding (1 data race)":
 *
 *     x = 1;  /\* race *\/ /\* prev: T1 write *\/
 *     y = x;  /\* race *\/ /\* cur: T0 read *\/
 *
 *   "cur" is the access that found the race (accesses[0] in the record),
 *   "prev" the remembered one (accesses[1]). Who made it: T<n> is thread
 *   number n (main is 0, then creation order), G<n> is libgoc's goroutine
 *   n (goc_id(): the main thread is goroutine 1 but is reported as T0, the
 *   first goc_go makes G2). The op is read, write or free, optionally
 *   preceded by "atomic", and optionally followed by "size N", the
 *   bytes the record says the access covered (its "size"), e.g.
 *   "cur: T0 read size 4". One line may carry both annotations (two threads
 *   running the same line). Every marked line must be named by the report
 *   and every access must be on a marked line, in SOURCE.c. A thread or
 *   goroutine other than T0 must come with its creation stack, whose top
 *   frame is in SOURCE.c (the pthread_create or goc_go call).
 *
 *   Optional, anywhere in SOURCE.c, what the memory is:
 *     expect-location: global NAME
 *     expect-location: heap T<n>|G<n>  allocated by T<n> (G<n>) on the
 *                                      line marked  /\* alloc *\/
 *     expect-location: stack T<n>|G<n> on T<n>'s (G<n>'s) stack
 *     expect-location: fd              a file descriptor made on the line
 *                                      marked  /\* alloc *\/
 *
 *   Optional, the name a racing thread was given (pthread_setname_np,
 *   prctl, __tsan_set_fiber_name): the access's "name" in the record and
 *   the head of its creation block in the text ("Thread T<n> 'NAME'", or
 *   "Goroutine <n> 'NAME'"). A racing thread without such a line must have
 *   no name.
 *     expect-thread-name: T<n> NAME
 *
 *   Optional, the report's title (the record's "title", and the text
 *   report's "WARNING: " line), when it is not "DATA RACE":
 *     expect-title: TITLE
 *
 *   Optional, an access's whole stack, its functions from the top (the
 *   shadow call stack holds instrumented functions only; C++ names as
 *   reports print them, Class::method, without spaces):
 *     expect-stack: cur|prev FUNC...
 *
 *   Optional, for accesses whose order the fixture cannot fix (two
 *   threads released at once): the record's current access may be the one
 *   annotated prev, and its previous the one annotated cur.
 *     expect-any-order
 *
 *   Optional, for a finding that must be made every time, not just
 *   usually: the whole check is made N times, each a run of its own, and
 *   fails at the first run that does not match.
 *     expect-runs: N
 *
 * Exit status 0 when everything matched; otherwise one line per mismatch
 * on stdout, then goc-race's stderr, and status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LINES 8
#define MAX_NAMES 4
#define MAX_FRAMES 16

/* A thread (T<n>) or a goroutine (G<n>), as the record's "thread" names it. */
typedef struct who {
	const char *kind; /* "thread" or "goroutine" */
	int id;
} who;

typedef struct expect_access {
	int line;
	who by;
	bool atomic;
	char op[8];
	int size;                    /* "size N" after the op; 0: not checked */
	char frames[MAX_FRAMES][64]; /* expect-stack's functions */
	int nframes;                 /* 0: no expect-stack */
} expect_access;

static struct {
	const char *src_base;
	bool race;
	expect_access cur, prev;
	bool have_cur, have_prev;
	int marked[MAX_LINES];
	int nmarked;
	char loc_kind[16];
	char loc_name[128];
	who loc_by; /* kind NULL: not given */
	int alloc_line;
	struct {
		who by;
		char name[64];
	} names[MAX_NAMES];
	int nnames;
	char title[96];
	bool any_order;
	int runs;
} want = {.title = "DATA RACE", .runs = 1};

static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	failures++;
}

/* "T1" or "G2" into *w. */
static bool parse_who(const char *s, who *w)
{
	char letter;
	int id, end = 0;
	if (sscanf(s, "%c%d%n", &letter, &id, &end) != 2 || s[end] != '\0' || id < 0)
		return false;
	if (letter == 'T')
		w->kind = "thread";
	else if (letter == 'G')
		w->kind = "goroutine";
	else
		return false;
	w->id = id;
	return true;
}

/* The expected access "cur" or "prev" names; NULL for another word. */
static expect_access *expect_of(const char *which)
{
	if (strcmp(which, "cur") == 0)
		return &want.cur;
	if (strcmp(which, "prev") == 0)
		return &want.prev;
	return NULL;
}

/* "cur: T1 atomic write" at s (just after the opening comment marker). */
static bool parse_access(const char *s, int line)
{
	char which[8], by[16], op1[16], op2[16] = "";
	int n = sscanf(s, " %7[a-z]: %15[A-Z0-9] %15[a-z] %15[a-z]", which, by, op1, op2);
	if (n < 3)
		return false;
	expect_access a = {.line = line};
	const char *size = strstr(s, " size ");
	const char *end = strstr(s, "*/");
	if (size != NULL && (end == NULL || size < end) &&
	    (sscanf(size, " size %d", &a.size) != 1 || a.size <= 0))
		return false;
	if (!parse_who(by, &a.by))
		return false;
	if (strcmp(op1, "atomic") == 0) {
		a.atomic = true;
		snprintf(a.op, sizeof a.op, "%s", op2);
	} else {
		snprintf(a.op, sizeof a.op, "%s", op1);
	}
	expect_access *w = expect_of(which);
	if (w == NULL)
		return false;
	/* an expect-stack line may come first: its frames stay */
	memcpy(a.frames, w->frames, sizeof a.frames);
	a.nframes = w->nframes;
	*w = a;
	if (w == &want.cur)
		want.have_cur = true;
	else
		want.have_prev = true;
	return true;
}

/* "expect-stack: cur main" at s. */
static bool parse_stack(const char *s)
{
	char which[8];
	int used = 0;
	if (sscanf(s, "expect-stack: %7[a-z]%n", which, &used) != 1)
		return false;
	expect_access *w = expect_of(which);
	if (w == NULL)
		return false;
	w->nframes = 0;
	s += used;
	int n;
	while (w->nframes < MAX_FRAMES &&
	       sscanf(s, " %63[A-Za-z0-9_.:$~]%n", w->frames[w->nframes], &n) == 1) {
		w->nframes++;
		s += n;
	}
	return w->nframes > 0;
}

static void read_source(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		printf("FAIL: cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	char buf[1024];
	int line = 0;
	while (fgets(buf, sizeof buf, f) != NULL) {
		line++;
		char *m = strstr(buf, "/* race */");
		if (m != NULL) {
			if (want.nmarked < MAX_LINES)
				want.marked[want.nmarked++] = line;
			for (char *c = strstr(m + 10, "/*"); c != NULL; c = strstr(c + 2, "/*"))
				if (!parse_access(c + 2, line))
					fail("%s:%d: cannot parse the annotation '%s'", path, line, c);
		}
		if (strstr(buf, "/* alloc */") != NULL)
			want.alloc_line = line;
		char *tn = strstr(buf, "expect-thread-name:");
		if (tn != NULL) {
			char by[16] = "";
			if (want.nnames == MAX_NAMES ||
				sscanf(tn, "expect-thread-name: %15s %63s", by,
					want.names[want.nnames].name) != 2 ||
				!parse_who(by, &want.names[want.nnames].by))
				fail("%s:%d: cannot parse '%s'", path, line, tn);
			else
				want.nnames++;
		}
		char *ti = strstr(buf, "expect-title:");
		if (ti != NULL) {
			ti += strlen("expect-title:");
			ti += strspn(ti, " ");
			ti[strcspn(ti, "\n")] = '\0';
			snprintf(want.title, sizeof want.title, "%s", ti);
		}
		if (strstr(buf, "expect-any-order") != NULL)
			want.any_order = true;
		char *rn = strstr(buf, "expect-runs:");
		if (rn != NULL && (sscanf(rn, "expect-runs: %d", &want.runs) != 1 || want.runs < 1))
			fail("%s:%d: cannot parse '%s'", path, line, rn);
		char *st = strstr(buf, "expect-stack:");
		if (st != NULL && !parse_stack(st))
			fail("%s:%d: cannot parse '%s'", path, line, st);
		char *e = strstr(buf, "expect-location:");
		if (e != NULL) {
			char what[64] = "";
			int n = sscanf(e, "expect-location: %15s %63s", want.loc_kind, what);
			if (n == 2 && strcmp(want.loc_kind, "global") == 0)
				snprintf(want.loc_name, sizeof want.loc_name, "%s", what);
			else if (n == 2 && !parse_who(what, &want.loc_by))
				fail("%s:%d: cannot parse '%s'", path, line, e);
		}
	}
	fclose(f);
	if (want.race && (!want.have_cur || !want.have_prev))
		fail("%s: a race fixture must annotate a cur: and a prev: access", path);
}

/* ---- the record ------------------------------------------------------- */

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key);
	return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
	                                                              : "";
}

static int get_int(json_object *o, const char *key, int dflt)
{
	json_object *v = get(o, key);
	return v != NULL ? json_object_get_int(v) : dflt;
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s != NULL ? s + 1 : p;
}

/* The first frame of stack that is in the fixture's source file, or NULL. */
static json_object *top_frame(json_object *stack, int *index)
{
	size_t n = stack != NULL ? json_object_array_length(stack) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(stack, i);
		if (strcmp(base(get_str(f, "file")), want.src_base) == 0) {
			*index = (int)i;
			return f;
		}
	}
	return NULL;
}

static bool is_marked(int line)
{
	for (int i = 0; i < want.nmarked; i++)
		if (want.marked[i] == line)
			return true;
	return false;
}

/* The expect-thread-name for w, or NULL. */
static const char *expected_name(const who *w)
{
	for (int i = 0; i < want.nnames; i++)
		if (strcmp(want.names[i].by.kind, w->kind) == 0 && want.names[i].by.id == w->id)
			return want.names[i].name;
	return NULL;
}

/* th (a record's "thread" object) is w; says what it is otherwise. */
static bool check_who(json_object *th, const who *w, const char *what)
{
	if (strcmp(get_str(th, "kind"), w->kind) == 0 && get_int(th, "id", -1) == w->id)
		return true;
	fail("%s: %s %d, expected %s %d", what, get_str(th, "kind"), get_int(th, "id", -1),
		w->kind, w->id);
	return false;
}

/* The functions of stack, top first, are e's expect-stack. */
static void check_stack(json_object *stack, const expect_access *e, const char *which)
{
	size_t n = stack != NULL ? json_object_array_length(stack) : 0;
	bool same = n == (size_t)e->nframes;
	char got[1024] = "", expected[1024] = "";
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		const char *fn = get_str(json_object_array_get_idx(stack, i), "func");
		if (same && strcmp(fn, e->frames[i]) != 0)
			same = false;
		if (len < sizeof got)
			len += (size_t)snprintf(got + len, sizeof got - len, " %s", fn);
	}
	len = 0;
	for (int i = 0; i < e->nframes && len < sizeof expected; i++)
		len += (size_t)snprintf(expected + len, sizeof expected - len, " %s", e->frames[i]);
	if (!same)
		fail("%s access's stack is%s, expected%s", which, got, expected);
}

/* Whether the record's access acc was made by w. */
static bool made_by(json_object *acc, const who *w)
{
	json_object *th = get(acc, "thread");
	return w->kind != NULL && strcmp(get_str(th, "kind"), w->kind) == 0 &&
	       get_int(th, "id", -1) == w->id;
}

static void check_access(json_object *acc, const expect_access *e, const char *which)
{
	if (acc == NULL) {
		fail("%s access missing", which);
		return;
	}
	if (e->by.kind == NULL)
		return; /* not annotated: read_source has said so */
	int idx = -1;
	json_object *f = top_frame(get(acc, "stack"), &idx);
	int line = f != NULL ? get_int(f, "line", 0) : 0;
	if (f == NULL)
		fail("%s access: no frame in %s", which, want.src_base);
	else if (idx != 0)
		fail("%s access: top frame is %s, not in %s", which,
			get_str(json_object_array_get_idx(get(acc, "stack"), 0), "func"), want.src_base);
	if (line != e->line)
		fail("%s access at line %d, expected %d", which, line, e->line);
	if (!is_marked(line))
		fail("%s access at line %d, which is not marked /* race */", which, line);
	if (e->nframes > 0)
		check_stack(get(acc, "stack"), e, which);
	if (strcmp(get_str(acc, "op"), e->op) != 0)
		fail("%s access op %s, expected %s", which, get_str(acc, "op"), e->op);
	if (e->size > 0 && get_int(acc, "size", 0) != e->size)
		fail("%s access of %d bytes, expected %d", which, get_int(acc, "size", 0), e->size);
	json_object *at = get(acc, "atomic");
	if (at == NULL || json_object_get_boolean(at) != e->atomic)
		fail("%s access atomic %s, expected %s", which,
			at != NULL && json_object_get_boolean(at) ? "true" : "false",
			e->atomic ? "true" : "false");
	json_object *th = get(acc, "thread");
	if (!check_who(th, &e->by, which))
		return;
	const char *name = expected_name(&e->by);
	json_object *got = get(th, "name");
	if (name == NULL && got != NULL)
		fail("%s access: %s %d is named '%s', expected no name", which, e->by.kind,
			e->by.id, get_str(th, "name"));
	else if (name != NULL && strcmp(get_str(th, "name"), name) != 0)
		fail("%s access: %s %d is named '%s', expected '%s'", which, e->by.kind, e->by.id,
			get_str(th, "name"), name);
	/* Every thread but main, and every goroutine, was created in SOURCE.c. */
	if (strcmp(e->by.kind, "thread") != 0 || e->by.id != 0) {
		json_object *created = get(th, "created_at");
		if (created == NULL || json_object_array_length(created) == 0)
			fail("%s access: %s %d has no creation stack", which, e->by.kind, e->by.id);
		else if (top_frame(created, &idx) == NULL || idx != 0)
			fail("%s access: %s %d was not created in %s (top frame %s)", which,
				e->by.kind, e->by.id, want.src_base,
				get_str(json_object_array_get_idx(created, 0), "func"));
	}
}

/* The frames above frame idx of stack are C++'s operator new (libstdc++
 * calls malloc; TSan shows it on top too). */
static bool below_operator_new(json_object *stack, int idx)
{
	for (int i = 0; i < idx; i++)
		if (strncmp(get_str(json_object_array_get_idx(stack, (size_t)i), "func"),
			"operator new", 12) != 0)
			return false;
	return true;
}

static void check_location(json_object *loc)
{
	if (want.loc_kind[0] == '\0')
		return;
	const char *kind = get_str(loc, "kind");
	if (strcmp(kind, want.loc_kind) != 0) {
		fail("location kind %s, expected %s", kind, want.loc_kind);
		return;
	}
	if (want.loc_name[0] != '\0' && strcmp(get_str(loc, "name"), want.loc_name) != 0)
		fail("location name '%s', expected '%s'", get_str(loc, "name"), want.loc_name);
	if (strcmp(kind, "heap") == 0) {
		int idx = -1;
		json_object *f = top_frame(get(loc, "stack"), &idx);
		int line = f != NULL ? get_int(f, "line", 0) : 0;
		if (want.alloc_line == 0)
			fail("a heap fixture must mark its allocation with /* alloc */");
		else if (line != want.alloc_line || (idx != 0 && !below_operator_new(get(loc, "stack"), idx)))
			fail("heap block allocated at line %d (frame %d), expected line %d", line, idx,
				want.alloc_line);
		if (want.loc_by.kind != NULL)
			check_who(get(loc, "allocated_by"), &want.loc_by, "heap block allocated by");
	}
	if (strcmp(kind, "stack") == 0 && want.loc_by.kind != NULL)
		check_who(get(loc, "thread"), &want.loc_by, "stack of");
	if (strcmp(kind, "fd") == 0) {
		int idx = -1;
		json_object *f = top_frame(get(loc, "stack"), &idx);
		int line = f != NULL ? get_int(f, "line", 0) : 0;
		if (want.alloc_line == 0)
			fail("an fd fixture must mark where the descriptor is made with /* alloc */");
		else if (line != want.alloc_line || idx != 0)
			fail("descriptor made at line %d (frame %d), expected line %d", line, idx,
				want.alloc_line);
		if (get_int(loc, "fd", -1) < 0)
			fail("location fd %d", get_int(loc, "fd", -1));
	}
}

static void check_json(const char *path)
{
	FILE *f = fopen(path, "r");
	int records = 0;
	json_object *first = NULL;
	if (f != NULL) {
		char *line = NULL;
		size_t cap = 0;
		while (getline(&line, &cap, f) > 0) {
			json_object *o = json_tokener_parse(line);
			if (o == NULL) {
				fail("unparsable JSON line: %.200s", line);
				continue;
			}
			records++;
			if (first == NULL)
				first = o;
			else
				json_object_put(o);
		}
		free(line);
		fclose(f);
	}
	if (!want.race) {
		if (records != 0)
			fail("%d finding(s), expected none", records);
		json_object_put(first);
		return;
	}
	if (records != 1) {
		fail("%d finding(s), expected exactly one", records);
		if (first == NULL)
			return;
	}
	if (get_int(first, "schema", 0) != 1)
		fail("schema %d, expected 1", get_int(first, "schema", 0));
	if (strcmp(get_str(first, "kind"), "data-race") != 0)
		fail("kind %s, expected data-race", get_str(first, "kind"));
	if (strcmp(get_str(first, "title"), want.title) != 0)
		fail("title '%s', expected '%s'", get_str(first, "title"), want.title);
	json_object *accs = get(first, "accesses");
	size_t n = accs != NULL ? json_object_array_length(accs) : 0;
	if (n != 2)
		fail("%zu accesses, expected 2", n);
	const expect_access *cur = &want.cur, *prev = &want.prev;
	if (want.any_order && n == 2 && !made_by(json_object_array_get_idx(accs, 0), &cur->by)) {
		cur = &want.prev;
		prev = &want.cur;
	}
	check_access(n > 0 ? json_object_array_get_idx(accs, 0) : NULL, cur, "current");
	check_access(n > 1 ? json_object_array_get_idx(accs, 1) : NULL, prev, "previous");
	check_location(get(first, "location"));
	if (failures != 0)
		printf("record: %s\n", json_object_to_json_string(first));
	json_object_put(first);
}

/* ---- goc-race's own output -------------------------------------------- */

/* goc-race's stderr (the runtime's text reports, then goc-race's summary
 * line) must agree with the JSON: one "WARNING: TITLE" per finding and
 * a last "goc-race: " line that counts them. */
static void check_stderr(const char *path, const char *prog)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fail("cannot read goc-race's stderr %s: %s", path, strerror(errno));
		return;
	}
	char *line = NULL, summary[8192] = "";
	size_t cap = 0;
	ssize_t len;
	int reports = 0;
	/* the head of a named creation block: "Thread T1 'one' (...)" or
	 * "Goroutine 2 'name' (...)" */
	char head[MAX_NAMES][128];
	bool named[MAX_NAMES] = {false};
	for (int i = 0; i < want.nnames; i++) {
		const who *w = &want.names[i].by;
		snprintf(head[i], sizeof head[i], strcmp(w->kind, "thread") == 0 ? "Thread T%d '%s' "
		                                                                 : "Goroutine %d '%s' ",
			w->id, want.names[i].name);
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (strncmp(line, "WARNING: ", 9) == 0) {
			reports++;
			if (strcmp(line + 9, want.title) != 0)
				fail("text report '%s', expected 'WARNING: %s'", line, want.title);
		}
		for (int i = 0; i < want.nnames; i++)
			if (strncmp(line, head[i], strlen(head[i])) == 0)
				named[i] = true;
		if (strncmp(line, "goc-race: ", 10) == 0)
			snprintf(summary, sizeof summary, "%s", line);
	}
	free(line);
	fclose(f);
	for (int i = 0; i < want.nnames; i++)
		if (!named[i])
			fail("no \"%s...\" line in the text report", head[i]);
	int want_reports = want.race ? 1 : 0;
	if (reports != want_reports)
		fail("%d text report(s) on stderr, expected %d", reports, want_reports);
	char expect[4200];
	if (want.race)
		snprintf(expect, sizeof expect, "goc-race: 1 finding (1 data race) in %s;", prog);
	else
		snprintf(expect, sizeof expect, "goc-race: no findings in %s;", prog);
	if (strncmp(summary, expect, strlen(expect)) != 0)
		fail("goc-race's summary is '%s', expected it to start '%s'", summary, expect);
}

static void dump(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	printf("---- goc-race's stderr:\n");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
}

/* ---- running the program ---------------------------------------------- */

static volatile sig_atomic_t child_group;

/* A hang is a failure, not a stuck suite: kill goc-race and the program
 * (its own process group). */
static void on_alarm(int sig)
{
	(void)sig;
	if (child_group > 0)
		kill(-child_group, SIGKILL);
}

/* GOC_RACE run --json-path=JSON -- PROG, stderr to ERR; its exit status, or
 * 128+N if signal N killed goc-race itself. */
static int run(const char *goc_race, const char *prog, const char *json, const char *err)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		setpgid(0, 0);
		int fd = open(err, O_WRONLY | O_TRUNC);
		if (fd < 0 || dup2(fd, 2) < 0) {
			perror(err);
			_exit(127);
		}
		close(fd);
		unsetenv("GOC_RACE_OPTIONS");
		unsetenv("GOC_RACE_SHIM");
		unsetenv("LD_PRELOAD");
		char opt[4200];
		snprintf(opt, sizeof opt, "--json-path=%s", json);
		execl(goc_race, goc_race, "run", opt, "--", prog, (char *)NULL);
		perror(goc_race);
		_exit(127);
	}
	setpgid(pid, pid); /* either this or the child's call wins the race */
	child_group = pid;
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	alarm(50);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(1);
		}
	alarm(0);
	kill(-pid, SIGKILL); /* nothing of the run outlives it */
	if (WIFSIGNALED(st)) {
		fail("goc-race was killed by signal %d%s", WTERMSIG(st),
			WTERMSIG(st) == SIGKILL ? " (timed out after 50 s?)" : "");
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}

/* Creates an empty file from the mkstemp template tmpl. */
static void tmpfile_named(char *tmpl)
{
	int fd = mkstemp(tmpl);
	if (fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s SOURCE.c PROGRAM GOC-RACE\n", argv[0]);
		return 2;
	}
	want.src_base = base(argv[1]);
	want.race = strncmp(want.src_base, "race_", 5) == 0;
	if (!want.race && strncmp(want.src_base, "norace_", 7) != 0) {
		printf("FAIL: %s is named neither race_* nor norace_*\n", want.src_base);
		return 1;
	}
	read_source(argv[1]);

	for (int k = 1; k <= want.runs && failures == 0; k++) {
		char json[] = "/tmp/goc-race-e2e-XXXXXX";
		char err[] = "/tmp/goc-race-e2e-err-XXXXXX";
		tmpfile_named(json);
		tmpfile_named(err);
		int rc = run(argv[3], argv[2], json, err);
		struct stat js;
		if (rc == 77 && stat(json, &js) == 0 && js.st_size == 0) {
			printf("skip: %s could not set up what it tests (exit 77)\n", want.src_base);
			unlink(json);
			unlink(err);
			return 77;
		}
		int want_rc = want.race ? 66 : 0;
		if (rc != want_rc)
			fail("exit status %d, expected %d", rc, want_rc);
		check_json(json);
		check_stderr(err, argv[2]);
		if (failures != 0) {
			if (want.runs > 1)
				printf("(in run %d of %d)\n", k, want.runs);
			dump(err);
		}
		unlink(json);
		unlink(err);
	}
	if (failures == 0)
		printf("ok: %s\n", want.src_base);
	return failures == 0 ? 0 : 1;
}
