/*
 * strsearch.c — the string searches, case-blind comparisons, wide-string
 * functions and tokenizers as range accesses (libc.c has the copies, fills
 * and the plain comparisons; this file the rest of mem* and str*). Each
 * reads what glibc's loop examines, at the caller's pc, after the real
 * call (whose result says how far it looked):
 *
 *   strstr, strcasestr       the needle and its NUL; the haystack up to
 *                            the match's end, or all of it and its NUL
 *   memmem                   both ranges whole (TSan's)
 *   memrchr                  from the match to the end, or all n bytes
 *   strspn, strcspn          the string up to and with the first byte
 *                            that stopped the scan; the set and its NUL
 *   strpbrk                  the string up to the match, or all of it;
 *                            the set
 *   strcasecmp, strncasecmp  both strings up to the first difference
 *                            (case-blind) or NUL, at most n
 *   wcslen, wcsnlen          the wide string (and its terminator)
 *   wcscpy                   the source read, the destination written
 *   strtok_r, strsep         the bytes scanned (from the start or the
 *                            saved position to the token's end) and the
 *                            set read; the terminator stored written, and
 *                            the saved pointer or *stringp
 *   explicit_bzero           a write of n bytes
 *   strtol, strtoll, strtoul, the number parsed and the byte that ended
 *   strtoull, strtoimax,     it (no number: the blanks and the first
 *   strtoumax, strtod,       other byte); *endptr written when given.
 *   strtof, strtold, atoi,   atoi and friends are glibc's strto* calls
 *   atol, atoll, atof        (the headers inline them when optimising)
 *
 * Calls from libgoc's own code are not checked (gocrace_range_access).
 * No state.
 */
#include "internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

GOCRACE_REAL(char *, strstr, const char *, const char *);
GOCRACE_REAL(char *, strcasestr, const char *, const char *);
GOCRACE_REAL(void *, memmem, const void *, size_t, const void *, size_t);
GOCRACE_REAL(void *, memrchr, const void *, int, size_t);
GOCRACE_REAL(size_t, strspn, const char *, const char *);
GOCRACE_REAL(size_t, strcspn, const char *, const char *);
GOCRACE_REAL(char *, strpbrk, const char *, const char *);
GOCRACE_REAL(int, strcasecmp, const char *, const char *);
GOCRACE_REAL(int, strncasecmp, const char *, const char *, size_t);
GOCRACE_REAL(size_t, wcslen, const wchar_t *);
GOCRACE_REAL(size_t, wcsnlen, const wchar_t *, size_t);
GOCRACE_REAL(wchar_t *, wcscpy, wchar_t *, const wchar_t *);
GOCRACE_REAL(char *, strtok_r, char *, const char *, char **);
GOCRACE_REAL(char *, strsep, char **, const char *);
GOCRACE_REAL(void, explicit_bzero, void *, size_t);

static void rd(det_thread *t, const void *p, size_t n, uintptr_t pc)
{
	if (n != 0)
		gocrace_range_access(t, p, n, pc, DET_READ);
}

static void wr(det_thread *t, const void *p, size_t n, uintptr_t pc)
{
	if (n != 0)
		gocrace_range_access(t, p, n, pc, DET_WRITE);
}

/* strlen(s) + 1, by glibc's strlen (no access of the program's). */
static size_t str_size(const char *s)
{
	return gocrace_strlen(s) + 1;
}

/* The haystack h's bytes a search for a needle of nlen bytes read: up to
 * the match's end, else all of h and its NUL. */
static size_t searched(const char *h, const char *match, size_t nlen)
{
	return match != NULL ? (size_t)(match - h) + nlen : str_size(h);
}

#define STRSTR_WRAPPER(name)                                                  \
	GOCRACE_EXPORT char *name(const char *h, const char *n)                   \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		char *r = real_##name(h, n);                                          \
		det_thread *t = gocrace_thr();                                        \
		if (t != NULL) {                                                      \
			uintptr_t pc = GOCRACE_CALLER_PC();                               \
			size_t nsize = str_size(n);                                       \
			rd(t, n, nsize, pc);                                              \
			rd(t, h, searched(h, r, nsize - 1), pc);                          \
		}                                                                     \
		return r;                                                             \
	}

STRSTR_WRAPPER(strstr)
STRSTR_WRAPPER(strcasestr)

GOCRACE_EXPORT void *memmem(const void *h, size_t hlen, const void *n, size_t nlen)
{
	GOCRACE_RESOLVE(memmem);
	void *r = real_memmem(h, hlen, n, nlen);
	det_thread *t = gocrace_thr();
	if (t != NULL) {
		uintptr_t pc = GOCRACE_CALLER_PC();
		rd(t, h, hlen, pc);
		rd(t, n, nlen, pc);
	}
	return r;
}

GOCRACE_EXPORT void *memrchr(const void *s, int c, size_t n)
{
	GOCRACE_RESOLVE(memrchr);
	void *r = real_memrchr(s, c, n);
	det_thread *t = gocrace_thr();
	if (t != NULL) {
		const char *from = r != NULL ? r : s;
		rd(t, from, n - (size_t)(from - (const char *)s), GOCRACE_CALLER_PC());
	}
	return r;
}

/* strspn and strcspn: r bytes matched, and the one that stopped the scan
 * (the NUL at worst). */
#define SPAN_WRAPPER(name)                                                    \
	GOCRACE_EXPORT size_t name(const char *s, const char *set)                \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		size_t r = real_##name(s, set);                                       \
		det_thread *t = gocrace_thr();                                        \
		if (t != NULL) {                                                      \
			uintptr_t pc = GOCRACE_CALLER_PC();                               \
			rd(t, s, r + 1, pc);                                              \
			rd(t, set, str_size(set), pc);                                    \
		}                                                                     \
		return r;                                                             \
	}

SPAN_WRAPPER(strspn)
SPAN_WRAPPER(strcspn)

GOCRACE_EXPORT char *strpbrk(const char *s, const char *set)
{
	GOCRACE_RESOLVE(strpbrk);
	char *r = real_strpbrk(s, set);
	det_thread *t = gocrace_thr();
	if (t != NULL) {
		uintptr_t pc = GOCRACE_CALLER_PC();
		rd(t, s, searched(s, r, 1), pc);
		rd(t, set, str_size(set), pc);
	}
	return r;
}

/* The bytes of each string a case-blind comparison reads: up to and with
 * the first difference or NUL, at most max. */
static size_t casecmp_extent(const char *a, const char *b, size_t max)
{
	size_t i = 0;
	while (i < max && a[i] != '\0' &&
	       tolower((unsigned char)a[i]) == tolower((unsigned char)b[i]))
		i++;
	return i < max ? i + 1 : max;
}

GOCRACE_EXPORT int strcasecmp(const char *a, const char *b)
{
	GOCRACE_RESOLVE(strcasecmp);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_compare_read(t, a, b, casecmp_extent(a, b, SIZE_MAX), GOCRACE_CALLER_PC());
	return real_strcasecmp(a, b);
}

GOCRACE_EXPORT int strncasecmp(const char *a, const char *b, size_t max)
{
	GOCRACE_RESOLVE(strncasecmp);
	det_thread *t = gocrace_thr();
	if (t != NULL && max != 0)
		gocrace_compare_read(t, a, b, casecmp_extent(a, b, max), GOCRACE_CALLER_PC());
	return real_strncasecmp(a, b, max);
}

GOCRACE_EXPORT size_t wcslen(const wchar_t *s)
{
	GOCRACE_RESOLVE(wcslen);
	size_t n = real_wcslen(s);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		rd(t, s, (n + 1) * sizeof *s, GOCRACE_CALLER_PC());
	return n;
}

GOCRACE_EXPORT size_t wcsnlen(const wchar_t *s, size_t max)
{
	GOCRACE_RESOLVE(wcsnlen);
	size_t n = real_wcsnlen(s, max);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		rd(t, s, (n < max ? n + 1 : max) * sizeof *s, GOCRACE_CALLER_PC());
	return n;
}

GOCRACE_EXPORT wchar_t *wcscpy(wchar_t *d, const wchar_t *s)
{
	GOCRACE_RESOLVE(wcscpy);
	GOCRACE_RESOLVE(wcslen);
	det_thread *t = gocrace_thr();
	if (t != NULL) {
		size_t n = (real_wcslen(s) + 1) * sizeof *s;
		uintptr_t pc = GOCRACE_CALLER_PC();
		rd(t, s, n, pc);
		wr(t, d, n, pc);
	}
	return real_wcscpy(d, s);
}

/* A token scan from start that left *next: the bytes scanned were
 * [start, next) when the token ended at a delimiter the call replaced by
 * a NUL (next just past it; that byte written), else [start, next] (next
 * at the string's NUL). No token: the whole rest was scanned. */
static void token_scanned(det_thread *t, const char *start, const char *tok, const char *next,
                          const char *set, uintptr_t pc)
{
	rd(t, set, str_size(set), pc);
	if (tok == NULL || next == NULL) {
		rd(t, start, str_size(start), pc);
		return;
	}
	if (next > tok && next[-1] == '\0') {
		rd(t, start, (size_t)(next - start), pc);
		wr(t, next - 1, 1, pc);
	} else {
		rd(t, start, (size_t)(next - start) + 1, pc);
	}
}

GOCRACE_EXPORT char *strtok_r(char *s, const char *set, char **save)
{
	GOCRACE_RESOLVE(strtok_r);
	det_thread *t = gocrace_thr();
	uintptr_t pc = GOCRACE_CALLER_PC();
	if (t != NULL && s == NULL)
		rd(t, save, sizeof *save, pc);
	const char *start = s != NULL ? s : *save;
	char *r = real_strtok_r(s, set, save);
	if (t != NULL) {
		if (start != NULL)
			token_scanned(t, start, r, *save, set, pc);
		wr(t, save, sizeof *save, pc);
	}
	return r;
}

GOCRACE_EXPORT char *strsep(char **sp, const char *set)
{
	GOCRACE_RESOLVE(strsep);
	det_thread *t = gocrace_thr();
	uintptr_t pc = GOCRACE_CALLER_PC();
	if (t != NULL)
		rd(t, sp, sizeof *sp, pc);
	char *start = *sp;
	char *r = real_strsep(sp, set);
	if (t != NULL && start != NULL) {
		/* *sp: past the delimiter it stored a NUL over, or NULL at the
		 * string's end */
		if (*sp != NULL)
			token_scanned(t, start, r, *sp, set, pc);
		else
			token_scanned(t, start, NULL, NULL, set, pc);
		wr(t, sp, sizeof *sp, pc);
	}
	return r;
}

GOCRACE_EXPORT void explicit_bzero(void *p, size_t n)
{
	GOCRACE_RESOLVE(explicit_bzero);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		wr(t, p, n, GOCRACE_CALLER_PC());
	real_explicit_bzero(p, n);
}

/* ---- numbers -------------------------------------------------------------- */

/* The bytes of s a strto* call read, end being where it stopped: the
 * number and the byte after it; with no number (end == s), the leading
 * blanks and the byte after them. */
static size_t number_read(const char *s, const char *end)
{
	if (end > s)
		return (size_t)(end - s) + 1;
	size_t n = 0;
	while (isspace((unsigned char)s[n]))
		n++;
	return n + 1;
}

/* s read as far as the parse went, and *endp written when given. */
static void number_parsed(const char *s, const char *end, char **endp, uintptr_t pc)
{
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return;
	rd(t, s, number_read(s, end), pc);
	if (endp != NULL)
		wr(t, endp, sizeof *endp, pc);
}

/* name(s, endp params): the real one with an end pointer of its own, so
 * that the extent is known whether or not the caller asked for it. */
#define STRTO_WRAPPER(ret, name, params, args)                                \
	GOCRACE_REAL(ret, name, const char *, char ** params);                    \
	GOCRACE_EXPORT ret name(const char *s, char **endp params)                \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		char *end;                                                            \
		ret r = real_##name(s, &end args);                                    \
		number_parsed(s, end, endp, GOCRACE_CALLER_PC());                     \
		if (endp != NULL)                                                     \
			*endp = end;                                                      \
		return r;                                                             \
	}

STRTO_WRAPPER(long, strtol, P_(int base), P_(base))
STRTO_WRAPPER(long long, strtoll, P_(int base), P_(base))
STRTO_WRAPPER(unsigned long, strtoul, P_(int base), P_(base))
STRTO_WRAPPER(unsigned long long, strtoull, P_(int base), P_(base))
STRTO_WRAPPER(intmax_t, strtoimax, P_(int base), P_(base))
STRTO_WRAPPER(uintmax_t, strtoumax, P_(int base), P_(base))
STRTO_WRAPPER(double, strtod, , )
STRTO_WRAPPER(float, strtof, , )
STRTO_WRAPPER(long double, strtold, , )

/* glibc's atoi is (int)strtol(s, NULL, 10), and so on. Named ato_NAME
 * and exported as NAME: with optimisation glibc's headers define atoi and
 * friends inline. */
#define ATO_WRAPPER(ret, name, conv, call)                                    \
	GOCRACE_EXPORT ret ato_##name(const char *s) __asm__(#name);              \
	ret ato_##name(const char *s)                                             \
	{                                                                         \
		GOCRACE_RESOLVE(conv);                                                \
		char *end;                                                            \
		ret r = (ret)(call);                                                  \
		number_parsed(s, end, NULL, GOCRACE_CALLER_PC());                     \
		return r;                                                             \
	}

ATO_WRAPPER(int, atoi, strtol, real_strtol(s, &end, 10))
ATO_WRAPPER(long, atol, strtol, real_strtol(s, &end, 10))
ATO_WRAPPER(long long, atoll, strtoll, real_strtoll(s, &end, 10))
ATO_WRAPPER(double, atof, strtod, real_strtod(s, &end))
