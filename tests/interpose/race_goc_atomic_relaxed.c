/* race_goc_atomic_relaxed: a relaxed store and load of a flag give
 * atomicity only, no happens-before edge (docs/atomics.md). A goroutine
 * writes data and sets the flag relaxed; another spins until it sees the
 * flag (so its read comes after the write in time) and reads data: a race
 * (norace_goc_atomic_acqrel is the release/acquire twin).
 * expect-location: global data
 */
#include <goc/goc.h>
#include <stdatomic.h>

static atomic_int flag;
static goc_waitgroup wg;
int data, seen;

static void writer(void *arg)
{
	(void)arg;
	data = 42; /* race */ /* prev: G3 write */
	atomic_store_explicit(&flag, 1, memory_order_relaxed); /* no edge: see above */
	goc_waitgroup_done(&wg);
}

static void reader(void *arg)
{
	(void)arg;
	while (atomic_load_explicit(&flag, memory_order_relaxed) == 0) /* no edge */
		goc_yield();
	seen = data; /* race */ /* cur: G2 read */
	goc_waitgroup_done(&wg);
}

int main(void)
{
	goc_waitgroup_add(&wg, 2);
	goc_go(reader, NULL);
	goc_go(writer, NULL);
	goc_waitgroup_wait(&wg);
	return 0;
}
