/*
 * test_findings.c — cli/findings.c: reading the JSON lines findings file
 * (docs/report-schema.md), counting records by kind, and telling a
 * damaged line from a finding.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static char path[] = "/tmp/test_findings_XXXXXX";
static char err[1024];

/* Writes text to a fresh temporary file and reads it back as findings. */
static int read_text(const char *text, gocrace_findings *f)
{
	strcpy(path, "/tmp/test_findings_XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	int rc = gocrace_findings_read(path, f, err, sizeof err);
	unlink(path);
	return rc;
}

#define RACE "{\"schema\":1,\"kind\":\"data-race\",\"accesses\":[{\"op\":\"write\"}]}"

/* Reads text as findings: all valid, and described exactly so. */
static void want_findings(const char *text, int valid, const char *described)
{
	gocrace_findings f;
	cr_assert_eq(read_text(text, &f), 0, "%s", err);
	cr_assert_eq(f.valid, valid);
	cr_assert_eq(f.bad, 0);
	char d[256];
	gocrace_findings_describe(&f, d, sizeof d);
	cr_assert_str_eq(d, described);
	gocrace_findings_free(&f);
}

Test(findings, empty_file_has_no_findings)
{
	want_findings("", 0, "no findings");
}

Test(findings, counts_by_kind_in_order_of_appearance)
{
	want_findings(RACE "\n{\"schema\":1,\"kind\":\"deadlock\"}\n\n" RACE "\n"
		"{\"schema\":1,\"kind\":\"misuse\"}\n{\"schema\":1,\"kind\":\"new-kind\"}",
		5, "5 findings (2 data races, 1 deadlock, 1 API misuse, 1 new-kind)");
}

Test(findings, one_finding_is_singular)
{
	want_findings(RACE "\n", 1, "1 finding (1 data race)");
}

Test(findings, bad_lines_are_counted_and_the_first_explained)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
		{"not json", "not JSON ("},
		{"{\"schema\":1,\"kind\":\"data-ra", "not JSON ("},
		{RACE " extra", "not JSON ("},
		{RACE " " RACE, "not JSON ("}, /* two records on one line */
		{"[1,2]", "not a JSON object"},
		{"{\"kind\":\"data-race\"}", "no \"schema\" number"},
		{"{\"schema\":\"1\",\"kind\":\"data-race\"}", "no \"schema\" number"},
		{"{\"schema\":2,\"kind\":\"data-race\"}", "unknown schema 2 (this goc-race reads schema 1)"},
		{"{\"schema\":1}", "no \"kind\" string"},
		{"{\"schema\":1,\"kind\":3}", "no \"kind\" string"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, RACE "\n%s\n" RACE "\nalso bad\n", cases[i].line);
		gocrace_findings f;
		cr_assert_eq(read_text(text, &f), 0);
		cr_assert_eq(f.valid, 2, "%s", cases[i].line);
		cr_assert_eq(f.bad, 2, "%s", cases[i].line);
		cr_assert_eq(f.first_bad_line, 2);
		/* "not JSON (": json-c's words follow; the others are whole. */
		size_t wl = strlen(cases[i].why);
		if (cases[i].why[wl - 1] == '(')
			cr_assert(strncmp(f.first_bad_why, cases[i].why, wl) == 0,
				"%s: %s", cases[i].line, f.first_bad_why);
		else
			cr_assert_str_eq(f.first_bad_why, cases[i].why, "%s", cases[i].line);
		gocrace_findings_free(&f);
	}
}

Test(findings, long_records_are_read_whole)
{
	size_t n = 200000;
	char *text = malloc(n + 200);
	int len = sprintf(text, "{\"schema\":1,\"kind\":\"data-race\",\"pad\":\"");
	memset(text + len, 'x', n);
	strcpy(text + len + n, "\"}\n");
	want_findings(text, 1, "1 finding (1 data race)");
	free(text);
}

Test(findings, missing_file_is_an_error)
{
	gocrace_findings f;
	cr_assert_eq(gocrace_findings_read("/nonexistent/x.jsonl", &f, err, sizeof err), -1);
	cr_assert_str_eq(err, "cannot read the findings file /nonexistent/x.jsonl: No such file or directory");
}
