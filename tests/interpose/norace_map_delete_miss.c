/* norace_map_delete_miss: libgoc's Map orders a delete before a load that
 * then finds the key absent, as Go's sync.Map does. A writer goroutine
 * writes plain data and deletes "k"; a reader goroutine spins until its
 * load misses "k", then reads the data. The map is their only edge.
 * Regression: a miss used to acquire nothing, so goc-race reported the
 * reader's read racing with the writer's write. */
#include <goc/goc.h>
#include <stdio.h>

static goc_map *m;
static int data;
static goc_waitgroup wg;

static void writer(void *arg)
{
	(void)arg;
	data = 42;
	goc_map_delete(m, "k", 1);
	goc_waitgroup_done(&wg);
}

static void reader(void *arg)
{
	(void)arg;
	while (goc_map_load(m, "k", 1, NULL))
		goc_yield();
	if (data != 42)
		printf("saw %d\n", data);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	m = goc_map_new();
	goc_map_store(m, "k", 1, NULL);
	goc_waitgroup_add(&wg, 2);
	goc_go(reader, NULL);
	goc_go(writer, NULL);
	goc_waitgroup_wait(&wg);
	goc_map_free(m);
	return 0;
}
