/*
 * fake_shim.c — a stand-in for libgoc-race.so in the command line's tests
 * (goc-race run finds it through GOC_RACE_SHIM). From its constructor it
 * does what the real runtime's report sink does to the findings file, on
 * cue:
 *
 *   GOC_RACE_FAKE="race race deadlock garbage schema2 nokind truncated"
 *       appends one line per word to json_path (from GOC_RACE_OPTIONS,
 *       split by interpose/options_lex.h as the runtime splits it): a
 *       schema-1 record of that kind ("race" is kind data-race), or a
 *       damaged line;
 *   GOC_RACE_FAKE_DUMP=FILE
 *       writes the GOC_RACE_OPTIONS and LD_PRELOAD it was started with to
 *       FILE, one per line, so a test can check what goc-race passed.
 *
 * It unsets both variables afterwards, so processes the program starts
 * (a shell's children) do not write again. Each record is one write(2) to
 * an O_APPEND descriptor, as the real sink does. Not instrumented, no
 * dependencies (the lexer is header-only); single-threaded (runs before
 * main).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../interpose/options_lex.h"

static const char race[] =
	"{\"schema\":1,\"kind\":\"data-race\",\"title\":\"DATA RACE\","
	"\"fingerprint\":\"8c0f4d2a9e1b7730\",\"pid\":1,\"accesses\":["
	"{\"op\":\"write\",\"atomic\":false,\"size\":4,\"addr\":\"0x1000\","
	"\"thread\":{\"kind\":\"thread\",\"id\":1,\"state\":\"running\"},"
	"\"stack\":[{\"func\":\"worker\",\"file\":\"race.c\",\"line\":12,\"pc\":\"0x1\"}]},"
	"{\"op\":\"read\",\"atomic\":false,\"size\":4,\"addr\":\"0x1000\","
	"\"thread\":{\"kind\":\"thread\",\"id\":0,\"state\":\"running\"},"
	"\"stack\":[{\"func\":\"main\",\"file\":\"race.c\",\"line\":23,\"pc\":\"0x2\"}]}],"
	"\"location\":{\"kind\":\"unknown\"},\"summary\":\"data race at race.c:12 in worker\"}\n";

static const char deadlock[] =
	"{\"schema\":1,\"kind\":\"deadlock\",\"title\":\"DEADLOCK\","
	"\"fingerprint\":\"0123456789abcdef\",\"pid\":1}\n";

static const struct {
	const char *word, *line;
} lines[] = {
	{"race", race},
	{"deadlock", deadlock},
	{"garbage", "this is not JSON\n"},
	{"schema2", "{\"schema\":2,\"kind\":\"data-race\"}\n"},
	{"nokind", "{\"schema\":1}\n"},
	{"truncated", "{\"schema\":1,\"kind\":\"data-ra\n"},
};

/* json_path's value in GOC_RACE_OPTIONS, into buf, read with the lexer
 * the real runtime and goc-race use. */
static int json_path(char *buf, size_t len)
{
	const char *p = getenv("GOC_RACE_OPTIONS");
	const char *name, *val;
	size_t nlen, vlen;
	while (p != NULL && gocrace_lex_next(&p, &name, &nlen, &val, &vlen) == GOCRACE_LEX_PAIR) {
		if (nlen == 9 && memcmp(name, "json_path", 9) == 0 && vlen < len) {
			memcpy(buf, val, vlen);
			buf[vlen] = '\0';
			return 0;
		}
	}
	return -1;
}

static void dump(const char *file)
{
	FILE *f = fopen(file, "w");
	if (f == NULL)
		return;
	const char *o = getenv("GOC_RACE_OPTIONS"), *pre = getenv("LD_PRELOAD");
	fprintf(f, "%s\n%s\n", o ? o : "", pre ? pre : "");
	fclose(f);
}

__attribute__((constructor)) static void fake_shim_init(void)
{
	const char *d = getenv("GOC_RACE_FAKE_DUMP");
	if (d != NULL)
		dump(d);
	const char *words = getenv("GOC_RACE_FAKE");
	char path[4096];
	if (words != NULL && json_path(path, sizeof path) == 0) {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		for (const char *w = words; fd >= 0 && *w;) {
			w += strspn(w, " ");
			size_t wl = strcspn(w, " ");
			for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
				if (strlen(lines[i].word) == wl && memcmp(lines[i].word, w, wl) == 0)
					(void)!write(fd, lines[i].line, strlen(lines[i].line));
			w += wl;
		}
		if (fd >= 0)
			close(fd);
	}
	unsetenv("GOC_RACE_FAKE");
	unsetenv("GOC_RACE_FAKE_DUMP");
}
