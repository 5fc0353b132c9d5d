/*
 * test_options.c — cli/options.c: the option table from options.def, the
 * GOC_RACE_OPTIONS and flag syntaxes, and writing options back for the
 * program.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static char err[1024];

Test(options, table_has_every_def_entry_with_its_default)
{
	cr_assert_str_eq(gocrace_options[GOCRACE_O_exitcode].name, "exitcode");
	cr_assert_eq(gocrace_options[GOCRACE_O_exitcode].type, GOCRACE_T_INT);
	cr_assert_eq(gocrace_options[GOCRACE_O_exitcode].def_int, 66);
	cr_assert_str_eq(gocrace_options[GOCRACE_O_log_path].def_string, "stderr");
	cr_assert_eq(gocrace_options[GOCRACE_O_report_atomic_races].def_bool, true);
	gocrace_opts o;
	gocrace_opts_init(&o);
	cr_assert_eq(o.v[GOCRACE_O_exitcode].i, 66);
	cr_assert_eq(o.v[GOCRACE_O_exitcode].set, false);
	cr_assert_str_eq(o.v[GOCRACE_O_json_path].s, "");
	gocrace_opts_free(&o);
}

Test(options, env_accepts_tsan_separators_and_quotes)
{
	gocrace_opts o;
	gocrace_opts_init(&o);
	int rc = gocrace_opts_parse_env(&o,
		" exitcode=3:halt_on_error=true,log_path='a b:c'\tstrip_path_prefix=\"/x,y/\"\n",
		err, sizeof err);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(o.v[GOCRACE_O_exitcode].i, 3);
	cr_assert_eq(o.v[GOCRACE_O_halt_on_error].b, true);
	cr_assert_str_eq(o.v[GOCRACE_O_log_path].s, "a b:c");
	cr_assert_str_eq(o.v[GOCRACE_O_strip_path_prefix].s, "/x,y/");
	cr_assert_eq(o.v[GOCRACE_O_suppressions].set, false);
	gocrace_opts_free(&o);
}

Test(options, env_later_assignment_wins_and_empty_is_fine)
{
	gocrace_opts o;
	gocrace_opts_init(&o);
	cr_assert_eq(gocrace_opts_parse_env(&o, "exitcode=1 exitcode=2 json_path=", err, sizeof err), 0);
	cr_assert_eq(o.v[GOCRACE_O_exitcode].i, 2);
	cr_assert_str_eq(o.v[GOCRACE_O_json_path].s, "");
	cr_assert_eq(gocrace_opts_parse_env(&o, "", err, sizeof err), 0);
	cr_assert_eq(gocrace_opts_parse_env(&o, " ,: ", err, sizeof err), 0);
	gocrace_opts_free(&o);
}

typedef int (*parse_fn)(gocrace_opts *o, const char *s, char *err, size_t errlen);

struct error_case {
	const char *in, *msg;
};

/* Each input, parsed into fresh options, fails with exactly its message. */
static void want_errors(parse_fn parse, const struct error_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		gocrace_opts o;
		gocrace_opts_init(&o);
		cr_assert_eq(parse(&o, cases[i].in, err, sizeof err), -1, "%s", cases[i].in);
		cr_assert_str_eq(err, cases[i].msg);
		gocrace_opts_free(&o);
	}
}

Test(options, env_errors_name_the_problem)
{
	static const struct error_case cases[] = {
		{"nope=1", "GOC_RACE_OPTIONS: unknown option 'nope' (see goc-race --help)"},
		{"halt_on_error", "GOC_RACE_OPTIONS: expected NAME=VALUE, got 'halt_on_error'"},
		{"exitcode=", "GOC_RACE_OPTIONS: bad value '' for exitcode: expected a decimal integer"},
		{"exitcode=99999999999", "GOC_RACE_OPTIONS: bad value '99999999999' for exitcode: expected a decimal integer"},
		{"halt_on_error=2", "GOC_RACE_OPTIONS: bad value '2' for halt_on_error: expected 1, 0, true, false, yes or no"},
		{"log_path='open", "GOC_RACE_OPTIONS: unterminated quote in log_path"},
	};
	want_errors(gocrace_opts_parse_env, cases, sizeof cases / sizeof cases[0]);
}

Test(options, flags_use_dashes_and_bools_need_no_value)
{
	gocrace_opts o;
	gocrace_opts_init(&o);
	cr_assert_eq(gocrace_opts_parse_flag(&o, "--halt-on-error", err, sizeof err), 0);
	cr_assert_eq(o.v[GOCRACE_O_halt_on_error].b, true);
	cr_assert_eq(gocrace_opts_parse_flag(&o, "--report-atomic-races=false", err, sizeof err), 0);
	cr_assert_eq(o.v[GOCRACE_O_report_atomic_races].b, false);
	cr_assert_eq(gocrace_opts_parse_flag(&o, "--report-atomic-races=yes", err, sizeof err), 0);
	cr_assert_eq(o.v[GOCRACE_O_report_atomic_races].b, true);
	cr_assert_eq(gocrace_opts_parse_flag(&o, "--json-path=a=b.json", err, sizeof err), 0);
	cr_assert_str_eq(o.v[GOCRACE_O_json_path].s, "a=b.json");
	cr_assert_eq(gocrace_opts_parse_flag(&o, "--strip_path_prefix=/src/", err, sizeof err), 0);
	cr_assert_str_eq(o.v[GOCRACE_O_strip_path_prefix].s, "/src/");
	gocrace_opts_free(&o);
}

Test(options, flag_errors_name_the_problem)
{
	static const struct error_case cases[] = {
		{"--nope", "unknown option --nope (see goc-race --help)"},
		{"--nope=3", "unknown option --nope (see goc-race --help)"},
		{"-x", "unknown option -x (see goc-race --help)"},
		{"--exitcode", "option --exitcode needs a value: --exitcode=INT"},
		{"--exitcode=x", "--exitcode: bad value 'x' for exitcode: expected a decimal integer"},
		{"--halt-on-error=", "--halt-on-error: bad value '' for halt_on_error: expected 1, 0, true, false, yes or no"},
	};
	want_errors(gocrace_opts_parse_flag, cases, sizeof cases / sizeof cases[0]);
}

Test(options, format_writes_set_options_back_readably)
{
	gocrace_opts o;
	gocrace_opts_init(&o);
	cr_assert_eq(gocrace_opts_parse_flag(&o, "--halt-on-error", err, sizeof err), 0);
	cr_assert_eq(gocrace_opts_parse_flag(&o, "--log-path=/tmp/a b", err, sizeof err), 0);
	cr_assert_eq(gocrace_opts_parse_flag(&o, "--strip-path-prefix=say \"hi\"", err, sizeof err), 0);
	cr_assert_eq(gocrace_opts_parse_flag(&o, "--exitcode=7", err, sizeof err), 0);
	char *s = gocrace_opts_format_env(&o, err, sizeof err);
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "log_path=\"/tmp/a b\" exitcode=7 halt_on_error=1 "
		"strip_path_prefix='say \"hi\"'");
	/* Reading it back gives the same options. */
	gocrace_opts back;
	gocrace_opts_init(&back);
	cr_assert_eq(gocrace_opts_parse_env(&back, s, err, sizeof err), 0, "%s", err);
	for (int i = 0; i < GOCRACE_O_COUNT; i++) {
		cr_assert_eq(back.v[i].set, o.v[i].set);
		cr_assert_eq(back.v[i].b, o.v[i].b);
		cr_assert_eq(back.v[i].i, o.v[i].i);
		cr_assert_str_eq(back.v[i].s ? back.v[i].s : "", o.v[i].s ? o.v[i].s : "");
	}
	free(s);
	gocrace_opts_free(&back);
	gocrace_opts_free(&o);
}

Test(options, format_refuses_a_value_it_cannot_quote)
{
	gocrace_opts o;
	gocrace_opts_init(&o);
	cr_assert_eq(gocrace_opts_set(&o, GOCRACE_O_log_path, "a 'b' \"c\"", err, sizeof err), 0);
	cr_assert_null(gocrace_opts_format_env(&o, err, sizeof err));
	cr_assert_str_eq(err, "cannot pass log_path to the program: its value holds both "
		"quote characters and a separator");
	gocrace_opts_free(&o);
}

Test(options, markdown_has_one_row_per_option)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	gocrace_opts_print_markdown(f);
	fclose(f);
	int rows = 0;
	for (char *p = buf; (p = strchr(p, '\n')) != NULL; p++)
		rows++;
	cr_assert_eq(rows, 2 + GOCRACE_O_COUNT);
	const char *head = "| `GOC_RACE_OPTIONS` key | `goc-race run` flag | Default | Meaning |\n"
		"|---|---|---|---|\n";
	cr_assert(strncmp(buf, head, strlen(head)) == 0, "%s", buf);
	/* Rows in options.def's order, each starting with its key. */
	const char *at = buf + strlen(head);
	for (int i = 0; i < GOCRACE_O_COUNT; i++) {
		char key[96];
		snprintf(key, sizeof key, "| `%s` | ", gocrace_options[i].name);
		cr_assert(strncmp(at, key, strlen(key)) == 0, "row %d: %s", i, at);
		at = strchr(at, '\n') + 1;
	}
	char row[512];
	snprintf(row, sizeof row, "\n| `exitcode` | `--exitcode=INT` | `66` | %s |\n",
		gocrace_options[GOCRACE_O_exitcode].help);
	cr_assert(strstr(buf, row) != NULL, "%s", buf);
	cr_assert(strstr(buf, "\n| `halt_on_error` | `--halt-on-error[=BOOL]` | `false` | ") != NULL);
	cr_assert(strstr(buf, "\n| `json_path` | `--json-path=STRING` | (empty) | ") != NULL);
	free(buf);
}
