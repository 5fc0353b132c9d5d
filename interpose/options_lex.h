/*
 * options_lex.h — splitting GOC_RACE_OPTIONS into NAME=VALUE pairs, shared
 * by the preload runtime (interpose/options.c) and the command line
 * (cli/options.c) so both read the same strings the same way. The rules are
 * ThreadSanitizer's TSAN_OPTIONS: pairs separated by spaces, commas,
 * colons, tabs or newlines; a value may be quoted with ' or " to hold a
 * separator. No allocation: the pair is returned as pointers into the
 * string with lengths. Also the one reading of a boolean value.
 */
#ifndef GOC_INTERPOSE_OPTIONS_LEX_H
#define GOC_INTERPOSE_OPTIONS_LEX_H

#include <stdbool.h>
#include <stddef.h>

enum {
	GOCRACE_LEX_END = 0,        /* no more pairs */
	GOCRACE_LEX_PAIR = 1,       /* name, nlen, val and vlen are set */
	GOCRACE_LEX_NO_VALUE = -1,  /* a word without =: name and nlen say which */
	GOCRACE_LEX_UNTERMINATED = -2, /* a quote that does not close (name, nlen) */
};

static inline bool gocrace_lex_sep(char c)
{
	return c == ' ' || c == ',' || c == ':' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads the next pair from *p and advances *p past it. */
static inline int gocrace_lex_next(const char **p, const char **name, size_t *nlen,
                                   const char **val, size_t *vlen)
{
	const char *s = *p;
	while (gocrace_lex_sep(*s))
		s++;
	if (*s == '\0') {
		*p = s;
		return GOCRACE_LEX_END;
	}
	*name = s;
	while (*s != '\0' && *s != '=' && !gocrace_lex_sep(*s))
		s++;
	*nlen = (size_t)(s - *name);
	if (*s != '=') {
		*p = s;
		return GOCRACE_LEX_NO_VALUE;
	}
	s++;
	if (*s == '\'' || *s == '"') {
		char q = *s++;
		*val = s;
		while (*s != '\0' && *s != q)
			s++;
		if (*s == '\0') {
			*p = s;
			return GOCRACE_LEX_UNTERMINATED;
		}
		*vlen = (size_t)(s - *val);
		s++;
	} else {
		*val = s;
		while (*s != '\0' && !gocrace_lex_sep(*s))
			s++;
		*vlen = (size_t)(s - *val);
	}
	*p = s;
	return GOCRACE_LEX_PAIR;
}

/* A boolean option's value: 1, true, yes or 0, false, no. false if it is
 * none of them (*out is then unchanged). */
static inline bool gocrace_lex_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "true", "yes"};
	static const char *const no[] = {"0", "false", "no"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (__builtin_strcmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (__builtin_strcmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

#endif /* GOC_INTERPOSE_OPTIONS_LEX_H */
