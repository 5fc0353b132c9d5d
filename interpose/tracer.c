/*
 * tracer.c — libgoc's tracer table (goc.h "Detector interface"), turned
 * into detector events, so goroutines, channels, select and every sync
 * primitive of libgoc carry the happens-before edges of DESIGN.md.
 *
 * Goroutines are det_threads of kind goroutine, created in go_create on
 * the parent's side (with the goc_go call site as creation stack) and made
 * current on whatever worker runs them: go_stack/go_start when they first
 * run (forgetting the reused stack's old shadow), go_switch each time a
 * worker resumes one, and back to the worker's own det_thread whenever
 * the worker's scheduler takes over (go_switch to 0, before the goroutine
 * can be resumed elsewhere; and already at a park), but not in
 * goc_blocking_begin/end, where the goroutine goes on running on its
 * thread. So a goroutine moving between workers is just a switch of the
 * current det_thread, and never current on two threads at once.
 *
 * Edges: libgoc reports them as Go's race annotations (acquire, release,
 * release-merge, release-acquire on an address: per channel slot for
 * buffered channels, the channel for close and unbuffered hand-offs, the
 * primitive for mutex, rwmutex, waitgroup, once, semaphore, map and pool)
 * and names the goroutine each applies to, which may be the partner of the
 * calling one. Channel send and close are also accesses of the channel
 * (a read and a write), so a send racing with close is a race, as in Go.
 *
 * Thread goroutines: the main thread and foreign threads that call into
 * goc get goroutine ids too. The first event naming such an id on a
 * thread whose own det_thread has no id yet binds the two (libgoc reports a
 * thread's block before anyone can name it as a partner).
 *
 * Table: goroutine id → det_thread, a chained hash with a lock per bucket.
 */
#include "internal.h"

#include <dlfcn.h>
#include <link.h>
#include <goc/goc.h>

#define BUCKETS 4096

typedef struct gnode gnode;
struct gnode {
	int64_t id;
	det_thread *t;
	gnode *next;
};

static struct {
	pthread_mutex_t lock; /* the real pthread mutex: taken with ignore raised */
	gnode *head;
} table[BUCKETS];

static __thread int64_t home_gid __attribute__((tls_model("initial-exec")));

static size_t bucket(int64_t id)
{
	return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ull) >> 52) & (BUCKETS - 1);
}

static void put(int64_t id, det_thread *t)
{
	gnode *n = __libc_malloc(sizeof *n);
	if (n == NULL)
		return;
	size_t b = bucket(id);
	n->id = id;
	n->t = t;
	pthread_mutex_lock(&table[b].lock);
	n->next = table[b].head;
	table[b].head = n;
	pthread_mutex_unlock(&table[b].lock);
}

static det_thread *get(int64_t id, bool remove)
{
	size_t b = bucket(id);
	det_thread *t = NULL;
	gnode *dead = NULL;
	pthread_mutex_lock(&table[b].lock);
	for (gnode **pp = &table[b].head; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			t = (*pp)->t;
			if (remove) {
				dead = *pp;
				*pp = dead->next;
			}
			break;
		}
	pthread_mutex_unlock(&table[b].lock);
	__libc_free(dead);
	return t;
}

/* The det_thread of goroutine id; binds a thread goroutine on first sight. */
static det_thread *thread_of(int64_t id)
{
	det_thread *t = id != 0 ? get(id, false) : NULL;
	if (t != NULL)
		return t;
	det_thread *home = gocrace_home();
	if (home == NULL)
		home = gocrace_thr_slow();
	if (id != 0 && home_gid == 0) {
		home_gid = id;
		put(id, home);
	}
	return home;
}

/* Every hook: nothing before init or inside the runtime (an access-ignore
 * region drops on_access alone); detector calls with the guard raised. */
#define HOOK_BEGIN                                                           \
	if (!gocrace_ready || (gocrace_ignore & GOCRACE_GUARD) != 0)             \
		return;                                                              \
	gocrace_guard()
#define HOOK_END gocrace_unguard()

static void on_go_create(int64_t parent, int64_t child, const void *pc)
{
	HOOK_BEGIN;
	det_thread *p = thread_of(parent);
	det_ctx at = det_ctx_current(p, (uintptr_t)pc);
	det_thread *c = det_thread_create(p, DET_KIND_GOROUTINE, child, at);
	put(child, c);
	HOOK_END;
}

static void on_go_stack(int64_t g, const void *lo, size_t size)
{
	HOOK_BEGIN;
	det_thread *t = get(g, false);
	if (t != NULL)
		det_thread_start(t, (uintptr_t)lo, size);
	HOOK_END;
}

static void on_go_start(int64_t g)
{
	HOOK_BEGIN;
	det_thread *t = get(g, false);
	if (t != NULL)
		det_set_current(t);
	HOOK_END;
}

static void on_go_exit(int64_t g)
{
	HOOK_BEGIN;
	det_thread *t = get(g, true);
	if (t != NULL) {
		det_thread_finish(t);
		det_thread_release_ref(t);
	}
	det_set_current(gocrace_home());
	HOOK_END;
}

static void on_go_switch(int64_t from, int64_t to)
{
	(void)from;
	HOOK_BEGIN;
	det_thread *t = get(to, false);
	det_set_current(t != NULL ? t : gocrace_home());
	HOOK_END;
}

static void on_block(int64_t g, goc_wait_reason why, const void *obj)
{
	(void)obj;
	/* goc_blocking_begin: the goroutine goes on running on this thread
	 * (its worker is handed off), so its events stay its own, as Go's
	 * race context stays with a goroutine in a system call. */
	if (why == GOC_WAIT_BLOCKING)
		return;
	HOOK_BEGIN;
	det_thread *t = thread_of(g);
	/* A goroutine parks: its worker runs the scheduler next. */
	if (t != gocrace_home())
		det_set_current(gocrace_home());
	HOOK_END;
}

static void on_sync(int64_t g, goc_sync_op op, const void *addr)
{
	HOOK_BEGIN;
	det_thread *t = thread_of(g);
	switch (op) {
	case GOC_SYNC_ACQUIRE:
		det_acquire(t, (uintptr_t)addr);
		break;
	case GOC_SYNC_RELEASE:
		det_release(t, (uintptr_t)addr);
		break;
	case GOC_SYNC_RELEASE_MERGE:
		det_release_merge(t, (uintptr_t)addr);
		break;
	case GOC_SYNC_RELEASE_ACQUIRE:
		det_release_acquire(t, (uintptr_t)addr);
		break;
	}
	HOOK_END;
}

static void on_access(int64_t g, const void *addr, size_t size, bool write, const void *pc)
{
	HOOK_BEGIN;
	if (!gocrace_in_region())
		det_access(thread_of(g), (uintptr_t)addr, size, (uintptr_t)pc,
		           write ? DET_WRITE : DET_READ);
	HOOK_END;
}

static const goc_tracer tracer = {
	.size = sizeof(goc_tracer),
	.go_create = on_go_create,
	.go_start = on_go_start,
	.go_exit = on_go_exit,
	.go_switch = on_go_switch,
	.block = on_block,
	.sync = on_sync,
	.access = on_access,
	.go_stack = on_go_stack,
};

uintptr_t gocrace_libgoc_lo, gocrace_libgoc_hi;

/* Finds the executable segment of the object that defines goc_tracer_install. */
static int find_libgoc_text(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	uintptr_t fn = (uintptr_t)arg;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		uintptr_t hi = lo + ph->p_memsz;
		if (fn >= lo && fn < hi) {
			gocrace_libgoc_lo = lo;
			gocrace_libgoc_hi = hi;
			return 1;
		}
	}
	return 0;
}

void gocrace_tracer_install(void)
{
	for (size_t i = 0; i < BUCKETS; i++)
		pthread_mutex_init(&table[i].lock, NULL);
	const goc_tracer *(*install)(const goc_tracer *) =
		(const goc_tracer *(*)(const goc_tracer *))dlsym(RTLD_DEFAULT, "goc_tracer_install");
	if (install != NULL) {
		dl_iterate_phdr(find_libgoc_text, (void *)(uintptr_t)install);
		install(&tracer);
	}
}
