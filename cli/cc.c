/*
 * cc.c — `goc-race cc ARGS...` and `goc-race env`.
 *
 * cc execs the C compiler ($GOC_RACE_CC, split into words, else clang-14)
 * with what a user would otherwise type to build for goc-race, as
 * `go build -race` does:
 *
 *   COMPILER -fsanitize=thread -fno-sanitize-link-runtime -g
 *            -fno-omit-frame-pointer -mcx16 -I<goc include dir> ARGS...
 *            [-L<dir> -Wl,-rpath,<dir> -lgoc-race-hooks -lgoc]   when linking
 *
 * The compilers tested are clang 14 (the default) and clang 19
 * (GOC_RACE_CC=clang-19); any clang with the TSan pass should do.
 * -mcx16 (x86-64 only) makes clang 14 emit __tsan_atomic128_* hooks
 * instead of libatomic calls the detector cannot see (tsan-abi.md §1.5);
 * clang 19 emits the hooks either way, but without -mcx16 it also keeps
 * the original 16-byte atomic load, as a libatomic call (__atomic_load_16,
 * __atomic_load at -O0) that does not link without -latomic.
 * "Linking" means none of -c, -S, -E, -M, -MM, -fsyntax-only is among ARGS.
 * The libraries are the no-op hooks (so the program runs without the
 * shim) and libgoc; both -rpath'd, so the binary runs from where it was
 * built. The directories come from paths.c (build tree or installed). The
 * compiler's exit status is goc-race's (it is exec'd); 127/126 when it
 * cannot be run, 69 when goc's libraries or headers are missing.
 *
 * env prints the same paths and flags as shell assignments, for Makefiles
 * and for checking an installation. No state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char *const instrument[] = {
	"-fsanitize=thread", "-fno-sanitize-link-runtime", "-g", "-fno-omit-frame-pointer",
#if defined(__x86_64__)
	"-mcx16",
#endif
};
#define NINSTRUMENT (sizeof instrument / sizeof instrument[0])

static bool links(int argc, char **argv)
{
	static const char *const stop[] = {"-c", "-S", "-E", "-M", "-MM", "-fsyntax-only"};
	for (int i = 0; i < argc; i++)
		for (size_t s = 0; s < sizeof stop / sizeof stop[0]; s++)
			if (strcmp(argv[i], stop[s]) == 0)
				return false;
	return true;
}

/* The compiler as words: GOC_RACE_CC split at blanks, or the default. */
static int compiler_words(char ***out)
{
	const char *cc = getenv("GOC_RACE_CC");
	if (cc == NULL || strspn(cc, " \t") == strlen(cc))
		cc = GOCRACE_DEFAULT_CC;
	char *copy = gocrace_xstrdup(cc); /* lives as long as the words */
	char **w = gocrace_xmalloc((strlen(cc) / 2 + 2) * sizeof *w);
	int n = 0;
	for (char *save, *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	w[n] = NULL;
	*out = w;
	return n;
}

/* Library flags for the link: -L, -rpath, -l for the hooks and libgoc. */
static int link_flags(const gocrace_layout *l, char **out)
{
	int n = 0;
	out[n++] = gocrace_xasprintf("-L%s", l->hooks_dir);
	out[n++] = gocrace_xasprintf("-Wl,-rpath,%s", l->hooks_dir);
	if (strcmp(l->hooks_dir, l->libgoc_dir) != 0) {
		out[n++] = gocrace_xasprintf("-L%s", l->libgoc_dir);
		out[n++] = gocrace_xasprintf("-Wl,-rpath,%s", l->libgoc_dir);
	}
	out[n++] = gocrace_xstrdup("-lgoc-race-hooks");
	out[n++] = gocrace_xstrdup("-lgoc");
	return n;
}

static void find_layout(gocrace_layout *l)
{
	char err[1024];
	char *exe_dir = gocrace_exe_dir();
	if (gocrace_layout_find(exe_dir, l, err, sizeof err) < 0)
		gocrace_die(GOCRACE_EXIT_NORUNTIME, "%s", err);
	free(exe_dir);
}

int gocrace_cmd_cc(int argc, char **argv)
{
	gocrace_layout l;
	find_layout(&l);
	char **cc;
	int ncc = compiler_words(&cc);
	char **args = gocrace_xmalloc((size_t)(ncc + (int)NINSTRUMENT + 1 + argc + 6 + 1) * sizeof *args);
	int n = 0;
	for (int i = 0; i < ncc; i++)
		args[n++] = cc[i];
	for (size_t i = 0; i < NINSTRUMENT; i++)
		args[n++] = (char *)instrument[i];
	args[n++] = gocrace_xasprintf("-I%s", l.include_dir);
	for (int i = 0; i < argc; i++)
		args[n++] = argv[i];
	if (links(argc, argv))
		n += link_flags(&l, args + n);
	args[n] = NULL;
	fflush(NULL);
	execvp(args[0], args);
	int e = errno;
	if (e == ENOENT)
		gocrace_die(GOCRACE_EXIT_NOTFOUND, "%s: compiler not found (GOC_RACE_CC names another)",
			args[0]);
	gocrace_die(GOCRACE_EXIT_NOEXEC, "cannot run the compiler %s: %s", args[0], strerror(e));
}

/* Prints NAME='value' (single quotes escaped), sh-sourceable. */
static void assign(const char *name, const char *value)
{
	printf("%s='", name);
	for (const char *c = value; *c; c++) {
		if (*c == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*c);
	}
	puts("'");
}

int gocrace_cmd_env(int argc, char **argv)
{
	(void)argv;
	if (argc > 0)
		gocrace_die(GOCRACE_EXIT_USAGE, "env takes no arguments");
	char err[1024];
	gocrace_layout l;
	find_layout(&l);
	char *exe_dir = gocrace_exe_dir();
	char *shim = gocrace_shim_find(exe_dir, getenv("GOC_RACE_SHIM"), err, sizeof err);

	char **cc;
	int ncc = compiler_words(&cc);
	char cflags[4096] = "", ldflags[4096] = "", ccline[1024] = "";
	size_t off = 0;
	for (int i = 0; i < ncc; i++)
		off += (size_t)snprintf(ccline + off, sizeof ccline - off, "%s%s", i ? " " : "", cc[i]);
	off = 0;
	for (size_t i = 0; i < NINSTRUMENT; i++)
		off += (size_t)snprintf(cflags + off, sizeof cflags - off, "%s ", instrument[i]);
	snprintf(cflags + off, sizeof cflags - off, "-I%s", l.include_dir);
	char *lf[6];
	int nlf = link_flags(&l, lf);
	off = 0;
	for (int i = 0; i < nlf; i++) {
		off += (size_t)snprintf(ldflags + off, sizeof ldflags - off, "%s%s", i ? " " : "", lf[i]);
		free(lf[i]);
	}
	assign("GOC_RACE_LAYOUT", l.installed ? "installed" : "build");
	assign("GOC_RACE_SHIM", shim ? shim : "");
	assign("GOC_RACE_CC", ccline);
	assign("GOC_RACE_CFLAGS", cflags);
	assign("GOC_RACE_LDFLAGS", ldflags);
	fflush(stdout);
	gocrace_layout_free(&l);
	free(exe_dir);
	if (shim == NULL)
		gocrace_die(GOCRACE_EXIT_NORUNTIME, "%s", err);
	free(shim);
	return 0;
}
