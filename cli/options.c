/*
 * options.c — goc-race's options, generated from interpose/options.def (the
 * one table; STYLE.md "Options live in one table"), and their two
 * syntaxes:
 *
 *   flags             --name=value, underscores written as dashes
 *                     (--halt-on-error, --exitcode=3); a bool may omit
 *                     "=value" (--halt-on-error means true)
 *   GOC_RACE_OPTIONS  name=value pairs separated by spaces, commas, colons,
 *                     tabs or newlines; a value may be quoted with ' or "
 *                     to hold a separator — ThreadSanitizer's TSAN_OPTIONS
 *                     rules (sanitizer_flag_parser), so the same strings work
 *
 * Bools take 1/0, true/false, yes/no; ints are decimal and fit an int. An
 * unknown name or a bad value is an error, never ignored. Precedence is the
 * caller's: it parses the environment first and flags after, and the last
 * assignment wins. The same table prints `goc-race --help`'s option list
 * and README's markdown table (`goc-race --options-markdown`; a test keeps
 * README in sync). No global state: a gocrace_opts is owned by its caller.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "../interpose/options_lex.h"

#define GOCRACE_DEF_BOOL(d) .def_bool = (d)
#define GOCRACE_DEF_INT(d) .def_int = (d)
#define GOCRACE_DEF_STRING(d) .def_string = (d)

const gocrace_option gocrace_options[GOCRACE_O_COUNT] = {
#define GOC_RACE_OPTION(T, N, def, help_text)                                  \
	[GOCRACE_O_##N] = {.name = #N, .type = GOCRACE_T_##T, .help = help_text,   \
		GOCRACE_DEF_##T(def)},
#include "../interpose/options.def"
#undef GOC_RACE_OPTION
};

static const char *const type_names[] = {"BOOL", "INT", "STRING"};

void gocrace_opts_init(gocrace_opts *o)
{
	for (int i = 0; i < GOCRACE_O_COUNT; i++) {
		const gocrace_option *opt = &gocrace_options[i];
		o->v[i] = (gocrace_value){.b = opt->def_bool, .i = opt->def_int,
			.s = opt->def_string ? gocrace_xstrdup(opt->def_string) : NULL};
	}
}

void gocrace_opts_free(gocrace_opts *o)
{
	for (int i = 0; i < GOCRACE_O_COUNT; i++) {
		free(o->v[i].s);
		o->v[i].s = NULL;
	}
}

int gocrace_opts_lookup(const char *name, size_t len)
{
	for (int i = 0; i < GOCRACE_O_COUNT; i++)
		if (strlen(gocrace_options[i].name) == len &&
		    memcmp(gocrace_options[i].name, name, len) == 0)
			return i;
	return -1;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno == ERANGE || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

int gocrace_opts_set(gocrace_opts *o, enum gocrace_opt_id id, const char *val,
	char *err, size_t errlen)
{
	const gocrace_option *opt = &gocrace_options[id];
	gocrace_value *v = &o->v[id];
	switch (opt->type) {
	case GOCRACE_T_BOOL:
		if (!gocrace_lex_bool(val, &v->b)) {
			snprintf(err, errlen, "bad value '%s' for %s: expected 1, 0, true, false, yes or no",
				val, opt->name);
			return -1;
		}
		break;
	case GOCRACE_T_INT:
		if (parse_int(val, &v->i) < 0) {
			snprintf(err, errlen, "bad value '%s' for %s: expected a decimal integer",
				val, opt->name);
			return -1;
		}
		break;
	case GOCRACE_T_STRING:
		free(v->s);
		v->s = gocrace_xstrdup(val);
		break;
	}
	v->set = true;
	return 0;
}

int gocrace_opts_parse_env(gocrace_opts *o, const char *s, char *err, size_t errlen)
{
	const char *p = s;
	const char *name, *val;
	size_t nlen, vlen;
	for (;;) {
		int r = gocrace_lex_next(&p, &name, &nlen, &val, &vlen);
		if (r == GOCRACE_LEX_END)
			return 0;
		if (r == GOCRACE_LEX_NO_VALUE) {
			snprintf(err, errlen, "GOC_RACE_OPTIONS: expected NAME=VALUE, got '%.*s'",
				(int)nlen, name);
			return -1;
		}
		if (r == GOCRACE_LEX_UNTERMINATED) {
			snprintf(err, errlen, "GOC_RACE_OPTIONS: unterminated quote in %.*s",
				(int)nlen, name);
			return -1;
		}
		int id = gocrace_opts_lookup(name, nlen);
		if (id < 0) {
			snprintf(err, errlen, "GOC_RACE_OPTIONS: unknown option '%.*s' (see goc-race --help)",
				(int)nlen, name);
			return -1;
		}
		char *v = gocrace_xmalloc(vlen + 1);
		memcpy(v, val, vlen);
		v[vlen] = '\0';
		char why[256];
		int rc = gocrace_opts_set(o, (enum gocrace_opt_id)id, v, why, sizeof why);
		free(v);
		if (rc < 0) {
			snprintf(err, errlen, "GOC_RACE_OPTIONS: %s", why);
			return -1;
		}
	}
}

int gocrace_opts_parse_flag(gocrace_opts *o, const char *arg, char *err, size_t errlen)
{
	if (strncmp(arg, "--", 2) != 0) {
		snprintf(err, errlen, "unknown option %s (see goc-race --help)", arg);
		return -1;
	}
	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
	char key[64];
	if (nlen == 0 || nlen >= sizeof key) {
		snprintf(err, errlen, "unknown option %s (see goc-race --help)", arg);
		return -1;
	}
	for (size_t i = 0; i < nlen; i++)
		key[i] = name[i] == '-' ? '_' : name[i];
	int id = gocrace_opts_lookup(key, nlen);
	if (id < 0) {
		snprintf(err, errlen, "unknown option %.*s (see goc-race --help)",
			(int)(nlen + 2), arg);
		return -1;
	}
	if (eq == NULL && gocrace_options[id].type != GOCRACE_T_BOOL) {
		snprintf(err, errlen, "option %s needs a value: %s=%s", arg, arg,
			type_names[gocrace_options[id].type]);
		return -1;
	}
	char why[256];
	if (gocrace_opts_set(o, (enum gocrace_opt_id)id, eq ? eq + 1 : "1", why, sizeof why) < 0) {
		snprintf(err, errlen, "--%.*s: %s", (int)nlen, name, why);
		return -1;
	}
	return 0;
}

/* Appends "name=value" to buf (of capacity *cap, length *len), quoting the
 * value as the parser reads it back. */
static int append_pair(char **buf, size_t *len, size_t *cap, const char *name,
	const char *val, char *err, size_t errlen)
{
	bool needs_quote = false;
	bool has_dq = strchr(val, '"') != NULL, has_sq = strchr(val, '\'') != NULL;
	for (const char *c = val; *c; c++)
		needs_quote |= gocrace_lex_sep(*c);
	/* A leading quote would be read as an opening quote. */
	needs_quote |= val[0] == '"' || val[0] == '\'';
	char q = has_dq ? '\'' : '"';
	if (needs_quote && has_dq && has_sq) {
		snprintf(err, errlen, "cannot pass %s to the program: its value holds both quote "
			"characters and a separator", name);
		return -1;
	}
	size_t need = *len + strlen(name) + strlen(val) + 5;
	if (need > *cap) {
		*cap = need * 2;
		char *nb = realloc(*buf, *cap);
		if (nb == NULL)
			gocrace_die(GOCRACE_EXIT_SOFTWARE, "out of memory");
		*buf = nb;
	}
	*len += (size_t)sprintf(*buf + *len, *len ? " %s=" : "%s=", name);
	if (needs_quote)
		*len += (size_t)sprintf(*buf + *len, "%c%s%c", q, val, q);
	else
		*len += (size_t)sprintf(*buf + *len, "%s", val);
	return 0;
}

char *gocrace_opts_format_env(const gocrace_opts *o, char *err, size_t errlen)
{
	size_t len = 0, cap = 64;
	char *buf = gocrace_xmalloc(cap);
	buf[0] = '\0';
	for (int i = 0; i < GOCRACE_O_COUNT; i++) {
		const gocrace_value *v = &o->v[i];
		if (!v->set)
			continue;
		char num[16];
		const char *val = v->s;
		if (gocrace_options[i].type == GOCRACE_T_BOOL)
			val = v->b ? "1" : "0";
		else if (gocrace_options[i].type == GOCRACE_T_INT)
			snprintf(num, sizeof num, "%d", v->i), val = num;
		if (append_pair(&buf, &len, &cap, gocrace_options[i].name, val, err, errlen) < 0) {
			free(buf);
			return NULL;
		}
	}
	return buf;
}

/* The default as a user would write it. */
static void format_default(const gocrace_option *opt, char *buf, size_t len)
{
	switch (opt->type) {
	case GOCRACE_T_BOOL:
		snprintf(buf, len, "%s", opt->def_bool ? "true" : "false");
		break;
	case GOCRACE_T_INT:
		snprintf(buf, len, "%d", opt->def_int);
		break;
	case GOCRACE_T_STRING:
		snprintf(buf, len, "%s", opt->def_string);
		break;
	}
}

/* "--json-path=STRING" or "--halt-on-error[=BOOL]". */
static void format_flag(const gocrace_option *opt, char *buf, size_t len)
{
	char dashed[64];
	snprintf(dashed, sizeof dashed, "%s", opt->name);
	for (char *c = dashed; *c; c++)
		if (*c == '_')
			*c = '-';
	if (opt->type == GOCRACE_T_BOOL)
		snprintf(buf, len, "--%s[=BOOL]", dashed);
	else
		snprintf(buf, len, "--%s=%s", dashed, type_names[opt->type]);
}

/* Prints col (padded to HELP_COL) then text, wrapped at 79 columns with
 * continuation lines indented to HELP_COL. */
enum { HELP_COL = 33, HELP_WIDTH = 79 };

void gocrace_help_row(FILE *f, const char *col, const char *text)
{
	int at = fprintf(f, "  %-*s", HELP_COL - 3, col);
	if (at > HELP_COL - 1) {
		fprintf(f, "\n%*s", HELP_COL - 1, "");
		at = HELP_COL - 1;
	}
	const char *p = text;
	while (*p) {
		size_t w = strcspn(p, " ");
		if (at + 1 + (int)w > HELP_WIDTH && at > HELP_COL - 1) {
			fprintf(f, "\n%*s", HELP_COL - 1, "");
			at = HELP_COL - 1;
		}
		at += fprintf(f, " %.*s", (int)w, p);
		p += w;
		p += strspn(p, " ");
	}
	fputc('\n', f);
}

void gocrace_opts_print_help(FILE *f)
{
	for (int i = 0; i < GOCRACE_O_COUNT; i++) {
		const gocrace_option *opt = &gocrace_options[i];
		char flag[96], def[128], text[1024];
		format_flag(opt, flag, sizeof flag);
		format_default(opt, def, sizeof def);
		snprintf(text, sizeof text, "%s (%s; default: %s)", opt->help, opt->name,
			def[0] ? def : "empty");
		gocrace_help_row(f, flag, text);
	}
}

/* Markdown table cell: '|' escaped, code spans left to the caller. */
static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

void gocrace_opts_print_markdown(FILE *f)
{
	fputs("| `GOC_RACE_OPTIONS` key | `goc-race run` flag | Default | Meaning |\n", f);
	fputs("|---|---|---|---|\n", f);
	for (int i = 0; i < GOCRACE_O_COUNT; i++) {
		const gocrace_option *opt = &gocrace_options[i];
		char flag[96], def[128];
		format_flag(opt, flag, sizeof flag);
		format_default(opt, def, sizeof def);
		fprintf(f, "| `%s` | `%s` | ", opt->name, flag);
		if (def[0]) {
			fputc('`', f);
			md_text(f, def);
			fputc('`', f);
		} else {
			fputs("(empty)", f);
		}
		fputs(" | ", f);
		md_text(f, opt->help);
		fputs(" |\n", f);
	}
}
