/* norace_goc_go: everything before goc_go happens before the goroutine
 * starts, from the main thread and from a goroutine alike. Main writes a,
 * then starts a child that reads a, writes b and starts a grandchild that
 * reads b. Nothing else orders them (the waitgroup only orders the end). */
#include <goc/goc.h>

static goc_waitgroup wg;
int a, b, seen_a, seen_b;

static void grandchild(void *arg)
{
	(void)arg;
	seen_b = b;
	b = 0;
	goc_waitgroup_done(&wg);
}

static void child(void *arg)
{
	(void)arg;
	seen_a = a;
	a = 0;
	b = 2;
	goc_go(grandchild, NULL);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 2);
	a = 1;
	goc_go(child, NULL);
	goc_waitgroup_wait(&wg);
	return seen_a == 1 && seen_b == 2 ? 0 : 1;
}
