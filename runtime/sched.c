/*
 * sched.c — the M:N scheduler: goroutine creation and exit, park/ready,
 * worker threads (Ms) and processors (Ps), work stealing, blocking-section
 * handoff, GOC_MAXPROCS changes, thread Gs, and the global deadlock check.
 *
 * Model (Go's): a worker M runs goroutines only while it holds a P. Its
 * scheduler loop runs on the M's own thread stack ("g0"); a goroutine that
 * blocks, yields or exits switches to g0, which finishes the job (drops the
 * wait-queue lock, queues the G, frees it) and picks the next G:
 * runnext/local ring, the global queue every 61st tick or when the ring is
 * empty, then stealing from other Ps. An M that finds nothing gives its P
 * back and sleeps on its note; wakep() starts or wakes one spinning M when a
 * G becomes runnable and a P is idle.
 *
 * Threads that are not workers (the main thread, foreign pthreads) have a
 * "thread G" and block by parking on a futex in it (thread_park).
 *
 * Locks: sched.lock protects the global queue, idle P and M lists, M counts
 * and thread counts (see struct goc__sched). An M's own fields are owned by
 * that M; a G's by whoever runs it, handed over by the run queues.
 *
 * Deadlock check (checkdead, under sched.lock, when an M goes idle or a
 * thread parks): no M runs goroutines, none is in a blocking section, every
 * thread G is parked, no G is queued and no timer is pending — then nothing
 * can ever wake anything: "all goroutines are asleep". Threads that never
 * called goc are invisible to it, as C threads are to Go's check.
 *
 * HB: goc_go → child start (tracer go_create before the child is queued);
 * ready() after the waker's writes, through the run queue or park_key
 * (release/acquire).
 */
#include "internal.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct goc__sched goc__sched = { .lock = GOC_LOCK_INIT };
_Atomic int64_t goc__ngoroutines;

static __thread goc__g *tls_g __attribute__((tls_model("initial-exec")));
static __thread goc__m *tls_m __attribute__((tls_model("initial-exec")));
static __thread bool tls_internal __attribute__((tls_model("initial-exec")));
static __thread uint64_t tls_rand __attribute__((tls_model("initial-exec")));

static _Atomic int64_t next_goid = 2; /* 1 is the main thread */
static goc__g main_g;
static pthread_key_t thread_key;
static goc__lock_t allg_lock = GOC_LOCK_INIT;
static goc__g *allg_head;

static void wakep(void);
static void stopm(goc__m *m);
static bool checkdead_locked(void);
static void globrunqput_locked(goc__g *g);

goc__g *goc__getg(void)
{
	return tls_g;
}

goc__m *goc__getm(void)
{
	return tls_m;
}

GOC_NOINLINE static void set_tls_g(goc__g *g)
{
	tls_g = g;
}

void goc__set_internal_thread(void)
{
	tls_internal = true;
}

uint32_t goc__fastrand(void)
{
	uint64_t x = tls_rand;
	if (x == 0)
		x = (uint64_t)goc__nanotime() ^ (uint64_t)(uintptr_t)&x ^ 0x9e3779b97f4a7c15ULL;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	tls_rand = x;
	return (uint32_t)(x >> 32);
}

/* ------------------------------------------------------------------ allg */

void goc__allg_lock(void)
{
	goc__lock(&allg_lock);
}

void goc__allg_unlock(void)
{
	goc__unlock(&allg_lock);
}

goc__g *goc__allg_first(void)
{
	return allg_head;
}

void goc__allg_add(goc__g *g)
{
	goc__lock(&allg_lock);
	g->allprev = NULL;
	g->allnext = allg_head;
	if (allg_head != NULL)
		allg_head->allprev = g;
	allg_head = g;
	goc__unlock(&allg_lock);
}

void goc__allg_remove(goc__g *g)
{
	goc__lock(&allg_lock);
	if (g->allprev != NULL)
		g->allprev->allnext = g->allnext;
	else
		allg_head = g->allnext;
	if (g->allnext != NULL)
		g->allnext->allprev = g->allprev;
	goc__unlock(&allg_lock);
}

/* ------------------------------------------------------------- thread Gs */

static void register_thread_g(goc__g *g, int64_t id)
{
	g->is_thread = true;
	g->id = id;
	g->tid = goc__gettid();
	g->pthread = pthread_self();
	g->park_ctx = calloc(1, sizeof(unw_context_t));
	g->tsan_fiber = goc__tsan_fiber_current();
	atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
	goc__lock(&goc__sched.lock);
	goc__sched.nthreads++;
	goc__unlock(&goc__sched.lock);
	goc__allg_add(g);
	set_tls_g(g);
}

static void thread_g_destroy(void *arg)
{
	goc__g *g = arg;
	goc__lock(&goc__sched.lock);
	goc__sched.nthreads--;
	goc__unlock(&goc__sched.lock);
	goc__allg_remove(g);
	free(g->park_ctx);
	free(g);
}

goc__g *goc__curg(void)
{
	goc__g *g = goc__getg();
	if (GOC_LIKELY(g != NULL))
		return g;
	if (goc__getm() != NULL || tls_internal)
		return NULL; /* a worker's scheduler context, or the timer thread */
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		goc__throw("out of memory registering a thread");
	register_thread_g(g, atomic_fetch_add_explicit(&next_goid, 1, memory_order_relaxed));
	pthread_setspecific(thread_key, g);
	return g;
}

/* A thread goroutine's futex sleep (key is 2 while it sleeps). The main
 * thread and foreign threads are the ones that take signals (the
 * runtime's own threads block them all), and under ThreadSanitizer a
 * signal that lands outside a call TSan intercepts is deferred until the
 * thread's next one, which a futex wait is not: a main thread that took
 * SIGQUIT just before sleeping would hold the dump back until it woke (a
 * minute, for goc_sleep(60 s)). So in a TSan build the sleep lasts at
 * most 50 ms and ends with an intercepted call, which runs a deferred
 * handler; the caller loops on its key, as on any spurious wakeup. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define THREAD_SLEEP_SLICE_NS (50 * 1000 * 1000)
#endif
#endif

static void thread_sleep(_Atomic uint32_t *key)
{
#ifdef THREAD_SLEEP_SLICE_NS
	goc__futex_wait(key, 2, THREAD_SLEEP_SLICE_NS);
	(void)goc__nanotime(); /* intercepted (clock_gettime) */
#else
	goc__futex_wait(key, 2, -1);
#endif
}

/* Park a thread G on its futex. Kept out of line so that the context
 * captured here stays valid (this frame is live) while the thread sleeps. */
GOC_NOINLINE static void thread_park(goc__g *g, bool (*unlockf)(void *), void *arg)
{
	atomic_store_explicit(&g->park_key, 0, memory_order_relaxed);
	atomic_store_explicit(&g->status, G_WAITING, memory_order_relaxed);
	unw_getcontext((unw_context_t *)g->park_ctx);
	goc__lock(&goc__sched.lock);
	goc__sched.nthreads_parked++;
	bool dead = checkdead_locked();
	goc__unlock(&goc__sched.lock);
	if (dead)
		goc__fatal_deadlock();
	if (unlockf != NULL && !unlockf(arg)) {
		goc__lock(&goc__sched.lock);
		goc__sched.nthreads_parked--;
		goc__unlock(&goc__sched.lock);
		atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
		return;
	}
	/* A goroutine partner usually answers within microseconds: spin a
	 * little before paying for a futex sleep and wakeup (not with one
	 * worker: the partner needs this CPU). */
	if (atomic_load_explicit(&goc__sched.gomaxprocs, memory_order_relaxed) > 1) {
		int64_t until = goc__nanotime() + 4000;
		while (atomic_load_explicit(&g->park_key, memory_order_acquire) == 0 &&
		       goc__nanotime() < until)
			__builtin_ia32_pause();
	}
	/* 0 → 2 announces a futex sleeper, so thread_wake only makes the
	 * system call when someone sleeps. acquire: pairs with the exchange in
	 * thread_wake. */
	uint32_t key = 0;
	while (atomic_load_explicit(&g->park_key, memory_order_acquire) != 1) {
		key = 0;
		if (atomic_compare_exchange_strong_explicit(&g->park_key, &key, 2,
				memory_order_acquire, memory_order_acquire) || key == 2)
			thread_sleep(&g->park_key);
	}
	atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
}

static void thread_wake(goc__g *g)
{
	/* Count the thread awake before it can run, so that checkdead never
	 * sees it parked after a wakeup. */
	goc__lock(&goc__sched.lock);
	goc__sched.nthreads_parked--;
	goc__unlock(&goc__sched.lock);
	/* release: pairs with the acquire loads in thread_park */
	if (atomic_exchange_explicit(&g->park_key, 1, memory_order_acq_rel) == 2)
		goc__futex_wake(&g->park_key, 1);
}

/* -------------------------------------------------------- P and M lists */

static void pidleput(goc__p *p)
{
	atomic_store_explicit(&p->status, P_IDLE, memory_order_relaxed);
	p->m = NULL;
	p->link = goc__sched.pidle;
	goc__sched.pidle = p;
	atomic_fetch_add_explicit(&goc__sched.npidle, 1, memory_order_relaxed);
}

static goc__p *pidleget(void)
{
	goc__p *p = goc__sched.pidle;
	if (p != NULL) {
		goc__sched.pidle = p->link;
		atomic_fetch_sub_explicit(&goc__sched.npidle, 1, memory_order_relaxed);
	}
	return p;
}

/* Take a specific P off the idle list; false if it is not there. */
static bool pidleremove(goc__p *want)
{
	for (goc__p **pp = &goc__sched.pidle; *pp != NULL; pp = &(*pp)->link) {
		if (*pp == want) {
			*pp = want->link;
			atomic_fetch_sub_explicit(&goc__sched.npidle, 1, memory_order_relaxed);
			return true;
		}
	}
	return false;
}

static void acquirep(goc__m *m, goc__p *p)
{
	m->p = p;
	p->m = m;
	atomic_store_explicit(&p->status, P_RUNNING, memory_order_relaxed);
}

static goc__p *palloc(int id)
{
	goc__p *p = aligned_alloc(64, sizeof(goc__p));
	if (p == NULL)
		goc__throw("out of memory allocating a P");
	memset(p, 0, sizeof(*p));
	p->id = id;
	atomic_store_explicit(&p->status, P_DEAD, memory_order_relaxed);
	return p;
}

/* Resize the P set; sched.lock held. */
static void procresize_locked(int n)
{
	int nallp = atomic_load_explicit(&goc__sched.nallp, memory_order_relaxed);
	for (int i = nallp; i < n; i++)
		goc__sched.allp[i] = palloc(i);
	if (n > nallp)
		atomic_store_explicit(&goc__sched.nallp, n, memory_order_release);
	for (int i = 0; i < n; i++)
		if (atomic_load_explicit(&goc__sched.allp[i]->status, memory_order_relaxed) == P_DEAD)
			pidleput(goc__sched.allp[i]);
	for (int i = n; i < atomic_load_explicit(&goc__sched.nallp, memory_order_relaxed); i++) {
		goc__p *p = goc__sched.allp[i];
		if (atomic_load_explicit(&p->status, memory_order_relaxed) == P_IDLE && pidleremove(p))
			atomic_store_explicit(&p->status, P_DEAD, memory_order_relaxed);
	}
	atomic_store_explicit(&goc__sched.gomaxprocs, n, memory_order_relaxed);
}

static void mput(goc__m *m)
{
	m->schedlink = goc__sched.midle;
	goc__sched.midle = m;
	goc__sched.nmidle++;
}

static goc__m *mget(void)
{
	goc__m *m = goc__sched.midle;
	if (m != NULL) {
		goc__sched.midle = m->schedlink;
		goc__sched.nmidle--;
	}
	return m;
}

/* ------------------------------------------------------------ switching */

static void execute(goc__m *m, goc__g *g);
static void schedule(goc__m *m) GOC_NORETURN;

/* Switch from goroutine g to its M's scheduler context. Not instrumented by
 * TSan: the fiber switch must not be followed by a func_exit. */
GOC_NO_TSAN GOC_NOINLINE
static void switch_to_g0(goc__g *g, goc__m *m)
{
	goc__check_sp(g, __builtin_frame_address(0));
	if (m->tsan_fiber != NULL)
		goc__tsan_fiber_switch(m->tsan_fiber);
	goc__ctx_switch(&g->sp, m->g0_sp);
}

GOC_NO_TSAN GOC_NOINLINE
static void switch_to_g(goc__m *m, goc__g *g)
{
	if (g->tsan_fiber != NULL)
		goc__tsan_fiber_switch(g->tsan_fiber);
	goc__ctx_switch(&m->g0_sp, g->sp);
}

static void *mstart(void *arg)
{
	goc__m *m = arg;
	tls_m = m;
	m->tid = goc__gettid();
	m->tsan_fiber = goc__tsan_fiber_current();
	/* An alternate signal stack, so a guard-page hit can be reported. */
	size_t sz = 64 * 1024;
	m->sigstack = malloc(sz);
	if (m->sigstack != NULL) {
		stack_t ss = { .ss_sp = m->sigstack, .ss_size = sz, .ss_flags = 0 };
		sigaltstack(&ss, NULL);
	}
	/* newm started us with every signal blocked, so that the program's
	 * signals go to its own threads. A fault is synchronous, and the
	 * kernel does not queue one that is blocked: it unblocks it, resets its
	 * handler to SIG_DFL for the whole process and kills it. So faults must
	 * be deliverable here, where goroutines run, or a guard-page hit dies
	 * as a bare SIGSEGV instead of reaching dump.c (Go unblocks the same
	 * five on its Ms). */
	sigset_t faults;
	sigemptyset(&faults);
	sigaddset(&faults, SIGSEGV);
	sigaddset(&faults, SIGBUS);
	sigaddset(&faults, SIGFPE);
	sigaddset(&faults, SIGILL);
	sigaddset(&faults, SIGTRAP);
	pthread_sigmask(SIG_UNBLOCK, &faults, NULL);
	goc__p *p = m->nextp;
	m->nextp = NULL;
	acquirep(m, p);
	schedule(m);
}

static void newm(goc__p *p, bool spinning)
{
	goc__timers_start(); /* with the first worker: it also serves SIGQUIT */
	goc__m *m = calloc(1, sizeof(*m));
	if (m == NULL)
		goc__throw("out of memory creating a worker");
	goc__lock(&goc__sched.lock);
	m->id = goc__sched.mcount++;
	goc__unlock(&goc__sched.lock);
	m->nextp = p;
	m->spinning = spinning;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Workers need little stack: goroutines run on their own. The dump and
	 * fatal paths run on a dedicated stack (dump.c). */
	pthread_attr_setstacksize(&attr, 256 * 1024);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&m->thread, &attr, mstart, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		goc__throw("cannot create worker thread");
}

/* Start an M (idle or new) to run p, or an idle P if p is NULL. */
static void startm(goc__p *p, bool spinning)
{
	goc__lock(&goc__sched.lock);
	if (p == NULL) {
		p = pidleget();
		if (p == NULL) {
			goc__unlock(&goc__sched.lock);
			if (spinning)
				atomic_fetch_sub_explicit(&goc__sched.nmspinning, 1, memory_order_relaxed);
			return;
		}
	}
	goc__m *m = mget();
	goc__unlock(&goc__sched.lock);
	if (m == NULL) {
		newm(p, spinning);
		return;
	}
	m->spinning = spinning;
	m->nextp = p;
	goc__note_wakeup(&m->park);
}

/* Wake one more spinning M if a P is idle and nobody is looking for work. */
static void wakep(void)
{
	/* StoreLoad: the caller just published work (a run queue store); an M
	 * giving up its P publishes npidle/nmspinning and then re-reads the
	 * queues (findrunnable). Without this fence both sides can miss each
	 * other's store and the work sits with every M asleep. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&goc__sched.npidle, memory_order_relaxed) == 0)
		return;
	int zero = 0;
	if (atomic_load_explicit(&goc__sched.nmspinning, memory_order_relaxed) != 0 ||
	    !atomic_compare_exchange_strong_explicit(&goc__sched.nmspinning, &zero, 1,
			memory_order_seq_cst, memory_order_relaxed))
		return;
	startm(NULL, true);
}

/* -------------------------------------------------------- deadlock check */

static bool checkdead_locked(void)
{
	struct goc__sched *s = &goc__sched;
	if (s->deadlocked)
		return false;
	if (s->mcount - s->nmidle - s->nmsys > 0 || s->nmsys > 0)
		return false;
	if (s->nthreads_parked < s->nthreads)
		return false;
	if (atomic_load_explicit(&s->runqsize, memory_order_relaxed) > 0)
		return false;
	int nallp = atomic_load_explicit(&s->nallp, memory_order_relaxed);
	for (int i = 0; i < nallp; i++)
		if (!goc__runqempty(s->allp[i]))
			return false;
	if (goc__timers_pending() > 0)
		return false;
	if (s->nthreads_parked == 0 &&
	    atomic_load_explicit(&goc__ngoroutines, memory_order_relaxed) == 0)
		return false;
	s->deadlocked = true;
	return true;
}

/* ------------------------------------------------------------ scheduling */

static void stopm(goc__m *m)
{
	GOC_CHECK(!m->spinning);
	goc__lock(&goc__sched.lock);
	mput(m);
	bool dead = checkdead_locked();
	goc__unlock(&goc__sched.lock);
	if (dead)
		goc__fatal_deadlock();
	goc__note_sleep(&m->park);
	goc__note_clear(&m->park);
	acquirep(m, m->nextp);
	m->nextp = NULL;
}

static goc__g *steal_work(goc__m *m, goc__p *p)
{
	int nallp = atomic_load_explicit(&goc__sched.nallp, memory_order_acquire);
	for (int round = 0; round < 4; round++) {
		uint32_t start = goc__fastrand() % (uint32_t)nallp;
		for (int i = 0; i < nallp; i++) {
			goc__p *v = goc__sched.allp[(start + (uint32_t)i) % (uint32_t)nallp];
			if (v == p)
				continue;
			goc__g *g = goc__runqsteal(p, v, round == 3);
			if (g != NULL)
				return g;
		}
	}
	(void)m;
	return NULL;
}

static bool any_work(void)
{
	if (atomic_load_explicit(&goc__sched.runqsize, memory_order_relaxed) > 0)
		return true;
	int nallp = atomic_load_explicit(&goc__sched.nallp, memory_order_acquire);
	for (int i = 0; i < nallp; i++)
		if (!goc__runqempty(goc__sched.allp[i]))
			return true;
	return false;
}

/* Find a G to run; sleeps the M when there is none. Returns with m->p set. */
static goc__g *findrunnable(goc__m *m)
{
	goc__g *g;
top:
	if (m->p == NULL)
		stopm(m);
	goc__p *p = m->p;
	if (p->id >= atomic_load_explicit(&goc__sched.gomaxprocs, memory_order_relaxed)) {
		/* This P was retired by goc_set_maxprocs. */
		goc__lock(&goc__sched.lock);
		goc__runq_drain_to_global(p);
		atomic_store_explicit(&p->status, P_DEAD, memory_order_relaxed);
		p->m = NULL;
		m->p = NULL;
		goc__unlock(&goc__sched.lock);
		goc__gfree_flush(p);
		/* An M that sleeps while counted as spinning would make every
		 * later wakep() think someone is already looking for work. */
		if (m->spinning) {
			m->spinning = false;
			atomic_fetch_sub_explicit(&goc__sched.nmspinning, 1, memory_order_seq_cst);
		}
		wakep();
		goto top;
	}
	p->schedtick++;
	if (p->schedtick % 61 == 0 &&
	    atomic_load_explicit(&goc__sched.runqsize, memory_order_relaxed) > 0) {
		goc__lock(&goc__sched.lock);
		g = goc__globrunqget(p, 1);
		goc__unlock(&goc__sched.lock);
		if (g != NULL)
			return g;
	}
	if ((g = goc__runqget(p)) != NULL)
		return g;
	if (atomic_load_explicit(&goc__sched.runqsize, memory_order_relaxed) > 0) {
		goc__lock(&goc__sched.lock);
		g = goc__globrunqget(p, 0);
		goc__unlock(&goc__sched.lock);
		if (g != NULL)
			return g;
	}
	int procs = atomic_load_explicit(&goc__sched.gomaxprocs, memory_order_relaxed);
	int npidle = atomic_load_explicit(&goc__sched.npidle, memory_order_relaxed);
	if (procs > 1 && (m->spinning ||
	    2 * atomic_load_explicit(&goc__sched.nmspinning, memory_order_relaxed) < procs - npidle)) {
		if (!m->spinning) {
			m->spinning = true;
			atomic_fetch_add_explicit(&goc__sched.nmspinning, 1, memory_order_relaxed);
		}
		if ((g = steal_work(m, p)) != NULL)
			return g;
	}

	/* Nothing: give the P back, then look once more before sleeping, so a
	 * G readied while we were giving up is not left behind. */
	goc__lock(&goc__sched.lock);
	if (atomic_load_explicit(&goc__sched.runqsize, memory_order_relaxed) > 0) {
		g = goc__globrunqget(p, 0);
		goc__unlock(&goc__sched.lock);
		return g;
	}
	m->p = NULL;
	pidleput(p);
	goc__unlock(&goc__sched.lock);
	bool was_spinning = m->spinning;
	if (m->spinning) {
		m->spinning = false;
		/* seq_cst: orders this decrement before the re-check below, against
		 * wakep()'s CAS after a runqput (Go's spinning protocol). */
		atomic_fetch_sub_explicit(&goc__sched.nmspinning, 1, memory_order_seq_cst);
	}
	atomic_thread_fence(memory_order_seq_cst);
	if (any_work()) {
		goc__lock(&goc__sched.lock);
		p = pidleget();
		goc__unlock(&goc__sched.lock);
		if (p != NULL) {
			acquirep(m, p);
			if (was_spinning) {
				m->spinning = true;
				atomic_fetch_add_explicit(&goc__sched.nmspinning, 1, memory_order_relaxed);
			}
			goto top;
		}
	}
	stopm(m);
	goto top;
}

static void resetspinning(goc__m *m)
{
	m->spinning = false;
	if (atomic_fetch_sub_explicit(&goc__sched.nmspinning, 1, memory_order_seq_cst) == 1)
		wakep();
}

static void schedule(goc__m *m)
{
	for (;;) {
		goc__g *g = findrunnable(m);
		if (m->spinning)
			resetspinning(m);
		execute(m, g);
	}
}

/* Run g until it switches back, then finish what it asked for. */
static void execute(goc__m *m, goc__g *g)
{
	m->curg = g;
	g->m = m;
	atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
	GOC_TRACE(go_switch, 0, g->id);
	m->act = M_ACT_NONE;
	set_tls_g(g);
	switch_to_g(m, g);
	/* before anything below can make g runnable on another worker */
	GOC_TRACE(go_switch, g->id, 0);
	set_tls_g(NULL);
	m->curg = NULL;
	g->m = NULL;

	switch (m->act) {
	case M_ACT_PARK:
		if (m->unlockf != NULL && !m->unlockf(m->unlockarg)) {
			atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
			goc__runqput(m->p, g, true);
		}
		break;
	case M_ACT_YIELD:
		/* Behind every goroutine runnable on this P (the global queue is
		 * still served every 61st tick, so it cannot starve). */
		atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
		goc__runqput(m->p, g, false);
		break;
	case M_ACT_EXIT:
		atomic_fetch_sub_explicit(&goc__ngoroutines, 1, memory_order_relaxed);
		goc__gfree(m->p, g);
		break;
	case M_ACT_YIELD_GLOBAL:
		atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
		globrunqput_locked(g);
		break;
	case M_ACT_SYSCALL:
		atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
		globrunqput_locked(g);
		wakep();
		break;
	default:
		goc__throw("goroutine switched to the scheduler without a reason");
	}
}

void goc__gostart(void)
{
	goc__g *g = goc__getg();
	goc__tsan_acquire(g);
	GOC_TRACE(go_stack, g->id, g->stack_lo, (size_t)(g->stack_hi - g->stack_lo));
	GOC_TRACE(go_start, g->id);
	g->fn(g->arg);
	GOC_TRACE(go_exit, g->id);
	goc__m *m = g->m;
	atomic_store_explicit(&g->status, G_DEAD, memory_order_relaxed);
	m->act = M_ACT_EXIT;
	switch_to_g0(g, m);
	__builtin_unreachable();
}

/* Put g at the global queue's tail (takes sched.lock). */
static void globrunqput_locked(goc__g *g)
{
	goc__lock(&goc__sched.lock);
	goc__globrunqput(g);
	goc__unlock(&goc__sched.lock);
}

/* Queue runnable g from wherever the caller runs: p's ring when the caller
 * holds a P (next: as runnext), else the global queue; then make sure some
 * worker will look. Returns true if p's ring overflowed. */
static bool runqput_anywhere(goc__p *p, goc__g *g, bool next)
{
	bool overflowed = false;
	if (p != NULL)
		overflowed = goc__runqput(p, g, next);
	else
		globrunqput_locked(g);
	wakep();
	return overflowed;
}

/* ----------------------------------------------------------- park/ready */

void goc__park(goc_wait_reason why, const void *obj, bool (*unlockf)(void *), void *arg)
{
	goc__g *g = goc__curg();
	if (g == NULL)
		goc__throw("blocking call from the scheduler or timer thread");
	atomic_store_explicit(&g->waitreason, why, memory_order_relaxed);
	g->waitobj = obj;
	GOC_TRACE(block, g->id, why, obj);
	if (g->is_thread) {
		thread_park(g, unlockf, arg);
		atomic_store_explicit(&g->waitreason, GOC_WAIT_NONE, memory_order_relaxed);
		return;
	}
	goc__m *m = g->m;
	/* release: pairs with the acquire load in dump_one */
	atomic_store_explicit(&g->status, G_WAITING, memory_order_release);
	m->act = M_ACT_PARK;
	m->unlockf = unlockf;
	m->unlockarg = arg;
	switch_to_g0(g, m);
	atomic_store_explicit(&g->waitreason, GOC_WAIT_NONE, memory_order_relaxed);
}

void goc__ready(goc__g *g, bool next)
{
	GOC_TRACE(unblock, g->id, goc__gid());
	if (g->is_thread) {
		thread_wake(g);
		return;
	}
	atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
	goc__m *m = goc__getm();
	runqput_anywhere(m != NULL ? m->p : NULL, g, next);
}

/* Ready many parked goroutines from a thread without a P (the timer
 * thread): one global-queue lock and one wakeup for the lot. */
void goc__ready_batch(goc__g **gs, int n)
{
	int queued = 0;
	goc__lock(&goc__sched.lock);
	for (int i = 0; i < n; i++) {
		if (gs[i]->is_thread)
			continue;
		GOC_TRACE(unblock, gs[i]->id, 0);
		atomic_store_explicit(&gs[i]->status, G_RUNNABLE, memory_order_relaxed);
		goc__globrunqput(gs[i]);
		queued++;
	}
	goc__unlock(&goc__sched.lock);
	for (int i = 0; i < n; i++)
		if (gs[i]->is_thread)
			goc__ready(gs[i], false);
	if (queued > 0)
		wakep();
	if (queued > 1)
		wakep(); /* a second idle worker, if any, for the rest */
}

/* ------------------------------------------------------------ public API */

static int64_t go_impl(const char *name, goc_fn fn, void *arg, const void *pc)
{
	goc__m *m = goc__getm();
	goc__p *p = m != NULL ? m->p : NULL;
	goc__g *parent = goc__curg();
	goc__g *g = goc__galloc(p);
	if (g == NULL)
		return GOC_ENOMEM;
	bool new_g = g->id == 0;
	g->id = atomic_fetch_add_explicit(&next_goid, 1, memory_order_relaxed);
	g->fn = fn;
	g->arg = arg;
	g->gopc = pc;
	g->parent_id = parent != NULL ? parent->id : 0;
	atomic_store_explicit(&g->waitreason, GOC_WAIT_NONE, memory_order_relaxed);
	g->name[0] = '\0';
	if (name != NULL) {
		strncpy(g->name, name, sizeof(g->name) - 1);
		g->name[sizeof(g->name) - 1] = '\0';
	}
	/* Initial context: goc__ctx_switch "returns" into the trampoline with
	 * zeroed callee-saved registers and default mxcsr / x87 control word. */
	uint64_t *sp = (uint64_t *)((uintptr_t)g->stack_hi & ~(uintptr_t)15);
	*--sp = 0; /* keeps the trampoline's frame 16-byte aligned */
	*--sp = (uint64_t)(uintptr_t)goc__ctx_trampoline;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	*--sp = 0x1f80ULL | (0x037fULL << 32);
	g->sp = sp;
	/* One TSan fiber per G structure, kept across reuse: each fiber maps a
	 * 512 KiB shadow stack, too dear to make per goroutine. A reused fiber
	 * only adds HB from the previous goroutine: never a false report.
	 * The go statement's edge is explicit: release here, acquire at start. */
	if (g->tsan_fiber == NULL)
		g->tsan_fiber = goc__tsan_fiber_create();
	goc__tsan_release(g);
	atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
	atomic_fetch_add_explicit(&goc__ngoroutines, 1, memory_order_relaxed);
	if (new_g)
		goc__allg_add(g);
	GOC_TRACE(go_create, g->parent_id, g->id, pc);
	int64_t id = g->id;
	bool overflowed = runqput_anywhere(p, g, true);
	/* A goroutine spawning faster than its worker can run what it spawns
	 * would queue them all (each holding a stack) before any runs: without
	 * preemption nothing stops it, where Go's sysmon would. A full run
	 * queue is the signal: let the queued ones run first. */
	if (overflowed && parent != NULL && !parent->is_thread) {
		/* Behind the half of the ring that just went to the global queue,
		 * too, or that queue would only grow. */
		goc__m *cur = parent->m;
		cur->act = M_ACT_YIELD_GLOBAL;
		switch_to_g0(parent, cur);
	}
	return id;
}

int64_t goc_go(goc_fn fn, void *arg)
{
	return go_impl(NULL, fn, arg, __builtin_return_address(0));
}

int64_t goc_go_named(const char *name, goc_fn fn, void *arg)
{
	return go_impl(name, fn, arg, __builtin_return_address(0));
}

void goc_yield(void)
{
	goc__g *g = goc__getg();
	if (g == NULL || g->is_thread) {
		sched_yield();
		return;
	}
	goc__m *m = g->m;
	m->act = M_ACT_YIELD;
	switch_to_g0(g, m);
}

int64_t goc_id(void)
{
	goc__g *g = goc__curg();
	return g != NULL ? g->id : 0;
}

int64_t goc_num_goroutine(void)
{
	goc__lock(&goc__sched.lock);
	int64_t n = goc__sched.nthreads;
	goc__unlock(&goc__sched.lock);
	return n + atomic_load_explicit(&goc__ngoroutines, memory_order_relaxed);
}

int goc_maxprocs(void)
{
	return atomic_load_explicit(&goc__sched.gomaxprocs, memory_order_relaxed);
}

int goc_set_maxprocs(int n)
{
	if (n < 1 || n > GOC_MAX_PROCS)
		return GOC_EINVAL;
	goc__lock(&goc__sched.lock);
	int old = atomic_load_explicit(&goc__sched.gomaxprocs, memory_order_relaxed);
	procresize_locked(n);
	goc__unlock(&goc__sched.lock);
	for (int i = old; i < n; i++)
		if (any_work())
			startm(NULL, false);
	return old;
}

void goc_blocking_begin(void)
{
	goc__g *g = goc__getg();
	if (g == NULL || g->is_thread)
		return; /* a thread that is not parked already counts as running */
	goc__m *m = g->m;
	goc__p *p = m->p;
	atomic_store_explicit(&g->status, G_SYSCALL, memory_order_relaxed);
	atomic_store_explicit(&g->waitreason, GOC_WAIT_BLOCKING, memory_order_relaxed);
	GOC_TRACE(block, g->id, GOC_WAIT_BLOCKING, NULL);
	goc__lock(&goc__sched.lock);
	goc__sched.nmsys++;
	m->oldp = p;
	m->p = NULL;
	p->m = NULL;
	bool work = !goc__runqempty(p) ||
		atomic_load_explicit(&goc__sched.runqsize, memory_order_relaxed) > 0;
	if (!work)
		pidleput(p);
	goc__unlock(&goc__sched.lock);
	if (work)
		startm(p, false); /* hand the P and its queue to another M */
}

void goc_blocking_end(void)
{
	goc__g *g = goc__getg();
	if (g == NULL || g->is_thread)
		return;
	goc__m *m = g->m;
	goc__lock(&goc__sched.lock);
	goc__sched.nmsys--;
	goc__p *p = NULL;
	goc__p *old = m->oldp;
	m->oldp = NULL;
	int procs = atomic_load_explicit(&goc__sched.gomaxprocs, memory_order_relaxed);
	if (old != NULL && atomic_load_explicit(&old->status, memory_order_relaxed) == P_IDLE && old->id < procs && pidleremove(old))
		p = old;
	else
		p = pidleget();
	if (p != NULL)
		acquirep(m, p);
	goc__unlock(&goc__sched.lock);
	atomic_store_explicit(&g->waitreason, GOC_WAIT_NONE, memory_order_relaxed);
	GOC_TRACE(unblock, g->id, g->id);
	if (p != NULL) {
		atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
		return;
	}
	/* No P free: queue ourselves and let this M go idle. */
	m->act = M_ACT_SYSCALL;
	switch_to_g0(g, m);
}

void goc_read_stats(goc_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->goroutines = atomic_load_explicit(&goc__ngoroutines, memory_order_relaxed);
	goc__lock(&goc__sched.lock);
	s->threads = goc__sched.nthreads;
	s->workers = goc__sched.mcount;
	goc__unlock(&goc__sched.lock);
	s->timers = goc__timers_pending();
	goc__stack_stats(&s->stacks_in_use, &s->stacks_cached, &s->stacks_guarded);
	s->stack_size = (int64_t)goc__stack_size();
}

/* ------------------------------------------------------------------ init */

__attribute__((constructor)) static void goc__init(void)
{
	goc__stack_init();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int n = ncpu > 0 ? (int)ncpu : 1;
	const char *env = getenv("GOC_MAXPROCS");
	if (env != NULL && *env != '\0') {
		int v = atoi(env);
		if (v >= 1)
			n = v;
	}
	if (n > GOC_MAX_PROCS)
		n = GOC_MAX_PROCS;
	goc__lock(&goc__sched.lock);
	procresize_locked(n);
	goc__unlock(&goc__sched.lock);
	pthread_key_create(&thread_key, thread_g_destroy);
	register_thread_g(&main_g, 1);
	goc__dump_init();
}
