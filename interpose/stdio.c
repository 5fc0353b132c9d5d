/*
 * stdio.c — the buffers of stdio calls as accesses (TSan's model of
 * them): the printf family's destination strings, and what fread, fgets,
 * fwrite, fputs and puts copy, at the call's line. A write into a buffer
 * another thread reads, or a read of one it fills, unordered, is a race.
 *
 *   snprintf, vsnprintf     the bytes stored (the result and its NUL, at
 *                           most the size given)
 *   sprintf, vsprintf       the result and its NUL
 *   fread                   the items read; fgets: the string and its NUL
 *   fwrite                  the items asked for, read before the call;
 *                           fputs, puts: the string and its NUL
 * their _unlocked twins, and their _FORTIFY_SOURCE variants
 * (__snprintf_chk, __fread_chk, ...), which run for real and keep their
 * checks.
 *
 * Not modelled: the arguments printf reads (its %s strings; the compiler
 * turns printf("%s\n", s) into puts(s), which is), the streams
 * themselves (glibc locks them; no edge between two threads' calls on one
 * FILE), and libgoc's own calls (as libc.c's).
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

/* An access of n bytes at p by the calling thread, at pc, keeping the
 * errno the real call left (a report made here may change it). */
static void note(const void *p, size_t n, uintptr_t pc, unsigned flags)
{
	det_thread *t = gocrace_thr();
	if (t == NULL || n == 0)
		return;
	int err = errno;
	gocrace_range_access(t, p, n, pc, flags);
	errno = err;
}

/* A write of n bytes at p, at pc. */
static void stored(const void *p, size_t n, uintptr_t pc)
{
	note(p, n, pc, DET_WRITE);
}

/* A read of n bytes at p, at pc. */
static void loaded(const void *p, size_t n, uintptr_t pc)
{
	note(p, n, pc, DET_READ);
}

/* strlen(s) + 1 (glibc's: the measure is no access of the program's). */
static size_t str_size(const char *s)
{
	return gocrace_strlen(s) + 1;
}

/* The bytes a printf into a buffer of size cap stored, r its result. */
static size_t printed(int r, size_t cap)
{
	if (r < 0 || cap == 0)
		return 0;
	return (size_t)r + 1 < cap ? (size_t)r + 1 : cap;
}

/* ---- the printf family --------------------------------------------------- */

GOCRACE_REAL(int, vsnprintf, char *, size_t, const char *, va_list);
GOCRACE_REAL(int, vsprintf, char *, const char *, va_list);
GOCRACE_REAL(int, __vsnprintf_chk, char *, size_t, int, size_t, const char *, va_list);
GOCRACE_REAL(int, __vsprintf_chk, char *, int, size_t, const char *, va_list);

static int vsnprintf_at(char *s, size_t n, const char *fmt, va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(vsnprintf);
	int r = real_vsnprintf(s, n, fmt, ap);
	stored(s, printed(r, n), pc);
	return r;
}

static int vsprintf_at(char *s, const char *fmt, va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(vsprintf);
	int r = real_vsprintf(s, fmt, ap);
	stored(s, printed(r, SIZE_MAX), pc);
	return r;
}

static int vsnprintf_chk_at(char *s, size_t n, int flag, size_t slen, const char *fmt,
                            va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(__vsnprintf_chk);
	int r = real___vsnprintf_chk(s, n, flag, slen, fmt, ap);
	stored(s, printed(r, n), pc);
	return r;
}

static int vsprintf_chk_at(char *s, int flag, size_t slen, const char *fmt, va_list ap,
                           uintptr_t pc)
{
	GOCRACE_RESOLVE(__vsprintf_chk);
	int r = real___vsprintf_chk(s, flag, slen, fmt, ap);
	stored(s, printed(r, SIZE_MAX), pc);
	return r;
}

GOCRACE_EXPORT int vsnprintf(char *s, size_t n, const char *fmt, va_list ap)
{
	return vsnprintf_at(s, n, fmt, ap, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT int vsprintf(char *s, const char *fmt, va_list ap)
{
	return vsprintf_at(s, fmt, ap, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT int __vsnprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt,
                                   va_list ap)
{
	return vsnprintf_chk_at(s, n, flag, slen, fmt, ap, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT int __vsprintf_chk(char *s, int flag, size_t slen, const char *fmt, va_list ap)
{
	return vsprintf_chk_at(s, flag, slen, fmt, ap, GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT int snprintf(char *s, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf_at(s, n, fmt, ap, GOCRACE_CALLER_PC());
	va_end(ap);
	return r;
}

GOCRACE_EXPORT int sprintf(char *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsprintf_at(s, fmt, ap, GOCRACE_CALLER_PC());
	va_end(ap);
	return r;
}

GOCRACE_EXPORT int __snprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf_chk_at(s, n, flag, slen, fmt, ap, GOCRACE_CALLER_PC());
	va_end(ap);
	return r;
}

GOCRACE_EXPORT int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsprintf_chk_at(s, flag, slen, fmt, ap, GOCRACE_CALLER_PC());
	va_end(ap);
	return r;
}

/* ---- streams -------------------------------------------------------------- */

/* Each with its _unlocked twin (the same call without the stream's lock;
 * glibc's headers make two of them macros when optimising). */
#undef fread_unlocked
#undef fwrite_unlocked
#define FREAD_WRAPPER(name)                                                   \
	GOCRACE_REAL(size_t, name, void *, size_t, size_t, FILE *);               \
	GOCRACE_EXPORT size_t name(void *p, size_t size, size_t n, FILE *f)       \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		size_t r = real_##name(p, size, n, f);                                \
		stored(p, r * size, GOCRACE_CALLER_PC());                             \
		return r;                                                             \
	}

#define FREAD_CHK_WRAPPER(name)                                               \
	GOCRACE_REAL(size_t, name, void *, size_t, size_t, size_t, FILE *);       \
	GOCRACE_EXPORT size_t name(void *p, size_t plen, size_t size, size_t n, FILE *f) \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		size_t r = real_##name(p, plen, size, n, f);                          \
		stored(p, r * size, GOCRACE_CALLER_PC());                             \
		return r;                                                             \
	}

#define FWRITE_WRAPPER(name)                                                  \
	GOCRACE_REAL(size_t, name, const void *, size_t, size_t, FILE *);         \
	GOCRACE_EXPORT size_t name(const void *p, size_t size, size_t n, FILE *f) \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		size_t total;                                                         \
		if (!__builtin_mul_overflow(size, n, &total))                         \
			loaded(p, total, GOCRACE_CALLER_PC());                            \
		return real_##name(p, size, n, f);                                    \
	}

#define FGETS_WRAPPER(name)                                                   \
	GOCRACE_REAL(char *, name, char *, int, FILE *);                          \
	GOCRACE_EXPORT char *name(char *s, int n, FILE *f)                        \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		char *r = real_##name(s, n, f);                                       \
		if (r != NULL)                                                        \
			stored(s, str_size(s), GOCRACE_CALLER_PC());                      \
		return r;                                                             \
	}

#define FGETS_CHK_WRAPPER(name)                                               \
	GOCRACE_REAL(char *, name, char *, size_t, int, FILE *);                  \
	GOCRACE_EXPORT char *name(char *s, size_t slen, int n, FILE *f)           \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		char *r = real_##name(s, slen, n, f);                                 \
		if (r != NULL)                                                        \
			stored(s, str_size(s), GOCRACE_CALLER_PC());                      \
		return r;                                                             \
	}

#define FPUTS_WRAPPER(name)                                                   \
	GOCRACE_REAL(int, name, const char *, FILE *);                            \
	GOCRACE_EXPORT int name(const char *s, FILE *f)                           \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		loaded(s, str_size(s), GOCRACE_CALLER_PC());                          \
		return real_##name(s, f);                                             \
	}

FREAD_WRAPPER(fread)
FREAD_WRAPPER(fread_unlocked)
FREAD_CHK_WRAPPER(__fread_chk)
FREAD_CHK_WRAPPER(__fread_unlocked_chk)
FWRITE_WRAPPER(fwrite)
FWRITE_WRAPPER(fwrite_unlocked)
FGETS_WRAPPER(fgets)
FGETS_WRAPPER(fgets_unlocked)
FGETS_CHK_WRAPPER(__fgets_chk)
FGETS_CHK_WRAPPER(__fgets_unlocked_chk)
FPUTS_WRAPPER(fputs)
FPUTS_WRAPPER(fputs_unlocked)

GOCRACE_REAL(int, puts, const char *);

GOCRACE_EXPORT int puts(const char *s)
{
	GOCRACE_RESOLVE(puts);
	loaded(s, str_size(s), GOCRACE_CALLER_PC());
	return real_puts(s);
}
