/*
 * run.c — `goc-race run [OPTIONS] [--keep-json] -- PROG [ARGS...]`.
 *
 * Steps, each failing with its own status (internal.h, docs/cli.md):
 *  1. options: GOC_RACE_OPTIONS from the environment, then the flags (the
 *     last assignment wins, so flags win); `--` is required before PROG;
 *  2. PROG is looked up as execvp would (PATH when it has no '/'), so
 *     "not found" (127) and "not executable" (126) are told apart before
 *     anything starts; the suppressions file must be readable (74);
 *  3. the preload runtime is found (paths.c; GOC_RACE_SHIM overrides);
 *  4. the JSON findings file is created empty: json_path if the user gave
 *     one, else a temporary file; both are passed as absolute paths, since
 *     the program may chdir before it reports;
 *  5. the child gets LD_PRELOAD=SHIM[:previous LD_PRELOAD] and
 *     GOC_RACE_OPTIONS = the options that were set, plus json_path, written
 *     back in the same syntax; an exec failure comes back through a
 *     close-on-exec pipe and is reported as in step 2;
 *  6. while the program runs, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to
 *     goc-race by another process are forwarded to it (the terminal already
 *     sends its own to the whole foreground group, so those are not
 *     doubled); goc-race waits for it whatever it receives (they are
 *     blocked and taken with sigwaitinfo);
 *  7. the JSON file is read (findings.c) and one summary line printed.
 *     Exit: exitcode if there were findings, else the program's status
 *     (128+N, with a line saying so, if signal N killed it); a damaged
 *     file wins with 65 and the line still counts the valid findings.
 *
 * Single threaded, no signal handlers: every signal goc-race reacts to is
 * taken synchronously, so nothing here runs asynchronously.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

/* Is path an executable regular file? Sets errno as exec would. */
static bool executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return false;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return false;
	}
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
		errno = EACCES;
		return false;
	}
	return true;
}

/* PROG as execvp would find it; dies with 127 / 126 like a shell. */
static char *resolve_prog(const char *prog)
{
	if (strchr(prog, '/') != NULL) {
		if (executable(prog))
			return gocrace_xstrdup(prog);
		if (errno == ENOENT || errno == ENOTDIR)
			gocrace_die(GOCRACE_EXIT_NOTFOUND, "%s: no such file", prog);
		gocrace_die(GOCRACE_EXIT_NOEXEC, "%s: not executable (%s)", prog, strerror(errno));
	}
	const char *path = getenv("PATH");
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	int denied = 0;
	for (const char *p = path;; p++) {
		const char *colon = strchrnul(p, ':');
		int dlen = (int)(colon - p);
		char *cand = dlen ? gocrace_xasprintf("%.*s/%s", dlen, p, prog)
				  : gocrace_xasprintf("./%s", prog);
		if (executable(cand))
			return cand;
		if (errno != ENOENT && errno != ENOTDIR && denied == 0)
			denied = errno;
		free(cand);
		if (*colon == '\0')
			break;
		p = colon;
	}
	if (denied)
		gocrace_die(GOCRACE_EXIT_NOEXEC, "%s: found in PATH but not executable (%s)",
			prog, strerror(denied));
	gocrace_die(GOCRACE_EXIT_NOTFOUND, "%s: command not found", prog);
}

static char *absolute(const char *path)
{
	if (path[0] == '/')
		return gocrace_xstrdup(path);
	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof cwd) == NULL)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "getcwd: %s", strerror(errno));
	return gocrace_xasprintf("%s/%s", cwd, path);
}

/* Creates (empties) the user's JSON file, or a temporary one. */
static char *create_json(const char *user_path)
{
	char *path;
	int fd;
	if (user_path != NULL) {
		path = absolute(user_path);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	} else {
		const char *tmp = getenv("TMPDIR");
		path = gocrace_xasprintf("%s/goc-race-XXXXXX.jsonl", tmp && *tmp ? tmp : "/tmp");
		fd = mkostemps(path, 6, O_CLOEXEC);
	}
	if (fd < 0)
		gocrace_die(GOCRACE_EXIT_CANTCREAT, "cannot create the JSON findings file %s: %s",
			path, strerror(errno));
	close(fd);
	return path;
}

/* The child: environment, the parent's signal state, exec; errno to the
 * pipe if exec fails. */
static _Noreturn void child(const char *prog, char **argv, const char *preload,
	const char *options, const struct sigaction *old_chld, const sigset_t *oldmask,
	int errfd)
{
	const char *old = getenv("LD_PRELOAD");
	char *ld = old && *old ? gocrace_xasprintf("%s:%s", preload, old)
			       : gocrace_xstrdup(preload);
	setenv("LD_PRELOAD", ld, 1);
	setenv("GOC_RACE_OPTIONS", options, 1);
	sigaction(SIGCHLD, old_chld, NULL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	execv(prog, argv);
	int e = errno;
	(void)!write(errfd, &e, sizeof e);
	_exit(127);
}

/* Runs PROG and waits for it, forwarding signals; returns its wait status,
 * or -1 with errno if it could not be executed. Signals are taken
 * synchronously (sigwaitinfo with them blocked), so there is no handler
 * and nothing asynchronous: SIGCHLD says the child may have ended, a
 * forwarded signal is passed on if a process sent it (si_code <= 0: kill,
 * sigqueue, tgkill) — the kernel raises the terminal's signals for the
 * whole foreground group, which already includes the child. */
static int spawn_and_wait(const char *prog, char **argv, const char *preload,
	const char *options)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "pipe: %s", strerror(errno));
	/* SIGCHLD must not be ignored (children would be reaped for us). */
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old_chld;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old_chld);
	sigset_t set, oldmask;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, &oldmask);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(pfd[0]);
		child(prog, argv, preload, options, &old_chld, &oldmask, pfd[1]);
	}
	close(pfd[1]);
	int exec_errno = 0;
	ssize_t n;
	while ((n = read(pfd[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR)
		;
	close(pfd[0]);

	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			gocrace_die(GOCRACE_EXIT_SOFTWARE, "waitpid: %s", strerror(errno));
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig > 0 && sig != SIGCHLD && si.si_code <= 0)
			kill(pid, sig);
	}
	sigaction(SIGCHLD, &old_chld, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	if (n == (ssize_t)sizeof exec_errno) {
		errno = exec_errno;
		return -1;
	}
	return status;
}

int gocrace_cmd_run(int argc, char **argv)
{
	char err[1024];
	gocrace_opts o;
	gocrace_opts_init(&o);
	const char *env = getenv("GOC_RACE_OPTIONS");
	if (env != NULL && gocrace_opts_parse_env(&o, env, err, sizeof err) < 0)
		gocrace_die(GOCRACE_EXIT_USAGE, "%s", err);

	bool keep_json = false;
	int i = 0;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			gocrace_help();
			exit(0);
		}
		if (strcmp(a, "--keep-json") == 0) {
			keep_json = true;
			continue;
		}
		if (a[0] != '-')
			gocrace_die(GOCRACE_EXIT_USAGE, "missing -- before the program: "
				"goc-race run [OPTIONS] -- %s [ARGS...]", a);
		if (gocrace_opts_parse_flag(&o, a, err, sizeof err) < 0)
			gocrace_die(GOCRACE_EXIT_USAGE, "%s", err);
	}
	if (i == argc)
		gocrace_die(GOCRACE_EXIT_USAGE, "missing -- and a program: "
			"goc-race run [OPTIONS] -- PROG [ARGS...]");
	if (i + 1 == argc)
		gocrace_die(GOCRACE_EXIT_USAGE, "no program after --: "
			"goc-race run [OPTIONS] -- PROG [ARGS...]");
	char **prog_argv = argv + i + 1;
	const char *prog_name = prog_argv[0];
	int exitcode = o.v[GOCRACE_O_exitcode].i;
	if (exitcode < 0 || exitcode > 255)
		gocrace_die(GOCRACE_EXIT_USAGE, "bad value '%d' for exitcode: expected 0 to 255",
			exitcode);

	char *prog = resolve_prog(prog_name);
	gocrace_value *supp = &o.v[GOCRACE_O_suppressions];
	if (supp->s[0] != '\0') {
		char *real = realpath(supp->s, NULL);
		int fd = real ? open(real, O_RDONLY | O_CLOEXEC) : -1;
		if (fd < 0)
			gocrace_die(GOCRACE_EXIT_IOERR, "cannot read the suppressions file %s: %s",
				supp->s, strerror(errno));
		close(fd);
		free(supp->s);
		supp->s = real;
	}
	char *exe_dir = gocrace_exe_dir();
	char *shim = gocrace_shim_find(exe_dir, getenv("GOC_RACE_SHIM"), err, sizeof err);
	if (shim == NULL)
		gocrace_die(GOCRACE_EXIT_NORUNTIME, "%s", err);

	gocrace_value *jp = &o.v[GOCRACE_O_json_path];
	bool user_json = jp->s[0] != '\0';
	char *json = create_json(user_json ? jp->s : NULL);
	/* The summary names a user's file as they wrote it (copied before
	 * json_path is set to the absolute path, which frees it). */
	char *shown_json = gocrace_xstrdup(user_json ? jp->s : json);
	if (gocrace_opts_set(&o, GOCRACE_O_json_path, json, err, sizeof err) < 0)
		gocrace_die(GOCRACE_EXIT_SOFTWARE, "%s", err);
	bool keep = user_json || keep_json;
	char *options = gocrace_opts_format_env(&o, err, sizeof err);
	if (options == NULL) {
		if (!user_json)
			unlink(json);
		gocrace_die(GOCRACE_EXIT_USAGE, "%s", err);
	}

	int status = spawn_and_wait(prog, prog_argv, shim, options);
	if (status < 0) {
		int e = errno;
		if (!keep)
			unlink(json);
		gocrace_die(e == ENOENT ? GOCRACE_EXIT_NOTFOUND : GOCRACE_EXIT_NOEXEC,
			"cannot run %s: %s", prog_name, strerror(e));
	}
	int prog_status;
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		gocrace_warn("%s was killed by signal %d (%s)%s", prog_name, sig, strsignal(sig),
			WCOREDUMP(status) ? ", core dumped" : "");
		prog_status = 128 + sig;
	} else {
		prog_status = WEXITSTATUS(status);
	}

	gocrace_findings f;
	if (gocrace_findings_read(json, &f, err, sizeof err) < 0)
		gocrace_die(GOCRACE_EXIT_IOERR, "%s", err);
	char what[512];
	gocrace_findings_describe(&f, what, sizeof what);
	int rc;
	if (f.bad > 0) {
		char more[64] = "";
		if (f.bad > 1)
			snprintf(more, sizeof more, " (and %d more bad line%s)", f.bad - 1,
				f.bad > 2 ? "s" : "");
		/* Kept whatever was asked, so the line named here can be read. */
		gocrace_warn("bad JSON findings file %s:%ld: %s%s; %d valid: %s in %s",
			json, f.first_bad_line, f.first_bad_why, more, f.valid, what, prog_name);
		rc = GOCRACE_EXIT_DATAERR;
	} else {
		char tail[PATH_MAX + 64] = "";
		if (keep)
			snprintf(tail, sizeof tail, "; JSON: %s", shown_json);
		else if (f.valid > 0)
			snprintf(tail, sizeof tail, "; JSON not kept (--keep-json or --json-path=FILE)");
		if (f.valid > 0) {
			gocrace_warn("%s in %s%s", what, prog_name, tail);
			rc = exitcode;
		} else {
			char st[48] = "";
			if (!WIFSIGNALED(status) && prog_status != 0)
				snprintf(st, sizeof st, " (exit status %d)", prog_status);
			gocrace_warn("no findings in %s%s%s", prog_name, st, tail);
			rc = prog_status;
		}
		if (!keep)
			unlink(json);
	}
	gocrace_findings_free(&f);
	free(options);
	free(shown_json);
	free(json);
	free(shim);
	free(exe_dir);
	free(prog);
	gocrace_opts_free(&o);
	return rc;
}
