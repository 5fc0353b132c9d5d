/* norace_goc_waitgroup: every Done happens before the Wait it releases
 * returns. Two goroutines each write their own variable, then call Done;
 * main reads and writes both after Wait. */
#include <goc/goc.h>

static goc_waitgroup wg;
int a, b;

static void set_a(void *arg)
{
	(void)arg;
	a = 1;
	goc_waitgroup_done(&wg);
}

static void set_b(void *arg)
{
	(void)arg;
	b = 2;
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 2);
	goc_go(set_a, NULL);
	goc_go(set_b, NULL);
	goc_waitgroup_wait(&wg);
	int sum = a + b;
	a = b = 0;
	return sum == 3 ? 0 : 1;
}
