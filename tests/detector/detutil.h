/*
 * detutil.h — helpers for the detector's unit tests (tests/detector/): a
 * fake symbolizer that names made-up pcs, sinks that capture the text and
 * JSON reports in memory files, and readers that parse the JSON lines with
 * json-c so tests assert on fields, not on substrings.
 *
 * Fake code addresses: pc = FAKE_PC(fn, line) names function "fn<fn>" in
 * file "src<fn>.c" at that line. The detector looks up pc - 1 for return
 * addresses; the fake symbolizer undoes that.
 */
#ifndef GOC_TESTS_DETUTIL_H
#define GOC_TESTS_DETUTIL_H

#include "detector.h"

#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FAKE_PC(fn, line) ((uintptr_t)0x400000 + (uintptr_t)(fn) * 0x10000 + (uintptr_t)(line) * 0x10)

/* Functions FAKE_INLINED_FIRST and up are inlined: their pcs name two
 * frames, "inl<fn>" at the pc's line and its caller "fn<fn>" at the line
 * plus 500, as a symbolizer expands inlined code. */
#define FAKE_INLINED_FIRST 56

static inline size_t fake_symbolize(uintptr_t pc, bool ret, det_frame *f, size_t max)
{
	static char names[64][32], inl_names[64][32], files[64][32];
	(void)ret; /* fake pcs name their line whether or not they are return addresses */
	uintptr_t p = pc;
	if (max == 0 || p < 0x400000 || p >= 0x400000 + 64 * 0x10000)
		return 0;
	unsigned fn = (unsigned)((p - 0x400000) / 0x10000);
	snprintf(names[fn], sizeof names[fn], "fn%u", fn);
	snprintf(files[fn], sizeof files[fn], "/src/dir/src%u.c", fn);
	memset(f, 0, sizeof *f);
	f->pc = pc;
	f->func = names[fn];
	f->file = files[fn];
	f->line = (int)(((p - 0x400000) % 0x10000) / 0x10);
	if (fn < FAKE_INLINED_FIRST || max < 2)
		return 1;
	f[1] = f[0];
	f[1].line += 500;
	snprintf(inl_names[fn], sizeof inl_names[fn], "inl%u", fn);
	f[0].func = inl_names[fn];
	return 2;
}

static int text_fd = -1, json_fd = -1;

/* The detector with the sinks above, reporting races with atomics or not
 * (goc-race's report_atomic_races option). */
static inline void det_test_init_atomic_races(bool report_atomic_races)
{
	text_fd = memfd_create("text", 0);
	json_fd = memfd_create("json", 0);
	cr_assert(text_fd >= 0 && json_fd >= 0);
	det_config c = {
		.text_fd = text_fd,
		.json_fd = json_fd,
		.symbolize = fake_symbolize,
		.report_atomic_races = report_atomic_races,
		.strip_path_prefix = "/src/",
		.pid = 1,
	};
	det_init(&c);
}

static inline void det_test_init(void)
{
	det_test_init_atomic_races(true);
}

static inline char *read_fd(int fd)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *s = calloc(1, (size_t)n + 1);
	if (n > 0 && pread(fd, s, (size_t)n, 0) != n)
		cr_assert_fail("pread");
	return s;
}

/* The JSON records written so far (caller frees with json_object_put). */
static inline size_t json_records(json_object **out, size_t max)
{
	char *all = read_fd(json_fd);
	size_t n = 0;
	for (char *line = strtok(all, "\n"); line != NULL && n < max; line = strtok(NULL, "\n")) {
		json_object *o = json_tokener_parse(line);
		cr_assert_not_null(o, "a JSON line does not parse: %s", line);
		out[n++] = o;
	}
	free(all);
	return n;
}

static inline json_object *jget(json_object *o, const char *path)
{
	/* path: dot-separated keys and array indices, e.g. "accesses.0.stack.0.line" */
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *k = strtok(buf, "."); k != NULL && o != NULL; k = strtok(NULL, ".")) {
		if (k[0] >= '0' && k[0] <= '9')
			o = json_object_array_get_idx(o, (size_t)atoi(k));
		else if (!json_object_object_get_ex(o, k, &o))
			o = NULL;
	}
	return o;
}

static inline const char *jstr(json_object *o, const char *path)
{
	json_object *v = jget(o, path);
	return v != NULL ? json_object_get_string(v) : "(missing)";
}

static inline int64_t jint(json_object *o, const char *path)
{
	json_object *v = jget(o, path);
	return v != NULL ? json_object_get_int64(v) : -999;
}

#endif /* GOC_TESTS_DETUTIL_H */
