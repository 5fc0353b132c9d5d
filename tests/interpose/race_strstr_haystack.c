/* race_strstr_haystack: strstr reads its haystack up to the match's end.
 * A thread writes a byte before the match while main searches with no
 * order: the write and strstr's read race. (A byte past the match would
 * not: norace_str_search_extent.)
 * expect-location: global text
 */
#include "e2e.h"

#include <pthread.h>
#include <string.h>

char text[32] = "the quick brown fox";
const char *volatile needle = "brown";
char *volatile found;

static void *editor(void *arg)
{
	(void)arg;
	text[4] = 'Q'; /* race */ /* prev: T1 write */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, editor, NULL);
	e2e_wait(1);
	found = strstr(text, needle); /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	return found == text + 10 ? 0 : 1;
}
