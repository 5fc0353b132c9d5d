/*
 * test_paths.c — cli/paths.c: finding the preload runtime, the hooks
 * library, libgoc and the headers from the executable's directory, in a
 * build tree and in an installed tree (both made here as empty files under
 * a temporary directory, with the relative paths cli/meson.build computed
 * from this build's install options).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static char root[PATH_MAX];
static char err[2048];

/* snprintf into buf[size] that fails the test rather than truncate. */
__attribute__((format(printf, 3, 4)))
static void fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < size, "path too long for the test's buffer");
}

/* Creates root/rel (a file, with its directories); rel ending in '/' is a
 * directory. */
static void make(const char *rel)
{
	char p[PATH_MAX];
	fmt(p, sizeof p, "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	if (p[strlen(p) - 1] != '/')
		close(open(p, O_WRONLY | O_CREAT, 0644));
}

static char *at(const char *rel)
{
	static char p[4][PATH_MAX];
	static int n;
	char *buf = p[n++ % 4];
	fmt(buf, PATH_MAX, "%s/%s", root, rel);
	return buf;
}

static void setup_root(void)
{
	char tmpl[] = "/tmp/test_paths_XXXXXX";
	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, root));
}

static void teardown_root(void)
{
	char cmd[PATH_MAX + 16];
	fmt(cmd, sizeof cmd, "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(paths, .init = setup_root, .fini = teardown_root);

/* bin/ with the installed relative paths; the installed tree's "bin". */
static const char *installed_bin(void)
{
	if (GOCRACE_BINDIR_TO_LIBDIR[0] == '/' || GOCRACE_BINDIR_TO_INCLUDEDIR[0] == '/')
		cr_skip_test("libdir or includedir is outside the prefix");
	make("p/bin/");
	return at("p/bin");
}

/* root/p/bin/REL/name, created; returns its directory, canonical. */
static char *installed_file(const char *rel, const char *name)
{
	char r[PATH_MAX], dir[PATH_MAX];
	fmt(r, sizeof r, "p/bin/%s/", rel);
	make(r);
	fmt(r, sizeof r, "p/bin/%s/%s", rel, name);
	make(r);
	fmt(r, sizeof r, "p/bin/%s", rel);
	cr_assert_not_null(realpath(at(r), dir));
	return strdup(dir);
}

Test(paths, build_tree_layout)
{
	make("b/cli/");
	make("b/interpose/libgoc-race-hooks.so");
	make("b/runtime/libgoc.so");
	gocrace_layout l;
	cr_assert_eq(gocrace_layout_find(at("b/cli"), &l, err, sizeof err), 0, "%s", err);
	cr_assert_eq(l.installed, false);
	cr_assert_str_eq(l.hooks_dir, at("b/interpose"));
	cr_assert_str_eq(l.libgoc_dir, at("b/runtime"));
	char inc[PATH_MAX];
	cr_assert_not_null(realpath(GOCRACE_SRC_INCLUDEDIR, inc));
	cr_assert_str_eq(l.include_dir, inc);
	gocrace_layout_free(&l);
}

Test(paths, installed_layout)
{
	const char *bin = installed_bin();
	char *lib = installed_file(GOCRACE_BINDIR_TO_LIBDIR, "libgoc-race-hooks.so");
	installed_file(GOCRACE_BINDIR_TO_LIBDIR, "libgoc.so");
	char *inc = installed_file(GOCRACE_BINDIR_TO_INCLUDEDIR, "goc/goc.h");
	gocrace_layout l;
	cr_assert_eq(gocrace_layout_find(bin, &l, err, sizeof err), 0, "%s", err);
	cr_assert_eq(l.installed, true);
	cr_assert_str_eq(l.hooks_dir, lib);
	cr_assert_str_eq(l.libgoc_dir, lib);
	cr_assert_str_eq(l.include_dir, inc);
	cr_assert(strncmp(lib, root, strlen(root)) == 0, "%s is outside the tree", lib);
	gocrace_layout_free(&l);
	free(lib);
	free(inc);
}

Test(paths, installed_layout_without_libgoc_is_an_error)
{
	const char *bin = installed_bin();
	char *lib = installed_file(GOCRACE_BINDIR_TO_LIBDIR, "libgoc-race-hooks.so");
	free(installed_file(GOCRACE_BINDIR_TO_INCLUDEDIR, "goc/goc.h"));
	gocrace_layout l;
	cr_assert_eq(gocrace_layout_find(bin, &l, err, sizeof err), -1);
	char want[PATH_MAX + 64];
	fmt(want, sizeof want, "libgoc.so is not in %s, beside libgoc-race-hooks.so", lib);
	cr_assert_str_eq(err, want);
	free(lib);
}

Test(paths, no_layout_names_both_places_without_dotdot)
{
	make("x/bin/");
	gocrace_layout l;
	cr_assert_eq(gocrace_layout_find(at("x/bin"), &l, err, sizeof err), -1);
	char want[PATH_MAX];
	fmt(want, sizeof want, "and %s/x/interpose", root);
	cr_assert(strstr(err, "cannot find libgoc-race-hooks.so: looked in ") == err, "%s", err);
	cr_assert(strstr(err, want) != NULL, "%s", err);
	cr_assert(strstr(err, "/..") == NULL, "%s", err);
}

Test(paths, shim_in_build_tree)
{
	make("b/cli/");
	make("b/interpose/libgoc-race.so");
	char *s = gocrace_shim_find(at("b/cli"), NULL, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert_str_eq(s, at("b/interpose/libgoc-race.so"));
	free(s);
}

Test(paths, shim_installed)
{
	const char *bin = installed_bin();
	char *lib = installed_file(GOCRACE_BINDIR_TO_LIBDIR, "libgoc-race.so");
	char *s = gocrace_shim_find(bin, "", err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	char want[PATH_MAX];
	fmt(want, sizeof want, "%s/libgoc-race.so", lib);
	cr_assert_str_eq(s, want);
	free(s);
	free(lib);
}

Test(paths, shim_override_is_made_absolute)
{
	make("o/my shim.so");
	make("b/cli/");
	make("b/interpose/libgoc-race.so");
	cr_assert_eq(chdir(at("o")), 0);
	char *s = gocrace_shim_find(at("b/cli"), "my shim.so", err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert_str_eq(s, at("o/my shim.so"));
	free(s);
	cr_assert_null(gocrace_shim_find(at("b/cli"), "nope.so", err, sizeof err));
	cr_assert_str_eq(err, "GOC_RACE_SHIM=nope.so: No such file or directory");
	cr_assert_eq(chdir("/"), 0);
}

Test(paths, no_shim_names_both_places)
{
	make("x/bin/");
	cr_assert_null(gocrace_shim_find(at("x/bin"), NULL, err, sizeof err));
	char want[PATH_MAX];
	fmt(want, sizeof want, "and %s/x/interpose (GOC_RACE_SHIM=PATH names another)", root);
	cr_assert(strstr(err, want) != NULL, "%s", err);
}
