/*
 * context.c — goc_context: cancellation trees with deadlines and values
 * (Go's context package).
 *
 * Kinds: the static roots (background, todo), cancel contexts (with_cancel,
 * with_deadline, with_timeout: a done channel, an error, children) and value
 * contexts (a key and value; done/err/deadline come from the nearest cancel
 * ancestor). A cancel context registers itself in the children list of its
 * nearest cancel ancestor, so cancelling a context reaches every
 * descendant.
 *
 * Memory: refs counts the user's handle (dropped by goc_context_free), one
 * per child (a child keeps its parent chain alive), and one while a deadline
 * timer may still fire. The last reference frees the context and its done
 * channel. A children list holds no references: a child leaves it (under
 * the ancestor's lock) when it is cancelled or freed.
 *
 * Locks: each cancel context's mutex protects its err, children list and
 * timer, and the sibling links of the contexts in its list. Lock order:
 * ancestor before descendant is never needed: cancel takes its own lock,
 * detaches the children (with a reference each) onto a work list, unlocks,
 * then cancels them the same way, one at a time (no recursion, so the depth
 * of a tree costs no stack).
 * HB: cancel closes done (close → receive) and stores err under the lock
 * that err reads.
 */
#include "internal.h"

#include <stdlib.h>

enum ctx_kind { CTX_ROOT = 1, CTX_CANCEL, CTX_VALUE };

struct goc_context {
	_Atomic int refs;
	enum ctx_kind kind;
	goc_context *parent;       /* strong reference; NULL for roots */
	goc_mutex mu;              /* CTX_CANCEL */
	int err;                   /* mu */
	goc_chan *done;            /* CTX_CANCEL */
	goc_context *children;     /* mu */
	goc_context *sib_next, *sib_prev; /* in cancel_parent's list: its mu */
	goc_context *_Atomic cancel_parent; /* whose list we are in, or NULL */
	bool has_deadline;
	int64_t deadline;
	goc_timer *timer;          /* mu */
	const void *key;           /* CTX_VALUE */
	void *value;
};

static goc_context background = { .kind = CTX_ROOT };
static goc_context todo = { .kind = CTX_ROOT };

goc_context *goc_context_background(void)
{
	return &background;
}

goc_context *goc_context_todo(void)
{
	return &todo;
}

static void ref(goc_context *c)
{
	if (c->kind != CTX_ROOT)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
}

static void unref(goc_context *c)
{
	while (c != NULL && c->kind != CTX_ROOT) {
		/* acq_rel: the last reference sees every other user's writes */
		if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
			return;
		goc_context *parent = c->parent;
		goc_chan_free(c->done); /* NULL for value contexts: ignored */
		free(c);
		c = parent; /* drop the reference c held on its parent */
	}
}

/* The nearest ancestor-or-self that can be cancelled, or NULL. */
static goc_context *cancel_ancestor(goc_context *c)
{
	while (c != NULL && c->kind == CTX_VALUE)
		c = c->parent;
	return c != NULL && c->kind == CTX_CANCEL ? c : NULL;
}

static void unlink_child(goc_context *p, goc_context *c)
{
	if (c->sib_prev != NULL)
		c->sib_prev->sib_next = c->sib_next;
	else
		p->children = c->sib_next;
	if (c->sib_next != NULL)
		c->sib_next->sib_prev = c->sib_prev;
	c->sib_next = c->sib_prev = NULL;
	atomic_store_explicit(&c->cancel_parent, NULL, memory_order_relaxed);
}

/*
 * cancel_step cancels c alone, under its lock: sets err, closes done, takes
 * its timer (*t) and moves its children onto the work list *work (linked by
 * sib_next, which is ours once they are out of c's list), each with a
 * reference. Returns false if c was already canceled.
 */
static bool cancel_step(goc_context *c, int err, goc_context **work, goc_timer **t)
{
	goc_mutex_lock(&c->mu);
	if (c->err != 0) {
		goc_mutex_unlock(&c->mu);
		return false;
	}
	c->err = err;
	goc_chan_close(c->done);
	goc_context *k = c->children;
	c->children = NULL;
	while (k != NULL) {
		goc_context *next = k->sib_next;
		ref(k); /* keeps k alive until we have cancelled it */
		atomic_store_explicit(&k->cancel_parent, NULL, memory_order_relaxed);
		k->sib_prev = NULL;
		k->sib_next = *work;
		*work = k;
		k = next;
	}
	*t = c->timer;
	c->timer = NULL;
	goc_mutex_unlock(&c->mu);
	return true;
}

static void stop_timer(goc_context *c, goc_timer *t)
{
	if (t == NULL)
		return;
	bool stopped = goc_timer_stop(t);
	goc_timer_free(t);
	if (stopped)
		unref(c); /* the timer's reference: it will never fire */
}

/* Descendants are cancelled from a work list, not by recursion: a chain of
 * contexts may be deeper than a goroutine's stack has room for frames. */
static void cancel_impl(goc_context *c, int err)
{
	goc_context *work = NULL;
	goc_timer *t;
	if (!cancel_step(c, err, &work, &t))
		return;
	while (work != NULL) {
		goc_context *k = work;
		goc_timer *kt;
		work = k->sib_next;
		k->sib_next = NULL;
		if (cancel_step(k, err, &work, &kt))
			stop_timer(k, kt);
		unref(k);
	}
	/* Leave the ancestor's list (it is alive: we hold our parent chain). */
	goc_context *p = atomic_load_explicit(&c->cancel_parent, memory_order_relaxed);
	if (p != NULL) {
		goc_mutex_lock(&p->mu);
		if (atomic_load_explicit(&c->cancel_parent, memory_order_relaxed) == p)
			unlink_child(p, c);
		goc_mutex_unlock(&p->mu);
	}
	stop_timer(c, t);
}

static goc_context *new_ctx(goc_context *parent, enum ctx_kind kind)
{
	if (parent == NULL)
		parent = &background;
	goc_context *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	atomic_store_explicit(&c->refs, 1, memory_order_relaxed);
	c->kind = kind;
	c->parent = parent;
	ref(parent);
	return c;
}

/* Register cancel context c under its nearest cancel ancestor. */
static void propagate(goc_context *c)
{
	goc_context *p = cancel_ancestor(c->parent);
	if (p == NULL)
		return;
	goc_mutex_lock(&p->mu);
	int err = p->err;
	if (err == 0) {
		c->sib_next = p->children;
		if (p->children != NULL)
			p->children->sib_prev = c;
		p->children = c;
		atomic_store_explicit(&c->cancel_parent, p, memory_order_relaxed);
	}
	goc_mutex_unlock(&p->mu);
	if (err != 0)
		cancel_impl(c, err);
}

goc_context *goc_context_with_cancel(goc_context *parent)
{
	goc_context *c = new_ctx(parent, CTX_CANCEL);
	if (c == NULL)
		return NULL;
	c->done = goc_chan_new(0, 0);
	if (c->done == NULL) {
		unref(c);
		return NULL;
	}
	propagate(c);
	return c;
}

static void deadline_fire(void *arg)
{
	goc_context *c = arg;
	cancel_impl(c, GOC_EDEADLINE);
	unref(c); /* the timer's reference */
}

goc_context *goc_context_with_deadline(goc_context *parent, int64_t deadline)
{
	int64_t pd;
	if (goc_context_deadline(parent, &pd) && pd <= deadline)
		return goc_context_with_cancel(parent); /* the parent's comes first */
	goc_context *c = goc_context_with_cancel(parent);
	if (c == NULL)
		return NULL;
	c->has_deadline = true;
	c->deadline = deadline;
	int64_t left = deadline - goc_now();
	if (left <= 0) {
		cancel_impl(c, GOC_EDEADLINE);
		return c;
	}
	ref(c); /* for the timer */
	goc_mutex_lock(&c->mu);
	bool armed = false;
	if (c->err == 0) {
		c->timer = goc_after_func(left, deadline_fire, c);
		armed = c->timer != NULL;
	}
	goc_mutex_unlock(&c->mu);
	if (!armed)
		unref(c);
	return c;
}

goc_context *goc_context_with_timeout(goc_context *parent, int64_t ns)
{
	return goc_context_with_deadline(parent, goc_now() + ns);
}

goc_context *goc_context_with_value(goc_context *parent, const void *key, void *value)
{
	goc_context *c = new_ctx(parent, CTX_VALUE);
	if (c != NULL) {
		c->key = key;
		c->value = value;
	}
	return c;
}

void goc_context_cancel(goc_context *ctx)
{
	if (ctx != NULL && ctx->kind == CTX_CANCEL) {
		/* Closing done wakes goroutines that may free their handle at
		 * once, the caller's included: hold our own reference until the
		 * cancel has finished with ctx. */
		ref(ctx);
		cancel_impl(ctx, GOC_ECANCELED);
		unref(ctx);
	}
}

void goc_context_free(goc_context *ctx)
{
	if (ctx == NULL || ctx->kind == CTX_ROOT)
		return;
	goc_context_cancel(ctx);
	unref(ctx);
}

goc_chan *goc_context_done(goc_context *ctx)
{
	goc_context *a = cancel_ancestor(ctx);
	return a != NULL ? a->done : NULL;
}

int goc_context_err(goc_context *ctx)
{
	goc_context *a = cancel_ancestor(ctx);
	if (a == NULL)
		return 0;
	goc_mutex_lock(&a->mu);
	int err = a->err;
	goc_mutex_unlock(&a->mu);
	return err;
}

bool goc_context_deadline(goc_context *ctx, int64_t *deadline)
{
	for (goc_context *c = ctx; c != NULL; c = c->parent) {
		if (c->has_deadline) {
			if (deadline != NULL)
				*deadline = c->deadline;
			return true;
		}
	}
	return false;
}

void *goc_context_value(goc_context *ctx, const void *key)
{
	for (goc_context *c = ctx; c != NULL; c = c->parent)
		if (c->kind == CTX_VALUE && c->key == key)
			return c->value;
	return NULL;
}
