/*
 * test_errgroup.c — tests for runtime/errgroup.c: wait returns once every
 * task has returned (their plain writes visible), and returns the first
 * error; the group's context is canceled by the first error, by wait even
 * without errors, and by its parent; the limit is never exceeded (a
 * max-running count), go blocks at the limit and try_go refuses; a limit of
 * 0 admits nothing, a negative one lifts it, and it may be changed once wait
 * has returned. Changing it while tasks run is in test_fatal.c.
 *
 * Goroutines are put in a known blocked state with wait_until_blocked, never
 * by sleeping. Every test ends with expect_no_leftovers().
 */
#include "testutil.h"

#include <stdatomic.h>

TestSuite(errgroup, .timeout = TEST_TIMEOUT_S);

static goc_errgroup *group_or_fail(goc_errgroup *g)
{
	cr_assert_not_null(g, "goc_errgroup_new/with_context returned NULL");
	return g;
}

/* What the tasks of one test share. */
struct tasks {
	atomic_int running, max_running, finished;
	goc_chan *in;        /* a gated task says it started (NULL: does not) */
	goc_chan *gate;      /* a gated task returns once this is closed */
	goc_context *ctx;    /* the group's context, for tasks that watch it */
	int slot[200];       /* plain: task i writes slot[i] */
};

struct task_arg {
	struct tasks *t;
	int i;
	int result;
};

static int enter(struct task_arg *a)
{
	int now = atomic_fetch_add(&a->t->running, 1) + 1;
	note_max(&a->t->max_running, now);
	return now;
}

static int leave(struct task_arg *a)
{
	atomic_fetch_sub(&a->t->running, 1);
	atomic_fetch_add(&a->t->finished, 1);
	return a->result;
}

/* Writes its slot, yields a few times (so others overlap), returns result. */
static int busy_task(void *p)
{
	struct task_arg *a = p;
	enter(a);
	a->t->slot[a->i] = a->i + 1;
	for (int k = 0; k < 3; k++)
		goc_yield();
	return leave(a);
}

/* Says it started, then waits for the gate. */
static int gated_task(void *p)
{
	struct task_arg *a = p;
	enter(a);
	if (a->t->in != NULL)
		goc_chan_send(a->t->in, NULL);
	goc_chan_recv(a->t->gate, NULL);
	return leave(a);
}

/* Waits until the group's context is canceled. */
static int watch_ctx_task(void *p)
{
	struct task_arg *a = p;
	enter(a);
	goc_chan_recv(goc_context_done(a->t->ctx), NULL);
	return leave(a);
}

/* ---- wait and errors ---------------------------------------------------------- */

Test(errgroup, wait_with_no_tasks_returns_0)
{
	goc_errgroup *g = group_or_fail(goc_errgroup_new());
	cr_assert_eq(goc_errgroup_wait(g), 0);
	cr_assert_eq(goc_errgroup_wait(g), 0, "a second wait");
	goc_errgroup_free(g);
	goc_errgroup_free(NULL);
	expect_no_leftovers();
}

Test(errgroup, wait_returns_after_every_task_returned_and_sees_their_writes)
{
	enum { N = 200 };
	static struct tasks t;
	static struct task_arg a[N];
	t = (struct tasks){0};
	goc_errgroup *g = group_or_fail(goc_errgroup_new());
	for (int i = 0; i < N; i++) {
		a[i] = (struct task_arg){&t, i, 0};
		goc_errgroup_go(g, busy_task, &a[i]);
	}
	cr_assert_eq(goc_errgroup_wait(g), 0);
	cr_assert_eq(atomic_load(&t.finished), N, "wait returned after %d of %d tasks",
	             atomic_load(&t.finished), N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(t.slot[i], i + 1, "task %d's write not seen after wait", i);
	goc_errgroup_free(g);
	expect_no_leftovers();
}

Test(errgroup, wait_returns_the_first_error)
{
	enum { LATER = 3, OK = 4 };
	static struct tasks t;
	struct task_arg first, later[LATER], ok[OK];
	t = (struct tasks){0};
	goc_errgroup *g = group_or_fail(goc_errgroup_with_context(NULL, &t.ctx));
	cr_assert_not_null(t.ctx);
	/* The later failures return only once the first has canceled ctx. */
	for (int i = 0; i < LATER; i++) {
		later[i] = (struct task_arg){&t, i, 22 + i};
		goc_errgroup_go(g, watch_ctx_task, &later[i]);
	}
	for (int i = 0; i < OK; i++) {
		ok[i] = (struct task_arg){&t, LATER + i, 0};
		goc_errgroup_go(g, busy_task, &ok[i]);
	}
	first = (struct task_arg){&t, LATER + OK, 11};
	goc_errgroup_go(g, busy_task, &first);
	int err = goc_errgroup_wait(g);
	cr_assert_eq(err, 11, "wait returned %d, not the first error", err);
	cr_assert_eq(atomic_load(&t.finished), 1 + LATER + OK);
	goc_errgroup_free(g);
	expect_no_leftovers();
}

Test(errgroup, a_group_without_context_still_returns_an_error)
{
	static struct tasks t;
	struct task_arg a[3];
	t = (struct tasks){0};
	goc_errgroup *g = group_or_fail(goc_errgroup_new());
	for (int i = 0; i < 3; i++) {
		a[i] = (struct task_arg){&t, i, i == 1 ? -5 : 0};
		goc_errgroup_go(g, busy_task, &a[i]);
	}
	cr_assert_eq(goc_errgroup_wait(g), -5, "a negative result is an error too");
	goc_errgroup_free(g);
	expect_no_leftovers();
}

/* ---- the group's context -------------------------------------------------------- */

Test(errgroup, the_first_error_cancels_the_context_before_wait)
{
	static struct tasks t;
	struct task_arg watcher, failer;
	t = (struct tasks){0};
	goc_errgroup *g = group_or_fail(goc_errgroup_with_context(goc_context_background(), &t.ctx));
	cr_assert_eq(goc_context_err(t.ctx), 0);
	watcher = (struct task_arg){&t, 0, 0};
	goc_errgroup_go(g, watch_ctx_task, &watcher);
	failer = (struct task_arg){&t, 1, 3};
	goc_errgroup_go(g, busy_task, &failer);
	cr_assert(!goc_chan_recv(goc_context_done(t.ctx), NULL), "done must close, not deliver");
	cr_assert_eq(goc_context_err(t.ctx), GOC_ECANCELED);
	cr_assert_eq(goc_errgroup_wait(g), 3);
	goc_errgroup_free(g);
	expect_no_leftovers();
}

Test(errgroup, wait_cancels_the_context_even_without_errors)
{
	enum { N = 4 };
	static struct tasks t;
	struct task_arg a[N];
	t = (struct tasks){.in = chan_or_fail(0, N), .gate = chan_or_fail(0, 0)};
	goc_errgroup *g = group_or_fail(goc_errgroup_with_context(goc_context_background(), &t.ctx));
	for (int i = 0; i < N; i++) {
		a[i] = (struct task_arg){&t, i, 0};
		goc_errgroup_go(g, gated_task, &a[i]);
	}
	join(t.in, N);
	cr_assert_eq(goc_context_err(t.ctx), 0, "canceled while every task still runs");
	goc_chan_close(t.gate);
	cr_assert_eq(goc_errgroup_wait(g), 0);
	cr_assert_eq(goc_context_err(t.ctx), GOC_ECANCELED, "wait did not cancel the context");
	goc_errgroup_free(g);
	goc_chan_free(t.in);
	goc_chan_free(t.gate);
	expect_no_leftovers();
}

Test(errgroup, canceling_the_parent_cancels_the_groups_context)
{
	static struct tasks t;
	struct task_arg a = {&t, 0, 0};
	t = (struct tasks){0};
	goc_context *parent = goc_context_with_cancel(goc_context_background());
	cr_assert_not_null(parent);
	goc_errgroup *g = group_or_fail(goc_errgroup_with_context(parent, &t.ctx));
	goc_errgroup_go(g, watch_ctx_task, &a);
	goc_context_cancel(parent);
	cr_assert_eq(goc_errgroup_wait(g), 0);
	cr_assert_eq(goc_context_err(t.ctx), GOC_ECANCELED);
	goc_errgroup_free(g);
	goc_context_free(parent);
	expect_no_leftovers();
}

/* ---- limits ---------------------------------------------------------------------- */

Test(errgroup, the_limit_is_never_exceeded)
{
	enum { N = 120, LIMIT = 3 };
	static struct tasks t;
	static struct task_arg a[N];
	t = (struct tasks){0};
	goc_errgroup *g = group_or_fail(goc_errgroup_new());
	goc_errgroup_set_limit(g, LIMIT);
	for (int i = 0; i < N; i++) {
		a[i] = (struct task_arg){&t, i, 0};
		goc_errgroup_go(g, busy_task, &a[i]); /* blocks while 3 run */
	}
	cr_assert_eq(goc_errgroup_wait(g), 0);
	cr_assert_leq(atomic_load(&t.max_running), LIMIT, "%d tasks ran at once, limit %d",
	              atomic_load(&t.max_running), LIMIT);
	cr_assert_eq(atomic_load(&t.finished), N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(t.slot[i], i + 1);
	goc_errgroup_free(g);
	expect_no_leftovers();
}

struct spawner {
	goc_errgroup *g;
	struct task_arg *a;
	goc_chan *done;
};

static void spawn_one(void *p)
{
	struct spawner *s = p;
	goc_errgroup_go(s->g, gated_task, s->a);
	goc_chan_send(s->done, NULL);
}

Test(errgroup, go_blocks_at_the_limit_and_try_go_refuses)
{
	enum { LIMIT = 2 };
	static struct tasks t;
	struct task_arg a[LIMIT + 2];
	t = (struct tasks){.in = chan_or_fail(0, LIMIT + 2), .gate = chan_or_fail(0, 0)};
	goc_chan *spawned = chan_or_fail(0, 1);
	goc_errgroup *g = group_or_fail(goc_errgroup_new());
	goc_errgroup_set_limit(g, LIMIT);
	for (int i = 0; i < LIMIT + 2; i++)
		a[i] = (struct task_arg){&t, i, 0};
	cr_assert(goc_errgroup_try_go(g, gated_task, &a[0]), "try_go under the limit");
	goc_errgroup_go(g, gated_task, &a[1]);
	join(t.in, LIMIT); /* both run */
	cr_assert(!goc_errgroup_try_go(g, gated_task, &a[2]), "try_go at the limit started a task");
	struct spawner s = {g, &a[3], spawned};
	wait_until_blocked(go_or_fail(spawn_one, &s), "semacquire");
	cr_assert_eq(atomic_load(&t.running), LIMIT);
	goc_chan_close(t.gate);
	join(spawned, 1);
	cr_assert_eq(goc_errgroup_wait(g), 0);
	cr_assert_eq(atomic_load(&t.finished), LIMIT + 1, "a refused task ran");
	cr_assert_eq(atomic_load(&t.max_running), LIMIT);
	goc_errgroup_free(g);
	goc_chan_free(t.in);
	goc_chan_free(t.gate);
	goc_chan_free(spawned);
	expect_no_leftovers();
}

Test(errgroup, a_limit_of_0_admits_nothing_and_a_negative_one_lifts_it)
{
	enum { N = 20 };
	static struct tasks t;
	struct task_arg a[N];
	t = (struct tasks){.in = chan_or_fail(0, N), .gate = chan_or_fail(0, 0)};
	goc_errgroup *g = group_or_fail(goc_errgroup_new());
	for (int i = 0; i < N; i++)
		a[i] = (struct task_arg){&t, i, 0};
	goc_errgroup_set_limit(g, 0);
	cr_assert(!goc_errgroup_try_go(g, gated_task, &a[0]), "limit 0 admitted a task");
	goc_errgroup_set_limit(g, -1);
	for (int i = 0; i < N; i++)
		cr_assert(goc_errgroup_try_go(g, gated_task, &a[i]), "no limit, try_go %d refused", i);
	join(t.in, N); /* all N run at once */
	cr_assert_eq(atomic_load(&t.running), N);
	goc_chan_close(t.gate);
	cr_assert_eq(goc_errgroup_wait(g), 0);
	goc_errgroup_free(g);
	goc_chan_free(t.in);
	goc_chan_free(t.gate);
	expect_no_leftovers();
}

Test(errgroup, the_limit_may_change_once_wait_has_returned)
{
	static struct tasks t;
	static struct task_arg a[40];
	t = (struct tasks){0};
	goc_errgroup *g = group_or_fail(goc_errgroup_new());
	goc_errgroup_set_limit(g, 1);
	for (int i = 0; i < 20; i++) {
		a[i] = (struct task_arg){&t, i, 0};
		goc_errgroup_go(g, busy_task, &a[i]);
	}
	cr_assert_eq(goc_errgroup_wait(g), 0);
	cr_assert_eq(atomic_load(&t.max_running), 1);
	goc_errgroup_set_limit(g, 4); /* nothing active: allowed */
	for (int i = 20; i < 40; i++) {
		a[i] = (struct task_arg){&t, i, 0};
		goc_errgroup_go(g, busy_task, &a[i]);
	}
	cr_assert_eq(goc_errgroup_wait(g), 0);
	cr_assert_leq(atomic_load(&t.max_running), 4);
	cr_assert_eq(atomic_load(&t.finished), 40);
	goc_errgroup_free(g);
	expect_no_leftovers();
}
