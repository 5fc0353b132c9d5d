/*
 * stdio.c — the buffers and arguments of stdio calls as accesses (TSan's
 * model of them): what the printf family stores and reads, what the scanf
 * family stores, and what fread, fgets, fwrite, fputs and puts copy, at
 * the call's line. A write into a buffer another thread reads, or a read
 * of one it fills, unordered, is a race.
 *
 *   printf, fprintf, dprintf,  the format and the arguments it reads and
 *   asprintf and their v-forms writes (its %s strings, %n's integers;
 *                              format.c), before the call
 *   snprintf, vsnprintf        those, and the bytes stored (the result
 *                              and its NUL, at most the size given)
 *   sprintf, vsprintf          those, and the result and its NUL
 *   asprintf, vasprintf        those, and the pointer stored
 *   sscanf, fscanf, scanf and  what the conversions assigned (format.c),
 *   their v-forms              after the call; sscanf's input string
 *                              before it
 *   fread                      the items read; fgets: the string and its
 *                              NUL
 *   fwrite                     the items asked for, read before the call;
 *                              fputs, puts: the string and its NUL
 * their _unlocked twins, their _FORTIFY_SOURCE variants (__snprintf_chk,
 * __fread_chk, ...), which run for real and keep their checks, and the
 * C99 scanf names (__isoc99_sscanf, ...).
 *
 * The stream's lock: flockfile and ftrylockfile acquire the FILE's
 * address after taking it, funlockfile releases it before giving it back.
 *
 * Not modelled: the lock glibc's own stdio calls take inside (no edge
 * between two threads' fputs on one FILE: their accesses of the stream
 * are glibc's, unseen), and libgoc's own calls (as libc.c's).
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

/* A write of n bytes at p, at pc. */
static void stored(const void *p, size_t n, uintptr_t pc)
{
	gocrace_buffer_access(p, n, pc, DET_WRITE);
}

/* A read of n bytes at p, at pc. */
static void loaded(const void *p, size_t n, uintptr_t pc)
{
	gocrace_buffer_access(p, n, pc, DET_READ);
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

/* What the printf at pc reads and writes among its arguments (format.c),
 * before the real call, keeping errno. */
static void args_read(const char *fmt, va_list ap, uintptr_t pc)
{
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return;
	int err = errno;
	gocrace_printf_args(t, fmt, ap, pc);
	errno = err;
}

GOCRACE_REAL(int, vsnprintf, char *, size_t, const char *, va_list);
GOCRACE_REAL(int, vsprintf, char *, const char *, va_list);
GOCRACE_REAL(int, __vsnprintf_chk, char *, size_t, int, size_t, const char *, va_list);
GOCRACE_REAL(int, __vsprintf_chk, char *, int, size_t, const char *, va_list);
GOCRACE_REAL(int, vfprintf, FILE *, const char *, va_list);
GOCRACE_REAL(int, __vfprintf_chk, FILE *, int, const char *, va_list);
GOCRACE_REAL(int, vdprintf, int, const char *, va_list);
GOCRACE_REAL(int, __vdprintf_chk, int, int, const char *, va_list);
GOCRACE_REAL(int, vasprintf, char **, const char *, va_list);
GOCRACE_REAL(int, __vasprintf_chk, char **, int, const char *, va_list);

/* Each variadic printf calls its v-form's *_at, with the arguments before
 * the format; the v-forms call it too. */
static int vsnprintf_at(char *s, size_t n, const char *fmt, va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(vsnprintf);
	args_read(fmt, ap, pc);
	int r = real_vsnprintf(s, n, fmt, ap);
	stored(s, printed(r, n), pc);
	return r;
}

static int vsprintf_at(char *s, const char *fmt, va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(vsprintf);
	args_read(fmt, ap, pc);
	int r = real_vsprintf(s, fmt, ap);
	stored(s, printed(r, SIZE_MAX), pc);
	return r;
}

static int vsnprintf_chk_at(char *s, size_t n, int flag, size_t slen, const char *fmt,
                            va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(__vsnprintf_chk);
	args_read(fmt, ap, pc);
	int r = real___vsnprintf_chk(s, n, flag, slen, fmt, ap);
	stored(s, printed(r, n), pc);
	return r;
}

static int vsprintf_chk_at(char *s, int flag, size_t slen, const char *fmt, va_list ap,
                           uintptr_t pc)
{
	GOCRACE_RESOLVE(__vsprintf_chk);
	args_read(fmt, ap, pc);
	int r = real___vsprintf_chk(s, flag, slen, fmt, ap);
	stored(s, printed(r, SIZE_MAX), pc);
	return r;
}

static int vfprintf_at(FILE *f, const char *fmt, va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(vfprintf);
	args_read(fmt, ap, pc);
	return real_vfprintf(f, fmt, ap);
}

static int vfprintf_chk_at(FILE *f, int flag, const char *fmt, va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(__vfprintf_chk);
	args_read(fmt, ap, pc);
	return real___vfprintf_chk(f, flag, fmt, ap);
}

static int vdprintf_at(int fd, const char *fmt, va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(vdprintf);
	args_read(fmt, ap, pc);
	return real_vdprintf(fd, fmt, ap);
}

static int vdprintf_chk_at(int fd, int flag, const char *fmt, va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(__vdprintf_chk);
	args_read(fmt, ap, pc);
	return real___vdprintf_chk(fd, flag, fmt, ap);
}

/* asprintf: the string is new, the pointer to it is stored */
static int vasprintf_at(char **sp, const char *fmt, va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(vasprintf);
	args_read(fmt, ap, pc);
	int r = real_vasprintf(sp, fmt, ap);
	stored(sp, sizeof *sp, pc);
	return r;
}

static int vasprintf_chk_at(char **sp, int flag, const char *fmt, va_list ap, uintptr_t pc)
{
	GOCRACE_RESOLVE(__vasprintf_chk);
	args_read(fmt, ap, pc);
	int r = real___vasprintf_chk(sp, flag, fmt, ap);
	stored(sp, sizeof *sp, pc);
	return r;
}

/* A parenthesised list, unwrapped: the parameters before the format (each
 * followed by a comma), and the *_at call's arguments before it. */
#define UNWRAP(...) __VA_ARGS__

/* name(lead..., fmt, ...) and vname(lead..., fmt, ap), both at(args...,
 * fmt, ap, pc). Named print_NAME and exported as NAME: with optimisation
 * glibc's headers define vprintf inline. */
#define PRINTF_PAIR(name, vname, at, lead, args)                              \
	GOCRACE_EXPORT int print_##vname(UNWRAP lead const char *fmt, va_list ap) \
		__asm__(#vname);                                                      \
	int print_##vname(UNWRAP lead const char *fmt, va_list ap)                \
	{                                                                         \
		return at(UNWRAP args fmt, ap, GOCRACE_CALLER_PC());                  \
	}                                                                         \
	GOCRACE_EXPORT int print_##name(UNWRAP lead const char *fmt, ...)         \
		__asm__(#name);                                                       \
	int print_##name(UNWRAP lead const char *fmt, ...)                        \
	{                                                                         \
		va_list ap;                                                           \
		va_start(ap, fmt);                                                    \
		int r = at(UNWRAP args fmt, ap, GOCRACE_CALLER_PC());                 \
		va_end(ap);                                                           \
		return r;                                                             \
	}

PRINTF_PAIR(snprintf, vsnprintf, vsnprintf_at, (char *s, size_t n,), (s, n,))
PRINTF_PAIR(sprintf, vsprintf, vsprintf_at, (char *s,), (s,))
PRINTF_PAIR(__snprintf_chk, __vsnprintf_chk, vsnprintf_chk_at,
            (char *s, size_t n, int flag, size_t slen,), (s, n, flag, slen,))
PRINTF_PAIR(__sprintf_chk, __vsprintf_chk, vsprintf_chk_at, (char *s, int flag, size_t slen,),
            (s, flag, slen,))
PRINTF_PAIR(printf, vprintf, vfprintf_at, (), (stdout,))
PRINTF_PAIR(fprintf, vfprintf, vfprintf_at, (FILE *f,), (f,))
PRINTF_PAIR(__printf_chk, __vprintf_chk, vfprintf_chk_at, (int flag,), (stdout, flag,))
PRINTF_PAIR(__fprintf_chk, __vfprintf_chk, vfprintf_chk_at, (FILE *f, int flag,), (f, flag,))
PRINTF_PAIR(dprintf, vdprintf, vdprintf_at, (int fd,), (fd,))
PRINTF_PAIR(__dprintf_chk, __vdprintf_chk, vdprintf_chk_at, (int fd, int flag,), (fd, flag,))
PRINTF_PAIR(asprintf, vasprintf, vasprintf_at, (char **sp,), (sp,))
PRINTF_PAIR(__asprintf_chk, __vasprintf_chk, vasprintf_chk_at, (char **sp, int flag,),
            (sp, flag,))

/* ---- the scanf family ----------------------------------------------------- */

/* Both names of each: glibc's headers call the C99 ones __isoc99_*
 * unless _GNU_SOURCE is defined (which keeps GNU's %as). Each wrapper is
 * named scan_NAME and exported as NAME (GOCRACE_RESOLVE_AS), and calls
 * its own real v-form. */

/* The scanf at pc (GNU's own when gnu) returned r: what it stored
 * through aq (a copy of its arguments, made before the call), keeping
 * errno. */
static void results_stored(const char *fmt, va_list aq, int r, bool gnu, uintptr_t pc)
{
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return;
	int err = errno;
	gocrace_scanf_results(t, fmt, aq, r, gnu, pc);
	errno = err;
}

/* name(in, fmt, ...) and vname(in, fmt, ap), both the real vname (vsym),
 * GNU's own when gnu; sscanf's read their input string (all of it: glibc
 * measures it first). scanf(fmt, ...) and vscanf(fmt, ap) are fscanf's on
 * stdin. */
#define SCANF_PAIR(name, sym, vname, vsym, in_t, input_read, gnu)             \
	GOCRACE_REAL(int, scan_##vname, in_t, const char *, va_list);            \
	static int scan_##vname##_at(in_t in, const char *fmt, va_list ap, uintptr_t pc) \
	{                                                                         \
		GOCRACE_RESOLVE_AS(scan_##vname, vsym);                           \
		if (input_read)                                                       \
			loaded((const void *)in, str_size((const char *)in), pc);         \
		va_list aq;                                                           \
		va_copy(aq, ap);                                                      \
		int r = real_scan_##vname(in, fmt, ap);                               \
		results_stored(fmt, aq, r, gnu, pc);                                  \
		va_end(aq);                                                           \
		return r;                                                             \
	}                                                                         \
	SCANF_NAMES(name, sym, vname, vsym, (in_t in,), in, scan_##vname##_at)

#define SCANF_NAMES(name, sym, vname, vsym, lead, in, at)                     \
	GOCRACE_EXPORT int scan_##vname(UNWRAP lead const char *fmt, va_list ap)  \
		__asm__(vsym);                                                        \
	int scan_##vname(UNWRAP lead const char *fmt, va_list ap)                 \
	{                                                                         \
		return at(in, fmt, ap, GOCRACE_CALLER_PC());                          \
	}                                                                         \
	GOCRACE_EXPORT int scan_##name(UNWRAP lead const char *fmt, ...) __asm__(sym); \
	int scan_##name(UNWRAP lead const char *fmt, ...)                         \
	{                                                                         \
		va_list ap;                                                           \
		va_start(ap, fmt);                                                    \
		int r = at(in, fmt, ap, GOCRACE_CALLER_PC());                         \
		va_end(ap);                                                           \
		return r;                                                             \
	}

SCANF_PAIR(sscanf, "sscanf", vsscanf, "vsscanf", const char *, true, true)
SCANF_PAIR(isoc99_sscanf, "__isoc99_sscanf", isoc99_vsscanf, "__isoc99_vsscanf", const char *,
           true, false)
SCANF_PAIR(fscanf, "fscanf", vfscanf, "vfscanf", FILE *, false, true)
SCANF_PAIR(isoc99_fscanf, "__isoc99_fscanf", isoc99_vfscanf, "__isoc99_vfscanf", FILE *, false,
           false)
SCANF_NAMES(scanf, "scanf", vscanf, "vscanf", (), stdin, scan_vfscanf_at)
SCANF_NAMES(isoc99_scanf, "__isoc99_scanf", isoc99_vscanf, "__isoc99_vscanf", (), stdin,
            scan_isoc99_vfscanf_at)

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

/* ---- the stream's lock ---------------------------------------------------- */

/* flockfile and funlockfile are a (recursive) lock on the stream, as
 * POSIX says: what a thread did before funlockfile happens before what
 * the next thread to take it does, so a counter kept under it, and the
 * stream's own fields that getc_unlocked and putc_unlocked (macros, so
 * instrumented) touch, are ordered. The FILE's address is the lock. */
GOCRACE_REAL(void, flockfile, FILE *);
GOCRACE_REAL(int, ftrylockfile, FILE *);
GOCRACE_REAL(void, funlockfile, FILE *);

GOCRACE_EXPORT void flockfile(FILE *f)
{
	GOCRACE_RESOLVE(flockfile);
	real_flockfile(f);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_acquire(t, f);
}

GOCRACE_EXPORT int ftrylockfile(FILE *f)
{
	GOCRACE_RESOLVE(ftrylockfile);
	int r = real_ftrylockfile(f);
	det_thread *t = gocrace_thr();
	if (t != NULL && r == 0)
		gocrace_acquire(t, f);
	return r;
}

GOCRACE_EXPORT void funlockfile(FILE *f)
{
	GOCRACE_RESOLVE(funlockfile);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_release(t, f);
	real_funlockfile(f);
}
