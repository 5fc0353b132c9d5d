/*
 * test_sched.c — tests for runtime/sched.c (and the stack cache it uses):
 * goroutine creation and ids, goc_yield's order and fairness, the goroutine
 * count, GOC_MAXPROCS and changing it at run time, blocking sections, and the
 * main thread and foreign pthreads blocking on channels shared with
 * goroutines.
 *
 * Run with GOC_MAXPROCS=1, 2 and 4 (tests/runtime/meson.build). Threads and
 * goroutines are ordered by channels, barriers and semaphores, never by
 * sleeping; every test ends with expect_no_leftovers().
 */
#include "testutil.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <time.h>

TestSuite(sched, .timeout = TEST_TIMEOUT_S);

/* ---- goroutines and ids ----------------------------------------------- */

Test(sched, main_thread_is_goroutine_1)
{
	cr_assert_eq(goc_id(), 1);
	cr_assert_eq(goc_id(), 1, "the main thread's id must be stable");
	expect_no_leftovers();
}

struct id_report {
	int idx;
	int64_t id;
};

struct id_arg {
	int idx;
	goc_chan *out;
};

static void report_id(void *p)
{
	struct id_arg *a = p;
	struct id_report r = {a->idx, goc_id()};
	goc_chan_send(a->out, &r);
}

Test(sched, go_returns_distinct_ids_that_the_goroutine_sees)
{
	enum { N = 100 };
	struct id_arg args[N];
	int64_t ids[N], seen[N];
	goc_chan *out = chan_or_fail(sizeof(struct id_report), 0);

	for (int i = 0; i < N; i++) {
		args[i] = (struct id_arg){i, out};
		ids[i] = go_or_fail(report_id, &args[i]);
		seen[i] = -1;
	}
	for (int i = 0; i < N; i++) {
		struct id_report r;
		cr_assert(goc_chan_recv(out, &r));
		cr_assert(r.idx >= 0 && r.idx < N);
		cr_assert_eq(seen[r.idx], -1, "goroutine %d reported twice", r.idx);
		seen[r.idx] = r.id;
	}
	for (int i = 0; i < N; i++) {
		cr_assert_eq(seen[i], ids[i], "goroutine %d: goc_id() %lld, goc_go returned %lld", i,
		             (long long)seen[i], (long long)ids[i]);
		cr_assert_gt(ids[i], 1, "goroutine id %lld collides with main's or is not positive",
		             (long long)ids[i]);
		for (int j = 0; j < i; j++)
			cr_assert_neq(ids[i], ids[j], "goroutines %d and %d share id %lld", i, j,
			              (long long)ids[i]);
	}
	goc_chan_free(out);
	expect_no_leftovers();
}

struct hb_arg {
	int data[256]; /* plain memory: written before goc_go, read by fn */
	goc_chan *out;
};

static void sum_data(void *p)
{
	struct hb_arg *a = p;
	long sum = 0;
	for (int i = 0; i < 256; i++)
		sum += a->data[i];
	goc_chan_send(a->out, &sum);
}

Test(sched, go_happens_before_fn_starts)
{
	enum { ROUNDS = 200 };
	static struct hb_arg args[ROUNDS];
	goc_chan *out = chan_or_fail(sizeof(long), ROUNDS);
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < 256; i++)
			args[r].data[i] = r + i;
		args[r].out = out;
		go_or_fail(sum_data, &args[r]);
	}
	long total = 0, want = 0;
	for (int r = 0; r < ROUNDS; r++) {
		long s;
		cr_assert(goc_chan_recv(out, &s));
		total += s;
		want += 256L * r + 255L * 256 / 2;
	}
	cr_assert_eq(total, want, "sum of data seen by goroutines %ld, written %ld", total, want);
	goc_chan_free(out);
	expect_no_leftovers();
}

/* ---- goc_yield ---------------------------------------------------------- */

enum { RR_GOROUTINES = 3, RR_ROUNDS = 50 };

struct rr_state {
	atomic_int next;
	int log[RR_GOROUTINES * RR_ROUNDS];
	int tag[RR_GOROUTINES];
	goc_chan *done;
};

static struct rr_state rr;

static void rr_worker(void *p)
{
	int tag = *(int *)p;
	for (int k = 0; k < RR_ROUNDS; k++) {
		int at = atomic_fetch_add_explicit(&rr.next, 1, memory_order_relaxed);
		rr.log[at] = tag;
		goc_yield();
	}
	goc_chan_send(rr.done, NULL);
}

/* Spawns the workers from a goroutine so that, on one worker, all three are
 * runnable before any of them runs. */
static void rr_starter(void *p)
{
	(void)p;
	for (int i = 0; i < RR_GOROUTINES; i++) {
		rr.tag[i] = i;
		goc_go(rr_worker, &rr.tag[i]);
	}
}

Test(sched, yield_round_robins_runnable_goroutines_on_one_worker)
{
	int old = goc_set_maxprocs(1);
	cr_assert_gt(old, 0);
	rr.done = chan_or_fail(0, RR_GOROUTINES);
	go_or_fail(rr_starter, NULL);
	for (int i = 0; i < RR_GOROUTINES; i++)
		cr_assert(goc_chan_recv(rr.done, NULL));
	cr_assert_eq(atomic_load(&rr.next), RR_GOROUTINES * RR_ROUNDS);

	/* The first round is some permutation; every later entry repeats the
	 * entry one round earlier: a yielding goroutine goes behind every other
	 * runnable one. */
	bool in_first[RR_GOROUTINES] = {false};
	for (int j = 0; j < RR_GOROUTINES; j++) {
		cr_assert(rr.log[j] >= 0 && rr.log[j] < RR_GOROUTINES);
		cr_assert(!in_first[rr.log[j]], "goroutine %d ran twice in the first round",
		          rr.log[j]);
		in_first[rr.log[j]] = true;
	}
	for (int j = RR_GOROUTINES; j < RR_GOROUTINES * RR_ROUNDS; j++)
		cr_assert_eq(rr.log[j], rr.log[j - RR_GOROUTINES],
		             "run %d was goroutine %d, expected %d (round-robin broken)", j,
		             rr.log[j], rr.log[j - RR_GOROUTINES]);
	goc_set_maxprocs(old);
	goc_chan_free(rr.done);
	expect_no_leftovers();
}

struct spin_state {
	atomic_int arrived;
	int n;
	goc_chan *done;
};

/* Arrives, then yields until everyone has arrived: finishes only if yield
 * lets the other goroutines (more than there are workers) run. */
static void spin_until_all_arrived(void *p)
{
	struct spin_state *s = p;
	atomic_fetch_add_explicit(&s->arrived, 1, memory_order_relaxed);
	int64_t deadline = goc_now() + TEST_WAIT_LIMIT;
	int ok = 1;
	while (atomic_load_explicit(&s->arrived, memory_order_relaxed) < s->n) {
		goc_yield();
		if (goc_now() > deadline) {
			ok = 0;
			break;
		}
	}
	goc_chan_send(s->done, &ok);
}

Test(sched, yield_lets_more_goroutines_than_workers_progress)
{
	struct spin_state s = {.n = 2 * goc_maxprocs() + 1};
	atomic_init(&s.arrived, 0);
	s.done = chan_or_fail(sizeof(int), (size_t)s.n);
	for (int i = 0; i < s.n; i++)
		go_or_fail(spin_until_all_arrived, &s);
	for (int i = 0; i < s.n; i++) {
		int ok;
		cr_assert(goc_chan_recv(s.done, &ok));
		cr_assert_eq(ok, 1, "a yielding goroutine never saw the others arrive");
	}
	cr_assert_eq(atomic_load(&s.arrived), s.n);
	goc_chan_free(s.done);
	expect_no_leftovers();
}

/* ---- goc_num_goroutine and the goroutine count ----------------------- */

struct gate_arg {
	goc_chan *gate;
	goc_chan *done;
};

static void wait_gate(void *p)
{
	struct gate_arg *a = p;
	bool ok = goc_chan_recv(a->gate, NULL);
	goc_chan_send(a->done, &ok);
}

Test(sched, num_goroutine_counts_main_and_live_goroutines)
{
	enum { N = 50 };
	cr_assert_eq(goc_num_goroutine(), 1, "only the main thread should be live");
	struct gate_arg a = {chan_or_fail(0, 0), chan_or_fail(sizeof(bool), N)};
	for (int i = 0; i < N; i++)
		go_or_fail(wait_gate, &a);
	/* None can finish before the gate closes. */
	cr_assert_eq(goc_num_goroutine(), N + 1);
	goc_stats st;
	goc_read_stats(&st);
	cr_assert_eq(st.goroutines, N);
	cr_assert_eq(st.stacks_in_use, N);

	goc_chan_close(a.gate);
	for (int i = 0; i < N; i++) {
		bool ok = true;
		cr_assert(goc_chan_recv(a.done, &ok));
		cr_assert(!ok, "gate receive must return false after close");
	}
	expect_no_leftovers();
	cr_assert_eq(goc_num_goroutine(), 1);
	goc_chan_free(a.gate);
	goc_chan_free(a.done);
}

/* ---- GOC_MAXPROCS ------------------------------------------------------- */

Test(sched, maxprocs_comes_from_GOC_MAXPROCS)
{
	const char *env = getenv("GOC_MAXPROCS");
	int want = env != NULL ? atoi(env) : (int)sysconf(_SC_NPROCESSORS_ONLN);
	cr_assert_eq(goc_maxprocs(), want, "goc_maxprocs() %d, GOC_MAXPROCS %s", goc_maxprocs(),
	             env != NULL ? env : "(unset)");
	expect_no_leftovers();
}

Test(sched, set_maxprocs_returns_previous_and_rejects_out_of_range)
{
	int old = goc_maxprocs();
	cr_assert_eq(goc_set_maxprocs(3), old);
	cr_assert_eq(goc_maxprocs(), 3);
	cr_assert_eq(goc_set_maxprocs(0), GOC_EINVAL);
	cr_assert_eq(goc_set_maxprocs(-1), GOC_EINVAL);
	cr_assert_eq(goc_set_maxprocs(257), GOC_EINVAL);
	cr_assert_eq(goc_maxprocs(), 3, "a rejected value must not change maxprocs");
	cr_assert_eq(goc_set_maxprocs(256), 3);
	cr_assert_eq(goc_maxprocs(), 256);
	cr_assert_eq(goc_set_maxprocs(1), 256);
	cr_assert_eq(goc_set_maxprocs(old), 1);
	cr_assert_eq(goc_maxprocs(), old);
	expect_no_leftovers();
}

enum { CHURN_G = 64, CHURN_ITERS = 200 };

struct churn_arg {
	int count; /* owned by the goroutine until it sends on done */
	goc_chan *done;
};

static void churn(void *p)
{
	struct churn_arg *a = p;
	for (int i = 0; i < CHURN_ITERS; i++) {
		a->count++;
		goc_yield();
	}
	goc_chan_send(a->done, &a->count);
}

Test(sched, set_maxprocs_while_goroutines_run_loses_none)
{
	static struct churn_arg args[CHURN_G];
	static const int sizes[] = {1, 4, 2, 3, 1, 2};
	int old = goc_maxprocs();
	goc_chan *done = chan_or_fail(sizeof(int), CHURN_G);
	for (int i = 0; i < CHURN_G; i++) {
		args[i] = (struct churn_arg){0, done};
		go_or_fail(churn, &args[i]);
	}
	/* Change the size while they run; after each change, wait for one of
	 * them to finish so the changes are spread over their lifetime. */
	int received = 0;
	long total = 0;
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		goc_set_maxprocs(sizes[k]);
		cr_assert_eq(goc_maxprocs(), sizes[k]);
		int c;
		cr_assert(goc_chan_recv(done, &c));
		total += c;
		received++;
	}
	goc_set_maxprocs(old);
	for (; received < CHURN_G; received++) {
		int c;
		cr_assert(goc_chan_recv(done, &c));
		total += c;
	}
	cr_assert_eq(total, (long)CHURN_G * CHURN_ITERS);
	for (int i = 0; i < CHURN_G; i++)
		cr_assert_eq(args[i].count, CHURN_ITERS);
	goc_chan_free(done);
	expect_no_leftovers();
}

struct par_state {
	atomic_int running;
	atomic_int max_running;
	atomic_int arrived;
	int need; /* for spin_until_peer */
	goc_chan *done;
};

/* Busy for 2 ms without yielding, noting how many run at once. */
static void busy_and_count(void *p)
{
	struct par_state *s = p;
	int now = atomic_fetch_add(&s->running, 1) + 1;
	int max = atomic_load(&s->max_running);
	while (now > max && !atomic_compare_exchange_weak(&s->max_running, &max, now))
		;
	int64_t until = goc_now() + 2 * GOC_MILLISECOND;
	while (goc_now() < until)
		;
	atomic_fetch_sub(&s->running, 1);
	goc_chan_send(s->done, NULL);
}

Test(sched, maxprocs_1_runs_one_goroutine_at_a_time)
{
	enum { N = 4 };
	int old = goc_set_maxprocs(1);
	struct par_state s = {.done = chan_or_fail(0, N)};
	for (int i = 0; i < N; i++)
		go_or_fail(busy_and_count, &s);
	for (int i = 0; i < N; i++)
		cr_assert(goc_chan_recv(s.done, NULL));
	cr_assert_eq(atomic_load(&s.max_running), 1,
	             "%d goroutines ran at once with maxprocs 1", atomic_load(&s.max_running));
	goc_set_maxprocs(old);
	goc_chan_free(s.done);
	expect_no_leftovers();
}

/* Spins, never yielding, until `need` goroutines have arrived: finishes only
 * if they run in parallel on different workers. */
static void spin_until_peer(void *p)
{
	struct par_state *s = p;
	atomic_fetch_add(&s->arrived, 1);
	int64_t deadline = goc_now() + TEST_WAIT_LIMIT;
	int ok = 1;
	while (atomic_load(&s->arrived) < s->need) {
		if (goc_now() > deadline) {
			ok = 0;
			break;
		}
	}
	goc_chan_send(s->done, &ok);
}

Test(sched, raising_maxprocs_runs_goroutines_in_parallel)
{
	int old = goc_set_maxprocs(1);
	cr_assert_eq(goc_set_maxprocs(2), 1);
	struct par_state s = {.need = 2, .done = chan_or_fail(sizeof(int), 2)};
	go_or_fail(spin_until_peer, &s);
	go_or_fail(spin_until_peer, &s);
	for (int i = 0; i < 2; i++) {
		int ok;
		cr_assert(goc_chan_recv(s.done, &ok));
		cr_assert_eq(ok, 1, "two non-yielding goroutines never ran at the same time "
		                    "with maxprocs 2");
	}
	goc_set_maxprocs(old);
	goc_chan_free(s.done);
	expect_no_leftovers();
}

/* ---- blocking sections ------------------------------------------------ */

struct blocking_state {
	sem_t sem;
	atomic_int inside;
	goc_chan *done;
};

static void block_in_kernel(void *p)
{
	struct blocking_state *s = p;
	goc_blocking_begin();
	atomic_fetch_add(&s->inside, 1);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += TEST_WAIT_LIMIT / GOC_SECOND;
	int rc;
	while ((rc = sem_timedwait(&s->sem, &ts)) != 0 && errno == EINTR)
		;
	int err = rc == 0 ? 0 : errno;
	goc_blocking_end();
	goc_chan_send(s->done, &err);
}

static void post_all(void *p)
{
	struct blocking_state *s = p;
	for (int i = 0; i < goc_maxprocs(); i++)
		sem_post(&s->sem);
	int zero = 0;
	goc_chan_send(s->done, &zero);
}

Test(sched, blocking_section_hands_the_worker_to_other_goroutines)
{
	struct blocking_state s;
	int m = goc_maxprocs();
	cr_assert_eq(sem_init(&s.sem, 0, 0), 0);
	atomic_init(&s.inside, 0);
	s.done = chan_or_fail(sizeof(int), (size_t)m + 1);
	/* Occupy every worker with a goroutine blocked in the kernel... */
	for (int i = 0; i < m; i++)
		go_or_fail(block_in_kernel, &s);
	int64_t deadline = goc_now() + TEST_WAIT_LIMIT;
	while (atomic_load(&s.inside) < m && goc_now() < deadline)
		sched_yield();
	cr_assert_eq(atomic_load(&s.inside), m);
	/* ...then a goroutine that only runs if they handed their workers off. */
	go_or_fail(post_all, &s);
	for (int i = 0; i < m + 1; i++) {
		int err;
		cr_assert(goc_chan_recv(s.done, &err));
		cr_assert_eq(err, 0, "sem_timedwait failed (%s): the poster never ran while "
		                     "every worker was inside goc_blocking_begin/end",
		             strerror(err));
	}
	sem_destroy(&s.sem);
	goc_chan_free(s.done);
	expect_no_leftovers();
}

static void post_one(void *p)
{
	sem_post((sem_t *)p);
}

Test(sched, main_thread_may_use_a_blocking_section)
{
	sem_t sem;
	cr_assert_eq(sem_init(&sem, 0, 0), 0);
	go_or_fail(post_one, &sem);
	goc_blocking_begin();
	int rc = sem_wait(&sem);
	goc_blocking_end();
	cr_assert_eq(rc, 0);
	/* goc works normally after the section. */
	goc_chan *c = chan_or_fail(sizeof(int), 1);
	int v = 5, w = 0;
	goc_chan_send(c, &v);
	cr_assert(goc_chan_recv(c, &w));
	cr_assert_eq(w, 5);
	goc_chan_free(c);
	sem_destroy(&sem);
	expect_no_leftovers();
}

/* ---- the main thread and foreign threads on shared channels ------------ */

/* A foreign thread takes part in the deadlock check only once it has called
 * into goc (goc.h). start_known_thread returns after the new thread has done
 * so, so the main thread may block on a channel right away. */
struct known_thread {
	void *(*fn)(void *);
	void *arg;
	sem_t known;
};

static void *known_thread_main(void *p)
{
	struct known_thread *k = p;
	void *(*fn)(void *) = k->fn;
	void *arg = k->arg;
	(void)goc_id();
	sem_post(&k->known);
	return fn(arg);
}

static void start_known_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
	struct known_thread k = {.fn = fn, .arg = arg};
	cr_assert_eq(sem_init(&k.known, 0, 0), 0);
	cr_assert_eq(pthread_create(th, NULL, known_thread_main, &k), 0);
	while (sem_wait(&k.known) != 0 && errno == EINTR)
		;
	sem_destroy(&k.known);
}

struct pingpong {
	goc_chan *ping, *pong;
	int n;
	int bad; /* replies that were not request + 1 */
};

static void echo_plus_one(void *p)
{
	struct pingpong *pp = p;
	for (int i = 0; i < pp->n; i++) {
		int v;
		if (!goc_chan_recv(pp->ping, &v))
			return;
		v++;
		goc_chan_send(pp->pong, &v);
	}
}

Test(sched, main_thread_ping_pongs_with_a_goroutine)
{
	struct pingpong pp = {chan_or_fail(sizeof(int), 0), chan_or_fail(sizeof(int), 0), 10000, 0};
	go_or_fail(echo_plus_one, &pp);
	for (int i = 0; i < pp.n; i++) {
		int v = i * 3, r = -1;
		goc_chan_send(pp.ping, &v);
		cr_assert(goc_chan_recv(pp.pong, &r));
		cr_assert_eq(r, i * 3 + 1, "round %d: got %d", i, r);
	}
	goc_chan_free(pp.ping);
	goc_chan_free(pp.pong);
	expect_no_leftovers();
}

struct thread_ids {
	pthread_barrier_t *bar;
	int64_t first, second;
};

static void *thread_report_id(void *p)
{
	struct thread_ids *t = p;
	t->first = goc_id();
	pthread_barrier_wait(t->bar); /* main counts us */
	pthread_barrier_wait(t->bar); /* main is done counting */
	t->second = goc_id();
	return NULL;
}

Test(sched, foreign_threads_get_stable_distinct_ids_and_are_counted)
{
	enum { T = 3 };
	pthread_barrier_t bar;
	pthread_t th[T];
	struct thread_ids ids[T];
	cr_assert_eq(pthread_barrier_init(&bar, NULL, T + 1), 0);
	for (int i = 0; i < T; i++) {
		ids[i] = (struct thread_ids){&bar, 0, 0};
		cr_assert_eq(pthread_create(&th[i], NULL, thread_report_id, &ids[i]), 0);
	}
	pthread_barrier_wait(&bar);
	int64_t live = goc_num_goroutine();
	goc_stats st;
	goc_read_stats(&st);
	pthread_barrier_wait(&bar);
	for (int i = 0; i < T; i++)
		pthread_join(th[i], NULL);

	cr_assert_eq(live, 1 + T, "num_goroutine %lld with main and %d known threads",
	             (long long)live, T);
	cr_assert_eq(st.threads, 1 + T, "stats.threads %lld", (long long)st.threads);
	cr_assert_eq(st.goroutines, 0, "threads are not goroutines on stacks");
	for (int i = 0; i < T; i++) {
		cr_assert_gt(ids[i].first, 1, "thread %d got id %lld", i, (long long)ids[i].first);
		cr_assert_eq(ids[i].first, ids[i].second, "thread %d's id changed", i);
		for (int j = 0; j < i; j++)
			cr_assert_neq(ids[i].first, ids[j].first, "threads %d and %d share an id", i, j);
	}
	/* Exited threads are no longer "currently known". */
	int64_t deadline = goc_now() + TEST_WAIT_LIMIT;
	while (goc_num_goroutine() != 1 && goc_now() < deadline)
		goc_yield();
	cr_assert_eq(goc_num_goroutine(), 1, "exited foreign threads are still counted");
	pthread_barrier_destroy(&bar);
	expect_no_leftovers();
}

struct relay {
	goc_chan *to_thread, *from_thread, *result;
	int n;
};

/* Foreign thread: doubles what the goroutine sends. */
static void *thread_doubler(void *p)
{
	struct relay *r = p;
	for (int i = 0; i < r->n; i++) {
		int v;
		if (!goc_chan_recv(r->to_thread, &v))
			break;
		v *= 2;
		goc_chan_send(r->from_thread, &v);
	}
	return NULL;
}

static void goroutine_asks_thread(void *p)
{
	struct relay *r = p;
	int bad = 0;
	for (int i = 0; i < r->n; i++) {
		int v = i, w = -1;
		goc_chan_send(r->to_thread, &v);
		if (!goc_chan_recv(r->from_thread, &w) || w != 2 * i)
			bad++;
	}
	goc_chan_send(r->result, &bad);
}

Test(sched, foreign_thread_and_goroutine_exchange_values)
{
	struct relay r = {chan_or_fail(sizeof(int), 0), chan_or_fail(sizeof(int), 0),
	                  chan_or_fail(sizeof(int), 0), 10000};
	pthread_t th;
	start_known_thread(&th, thread_doubler, &r);
	go_or_fail(goroutine_asks_thread, &r);
	int bad = -1;
	cr_assert(goc_chan_recv(r.result, &bad)); /* main blocks on a channel too */
	pthread_join(th, NULL);
	cr_assert_eq(bad, 0, "%d wrong replies from the foreign thread", bad);
	goc_chan_free(r.to_thread);
	goc_chan_free(r.from_thread);
	goc_chan_free(r.result);
	expect_no_leftovers();
}

enum { MIX_PRODUCERS = 3, MIX_CONSUMERS = 2, MIX_PER = 5000 };

struct mix {
	goc_chan *c;        /* the shared channel, cap 4 */
	goc_chan *done;     /* producer goroutines report here */
	goc_chan *consumed; /* consumer goroutines report counts here */
	atomic_int seen[2 * MIX_PRODUCERS * MIX_PER];
};

struct mix_arg {
	struct mix *m;
	int base;
	int count; /* for consumer threads */
};

static void produce(struct mix *m, int base)
{
	for (int i = 0; i < MIX_PER; i++) {
		int v = base + i;
		goc_chan_send(m->c, &v);
	}
}

static int consume(struct mix *m)
{
	int v, n = 0;
	while (goc_chan_recv(m->c, &v)) {
		atomic_fetch_add(&m->seen[v], 1);
		n++;
	}
	return n;
}

static void *thread_producer(void *p)
{
	struct mix_arg *a = p;
	produce(a->m, a->base);
	return NULL;
}

static void *thread_consumer(void *p)
{
	struct mix_arg *a = p;
	a->count = consume(a->m);
	return NULL;
}

static void goroutine_producer(void *p)
{
	struct mix_arg *a = p;
	produce(a->m, a->base);
	goc_chan_send(a->m->done, NULL);
}

static void goroutine_consumer(void *p)
{
	struct mix_arg *a = p;
	int n = consume(a->m);
	goc_chan_send(a->m->consumed, &n);
}

Test(sched, threads_and_goroutines_share_a_buffered_channel)
{
	static struct mix m;
	struct mix_arg prod[2 * MIX_PRODUCERS], cons[2 * MIX_CONSUMERS];
	pthread_t pth[MIX_PRODUCERS], cth[MIX_CONSUMERS];
	m.c = chan_or_fail(sizeof(int), 4);
	m.done = chan_or_fail(0, MIX_PRODUCERS);
	m.consumed = chan_or_fail(sizeof(int), MIX_CONSUMERS);
	for (int i = 0; i < 2 * MIX_PRODUCERS * MIX_PER; i++)
		atomic_init(&m.seen[i], 0);

	for (int i = 0; i < MIX_CONSUMERS; i++) {
		cons[i] = (struct mix_arg){&m, 0, 0};
		start_known_thread(&cth[i], thread_consumer, &cons[i]);
		cons[MIX_CONSUMERS + i] = (struct mix_arg){&m, 0, 0};
		go_or_fail(goroutine_consumer, &cons[MIX_CONSUMERS + i]);
	}
	for (int i = 0; i < MIX_PRODUCERS; i++) {
		prod[i] = (struct mix_arg){&m, i * MIX_PER, 0};
		start_known_thread(&pth[i], thread_producer, &prod[i]);
		prod[MIX_PRODUCERS + i] = (struct mix_arg){&m, (MIX_PRODUCERS + i) * MIX_PER, 0};
		go_or_fail(goroutine_producer, &prod[MIX_PRODUCERS + i]);
	}
	for (int i = 0; i < MIX_PRODUCERS; i++) {
		cr_assert(goc_chan_recv(m.done, NULL));
		pthread_join(pth[i], NULL);
	}
	goc_chan_close(m.c);
	long total = 0;
	for (int i = 0; i < MIX_CONSUMERS; i++) {
		int n;
		cr_assert(goc_chan_recv(m.consumed, &n));
		total += n;
		pthread_join(cth[i], NULL);
		total += cons[i].count;
	}
	cr_assert_eq(total, 2L * MIX_PRODUCERS * MIX_PER);
	for (int i = 0; i < 2 * MIX_PRODUCERS * MIX_PER; i++)
		cr_assert_eq(atomic_load(&m.seen[i]), 1, "value %d received %d times", i,
		             atomic_load(&m.seen[i]));
	goc_chan_free(m.c);
	goc_chan_free(m.done);
	goc_chan_free(m.consumed);
	expect_no_leftovers();
}

struct thread_select {
	goc_chan *a, *b;
	int idx, val;
	bool ok;
};

static void *thread_selects(void *p)
{
	struct thread_select *t = p;
	int va = -1, vb = -1;
	bool oka = false, okb = false;
	goc_select_case cs[2] = {GOC_RECV(t->a, &va, &oka), GOC_RECV(t->b, &vb, &okb)};
	t->idx = goc_select(cs, 2);
	t->val = t->idx == 0 ? va : vb;
	t->ok = t->idx == 0 ? oka : okb;
	return NULL;
}

static void send_seven(void *p)
{
	int v = 7;
	goc_chan_send((goc_chan *)p, &v);
}

Test(sched, foreign_thread_blocks_in_select_until_a_goroutine_sends)
{
	struct thread_select t = {chan_or_fail(sizeof(int), 0), chan_or_fail(sizeof(int), 0), -2,
	                          -1, false};
	pthread_t th;
	start_known_thread(&th, thread_selects, &t);
	go_or_fail(send_seven, t.b);
	pthread_join(th, NULL);
	cr_assert_eq(t.idx, 1);
	cr_assert_eq(t.val, 7);
	cr_assert(t.ok);
	goc_chan_free(t.a);
	goc_chan_free(t.b);
	expect_no_leftovers();
}

/* ---- names and stacks ------------------------------------------------- */

Test(sched, go_named_shows_the_name_in_the_dump)
{
	static const char long_name[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
	struct gate_arg a = {chan_or_fail(0, 0), chan_or_fail(sizeof(bool), 2)};
	int64_t g1 = goc_go_named("ticket-sorter", wait_gate, &a);
	int64_t g2 = goc_go_named(long_name, wait_gate, &a);
	cr_assert_gt(g1, 0);
	cr_assert_gt(g2, 0);
	wait_until_blocked(g1, "chan receive");
	wait_until_blocked(g2, "chan receive");
	char *d = test_dump();
	cr_assert_not_null(d);
	char *b1 = dump_block(d, g1), *b2 = dump_block(d, g2);
	cr_assert_not_null(b1);
	cr_assert_not_null(b2);
	cr_assert_not_null(strstr(b1, "ticket-sorter"), "name missing from:\n%s", b1);
	cr_assert_not_null(strstr(b2, "abcdefghijklmnopqrstuvwxyz01234"),
	                   "first 31 bytes of the name missing from:\n%s", b2);
	cr_assert_null(strstr(b2, "abcdefghijklmnopqrstuvwxyz012345"),
	               "more than 31 bytes of the name kept:\n%s", b2);
	free(b1);
	free(b2);
	free(d);
	goc_chan_close(a.gate);
	for (int i = 0; i < 2; i++)
		cr_assert(goc_chan_recv(a.done, NULL));
	goc_chan_free(a.gate);
	goc_chan_free(a.done);
	expect_no_leftovers();
}

Test(sched, default_stack_is_64k)
{
	goc_stats st;
	goc_read_stats(&st);
	if (getenv("GOC_STACK_SIZE") == NULL)
		cr_assert_eq(st.stack_size, 64 * 1024, "stack_size %lld", (long long)st.stack_size);
	else
		cr_assert_geq(st.stack_size, atoll(getenv("GOC_STACK_SIZE")));
	expect_no_leftovers();
}

static void use_32k_of_stack(void *p)
{
	volatile unsigned char buf[32 * 1024];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)i;
	long sum = 0;
	for (size_t i = 0; i < sizeof buf; i++)
		sum += buf[i];
	goc_chan_send((goc_chan *)p, &sum);
}

Test(sched, goroutine_can_use_half_of_its_stack)
{
	goc_chan *c = chan_or_fail(sizeof(long), 0);
	go_or_fail(use_32k_of_stack, c);
	long sum = 0;
	cr_assert(goc_chan_recv(c, &sum));
	cr_assert_eq(sum, 128L * (255 * 256 / 2), "sum %ld", sum); /* 128 x (0+...+255) */
	goc_chan_free(c);
	expect_no_leftovers();
}

static void send_nothing(void *p)
{
	goc_chan_send((goc_chan *)p, NULL);
}

/* Starts and joins one goroutine at a time, n times. */
static void one_at_a_time(goc_chan *c, int n)
{
	for (int i = 0; i < n; i++) {
		go_or_fail(send_nothing, c);
		cr_assert(goc_chan_recv(c, NULL));
	}
}

Test(sched, stacks_of_finished_goroutines_are_reused)
{
	/* Without reuse, 4000 goroutines run one after the other would leave
	 * 4000 stacks behind; with it, only what the caches hold. */
	enum { ROUNDS = 4000, BOUND = 512 };
	goc_chan *c = chan_or_fail(0, 0);
	goc_stats st;
	one_at_a_time(c, ROUNDS);
	expect_no_leftovers();
	goc_read_stats(&st);
	int64_t total = st.stacks_cached + st.stacks_in_use;
	cr_assert_gt(total, 0, "no stack kept for reuse");
	cr_assert_leq(total, BOUND, "%lld stacks kept after %d goroutines ran one at a time",
	              (long long)total, ROUNDS);
	goc_chan_free(c);
}
