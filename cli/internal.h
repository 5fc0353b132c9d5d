/*
 * internal.h — the goc-race command line's private declarations.
 *
 * goc-race.c dispatches the commands; options.c owns the option table
 * (generated from interpose/options.def) and its two syntaxes; run.c runs a
 * program under the preload runtime; findings.c reads the JSON lines file
 * it leaves; paths.c finds the runtime, libraries and headers from where
 * the executable is; cc.c is `goc-race cc` and `goc-race env`. Single
 * threaded throughout; the only asynchronous code is run.c's signal
 * forwarder. Every function not static is prefixed gocrace_.
 */
#ifndef GOC_CLI_INTERNAL_H
#define GOC_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- exit statuses (docs/cli.md "Exit status"; distinct from the
 * findings status, `exitcode`, 66 by default, and from 77/99, which test
 * harnesses read as skip/hard error) ---------------------------------- */
enum {
	GOCRACE_EXIT_USAGE = 64,    /* bad command line, option or value */
	GOCRACE_EXIT_DATAERR = 65,  /* JSON findings file has a bad record */
	GOCRACE_EXIT_NORUNTIME = 69, /* libgoc-race.so / hooks / libgoc not found */
	GOCRACE_EXIT_SOFTWARE = 70, /* internal error: fork, pipe, memory */
	GOCRACE_EXIT_CANTCREAT = 73, /* cannot create the JSON findings file */
	GOCRACE_EXIT_IOERR = 74,    /* cannot read the suppressions / JSON file */
	GOCRACE_EXIT_NOEXEC = 126,  /* PROG (or the compiler) not executable */
	GOCRACE_EXIT_NOTFOUND = 127, /* PROG (or the compiler) not found */
};

/* Prints "goc-race: MESSAGE" as one line on stderr (newlines in the
 * message become spaces) and exits with status. */
_Noreturn void gocrace_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same line, without exiting. */
void gocrace_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* malloc/strdup/asprintf that die with GOCRACE_EXIT_SOFTWARE. */
void *gocrace_xmalloc(size_t n);
char *gocrace_xstrdup(const char *s);
char *gocrace_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- options (options.c) --------------------------------------------- */

#define GOC_RACE_OPTION(type, name, def, help) GOCRACE_O_##name,
enum gocrace_opt_id {
#include "../interpose/options.def"
	GOCRACE_O_COUNT
};
#undef GOC_RACE_OPTION

typedef enum { GOCRACE_T_BOOL, GOCRACE_T_INT, GOCRACE_T_STRING } gocrace_type;

typedef struct gocrace_option {
	const char *name; /* as in GOC_RACE_OPTIONS: halt_on_error */
	gocrace_type type;
	const char *help;
	bool def_bool;
	int def_int;
	const char *def_string;
} gocrace_option;

extern const gocrace_option gocrace_options[GOCRACE_O_COUNT];

typedef struct gocrace_value {
	bool set; /* given in GOC_RACE_OPTIONS or by a flag */
	bool b;
	int i;
	char *s; /* owned */
} gocrace_value;

typedef struct gocrace_opts {
	gocrace_value v[GOCRACE_O_COUNT];
} gocrace_opts;

/* Every option at its default, none set. */
void gocrace_opts_init(gocrace_opts *o);
void gocrace_opts_free(gocrace_opts *o);
/* Parses GOC_RACE_OPTIONS syntax (KEY=VALUE separated by spaces, commas,
 * colons, tabs or newlines; a value may be quoted with ' or "), as
 * ThreadSanitizer parses TSAN_OPTIONS. Returns 0, or -1 with a one-line
 * reason in err. */
int gocrace_opts_parse_env(gocrace_opts *o, const char *s, char *err, size_t errlen);
/* Parses one flag, "--name" or "--name=value", dashes or underscores.
 * Returns 0, or -1 with a reason in err. */
int gocrace_opts_parse_flag(gocrace_opts *o, const char *arg, char *err, size_t errlen);
/* Sets one option from text. Returns 0, or -1 with a reason in err. */
int gocrace_opts_set(gocrace_opts *o, enum gocrace_opt_id id, const char *val,
	char *err, size_t errlen);
/* Finds an option by name (underscores; len bytes of name). -1 if none. */
int gocrace_opts_lookup(const char *name, size_t len);
/* The options that are set, in GOC_RACE_OPTIONS syntax (values quoted when
 * they hold a separator). NULL with err if a value cannot be written. */
char *gocrace_opts_format_env(const gocrace_opts *o, char *err, size_t errlen);
/* `goc-race --help`'s option list, and README's markdown table. help_row
 * prints one "  COLUMN  text" entry of the help, wrapped to 79 columns. */
void gocrace_opts_print_help(FILE *f);
void gocrace_help_row(FILE *f, const char *col, const char *text);
void gocrace_opts_print_markdown(FILE *f);

/* ---- findings (findings.c) ------------------------------------------ */

typedef struct gocrace_kind_count {
	char *kind;
	int count;
} gocrace_kind_count;

typedef struct gocrace_findings {
	int valid;              /* records with schema 1 and a kind */
	int bad;                /* lines that are not such a record */
	long first_bad_line;    /* 1-based; 0 when bad == 0 */
	char first_bad_why[160];
	gocrace_kind_count *kinds; /* in order of first appearance */
	int nkinds;
} gocrace_findings;

/* Reads a JSON lines findings file (docs/report-schema.md). Returns 0, or
 * -1 with a reason in err when the file cannot be read at all; a bad line
 * is not an error here, it is counted in f->bad. */
int gocrace_findings_read(const char *path, gocrace_findings *f, char *err, size_t errlen);
/* "no findings", or "2 findings (1 data race, 1 deadlock)". */
void gocrace_findings_describe(const gocrace_findings *f, char *buf, size_t len);
void gocrace_findings_free(gocrace_findings *f);

/* ---- paths (paths.c) ------------------------------------------------- */

/* The directory holding the running executable (/proc/self/exe). */
char *gocrace_exe_dir(void);

/* Where the libraries and headers that `cc` uses are. installed is true
 * for the `meson install` layout (everything under libdir / includedir,
 * found relative to bindir), false for the build tree (runtime/ and
 * interpose/ beside cli/, headers in the source tree). */
typedef struct gocrace_layout {
	bool installed;
	char *hooks_dir;   /* holds libgoc-race-hooks.so */
	char *libgoc_dir;  /* holds libgoc.so */
	char *include_dir; /* holds goc/goc.h */
} gocrace_layout;

/* Fills out from exe_dir (as gocrace_exe_dir returns). Returns 0, or -1
 * with the places looked at in err. */
int gocrace_layout_find(const char *exe_dir, gocrace_layout *out, char *err, size_t errlen);
void gocrace_layout_free(gocrace_layout *l);

/* The preload runtime: override (GOC_RACE_SHIM) if non-NULL and non-empty,
 * else libgoc-race.so in the installed libdir, else in the build tree's
 * interpose/. Returns a malloc'd absolute path, or NULL with err. */
char *gocrace_shim_find(const char *exe_dir, const char *override, char *err, size_t errlen);

/* ---- commands --------------------------------------------------------- */

int gocrace_cmd_run(int argc, char **argv);
int gocrace_cmd_cc(int argc, char **argv);
int gocrace_cmd_env(int argc, char **argv);
void gocrace_usage(FILE *f);
void gocrace_help(void); /* the whole --help text, on stdout */

#endif /* GOC_CLI_INTERNAL_H */
