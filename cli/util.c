/*
 * util.c — the error and allocation helpers every part of goc-race uses.
 *
 * Error contract (docs/cli.md "Exit status"): every error is ONE line on
 * stderr starting "goc-race: " (a newline inside a message, e.g. from a
 * file name, is printed as a space), and each kind of error has its own
 * exit status (internal.h). Allocation failure is an internal error (70).
 * No state.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void vline(const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	for (char *c = msg; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	fprintf(stderr, "goc-race: %s\n", msg);
}

_Noreturn void gocrace_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
	exit(status);
}

void gocrace_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
}

void *gocrace_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "out of memory");
	return p;
}

char *gocrace_xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "out of memory");
	return p;
}

char *gocrace_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	int n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "out of memory");
	return p;
}

