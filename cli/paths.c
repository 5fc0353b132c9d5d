/*
 * paths.c — where goc-race finds the preload runtime, the hooks library,
 * libgoc and the goc headers: always relative to its own executable
 * (/proc/self/exe), never from a path fixed at build time alone, so a
 * build tree, an installed tree and a `meson install --destdir` staging
 * tree all work.
 *
 *   installed   EXE_DIR/GOCRACE_BINDIR_TO_LIBDIR holds libgoc-race.so,
 *               libgoc-race-hooks.so and libgoc.so;
 *               EXE_DIR/GOCRACE_BINDIR_TO_INCLUDEDIR holds goc/goc.h.
 *               Both relative paths are computed by cli/meson.build from
 *               the bindir, libdir and includedir options (an absolute
 *               libdir/includedir outside the prefix is used as is).
 *   build tree  EXE_DIR is BUILD/cli: BUILD/interpose holds libgoc-race.so
 *               and libgoc-race-hooks.so, BUILD/runtime holds libgoc.so,
 *               and the headers are in the source tree
 *               (GOCRACE_SRC_INCLUDEDIR, known at configure time).
 *
 * The installed layout is tried first; a build tree never has the other's
 * files. Returned paths are absolute and canonical (realpath), so they can
 * go into LD_PRELOAD, -I, -L and -rpath unchanged. No state.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#ifndef GOCRACE_BINDIR_TO_LIBDIR
#error "cli/meson.build defines GOCRACE_BINDIR_TO_LIBDIR"
#endif

char *gocrace_exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n < 0)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "cannot find my own executable "
			"(/proc/self/exe): %s", strerror(errno));
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (slash == buf)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	return gocrace_xstrdup(buf);
}

/* dir/rel, or rel itself when it is absolute, with "." and ".." folded
 * lexically (exact, since dir comes from /proc/self/exe, which has no
 * symbolic links), so messages name /usr/lib, not /usr/bin/../lib. */
static char *join(const char *dir, const char *rel)
{
	char *path = rel[0] == '/' ? gocrace_xstrdup(rel)
				   : gocrace_xasprintf("%s/%s", dir, rel);
	char *out = gocrace_xmalloc(strlen(path) + 2);
	size_t n = 0;
	for (char *save, *part = strtok_r(path, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			while (n > 0 && out[--n] != '/')
				;
			continue;
		}
		n += (size_t)sprintf(out + n, "/%s", part);
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	free(path);
	return out;
}

/* Canonical dir if dir/file exists, else NULL. */
static char *dir_with(const char *dir, const char *file)
{
	char *path = gocrace_xasprintf("%s/%s", dir, file);
	bool ok = access(path, F_OK) == 0;
	free(path);
	if (!ok)
		return NULL;
	char *real = realpath(dir, NULL);
	if (real == NULL)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "realpath %s: %s", dir, strerror(errno));
	return real;
}

int gocrace_layout_find(const char *exe_dir, gocrace_layout *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	char *libdir = join(exe_dir, GOCRACE_BINDIR_TO_LIBDIR);
	char *incdir = join(exe_dir, GOCRACE_BINDIR_TO_INCLUDEDIR);
	char *b_interpose = join(exe_dir, "../interpose");
	char *b_runtime = join(exe_dir, "../runtime");
	int rc = -1;

	if ((out->hooks_dir = dir_with(libdir, "libgoc-race-hooks.so")) != NULL) {
		out->installed = true;
		out->libgoc_dir = dir_with(libdir, "libgoc.so");
		out->include_dir = dir_with(incdir, "goc/goc.h");
		if (out->libgoc_dir == NULL)
			snprintf(err, errlen, "libgoc.so is not in %s, beside libgoc-race-hooks.so", libdir);
		else if (out->include_dir == NULL)
			snprintf(err, errlen, "goc/goc.h is not in %s", incdir);
		else
			rc = 0;
	} else if ((out->hooks_dir = dir_with(b_interpose, "libgoc-race-hooks.so")) != NULL) {
		out->libgoc_dir = dir_with(b_runtime, "libgoc.so");
		out->include_dir = dir_with(GOCRACE_SRC_INCLUDEDIR, "goc/goc.h");
		if (out->libgoc_dir == NULL)
			snprintf(err, errlen, "libgoc.so is not in %s (build it: ninja runtime/libgoc.so)",
				b_runtime);
		else if (out->include_dir == NULL)
			snprintf(err, errlen, "goc/goc.h is not in %s", GOCRACE_SRC_INCLUDEDIR);
		else
			rc = 0;
	} else {
		snprintf(err, errlen, "cannot find libgoc-race-hooks.so: looked in %s and %s",
			libdir, b_interpose);
	}
	free(libdir);
	free(incdir);
	free(b_interpose);
	free(b_runtime);
	if (rc < 0)
		gocrace_layout_free(out);
	return rc;
}

void gocrace_layout_free(gocrace_layout *l)
{
	free(l->hooks_dir);
	free(l->libgoc_dir);
	free(l->include_dir);
	memset(l, 0, sizeof *l);
}

char *gocrace_shim_find(const char *exe_dir, const char *override, char *err, size_t errlen)
{
	if (override != NULL && override[0] != '\0') {
		/* Absolute, so LD_PRELOAD never searches the library path. */
		char *real = realpath(override, NULL);
		if (real == NULL || access(real, R_OK) != 0) {
			snprintf(err, errlen, "GOC_RACE_SHIM=%s: %s", override, strerror(errno));
			free(real);
			return NULL;
		}
		return real;
	}
	char *libdir = join(exe_dir, GOCRACE_BINDIR_TO_LIBDIR);
	char *b_interpose = join(exe_dir, "../interpose");
	char *dir = dir_with(libdir, "libgoc-race.so");
	if (dir == NULL)
		dir = dir_with(b_interpose, "libgoc-race.so");
	char *path = NULL;
	if (dir != NULL)
		path = gocrace_xasprintf("%s/libgoc-race.so", dir);
	else
		snprintf(err, errlen, "cannot find the preload runtime libgoc-race.so: looked in "
			"%s and %s (GOC_RACE_SHIM=PATH names another)", libdir, b_interpose);
	free(dir);
	free(libdir);
	free(b_interpose);
	return path;
}
