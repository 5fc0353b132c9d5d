/*
 * format.c — what a printf or scanf format makes the call read or write
 * among its arguments (TSan's check_printf model): stdio.c's wrappers run
 * these walkers beside the real call.
 *
 *   printf family  reads each %s string (the bytes printed and the NUL,
 *                  or at most the precision's bytes; %ls: wide chars),
 *                  writes each %n's integer; and the format string
 *                  itself;
 *   scanf family   writes what each of the first r assigning conversions
 *                  stored (r the call's result): an integer or float of
 *                  the length modifier's size, a %s or %[ string and its
 *                  NUL, %c's width, %ms's pointer (GNU's %as too); and
 *                  each %n's integer the walk reaches before the r-th
 *                  assignment (as TSan counts: a matching failure just
 *                  before a %n cannot be told from the result). The input
 *                  string sscanf reads (glibc measures all of it) is
 *                  stdio.c's.
 *
 * The walkers follow the arguments with va_arg by the conversions' types,
 * on a copy of the caller's va_list. A format they cannot follow (numbered
 * arguments "%1$s", an unknown conversion) ends the walk there: what came
 * before is checked, nothing after (the arguments' types past it are
 * unknown). No state; nothing here is shared.
 */
#include "internal.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* A conversion's length modifier. */
enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_J, LEN_Z, LEN_T, LEN_BIG_L };

/* One conversion: "%" flags width . precision length conv. */
typedef struct spec {
	bool suppress;      /* scanf's '*': nothing assigned */
	bool alloc;         /* scanf's 'm': a char ** that gets a new string */
	int width;          /* -1: none; -2: '*' (printf: an int argument) */
	int precision;      /* as width */
	enum length len;
	char conv;          /* 0: the walk stops here */
} spec;

/* Moves *p just past the next '%' that starts a conversion ("%%" is
 * none); false at the format's end. */
static bool next_conversion(const char **p)
{
	for (const char *s = *p; *s != '\0';) {
		if (*s++ != '%')
			continue;
		if (*s == '%') {
			s++;
			continue;
		}
		*p = s;
		return true;
	}
	return false;
}

/* Digits at *p, or -1 (then *p unchanged). */
static int number(const char **p)
{
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return -1;
	int n = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		n = n < 100000000 ? n * 10 + (*s - '0') : n;
	*p = s;
	return n;
}

/* A width or precision at *p: digits, '*' (-2), or none (-1); -3 for a
 * numbered argument ("5$", "*5$"), which the walk cannot follow. */
static int count(const char **p)
{
	if (**p == '*') {
		(*p)++;
		const char *s = *p;
		if (number(&s) >= 0 && *s == '$')
			return -3;
		return -2;
	}
	return number(p);
}

static enum length length(const char **p)
{
	const char *s = *p;
	enum length l = LEN_NONE;
	switch (*s) {
	case 'h':
		l = s[1] == 'h' ? LEN_HH : LEN_H;
		break;
	case 'l':
		l = s[1] == 'l' ? LEN_LL : LEN_L;
		break;
	case 'q':
		l = LEN_LL;
		break;
	case 'j':
		l = LEN_J;
		break;
	case 'z':
	case 'Z':
		l = LEN_Z;
		break;
	case 't':
		l = LEN_T;
		break;
	case 'L':
		l = LEN_BIG_L;
		break;
	default:
		return LEN_NONE;
	}
	*p = s + (l == LEN_HH || (l == LEN_LL && *s == 'l') ? 2 : 1);
	return l;
}

/* The conversion after a '%' at p (p past it); returns the format after
 * it. conv is 0 when the walk cannot go on. */
static const char *parse_printf(const char *p, spec *s)
{
	*s = (spec){ .width = -1, .precision = -1 };
	const char *q = p;
	if (number(&q) >= 0 && *q == '$')
		return p; /* numbered arguments */
	while (*p == '-' || *p == '+' || *p == ' ' || *p == '#' || *p == '0' || *p == '\'' ||
	       *p == 'I')
		p++;
	s->width = count(&p);
	if (*p == '.') {
		p++;
		s->precision = count(&p);
		if (s->precision == -1)
			s->precision = 0;
	}
	if (s->width == -3 || s->precision == -3)
		return p;
	s->len = length(&p);
	s->conv = *p;
	return *p != '\0' ? p + 1 : p;
}

/* n bytes of a string read or written at pc by t. */
static void access_of(det_thread *t, const void *p, size_t n, uintptr_t pc, unsigned flags)
{
	if (p != NULL && n != 0)
		gocrace_range_access(t, p, n, pc, flags);
}

/* The bytes of s printf reads: up to and with the NUL, or at most max
 * (< 0: no limit); wide when wide. */
static size_t string_bytes(const void *s, int max, bool wide)
{
	size_t n = 0;
	if (wide) {
		const wchar_t *w = s;
		while ((max < 0 || n < (size_t)max) && w[n] != L'\0')
			n++;
		return (n + (max < 0 || n < (size_t)max)) * sizeof *w;
	}
	if (max < 0)
		return gocrace_strlen(s) + 1;
	const char *c = s;
	while (n < (size_t)max && c[n] != '\0')
		n++;
	return n + (n < (size_t)max);
}

/* The size of the integer %n (printf's or scanf's) or scanf's %d stores. */
static size_t int_size(enum length l)
{
	switch (l) {
	case LEN_HH:
		return 1;
	case LEN_H:
		return 2;
	case LEN_NONE:
		return sizeof(int);
	default:
		return 8;
	}
}

/* Takes one integer argument of length l from ap. */
#define SKIP_INT(ap, l)                                                       \
	do {                                                                      \
		if ((l) == LEN_NONE || (l) == LEN_HH || (l) == LEN_H)                 \
			(void)va_arg(ap, int);                                            \
		else                                                                  \
			(void)va_arg(ap, long long);                                      \
	} while (0)

void gocrace_printf_args(det_thread *t, const char *fmt, va_list ap, uintptr_t pc)
{
	if (gocrace_in_libgoc(pc) || fmt == NULL)
		return;
	access_of(t, fmt, gocrace_strlen(fmt) + 1, pc, DET_READ);
	va_list aq;
	va_copy(aq, ap);
	for (const char *p = fmt; next_conversion(&p);) {
		spec s;
		p = parse_printf(p, &s);
		if (s.width == -2)
			(void)va_arg(aq, int);
		if (s.precision == -2) {
			s.precision = va_arg(aq, int);
			if (s.precision < 0)
				s.precision = -1; /* a negative precision is none */
		}
		switch (s.conv) {
		case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'b': case 'B':
			SKIP_INT(aq, s.len);
			break;
		case 'c': case 'C':
			(void)va_arg(aq, int);
			break;
		case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
			if (s.len == LEN_BIG_L)
				(void)va_arg(aq, long double);
			else
				(void)va_arg(aq, double);
			break;
		case 'p':
			(void)va_arg(aq, void *);
			break;
		case 'm':
			break;
		case 's': case 'S': {
			const void *str = va_arg(aq, const void *);
			bool wide = s.conv == 'S' || s.len == LEN_L;
			if (str != NULL) /* glibc prints "(null)" */
				access_of(t, str, string_bytes(str, s.precision, wide), pc, DET_READ);
			break;
		}
		case 'n':
			access_of(t, va_arg(aq, void *), int_size(s.len), pc, DET_WRITE);
			break;
		default:
			goto out;
		}
	}
out:
	va_end(aq);
}

/* The conversion after a '%' at p, scanf's; as parse_printf. A %[ set's
 * characters are skipped. */
static const char *parse_scanf(const char *p, spec *s, bool gnu)
{
	*s = (spec){ .width = -1, .precision = -1 };
	if (*p == '*') {
		s->suppress = true;
		p++;
	}
	const char *q = p;
	if (number(&q) >= 0 && *q == '$')
		return p; /* numbered arguments */
	s->width = number(&p);
	/* 'm', and in GNU's own scanf (not the C99 one) 'a' before s, S or [ */
	if (*p == 'm' || (gnu && *p == 'a' && (p[1] == 's' || p[1] == 'S' || p[1] == '['))) {
		s->alloc = true;
		p++;
	}
	s->len = length(&p);
	s->conv = *p;
	if (*p == '\0')
		return p;
	p++;
	if (s->conv == '[') {
		if (*p == '^')
			p++;
		if (*p == ']')
			p++;
		while (*p != '\0' && *p != ']')
			p++;
		if (*p == '\0')
			s->conv = 0;
		else
			p++;
	}
	return p;
}

/* Whether c is a conversion scanf assigns through a pointer. */
static bool scanf_conv(char c)
{
	for (const char *k = "diouxXbeEfFgGaApcCsS["; *k != '\0'; k++)
		if (*k == c)
			return true;
	return false;
}

/* What scanf stored through ptr for conversion s, in bytes; 0 for none. */
static size_t scanned_bytes(const spec *s, const void *ptr)
{
	bool wide = s->len == LEN_L;
	switch (s->conv) {
	case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'b': case 'n':
		return int_size(s->len);
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
		return s->len == LEN_BIG_L ? sizeof(long double)
		       : s->len == LEN_L   ? sizeof(double)
		                           : sizeof(float);
	case 'p':
		return sizeof(void *);
	case 'c': case 'C':
		return (size_t)(s->width > 0 ? s->width : 1) *
		       (wide || s->conv == 'C' ? sizeof(wchar_t) : 1);
	case 's': case 'S': case '[':
		return string_bytes(ptr, -1, wide || s->conv == 'S');
	default:
		return 0;
	}
}

void gocrace_scanf_results(det_thread *t, const char *fmt, va_list ap, int assigned, bool gnu,
                           uintptr_t pc)
{
	if (gocrace_in_libgoc(pc) || fmt == NULL || assigned < 0)
		return;
	va_list aq;
	va_copy(aq, ap);
	for (const char *p = fmt; next_conversion(&p);) {
		spec s;
		p = parse_scanf(p, &s, gnu);
		/* past the last assignment the input failed: nothing more stored,
		 * %n's included; an unknown conversion: its argument's type is */
		if (s.conv == 0 || (s.conv != 'n' && (assigned == 0 || !scanf_conv(s.conv))))
			break;
		if (s.suppress)
			continue;
		void *ptr = va_arg(aq, void *);
		if (s.conv != 'n')
			assigned--;
		if (s.alloc && s.conv != 'n') /* the new string is the call's own */
			access_of(t, ptr, sizeof(char *), pc, DET_WRITE);
		else if (ptr != NULL)
			access_of(t, ptr, scanned_bytes(&s, ptr), pc, DET_WRITE);
	}
	va_end(aq);
}
