/*
 * check_e2e.c — runs one end-to-end fixture under the preload runtime and
 * checks its JSON verdict exactly.
 *
 *   check_e2e SOURCE.c PROGRAM SHIM.so
 *
 * PROGRAM runs with LD_PRELOAD=SHIM.so and GOC_RACE_OPTIONS=json_path=TMP.
 * The fixture's name says its verdict:
 *   norace_*  exit status 0 and no finding at all;
 *   race_*    exit status 66 (the runtime's exitcode) and exactly one
 *             finding, a data race whose two accesses are the lines marked
 *             in SOURCE.c:
 *
 *     x = 1;  /\* race *\/ /\* prev: T1 write *\/
 *     y = x;  /\* race *\/ /\* cur: T0 read *\/
 *
 *   "cur" is the access that found the race (accesses[0] in the record),
 *   "prev" the remembered one (accesses[1]); T<n> is the thread number
 *   (main is 0, then creation order); the op is read, write or free,
 *   optionally preceded by "atomic". One line may carry both annotations
 *   (two threads running the same line). Every marked line must be named
 *   by the report and every access must be on a marked line, in SOURCE.c.
 *
 *   Optional, anywhere in SOURCE.c, what the memory is:
 *     expect-location: global NAME
 *     expect-location: heap T<n>      allocated by T<n> on the line
 *                                     marked  /\* alloc *\/
 *     expect-location: stack T<n>     on T<n>'s stack
 *
 * Exit status 0 when everything matched; otherwise one line per mismatch
 * on stdout and status 1.
 */
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LINES 8

typedef struct expect_access {
	int line;
	int thread;
	bool atomic;
	char op[8];
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
	int loc_thread;
	int alloc_line;
} want = {.loc_thread = -1};

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

/* "cur: T1 atomic write" at s (just after the opening comment marker). */
static bool parse_access(const char *s, int line)
{
	char which[8], op1[16], op2[16] = "";
	int tid;
	int n = sscanf(s, " %7[a-z]: T%d %15[a-z] %15[a-z]", which, &tid, op1, op2);
	if (n < 3)
		return false;
	expect_access a = {.line = line, .thread = tid};
	if (strcmp(op1, "atomic") == 0) {
		a.atomic = true;
		snprintf(a.op, sizeof a.op, "%s", op2);
	} else {
		snprintf(a.op, sizeof a.op, "%s", op1);
	}
	if (strcmp(which, "cur") == 0) {
		want.cur = a;
		want.have_cur = true;
	} else if (strcmp(which, "prev") == 0) {
		want.prev = a;
		want.have_prev = true;
	} else {
		return false;
	}
	return true;
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
		char *e = strstr(buf, "expect-location:");
		if (e != NULL) {
			char what[64] = "";
			int n = sscanf(e, "expect-location: %15s %63s", want.loc_kind, what);
			if (n == 2 && what[0] == 'T')
				want.loc_thread = atoi(what + 1);
			else if (n == 2)
				snprintf(want.loc_name, sizeof want.loc_name, "%s", what);
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

static void check_access(json_object *acc, const expect_access *e, const char *which)
{
	if (acc == NULL) {
		fail("%s access missing", which);
		return;
	}
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
	if (strcmp(get_str(acc, "op"), e->op) != 0)
		fail("%s access op %s, expected %s", which, get_str(acc, "op"), e->op);
	json_object *at = get(acc, "atomic");
	if (at == NULL || json_object_get_boolean(at) != e->atomic)
		fail("%s access atomic %s, expected %s", which,
			at != NULL && json_object_get_boolean(at) ? "true" : "false",
			e->atomic ? "true" : "false");
	json_object *th = get(acc, "thread");
	if (strcmp(get_str(th, "kind"), "thread") != 0 || get_int(th, "id", -1) != e->thread)
		fail("%s access by %s %d, expected thread %d", which, get_str(th, "kind"),
			get_int(th, "id", -1), e->thread);
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
		else if (line != want.alloc_line || idx != 0)
			fail("heap block allocated at line %d (frame %d), expected line %d", line, idx,
				want.alloc_line);
		json_object *by = get(loc, "allocated_by");
		if (want.loc_thread >= 0 && get_int(by, "id", -1) != want.loc_thread)
			fail("heap block allocated by thread %d, expected %d", get_int(by, "id", -1),
				want.loc_thread);
	}
	if (strcmp(kind, "stack") == 0 && want.loc_thread >= 0) {
		json_object *th = get(loc, "thread");
		if (get_int(th, "id", -1) != want.loc_thread)
			fail("stack of thread %d, expected %d", get_int(th, "id", -1), want.loc_thread);
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
	json_object *accs = get(first, "accesses");
	size_t n = accs != NULL ? json_object_array_length(accs) : 0;
	if (n != 2)
		fail("%zu accesses, expected 2", n);
	check_access(n > 0 ? json_object_array_get_idx(accs, 0) : NULL, &want.cur, "current");
	check_access(n > 1 ? json_object_array_get_idx(accs, 1) : NULL, &want.prev, "previous");
	check_location(get(first, "location"));
	if (failures != 0)
		printf("record: %s\n", json_object_to_json_string(first));
	json_object_put(first);
}

/* ---- running the program ---------------------------------------------- */

static int run(const char *prog, const char *shim, const char *json)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		char opts[4200];
		snprintf(opts, sizeof opts, "json_path=%s", json);
		setenv("LD_PRELOAD", shim, 1);
		setenv("GOC_RACE_OPTIONS", opts, 1);
		alarm(50); /* a hang is a failure, not a stuck suite */
		execl(prog, prog, (char *)NULL);
		perror(prog);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(1);
		}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s SOURCE.c PROGRAM SHIM.so\n", argv[0]);
		return 2;
	}
	want.src_base = base(argv[1]);
	want.race = strncmp(want.src_base, "race_", 5) == 0;
	if (!want.race && strncmp(want.src_base, "norace_", 7) != 0) {
		printf("FAIL: %s is named neither race_* nor norace_*\n", want.src_base);
		return 1;
	}
	read_source(argv[1]);

	char json[] = "/tmp/goc-race-e2e-XXXXXX";
	int fd = mkstemp(json);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	int rc = run(argv[2], argv[3], json);
	int want_rc = want.race ? 66 : 0;
	if (rc != want_rc)
		fail("exit status %d, expected %d", rc, want_rc);
	check_json(json);
	unlink(json);
	if (failures == 0)
		printf("ok: %s\n", want.src_base);
	return failures == 0 ? 0 : 1;
}
