/*
 * findings.c — reads the JSON lines findings file the preload runtime
 * writes (docs/report-schema.md) and counts its records by kind, for the
 * summary line of `goc-race run`.
 *
 * A valid record is one line holding one JSON object with "schema": 1 and
 * a string "kind"; anything else on a non-blank line (text that is not
 * JSON, trailing garbage, another schema, no kind) is a bad line: counted,
 * the first one remembered with its line number and reason, and reading
 * goes on, so the caller can say both how many findings were read and that
 * the file is damaged. Blank lines are skipped. Uses json-c; no state
 * outside the gocrace_findings the caller owns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "internal.h"

static void count_kind(gocrace_findings *f, const char *kind)
{
	for (int i = 0; i < f->nkinds; i++) {
		if (strcmp(f->kinds[i].kind, kind) == 0) {
			f->kinds[i].count++;
			return;
		}
	}
	gocrace_kind_count *k = realloc(f->kinds, (size_t)(f->nkinds + 1) * sizeof *k);
	if (k == NULL)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "out of memory");
	f->kinds = k;
	f->kinds[f->nkinds++] = (gocrace_kind_count){gocrace_xstrdup(kind), 1};
}

static void bad_line(gocrace_findings *f, long lineno, const char *fmt, const char *arg)
{
	if (f->bad++ == 0) {
		f->first_bad_line = lineno;
		snprintf(f->first_bad_why, sizeof f->first_bad_why, fmt, arg);
	}
}

/* Checks one non-blank line; counts it as a finding or a bad line. */
static void check_line(gocrace_findings *f, json_tokener *tok, const char *line,
	size_t len, long lineno)
{
	json_tokener_reset(tok);
	/* len + 1: the terminating NUL ends a top-level value (json-c). In
	 * strict mode text after the value, other than blanks, is a parse
	 * error, so an object here is the whole line. */
	json_object *obj = json_tokener_parse_ex(tok, line, (int)len + 1);
	if (obj == NULL) {
		bad_line(f, lineno, "not JSON (%s)",
			json_tokener_error_desc(json_tokener_get_error(tok)));
		return;
	}
	json_object *schema, *kind;
	if (!json_object_is_type(obj, json_type_object))
		bad_line(f, lineno, "%s", "not a JSON object");
	else if (!json_object_object_get_ex(obj, "schema", &schema) ||
		 !json_object_is_type(schema, json_type_int))
		bad_line(f, lineno, "%s", "no \"schema\" number");
	else if (json_object_get_int64(schema) != 1)
		bad_line(f, lineno, "unknown schema %s (this goc-race reads schema 1)",
			json_object_to_json_string(schema));
	else if (!json_object_object_get_ex(obj, "kind", &kind) ||
		 !json_object_is_type(kind, json_type_string))
		bad_line(f, lineno, "%s", "no \"kind\" string");
	else {
		f->valid++;
		count_kind(f, json_object_get_string(kind));
	}
	json_object_put(obj);
}

int gocrace_findings_read(const char *path, gocrace_findings *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	FILE *in = fopen(path, "r");
	if (in == NULL) {
		snprintf(err, errlen, "cannot read the findings file %s: %s", path, strerror(errno));
		return -1;
	}
	json_tokener *tok = json_tokener_new();
	if (tok == NULL)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	while ((n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		size_t len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strspn(line, " \t\r") == len)
			continue;
		if (memchr(line, '\0', len) != NULL) {
			bad_line(f, lineno, "%s", "NUL byte in the line");
			continue;
		}
		check_line(f, tok, line, len, lineno);
	}
	int rerr = ferror(in) ? errno : 0;
	free(line);
	json_tokener_free(tok);
	fclose(in);
	if (rerr != 0) {
		snprintf(err, errlen, "cannot read the findings file %s: %s", path, strerror(rerr));
		return -1;
	}
	return 0;
}

/* Human words for the kinds of docs/report-schema.md: singular, plural. */
static const char *const kind_words[][3] = {
	{"data-race", "data race", "data races"},
	{"deadlock", "deadlock", "deadlocks"},
	{"lock-order", "lock-order inversion", "lock-order inversions"},
	{"goroutine-leak", "leaked goroutine", "leaked goroutines"},
	{"thread-leak", "leaked thread", "leaked threads"},
	{"misuse", "API misuse", "API misuses"},
};

void gocrace_findings_describe(const gocrace_findings *f, char *buf, size_t len)
{
	if (f->valid == 0) {
		snprintf(buf, len, "no findings");
		return;
	}
	size_t n = (size_t)snprintf(buf, len, "%d finding%s (", f->valid,
		f->valid == 1 ? "" : "s");
	for (int i = 0; i < f->nkinds && n < len; i++) {
		const gocrace_kind_count *k = &f->kinds[i];
		const char *word = k->kind;
		for (size_t w = 0; w < sizeof kind_words / sizeof kind_words[0]; w++)
			if (strcmp(kind_words[w][0], k->kind) == 0)
				word = kind_words[w][k->count == 1 ? 1 : 2];
		n += (size_t)snprintf(buf + n, len - n, "%s%d %s", i ? ", " : "", k->count, word);
	}
	if (n < len)
		snprintf(buf + n, len - n, ")");
}

void gocrace_findings_free(gocrace_findings *f)
{
	for (int i = 0; i < f->nkinds; i++)
		free(f->kinds[i].kind);
	free(f->kinds);
	f->kinds = NULL;
	f->nkinds = 0;
}
