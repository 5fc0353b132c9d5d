/*
 * suppress.c — suppressions in ThreadSanitizer's file format: one
 * `type:pattern` per line, `#` starts a comment. A pattern matches a
 * substring of a frame's function, file or module name (or, for races, the
 * racy global's name); `*` matches any run of characters; `^` and `$`
 * anchor it at the start and end. Types: race (any frame of either access
 * stack and the threads' creation stacks), race_top (the top frame of each
 * access only), thread, mutex, signal, deadlock, called_from_lib (accepted
 * for compatibility; the kinds they suppress are reported by later
 * versions). Loaded once at init; read-only afterwards except the hit
 * counters (relaxed atomics).
 */
#include "internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_RULES 512

static struct rule {
	char type[24];
	char pattern[232];
	_Atomic unsigned hits;
} rules[MAX_RULES];
static int nrules;

static const char *const types[] = {"race", "race_top", "thread", "mutex", "signal",
	"deadlock", "called_from_lib"};

bool gocrace_suppressions_load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	char line[512];
	int lineno = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		char *end = s + strcspn(s, "#\r\n");
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		if (*s == '\0')
			continue;
		char *colon = strchr(s, ':');
		bool known = false;
		if (colon != NULL) {
			*colon = '\0';
			for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
				known |= strcmp(s, types[i]) == 0;
		}
		if (!known || colon[1] == '\0') {
			fprintf(stderr, "goc-race: %s:%d: not a suppression (want TYPE:PATTERN, "
				"TYPE one of race, race_top, thread, mutex, signal, deadlock, called_from_lib)\n",
				path, lineno);
			fclose(f);
			errno = EINVAL;
			return false;
		}
		if (nrules == MAX_RULES)
			break;
		snprintf(rules[nrules].type, sizeof rules[nrules].type, "%s", s);
		snprintf(rules[nrules].pattern, sizeof rules[nrules].pattern, "%s", colon + 1);
		nrules++;
	}
	fclose(f);
	return true;
}

/* Glob match of p (with * only) against the whole of s. */
static bool glob(const char *p, const char *s)
{
	const char *star = NULL, *retry = NULL;
	while (*s != '\0') {
		if (*p == '*') {
			star = ++p;
			retry = s;
		} else if (*p == *s) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star;
			s = ++retry;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* TSan's pattern: implicit * at both ends unless anchored by ^ / $. */
static bool matches(const char *pattern, const char *s)
{
	if (s == NULL)
		return false;
	char p[240];
	size_t n = strlen(pattern);
	bool head = n > 0 && pattern[0] == '^';
	bool tail = n > 0 && pattern[n - 1] == '$';
	snprintf(p, sizeof p, "%s%.*s%s", head ? "" : "*", (int)(n - head - tail), pattern + head,
		tail ? "" : "*");
	return glob(p, s);
}

static bool frame_matches(const char *pattern, const det_frame *f)
{
	return matches(pattern, f->func) || matches(pattern, f->file) || matches(pattern, f->module);
}

bool gocrace_suppressed(const char *kind, const det_frame *const *stacks, const size_t *depths,
                        size_t nstacks, const char *global_name)
{
	for (int i = 0; i < nrules; i++) {
		struct rule *r = &rules[i];
		bool top_only = strcmp(r->type, "race_top") == 0;
		if (strcmp(r->type, kind) != 0 && !(top_only && strcmp(kind, "race") == 0))
			continue;
		bool hit = !top_only && global_name != NULL && matches(r->pattern, global_name);
		for (size_t s = 0; s < nstacks && !hit; s++) {
			if (top_only && s >= 2)
				break;
			size_t d = top_only ? (depths[s] > 0 ? 1 : 0) : depths[s];
			for (size_t k = 0; k < d && !hit; k++)
				hit = frame_matches(r->pattern, &stacks[s][k]);
		}
		if (hit) {
			atomic_fetch_add_explicit(&r->hits, 1, memory_order_relaxed);
			return true;
		}
	}
	return false;
}

void gocrace_suppressions_print(void)
{
	unsigned total = 0;
	for (int i = 0; i < nrules; i++)
		total += atomic_load_explicit(&rules[i].hits, memory_order_relaxed);
	if (total == 0)
		return;
	fprintf(stderr, "goc-race: matched %u suppressions (pid=%d):\n", total, (int)getpid());
	for (int i = 0; i < nrules; i++) {
		unsigned h = atomic_load_explicit(&rules[i].hits, memory_order_relaxed);
		if (h != 0)
			fprintf(stderr, "%u %s:%s\n", h, rules[i].type, rules[i].pattern);
	}
}
