/*
 * errgroup.c — goc_errgroup: goroutines working on subtasks of one task
 * (golang.org/x/sync/errgroup).
 *
 * A waitgroup counts running tasks; the first non-zero result is kept
 * (under mu) and cancels the group's context. A limit is a weighted
 * semaphore of that many units, one per running task. `active` counts
 * tasks started and not finished, so changing the limit under running tasks
 * can be refused as Go does.
 * HB: go → task start (goc_go); task return → wait return (the waitgroup's
 * done/wait edge).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

struct goc_errgroup {
	goc_waitgroup wg;
	goc_mutex mu;
	int err;              /* mu: first failure */
	goc_context *ctx;     /* owned; NULL for goc_errgroup_new */
	bool limited;
	goc_sem sem;          /* when limited */
	_Atomic int64_t active;
};

struct task {
	goc_errgroup *g;
	goc_task fn;
	void *arg;
};

goc_errgroup *goc_errgroup_new(void)
{
	return calloc(1, sizeof(goc_errgroup));
}

goc_errgroup *goc_errgroup_with_context(goc_context *parent, goc_context **ctx)
{
	goc_errgroup *g = goc_errgroup_new();
	if (g == NULL)
		return NULL;
	g->ctx = goc_context_with_cancel(parent);
	if (g->ctx == NULL) {
		free(g);
		return NULL;
	}
	*ctx = g->ctx;
	return g;
}

void goc_errgroup_set_limit(goc_errgroup *g, int n)
{
	int64_t active = atomic_load_explicit(&g->active, memory_order_relaxed);
	if (active != 0) {
		char msg[96];
		snprintf(msg, sizeof(msg),
				"errgroup: modify limit while %lld goroutines in the group are still active",
				(long long)active);
		goc__panic(msg);
	}
	g->limited = n >= 0;
	if (g->limited && goc_sem_init(&g->sem, n > 0 ? n : 1) == 0 && n == 0)
		goc_sem_tryacquire(&g->sem, 1); /* a limit of 0 admits nothing */
}

static void run(void *arg)
{
	struct task *t = arg;
	goc_errgroup *g = t->g;
	int err = t->fn(t->arg);
	if (err != 0) {
		goc_mutex_lock(&g->mu);
		bool first = g->err == 0;
		if (first)
			g->err = err;
		goc_mutex_unlock(&g->mu);
		if (first && g->ctx != NULL)
			goc_context_cancel(g->ctx);
	}
	free(t);
	if (g->limited)
		goc_sem_release(&g->sem, 1);
	atomic_fetch_sub_explicit(&g->active, 1, memory_order_relaxed);
	goc_waitgroup_done(&g->wg);
}

static void start(goc_errgroup *g, goc_task fn, void *arg)
{
	struct task *t = malloc(sizeof(*t));
	if (t == NULL)
		goc__throw("out of memory starting an errgroup task");
	*t = (struct task){ g, fn, arg };
	atomic_fetch_add_explicit(&g->active, 1, memory_order_relaxed);
	goc_waitgroup_add(&g->wg, 1);
	if (goc_go(run, t) < 0)
		goc__throw("out of memory starting an errgroup task");
}

void goc_errgroup_go(goc_errgroup *g, goc_task fn, void *arg)
{
	if (g->limited)
		goc_sem_acquire(&g->sem, 1);
	start(g, fn, arg);
}

bool goc_errgroup_try_go(goc_errgroup *g, goc_task fn, void *arg)
{
	if (g->limited && !goc_sem_tryacquire(&g->sem, 1))
		return false;
	start(g, fn, arg);
	return true;
}

int goc_errgroup_wait(goc_errgroup *g)
{
	goc_waitgroup_wait(&g->wg);
	if (g->ctx != NULL)
		goc_context_cancel(g->ctx);
	goc_mutex_lock(&g->mu);
	int err = g->err;
	goc_mutex_unlock(&g->mu);
	return err;
}

void goc_errgroup_free(goc_errgroup *g)
{
	if (g == NULL)
		return;
	goc_context_free(g->ctx);
	free(g);
}
