/*
 * goc-race.c — the goc-race command line: dispatches `run`, `cc` and
 * `env`, and prints the help (its option list generated from
 * interpose/options.def) and README's option table.
 *
 * Error contract (docs/cli.md "Exit status"): every error is ONE line on
 * stderr starting "goc-race: ", and each kind of error has its own exit
 * status (internal.h), none equal to the findings status 66 or to the test
 * harness codes 77/99. Single threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void gocrace_usage(FILE *f)
{
	fputs("usage: goc-race run [OPTIONS] [--keep-json] -- PROG [ARGS...]\n"
	      "       goc-race cc [COMPILER ARGS...]\n"
	      "       goc-race env\n"
	      "       goc-race --help | --version | --options-markdown\n", f);
}

void gocrace_help(void)
{
	FILE *f = stdout;
	fputs("goc-race " GOCRACE_VERSION ": data race detector for C programs and goc goroutines.\n\n", f);
	gocrace_usage(f);
	fputs("\nCommands:\n"
	      "  run   run PROG with the detector preloaded (LD_PRELOAD=libgoc-race.so),\n"
	      "        then print one summary line; exit status below\n"
	      "  cc    run the C compiler with the instrumentation flags, goc's headers and,\n"
	      "        when linking, the no-op hooks library and libgoc (like go build -race)\n"
	      "  env   print the runtime, compiler and flags goc-race uses\n"
	      "\nOptions of run: flags, or NAME=VALUE in GOC_RACE_OPTIONS (separated by\n"
	      "spaces, commas or colons, as TSAN_OPTIONS); flags win over the environment.\n", f);
	gocrace_opts_print_help(f);
	gocrace_help_row(f, "--keep-json", "keep the temporary JSON findings file "
		"and name it in the summary (a --json-path file is always kept)");
	fputs("\nEnvironment:\n"
	      "  GOC_RACE_OPTIONS  options, as above, for run (and for the runtime itself)\n"
	      "  GOC_RACE_CC       compiler for cc (default: " GOCRACE_DEFAULT_CC "; clang-19 is\n"
	      "                    tested too); may hold words, e.g. \"ccache clang-14\"\n"
	      "  GOC_RACE_SHIM     preload runtime to use instead of the libgoc-race.so found\n"
	      "                    beside goc-race (for testing and packaging)\n"
	      "\nExit status of run:\n"
	      "  exitcode (66)     the program had findings\n"
	      "  the program's     no findings: its own status, 128+N if signal N killed it\n"
	      "  64                bad command line: unknown option, bad value, no -- or PROG\n"
	      "  65                the JSON findings file has a bad record (valid ones are counted)\n"
	      "  69                libgoc-race.so (cc: the hooks library or libgoc) not found\n"
	      "  70                internal error (fork, pipe, memory)\n"
	      "  73                cannot create the JSON findings file\n"
	      "  74                cannot read the suppressions file or the JSON findings file\n"
	      "  126               PROG is not executable\n"
	      "  127               PROG not found\n"
	      "cc exits with the compiler's status (126/127 if it cannot be run, 69 if goc's\n"
	      "libraries are missing). See docs/cli.md.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		gocrace_die(GOCRACE_EXIT_USAGE, "no command: goc-race run|cc|env ... (see goc-race --help)");
	const char *cmd = argv[1];
	if (strcmp(cmd, "run") == 0)
		return gocrace_cmd_run(argc - 2, argv + 2);
	if (strcmp(cmd, "cc") == 0)
		return gocrace_cmd_cc(argc - 2, argv + 2);
	if (strcmp(cmd, "env") == 0)
		return gocrace_cmd_env(argc - 2, argv + 2);
	if (argc == 2 && (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
			  strcmp(cmd, "help") == 0)) {
		gocrace_help();
		return 0;
	}
	if (argc == 2 && strcmp(cmd, "--version") == 0) {
		printf("goc-race %s\n", GOCRACE_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(cmd, "--options-markdown") == 0) {
		gocrace_opts_print_markdown(stdout);
		return 0;
	}
	if (cmd[0] == '-')
		gocrace_die(GOCRACE_EXIT_USAGE, "unknown option %s (see goc-race --help)", cmd);
	gocrace_die(GOCRACE_EXIT_USAGE, "unknown command '%s' (commands: run, cc, env)", cmd);
}

