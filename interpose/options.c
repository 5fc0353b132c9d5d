/*
 * options.c — GOC_RACE_OPTIONS: `key=value` pairs separated by spaces,
 * commas or colons (TSAN_OPTIONS style), parsed into gocrace_opt. The keys,
 * types and defaults come from options.def; nothing here names an option.
 * Runs once, from the constructor, before the program's main.
 */
#include "internal.h"
#include "options_lex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

gocrace_options gocrace_opt = {
#define GOC_RACE_OPTION(type, name, def, help) .name = def,
#include "options.def"
#undef GOC_RACE_OPTION
};

enum { OPT_BOOL, OPT_INT, OPT_STRING };

static const struct {
	const char *name;
	int type;
	size_t offset;
} table[] = {
#define GOC_RACE_OPTION(type, name, def, help) {#name, OPT_##type, offsetof(gocrace_options, name)},
#include "options.def"
#undef GOC_RACE_OPTION
};

__attribute__((noreturn)) static void bad(const char *what, const char *key, const char *value)
{
	fprintf(stderr, "goc-race: GOC_RACE_OPTIONS: %s: %s%s%s\n", what, key,
		value != NULL ? "=" : "", value != NULL ? value : "");
	_exit(64);
}

static void set(const char *key, const char *value)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (strcmp(table[i].name, key) != 0)
			continue;
		char *field = (char *)&gocrace_opt + table[i].offset;
		switch (table[i].type) {
		case OPT_BOOL:
			if (!gocrace_lex_bool(value, (bool *)field))
				bad("not a boolean", key, value);
			return;
		case OPT_INT: {
			char *end;
			errno = 0;
			long v = strtol(value, &end, 10);
			if (errno != 0 || *end != '\0' || end == value || v < -2147483647L || v > 2147483647L)
				bad("not an integer", key, value);
			*(int *)field = (int)v;
			return;
		}
		default:
			/* The environment string outlives the process's use of it. */
			*(const char **)field = value;
			return;
		}
	}
	bad("unknown option", key, NULL);
}

void gocrace_options_parse(const char *env)
{
	if (env == NULL)
		return;
	const char *p = env;
	const char *name, *val;
	size_t nlen, vlen;
	for (;;) {
		int r = gocrace_lex_next(&p, &name, &nlen, &val, &vlen);
		if (r == GOCRACE_LEX_END)
			return;
		/* Private NUL-terminated copies, kept for the process's life. */
		char *key = __libc_malloc(nlen + 1);
		if (key == NULL)
			return;
		memcpy(key, name, nlen);
		key[nlen] = '\0';
		if (r == GOCRACE_LEX_NO_VALUE)
			bad("expected key=value", key, NULL);
		if (r == GOCRACE_LEX_UNTERMINATED)
			bad("unterminated quote in the value of", key, NULL);
		char *value = __libc_malloc(vlen + 1);
		if (value == NULL)
			return;
		memcpy(value, val, vlen);
		value[vlen] = '\0';
		set(key, value);
	}
}
