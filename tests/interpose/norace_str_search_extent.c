/* norace_str_search_extent: a search reads only as far as glibc's loop
 * looks. A thread writes, with no order to main's calls after it, bytes
 * past what each call examines:
 *   - text[16], past strstr's match ("brown" ends at 15);
 *   - span[8], past the first byte strspn stops at (span[3], a space);
 *   - pbrk[7], past the first byte strpbrk finds (pbrk[4]);
 *   - cmp[6], past where strcasecmp sees a difference (cmp[2]);
 *   - tok[5], past the first token strtok_r cuts (at tok[1]);
 *   - num[6], past the byte that ends strtol's number (num[3]).
 * Each would be a race if a call were taken to read its whole string.
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char text[32] = "the quick brown fox";
char span[16] = "the quick", pbrk[16] = "the quick";
char cmp[16] = "ABCDEFGH";
char tok[16] = "a,bcdefg";
char num[16] = "123x4567";
const char *volatile needle = "brown", *volatile lower = "abxdefgh";

static void *writer(void *arg)
{
	(void)arg;
	text[16] = 'F';
	span[8] = 'K';
	pbrk[7] = 'C';
	cmp[6] = 'g';
	tok[5] = 'E';
	num[6] = '9';
	e2e_post(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	e2e_wait(1);
	char *save;
	int ok = strstr(text, needle) == text + 10 &&
	         strspn(span, "the") == 3 && strpbrk(pbrk, "q") == pbrk + 4 &&
	         strcasecmp(cmp, lower) < 0 && strtok_r(tok, ",", &save) == tok &&
	         strtol(num, &save, 10) == 123 && save == num + 3;
	pthread_join(t, NULL);
	return ok ? 0 : 1;
}
