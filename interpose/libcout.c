/*
 * libcout.c — libc calls that fill an output buffer or struct the caller
 * passes, as range accesses (TSan's model of them): after a successful
 * call, a write of exactly the bytes the call stored, at the call's line;
 * before it, reads of its input strings and structs. Another thread's
 * unordered read of what the call filled, or its write racing with the
 * call, is a race.
 *
 *   getline, getdelim,         *lineptr and *n, and the line and its NUL
 *   __getdelim (getline's      (result + 1 bytes), when the result is > 0
 *   inline body when
 *   optimising)
 *   readdir, readdir64         the entry returned (d_reclen bytes: glibc
 *                              stores it in the DIR's buffer)
 *   stat, lstat, fstat,        the struct stat; the path read (and its
 *   fstatat, their 64 forms,   NUL) before the call
 *   the old __xstat, __lxstat,
 *   __fxstat, __fxstatat and
 *   their 64 forms
 *   getcwd                     the name and its NUL (nothing when glibc
 *                              allocated the buffer)
 *   realpath                   the path read; the resolved name and its
 *                              NUL when the caller gave the buffer
 *   uname                      the struct utsname
 *   gethostname                the name and its NUL, at most len bytes
 *                              (len bytes when it failed ENAMETOOLONG:
 *                              glibc copied the truncated name)
 *   time                       *tloc, when given
 *   clock_gettime              the struct timespec
 *   gettimeofday               the struct timeval, the struct timezone
 *                              when given
 *   getrlimit, getrlimit64     the struct rlimit
 *   ctime_r, asctime_r         the time_t or struct tm read; the string
 *                              and its NUL
 *   gmtime_r, localtime_r      the time_t read; the struct tm
 *   strftime                   the format and the struct tm read; the
 *                              result and its NUL, when it is > 0
 *   pthread_getattr_np         the pthread_attr_t
 *   rand_r, erand48, nrand48,  the caller's state (*seed, xsubi[3]) read
 *   jrand48                    and updated: a write, before the call
 * and the _FORTIFY_SOURCE variants __getcwd_chk, __gethostname_chk and
 * __realpath_chk, which run for real and keep their checks. clock_gettime,
 * gettimeofday and time are vDSO calls that some programs make in a loop:
 * their wrappers resolve, call, and make one access when the thread is
 * watched. Each wrapper is named out_NAME and exported as NAME: with
 * _FILE_OFFSET_BITS=64 glibc's headers rename stat to stat64, readdir to
 * readdir64, getrlimit to getrlimit64, ...; a program may call either.
 * errno is what the real call left.
 *
 * fstat and __fxstat (and their 64 forms) also read their descriptor's
 * word in io.c's table, so a close racing with them is a race (as TSan's).
 * Not modelled: what a call stores when it fails
 * (realpath's partial name), strings the results point to (a struct tm's
 * tm_zone, the entries of getpwnam_r and friends: not intercepted),
 * readdir_r, scandir, getline's reads of *lineptr and *n, and libgoc's
 * own calls (gocrace_range_access).
 *
 * State: none (the real functions' pointers, set once).
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>

/* A write of n bytes at p, at pc. */
static inline void stored(const void *p, size_t n, uintptr_t pc)
{
	gocrace_buffer_access(p, n, pc, DET_WRITE);
}

/* A read of n bytes at p, at pc. */
static inline void loaded(const void *p, size_t n, uintptr_t pc)
{
	gocrace_buffer_access(p, n, pc, DET_READ);
}

/* The string s and its NUL, read or written at pc (measured by glibc's
 * strlen, no access of the program's; only when the thread is watched).
 * A NULL s is none. */
static void note_str(const char *s, uintptr_t pc, unsigned flags)
{
	if (s != NULL && gocrace_thr() != NULL)
		gocrace_buffer_access(s, gocrace_strlen(s) + 1, pc, flags);
}

/* The head of out_NAME, exported as sym, returning ret, with params (the
 * parenthesised parameter list), and its real function's pointer,
 * real_out_NAME; the wrapper's body follows. */
#define OUT_WRAPPER(ret, name, sym, params)                                   \
	static ret(*real_out_##name) params;                                      \
	GOCRACE_EXPORT ret out_##name params __asm__(sym);                        \
	ret out_##name params

/* ---- getline ------------------------------------------------------------- */

/* A line of r bytes read into *lp: the pointer, the size and the line
 * with its NUL written at pc. */
static void line_stored(char **lp, size_t *n, ssize_t r, uintptr_t pc)
{
	if (r <= 0)
		return;
	det_thread *t = gocrace_thr();
	if (t == NULL)
		return;
	int err = errno;
	gocrace_range_access(t, lp, sizeof *lp, pc, DET_WRITE);
	gocrace_range_access(t, n, sizeof *n, pc, DET_WRITE);
	gocrace_range_access(t, *lp, (size_t)r + 1, pc, DET_WRITE);
	errno = err;
}

OUT_WRAPPER(ssize_t, getdelim, "getdelim", (char **lp, size_t *n, int delim, FILE *f))
{
	GOCRACE_RESOLVE_AS(out_getdelim, "getdelim");
	ssize_t r = real_out_getdelim(lp, n, delim, f);
	line_stored(lp, n, r, GOCRACE_CALLER_PC());
	return r;
}

/* getline's inline body in glibc's headers (when optimising) */
OUT_WRAPPER(ssize_t, getdelim_internal, "__getdelim", (char **lp, size_t *n, int delim, FILE *f))
{
	GOCRACE_RESOLVE_AS(out_getdelim_internal, "__getdelim");
	ssize_t r = real_out_getdelim_internal(lp, n, delim, f);
	line_stored(lp, n, r, GOCRACE_CALLER_PC());
	return r;
}

OUT_WRAPPER(ssize_t, getline, "getline", (char **lp, size_t *n, FILE *f))
{
	GOCRACE_RESOLVE_AS(out_getline, "getline");
	ssize_t r = real_out_getline(lp, n, f);
	line_stored(lp, n, r, GOCRACE_CALLER_PC());
	return r;
}

/* ---- readdir ------------------------------------------------------------- */

/* The entry returned is written (it lives in the DIR's buffer, which the
 * call filled); end of directory (NULL) keeps errno as it was. */
#define READDIR_WRAPPER(name, ent_t)                                          \
	OUT_WRAPPER(ent_t *, name, #name, (DIR *d))                               \
	{                                                                         \
		GOCRACE_RESOLVE_AS(out_##name, #name);                            \
		ent_t *r = real_out_##name(d);                                        \
		if (r != NULL)                                                        \
			stored(r, r->d_reclen, GOCRACE_CALLER_PC());                      \
		return r;                                                             \
	}

READDIR_WRAPPER(readdir, struct dirent)
READDIR_WRAPPER(readdir64, struct dirent64)

/* ---- stat ---------------------------------------------------------------- */

/* The path (NULL for the descriptor forms) read before the call, and a
 * descriptor form's use of its descriptor (fd; NO_FD for the others); the
 * struct at st written when it succeeded. */
#define STAT_WRAPPER(name, params, args, path, fd, st)                        \
	OUT_WRAPPER(int, name, #name, params)                                     \
	{                                                                         \
		GOCRACE_RESOLVE_AS(out_##name, #name);                            \
		uintptr_t pc = GOCRACE_CALLER_PC();                                   \
		note_str(path, pc, DET_READ);                                         \
		if ((fd) != NO_FD)                                                    \
			gocrace_fd_use(fd, pc);                                           \
		int r = real_out_##name args;                                         \
		if (r == 0)                                                           \
			stored(st, sizeof *(st), pc);                                     \
		return r;                                                             \
	}

#define NO_PATH ((const char *)NULL)
#define NO_FD (-1)

STAT_WRAPPER(stat, (const char *p, struct stat *st), (p, st), p, NO_FD, st)
STAT_WRAPPER(stat64, (const char *p, struct stat64 *st), (p, st), p, NO_FD, st)
STAT_WRAPPER(lstat, (const char *p, struct stat *st), (p, st), p, NO_FD, st)
STAT_WRAPPER(lstat64, (const char *p, struct stat64 *st), (p, st), p, NO_FD, st)
STAT_WRAPPER(fstat, (int fd, struct stat *st), (fd, st), NO_PATH, fd, st)
STAT_WRAPPER(fstat64, (int fd, struct stat64 *st), (fd, st), NO_PATH, fd, st)
STAT_WRAPPER(fstatat, (int dir, const char *p, struct stat *st, int fl), (dir, p, st, fl), p,
             NO_FD, st)
STAT_WRAPPER(fstatat64, (int dir, const char *p, struct stat64 *st, int fl), (dir, p, st, fl),
             p, NO_FD, st)
/* glibc before 2.33 compiled stat into these (ver: the struct's version;
 * glibc refuses one it does not know, so success means a struct stat) */
STAT_WRAPPER(__xstat, (int ver, const char *p, struct stat *st), (ver, p, st), p, NO_FD, st)
STAT_WRAPPER(__xstat64, (int ver, const char *p, struct stat64 *st), (ver, p, st), p, NO_FD,
             st)
STAT_WRAPPER(__lxstat, (int ver, const char *p, struct stat *st), (ver, p, st), p, NO_FD, st)
STAT_WRAPPER(__lxstat64, (int ver, const char *p, struct stat64 *st), (ver, p, st), p, NO_FD,
             st)
STAT_WRAPPER(__fxstat, (int ver, int fd, struct stat *st), (ver, fd, st), NO_PATH, fd, st)
STAT_WRAPPER(__fxstat64, (int ver, int fd, struct stat64 *st), (ver, fd, st), NO_PATH, fd, st)
STAT_WRAPPER(__fxstatat, (int ver, int dir, const char *p, struct stat *st, int fl),
             (ver, dir, p, st, fl), p, NO_FD, st)
STAT_WRAPPER(__fxstatat64, (int ver, int dir, const char *p, struct stat64 *st, int fl),
             (ver, dir, p, st, fl), p, NO_FD, st)

/* ---- names: getcwd, realpath, uname, gethostname -------------------------- */

/* getcwd into the caller's buffer (a NULL one is glibc's new block). */
static char *cwd_stored(char *r, char *buf, uintptr_t pc)
{
	if (r != NULL && buf != NULL)
		note_str(buf, pc, DET_WRITE);
	return r;
}

OUT_WRAPPER(char *, getcwd, "getcwd", (char *buf, size_t size))
{
	GOCRACE_RESOLVE_AS(out_getcwd, "getcwd");
	return cwd_stored(real_out_getcwd(buf, size), buf, GOCRACE_CALLER_PC());
}

OUT_WRAPPER(char *, getcwd_chk, "__getcwd_chk", (char *buf, size_t size, size_t buflen))
{
	GOCRACE_RESOLVE_AS(out_getcwd_chk, "__getcwd_chk");
	return cwd_stored(real_out_getcwd_chk(buf, size, buflen), buf, GOCRACE_CALLER_PC());
}

OUT_WRAPPER(char *, realpath, "realpath", (const char *path, char *resolved))
{
	GOCRACE_RESOLVE_AS(out_realpath, "realpath");
	uintptr_t pc = GOCRACE_CALLER_PC();
	note_str(path, pc, DET_READ);
	return cwd_stored(real_out_realpath(path, resolved), resolved, pc);
}

OUT_WRAPPER(char *, realpath_chk, "__realpath_chk",
            (const char *path, char *resolved, size_t resolvedlen))
{
	GOCRACE_RESOLVE_AS(out_realpath_chk, "__realpath_chk");
	uintptr_t pc = GOCRACE_CALLER_PC();
	note_str(path, pc, DET_READ);
	return cwd_stored(real_out_realpath_chk(path, resolved, resolvedlen), resolved, pc);
}

OUT_WRAPPER(int, uname, "uname", (struct utsname *u))
{
	GOCRACE_RESOLVE_AS(out_uname, "uname");
	int r = real_out_uname(u);
	if (r == 0)
		stored(u, sizeof *u, GOCRACE_CALLER_PC());
	return r;
}

/* gethostname's copy: the name and its NUL, at most len bytes; len when
 * the name was longer (glibc copies that much, then fails ENAMETOOLONG). */
static int host_stored(int r, const char *name, size_t len, uintptr_t pc)
{
	if (r == 0) {
		size_t n = 0;
		while (n < len && name[n] != '\0')
			n++;
		stored(name, n < len ? n + 1 : len, pc);
	} else if (errno == ENAMETOOLONG) {
		stored(name, len, pc);
	}
	return r;
}

OUT_WRAPPER(int, gethostname, "gethostname", (char *name, size_t len))
{
	GOCRACE_RESOLVE_AS(out_gethostname, "gethostname");
	return host_stored(real_out_gethostname(name, len), name, len, GOCRACE_CALLER_PC());
}

OUT_WRAPPER(int, gethostname_chk, "__gethostname_chk", (char *name, size_t len, size_t buflen))
{
	GOCRACE_RESOLVE_AS(out_gethostname_chk, "__gethostname_chk");
	return host_stored(real_out_gethostname_chk(name, len, buflen), name, len,
	                   GOCRACE_CALLER_PC());
}

/* ---- clocks and limits ---------------------------------------------------- */

OUT_WRAPPER(time_t, time, "time", (time_t *tloc))
{
	GOCRACE_RESOLVE_AS(out_time, "time");
	time_t r = real_out_time(tloc);
	if (tloc != NULL)
		stored(tloc, sizeof *tloc, GOCRACE_CALLER_PC());
	return r;
}

OUT_WRAPPER(int, clock_gettime, "clock_gettime", (clockid_t clk, struct timespec *ts))
{
	GOCRACE_RESOLVE_AS(out_clock_gettime, "clock_gettime");
	int r = real_out_clock_gettime(clk, ts);
	if (r == 0)
		stored(ts, sizeof *ts, GOCRACE_CALLER_PC());
	return r;
}

OUT_WRAPPER(int, gettimeofday, "gettimeofday", (struct timeval *tv, void *tz))
{
	GOCRACE_RESOLVE_AS(out_gettimeofday, "gettimeofday");
	int r = real_out_gettimeofday(tv, tz);
	if (r == 0 && tv != NULL)
		stored(tv, sizeof *tv, GOCRACE_CALLER_PC());
	if (GOCRACE_UNLIKELY(r == 0 && tz != NULL))
		stored(tz, sizeof(struct timezone), GOCRACE_CALLER_PC());
	return r;
}

#define RLIMIT_WRAPPER(name, rlim_t_)                                         \
	OUT_WRAPPER(int, name, #name, (int res, rlim_t_ *rl))                     \
	{                                                                         \
		GOCRACE_RESOLVE_AS(out_##name, #name);                            \
		int r = real_out_##name(res, rl);                                     \
		if (r == 0)                                                           \
			stored(rl, sizeof *rl, GOCRACE_CALLER_PC());                      \
		return r;                                                             \
	}

RLIMIT_WRAPPER(getrlimit, struct rlimit)
RLIMIT_WRAPPER(getrlimit64, struct rlimit64)

/* ---- broken-down times ---------------------------------------------------- */

OUT_WRAPPER(char *, ctime_r, "ctime_r", (const time_t *tp, char *buf))
{
	GOCRACE_RESOLVE_AS(out_ctime_r, "ctime_r");
	uintptr_t pc = GOCRACE_CALLER_PC();
	loaded(tp, sizeof *tp, pc);
	char *r = real_out_ctime_r(tp, buf);
	if (r != NULL)
		note_str(buf, pc, DET_WRITE);
	return r;
}

OUT_WRAPPER(char *, asctime_r, "asctime_r", (const struct tm *tm, char *buf))
{
	GOCRACE_RESOLVE_AS(out_asctime_r, "asctime_r");
	uintptr_t pc = GOCRACE_CALLER_PC();
	loaded(tm, sizeof *tm, pc);
	char *r = real_out_asctime_r(tm, buf);
	if (r != NULL)
		note_str(buf, pc, DET_WRITE);
	return r;
}

#define TM_WRAPPER(name)                                                      \
	OUT_WRAPPER(struct tm *, name, #name, (const time_t *tp, struct tm *tm))  \
	{                                                                         \
		GOCRACE_RESOLVE_AS(out_##name, #name);                            \
		uintptr_t pc = GOCRACE_CALLER_PC();                                   \
		loaded(tp, sizeof *tp, pc);                                           \
		struct tm *r = real_out_##name(tp, tm);                               \
		if (r != NULL)                                                        \
			stored(tm, sizeof *tm, pc);                                       \
		return r;                                                             \
	}

TM_WRAPPER(gmtime_r)
TM_WRAPPER(localtime_r)

OUT_WRAPPER(size_t, strftime, "strftime",
            (char *s, size_t max, const char *fmt, const struct tm *tm))
{
	GOCRACE_RESOLVE_AS(out_strftime, "strftime");
	uintptr_t pc = GOCRACE_CALLER_PC();
	note_str(fmt, pc, DET_READ);
	loaded(tm, sizeof *tm, pc);
	size_t r = real_out_strftime(s, max, fmt, tm);
	if (r > 0)
		stored(s, r + 1, pc);
	return r;
}

/* ---- threads -------------------------------------------------------------- */

OUT_WRAPPER(int, pthread_getattr_np, "pthread_getattr_np", (pthread_t th, pthread_attr_t *attr))
{
	GOCRACE_RESOLVE_AS(out_pthread_getattr_np, "pthread_getattr_np");
	int r = real_out_pthread_getattr_np(th, attr);
	if (r == 0)
		stored(attr, sizeof *attr, GOCRACE_CALLER_PC());
	return r;
}

/* ---- random numbers: the caller's state -------------------------------- */

/* The state (size bytes at state), read and updated: one write of it (a
 * write conflicts with whatever a read would), before the call. */
#define RANDOM_WRAPPER(ret, name, state_t, size)                              \
	OUT_WRAPPER(ret, name, #name, (state_t state))                            \
	{                                                                         \
		GOCRACE_RESOLVE_AS(out_##name, #name);                            \
		stored(state, size, GOCRACE_CALLER_PC());                             \
		return real_out_##name(state);                                        \
	}

RANDOM_WRAPPER(int, rand_r, unsigned int *, sizeof(unsigned int))
/* the 48-bit state xsubi[3] */
RANDOM_WRAPPER(double, erand48, unsigned short *, 3 * sizeof(unsigned short))
RANDOM_WRAPPER(long, nrand48, unsigned short *, 3 * sizeof(unsigned short))
RANDOM_WRAPPER(long, jrand48, unsigned short *, 3 * sizeof(unsigned short))
