/* norace_goc_map_store_load: a goc_map store happens before a load that
 * observes the stored value (Go's sync.Map). A goroutine fills a record,
 * then stores its address under "k"; main loads until it finds it, then
 * reads and writes the record. (norace_map_delete_miss checks the delete
 * edge.) */
#include <goc/goc.h>

typedef struct record {
	int a, b;
} record;

static goc_map *m;
static goc_waitgroup wg;
static record rec;

static void publisher(void *arg)
{
	(void)arg;
	rec.a = 1;
	rec.b = 2;
	goc_map_store(m, "k", 1, &rec);
	goc_waitgroup_done(&wg);
}

int main(void)
{
	m = goc_map_new();
	goc_waitgroup_add(&wg, 1);
	goc_go(publisher, NULL);
	void *v = NULL;
	while (!goc_map_load(m, "k", 1, &v))
		goc_yield();
	record *r = v;
	int sum = r->a + r->b;
	r->a = 0;
	goc_waitgroup_wait(&wg);
	goc_map_free(m);
	return sum == 3 ? 0 : 1;
}
