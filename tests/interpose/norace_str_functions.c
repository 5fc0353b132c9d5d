/* norace_str_functions: every intercepted memory and string function still
 * returns what libc returns, while two threads use them on their own
 * buffers at the same time (no race: nothing is shared). Built twice:
 * plain, and with -O2 -D_FORTIFY_SOURCE=2, where the calls are glibc's
 * __*_chk variants (whose overflow checks must still pass). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mempcpy, strcasestr, memrchr, memmem */
#endif
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

static int check(const char *who)
{
	char a[64], b[64];
	int bad = 0;
#define EXPECT(c)                                                    \
	do {                                                             \
		if (!(c)) {                                                  \
			fprintf(stderr, "%s: failed: %s\n", who, #c);            \
			bad++;                                                   \
		}                                                            \
	} while (0)
	EXPECT(strcpy(a, "hello") == a && strcmp(a, "hello") == 0);
	EXPECT(strlen(a) == 5 && strnlen(a, 3) == 3 && strnlen(a, 10) == 5);
	EXPECT(stpcpy(b, "abc") == b + 3 && strcmp(b, "abc") == 0);
	EXPECT(strcat(a, " world") == a && strcmp(a, "hello world") == 0);
	EXPECT(strncat(b, "defgh", 2) == b && strcmp(b, "abcde") == 0);
	EXPECT(strncmp(a, "help", 3) == 0 && strncmp(a, "help", 4) < 0);
	EXPECT(strcmp("b", "a") > 0);
	EXPECT(strchr(a, 'o') == a + 4 && strchr(a, 'z') == NULL && strchr(a, '\0') == a + 11);
	EXPECT(strrchr(a, 'o') == a + 7 && strrchr(a, 'q') == NULL);
	EXPECT(memchr(a, 'w', 11) == a + 6 && memchr(a, 'w', 5) == NULL);
	EXPECT(memcmp(a, "hello", 5) == 0 && memcmp(a, "hellp", 5) < 0);
	memset(b, 'z', 10);
	EXPECT(b[0] == 'z' && b[9] == 'z');
	bzero(b, 4);
	EXPECT(b[0] == 0 && b[3] == 0 && b[4] == 'z');
	memcpy(b, a, 12);
	EXPECT(strcmp(b, "hello world") == 0);
	memmove(b + 1, b, 11);
	EXPECT(memcmp(b, "hhello world", 12) == 0);
	EXPECT(strncpy(b, "xy", 6) == b && b[1] == 'y' && b[2] == 0 && b[5] == 0);
	EXPECT(stpncpy(b, "pq", 4) == b + 2 && b[1] == 'q' && b[3] == 0);
	EXPECT(mempcpy(b, "mnop", 4) == b + 4 && memcmp(b, "mnop", 4) == 0);
	char *d = strdup(a);
	EXPECT(d != NULL && strcmp(d, a) == 0);
	char *n = strndup(a, 4);
	EXPECT(n != NULL && strcmp(n, "hell") == 0);
	free(d);
	free(n);
	/* strsearch.c's */
	strcpy(a, "hello world");
	EXPECT(strstr(a, "wor") == a + 6 && strstr(a, "xyz") == NULL);
	EXPECT(strcasestr(a, "WOR") == a + 6 && strcasestr(a, "q") == NULL);
	EXPECT(memmem(a, 11, "lo w", 4) == a + 3 && memmem(a, 11, "ww", 2) == NULL);
	EXPECT(memrchr(a, 'o', 11) == a + 7 && memrchr(a, 'q', 11) == NULL);
	EXPECT(strspn(a, "hel") == 4 && strcspn(a, " ") == 5 && strcspn(a, "q") == 11);
	EXPECT(strpbrk(a, "wr") == a + 6 && strpbrk(a, "q") == NULL);
	EXPECT(strcasecmp(a, "HELLO WORLD") == 0 && strncasecmp(a, "HELP", 3) == 0 &&
	       strcasecmp("b", "A") > 0);
	wchar_t w[8];
	EXPECT(wcscpy(w, L"wide") == w && wcslen(w) == 4 && wcsnlen(w, 2) == 2);
	strcpy(b, "a,b,,c");
	char *save, *tok = strtok_r(b, ",", &save);
	EXPECT(tok == b && strcmp(tok, "a") == 0);
	tok = strtok_r(NULL, ",", &save);
	EXPECT(tok != NULL && strcmp(tok, "b") == 0);
	tok = strtok_r(NULL, ",", &save);
	EXPECT(tok != NULL && strcmp(tok, "c") == 0 && strtok_r(NULL, ",", &save) == NULL);
	strcpy(b, "x:y");
	char *rest = b;
	EXPECT(strcmp(strsep(&rest, ":"), "x") == 0 && strcmp(strsep(&rest, ":"), "y") == 0 &&
	       rest == NULL);
	explicit_bzero(b, 3);
	EXPECT(b[0] == 0 && b[2] == 0);
	char *end;
	strcpy(b, " -42z");
	EXPECT(strtol(b, &end, 10) == -42 && end == b + 4);
	EXPECT(strtoull("ff", NULL, 16) == 255 && strtod("2.5", NULL) == 2.5 &&
	       strtof("0.5", NULL) == 0.5f && atoi(" 17") == 17 && atol("-3") == -3 &&
	       atoll("9") == 9 && atof("1.5") == 1.5 && strtol("x", &end, 10) == 0);
	return bad;
#undef EXPECT
}

static void *worker(void *arg)
{
	(void)arg;
	e2e_post(1);
	e2e_wait(2);
	return (void *)(long)check("thread");
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	e2e_post(2);
	int bad = check("main");
	void *r;
	pthread_join(t, &r);
	return bad == 0 && r == NULL ? 0 : 1;
}
