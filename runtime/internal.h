/*
 * runtime/internal.h — libgoc's private declarations. Nothing outside
 * runtime/ includes this file.
 *
 * The model is Go's: a G is a goroutine (or a thread that uses goc: the main
 * thread and foreign pthreads get a "thread G" that parks on a futex), an M
 * is a worker thread, a P is a processor: the right to run goroutines, with a
 * local run queue. GOC_MAXPROCS Ps exist; an M needs a P to run goroutines.
 *
 * Lock order (outermost first; a path never takes an earlier lock while
 * holding a later one):
 *   1. channel locks, several at once only in address order (select)
 *   2. timer heap lock (goc__timers.lock)
 *   3. sched.lock
 *   4. stack pool lock, allg lock
 * Beside the list, leaves taken around it: a sync primitive's queue lock
 * (`wl` in mutex, rwmutex, waitgroup, cond, sema), a map shard's lock, a
 * pool's stack locks — each held for a queue or table step, during which
 * only ready() (sched.lock) may be called. A context's mutex is outer to
 * channel locks: cancel closes the done channel while holding it.
 * ready() may be called with channel or timer locks held; it takes only
 * sched.lock. Nothing is called with sched.lock held that takes a channel or
 * timer lock.
 */
#ifndef GOC_RUNTIME_INTERNAL_H
#define GOC_RUNTIME_INTERNAL_H

#include "goc/goc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GOC_HIDDEN __attribute__((visibility("hidden")))

/* No sanitizer hooks at all, not even __tsan_func_entry/exit: for code
 * that switches TSan fibers or stacks (no_sanitize("thread") keeps the
 * entry/exit hooks, whose exit would then pop the wrong fiber's stack). */
#if defined(__has_attribute) && __has_attribute(disable_sanitizer_instrumentation)
#define GOC_NO_TSAN __attribute__((disable_sanitizer_instrumentation))
#else
#define GOC_NO_TSAN __attribute__((no_sanitize("thread")))
#endif
#define GOC_NOINLINE __attribute__((noinline))
#define GOC_NORETURN __attribute__((noreturn))
#define GOC_LIKELY(x) __builtin_expect(!!(x), 1)
#define GOC_UNLIKELY(x) __builtin_expect(!!(x), 0)

#define GOC_MAX_PROCS 256
#define GOC_RUNQ_SIZE 256

/* Broken runtime invariant: always checked, fatal. */
#define GOC_CHECK(cond)                                                     \
	do {                                                                    \
		if (GOC_UNLIKELY(!(cond)))                                          \
			goc__throw("runtime check failed: " #cond " at " __FILE__);     \
	} while (0)

/* ---------------------------------------------------------------- lock.c */

/* A futex mutex (0 free, 1 locked, 2 locked with waiters). Used instead of
 * pthread_mutex_t because a goroutine's lock may be released by the worker's
 * scheduler context (park), which TSan's fiber model would flag for a
 * pthread mutex; TSan sees these as plain atomics. */
typedef struct goc__lock {
	_Atomic uint32_t state;
} goc__lock_t;

#define GOC_LOCK_INIT {0}

GOC_HIDDEN void goc__lock(goc__lock_t *l);
GOC_HIDDEN void goc__unlock(goc__lock_t *l);
GOC_HIDDEN bool goc__trylock(goc__lock_t *l);

/* futex wait while *addr == val; timeout_ns < 0 waits forever. Returns
 * false on timeout. Spurious returns are possible: re-check. */
GOC_HIDDEN bool goc__futex_wait(_Atomic uint32_t *addr, uint32_t val, int64_t timeout_ns);
GOC_HIDDEN void goc__futex_wake(_Atomic uint32_t *addr, int n);

/* A note: one sleeper, one wakeup (Go's note). clear before reuse. */
typedef struct goc__note {
	_Atomic uint32_t key;
} goc__note;

GOC_HIDDEN void goc__note_clear(goc__note *n);
GOC_HIDDEN void goc__note_wakeup(goc__note *n);
GOC_HIDDEN void goc__note_sleep(goc__note *n);
GOC_HIDDEN bool goc__note_sleep_until(goc__note *n, int64_t deadline);

GOC_HIDDEN int64_t goc__nanotime(void);
GOC_HIDDEN pid_t goc__gettid(void);

/* ------------------------------------------------------------ structures */

typedef struct goc__g goc__g;
typedef struct goc__m goc__m;
typedef struct goc__p goc__p;
typedef struct goc__sudog goc__sudog;

enum goc__gstatus {
	G_IDLE = 0,  /* in the free pool */
	G_RUNNABLE,  /* on a run queue */
	G_RUNNING,   /* executing on an M (or a thread G not parked) */
	G_WAITING,   /* parked on a runtime object */
	G_SYSCALL,   /* inside goc_blocking_begin/end */
	G_DEAD,
};

/* One waiter in a channel queue; lives on the waiting goroutine's stack. */
struct goc__sudog {
	goc__g *g;
	goc__sudog *next, *prev; /* queue links: protected by the channel lock */
	goc_chan *c;
	void *elem;              /* where to copy from (send) or to (receive) */
	bool is_select;
	bool in_queue;           /* protected by the channel lock */
	bool success;            /* true: an operation completed; false: closed */
	int case_index;          /* select: which case this sudog stands for */
};

/* Per-goroutine timer used by goc_sleep; see timer.c. */
typedef struct goc__timer goc__timer;
typedef void (*goc__timer_fn)(goc__timer *t, int64_t now);

struct goc__timer {
	int64_t when;           /* timer heap lock */
	int64_t period;         /* 0: one-shot */
	goc__timer_fn fn;
	void *arg;
	int heap_index;         /* -1 when not in the heap; timer heap lock */
	bool owned;             /* freed by its owner, not by its callback */
	_Atomic int state;      /* TIMER_* in timer.c */
};

struct goc__g {
	/* Saved stack pointer while switched out. Written by the G itself right
	 * before switching; read by the M that resumes it, after the run queue
	 * (or ready) handoff, which orders the two. */
	void *sp;
	goc__m *m;               /* M running this G; owner: that M */
	int64_t id;
	_Atomic int status;      /* enum goc__gstatus */
	_Atomic int waitreason;  /* goc_wait_reason; relaxed: set by the G, read by dumps */
	const void *waitobj;
	int64_t waitsince;
	goc_fn fn;
	void *arg;
	char *stack_lo;          /* lowest usable byte; the guard gap is below */
	char *stack_hi;          /* one past the highest usable byte */
	bool guarded;            /* a PROT_NONE page sits below stack_lo */
	bool is_thread;          /* a thread G: parks on park_key */
	goc__g *schedlink;       /* global run queue / free list link */
	goc__g *allnext, *allprev; /* all-G list: allg lock */
	const void *gopc;        /* return address in the creator */
	int64_t parent_id;
	char name[32];

	/* select: set to 1 by whoever wins this G's select (CAS). */
	_Atomic uint32_t select_done;
	goc__sudog *param;       /* the sudog that woke a select; set before ready */

	/* thread G only */
	_Atomic uint32_t park_key; /* 0 parked, 2 asleep in the futex, 1 woken */
	pid_t tid;
	pthread_t pthread;
	void *park_ctx;          /* unw_context_t captured when parking */

	void *tsan_fiber;
	goc__timer sleep_timer;  /* for goc_sleep */
};

enum goc__mact {
	M_ACT_NONE = 0,
	M_ACT_PARK,    /* G parked: run unlockf */
	M_ACT_YIELD,   /* put G at its P's local tail */
	M_ACT_YIELD_GLOBAL, /* put G at the global queue's tail */
	M_ACT_EXIT,    /* G finished: free it */
	M_ACT_SYSCALL, /* G left a blocking section but no P was free */
};

struct goc__m {
	int id;
	pid_t tid;
	pthread_t thread;
	void *g0_sp;             /* scheduler context while a G runs */
	goc__g *curg;
	goc__p *p;               /* attached P */
	goc__p *nextp;           /* P given by whoever woke this M */
	goc__p *oldp;            /* P held before a blocking section */
	bool spinning;
	goc__note park;
	goc__m *schedlink;       /* idle M list: sched.lock */
	int act;                 /* enum goc__mact; set by the G before switching */
	bool (*unlockf)(void *arg);
	void *unlockarg;
	uint64_t rand;
	void *tsan_fiber;
	void *sigstack;
};

enum goc__pstatus { P_IDLE = 0, P_RUNNING, P_DEAD };

struct goc__p {
	int id;
	_Atomic int status;       /* written under sched.lock; read racily as a hint */
	goc__m *m;
	goc__p *link;             /* idle list: sched.lock */
	uint32_t schedtick;       /* owner */
	uint32_t runnext_streak;  /* owner */
	/* Ring: head is advanced by CAS by the owner and stealers; tail only by
	 * the owner, with release: pairs with the acquire loads in get/steal. */
	_Atomic uint32_t runqhead;
	_Atomic uint32_t runqtail;
	_Atomic(goc__g *) runq[GOC_RUNQ_SIZE];
	_Atomic(goc__g *) runnext;
	/* stack cache: owner only */
	goc__g *gfree;
	int ngfree;
} __attribute__((aligned(64)));

struct goc__sched {
	goc__lock_t lock;
	goc__g *runqhead, *runqtail; /* global queue: lock */
	_Atomic int64_t runqsize;    /* written under lock, read racily as a hint */
	goc__p *pidle;               /* lock */
	_Atomic int npidle;          /* written under lock */
	goc__m *midle;               /* lock */
	int nmidle;                  /* lock */
	int mcount;                  /* lock */
	int nmsys;                   /* Ms inside a blocking section: lock */
	_Atomic int nmspinning;
	_Atomic int gomaxprocs;
	goc__p *allp[GOC_MAX_PROCS]; /* created under lock, never freed */
	_Atomic int nallp;
	int nthreads;                /* thread Gs alive: lock */
	int nthreads_parked;         /* thread Gs parked: lock */
	bool deadlocked;             /* lock */
};

extern GOC_HIDDEN struct goc__sched goc__sched;

/* -------------------------------------------------------------- sched.c */

/* The current G (NULL on a worker's scheduler context) and M (NULL on a
 * thread that is not a worker). Never inlined: a goroutine may resume on
 * another thread, so a cached TLS address would be wrong. */
GOC_HIDDEN GOC_NOINLINE goc__g *goc__getg(void);
GOC_HIDDEN GOC_NOINLINE goc__m *goc__getm(void);

/* The current G, registering the calling thread if it is unknown. */
GOC_HIDDEN goc__g *goc__curg(void);

/* Mark the calling thread as the runtime's own (the timer thread): it is
 * never registered as a thread G and never counts for the deadlock check. */
GOC_HIDDEN void goc__set_internal_thread(void);

/*
 * goc__park blocks the current G until goc__ready. unlockf(arg), if not
 * NULL, runs after the G is fully switched out (on a worker: on the
 * scheduler's stack), so that a lock protecting the wait queue can be dropped
 * without losing a wakeup. If unlockf returns false the G is made runnable
 * again at once.
 */
GOC_HIDDEN void goc__park(goc_wait_reason why, const void *obj,
		bool (*unlockf)(void *arg), void *arg);

/* goc__ready makes a parked G runnable; next: run it soon on this P (a
 * direct handoff), else at the tail. Callable from any thread, with channel
 * or timer locks held. */
GOC_HIDDEN void goc__ready(goc__g *g, bool next);

GOC_HIDDEN void goc__ready_batch(goc__g **gs, int n);
GOC_HIDDEN uint32_t goc__fastrand(void);

/* allg list (for dumps and stats) */
GOC_HIDDEN void goc__allg_add(goc__g *g);
GOC_HIDDEN void goc__allg_remove(goc__g *g);
GOC_HIDDEN void goc__allg_lock(void);
GOC_HIDDEN void goc__allg_unlock(void);
GOC_HIDDEN goc__g *goc__allg_first(void);
GOC_HIDDEN extern _Atomic int64_t goc__ngoroutines;

/* --------------------------------------------------------------- runq.c */

/* Returns true if the ring was full and half of it went to the global queue. */
GOC_HIDDEN bool goc__runqput(goc__p *p, goc__g *g, bool next);
GOC_HIDDEN goc__g *goc__runqget(goc__p *p);
GOC_HIDDEN bool goc__runqempty(goc__p *p);
GOC_HIDDEN goc__g *goc__runqsteal(goc__p *p, goc__p *victim, bool stealnext);
GOC_HIDDEN void goc__runq_drain_to_global(goc__p *p); /* sched.lock held */
/* global queue: sched.lock held */
GOC_HIDDEN void goc__globrunqput(goc__g *g);
GOC_HIDDEN goc__g *goc__globrunqget(goc__p *p, int max);

/* -------------------------------------------------------------- stack.c */

GOC_HIDDEN void goc__stack_init(void);
/* A fresh G with a stack (the G lives at the top of its stack mapping), or
 * NULL on ENOMEM. p may be NULL (not on a worker). */
GOC_HIDDEN goc__g *goc__galloc(goc__p *p);
GOC_HIDDEN void goc__gfree(goc__p *p, goc__g *g);
GOC_HIDDEN void goc__gfree_flush(goc__p *p); /* move a P's cache to the pool */
GOC_HIDDEN size_t goc__stack_size(void);
GOC_HIDDEN void goc__stack_stats(int64_t *in_use, int64_t *cached, int64_t *guarded);
GOC_HIDDEN bool goc__stack_is_guard(const void *addr, int64_t *goid);

/* Overflow check: sp against the stack bottom, at every switch. */
GOC_HIDDEN void goc__check_sp(goc__g *g, const void *sp);

/* ------------------------------------------------------- asm_amd64.S */

/* Save callee-saved registers on the current stack, store the stack pointer
 * in *save, load new_sp and return into the context saved there. */
GOC_HIDDEN void goc__ctx_switch(void **save, void *new_sp);
/* Entry point of a new goroutine: calls goc__gostart(). */
GOC_HIDDEN void goc__ctx_trampoline(void);
/* Run fn(arg) on the stack ending at stack_top, return when it returns. */
GOC_HIDDEN void goc__call_on_stack(void (*fn)(void *), void *arg, void *stack_top);
GOC_HIDDEN GOC_NORETURN void goc__gostart(void);

/* ------------------- sync primitives (mutex.c, rwmutex.c, waitgroup.c, ...) */

/* A parked waiter of a sync primitive; lives on the waiter's stack and is
 * linked into its primitive's queue under that primitive's lock. */
typedef struct goc__waiter {
	goc__g *g;
	struct goc__waiter *next;
	int64_t n;        /* semaphore: units wanted */
	int64_t since;    /* mutex: when it started waiting */
	bool granted;     /* woken owning what it waited for */
	bool parked;      /* cond: parked (else it has not slept yet) */
	bool notified;    /* cond: signalled */
} goc__waiter;

typedef struct goc__waitq {
	goc__waiter *head, *tail;
} goc__waitq;

static inline void goc__waitq_push(goc__waitq *q, goc__waiter *w)
{
	w->next = NULL;
	if (q->tail != NULL)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
}

static inline void goc__waitq_push_front(goc__waitq *q, goc__waiter *w)
{
	w->next = q->head;
	q->head = w;
	if (q->tail == NULL)
		q->tail = w;
}

static inline goc__waiter *goc__waitq_pop(goc__waitq *q)
{
	goc__waiter *w = q->head;
	if (w != NULL) {
		q->head = w->next;
		if (q->head == NULL)
			q->tail = NULL;
	}
	return w;
}

/* park's unlockf for a goc__lock_t. */
GOC_HIDDEN bool goc__unlock_cb(void *lock);

/* The current goroutine's id for tracer events (0 if none). */
static inline int64_t goc__gid(void)
{
	goc__g *g = goc__getg();
	return g != NULL ? g->id : 0;
}

/* --------------------------------------------------------------- chan.c */

struct goc_chan {
	goc__lock_t lock;
	size_t elemsize;
	size_t cap;
	size_t qcount;      /* lock */
	size_t sendx, recvx; /* lock */
	bool closed;        /* lock */
	goc__sudog *recvq_head, *recvq_tail; /* lock */
	goc__sudog *sendq_head, *sendq_tail; /* lock */
	_Atomic int refs;   /* user + timer references */
	unsigned char *buf;
};

/* Operations used by select.c; caller holds c->lock. */
GOC_HIDDEN goc__sudog *goc__chan_dequeue(goc__sudog **head, goc__sudog **tail);
GOC_HIDDEN void goc__chan_enqueue(goc__sudog **head, goc__sudog **tail, goc__sudog *s);
GOC_HIDDEN void goc__chan_unlink(goc__sudog **head, goc__sudog **tail, goc__sudog *s);
GOC_HIDDEN void goc__chan_send_to_waiter(goc_chan *c, goc__sudog *s, const void *elem, goc__g *me);
GOC_HIDDEN void goc__chan_recv_from_waiter(goc_chan *c, goc__sudog *s, void *elem, goc__g *me);
GOC_HIDDEN void goc__chan_bufsend(goc_chan *c, const void *elem, goc__g *me);
GOC_HIDDEN void goc__chan_bufrecv(goc_chan *c, void *elem, goc__g *me);
GOC_HIDDEN void goc__chan_recv_closed(goc_chan *c, void *elem, goc__g *me);
GOC_HIDDEN void goc__chan_unref(goc_chan *c);
GOC_HIDDEN GOC_NORETURN void goc__panic_closed_send(void);

/* -------------------------------------------------------------- timer.c */

enum { TIMER_IDLE = 0, TIMER_WAITING, TIMER_FIRING };

GOC_HIDDEN void goc__timer_add_locked(goc__timer *t);
GOC_HIDDEN bool goc__timers_unlock_cb(void *arg);
GOC_HIDDEN int64_t goc__timers_pending(void);
GOC_HIDDEN void goc__timers_start(void);
GOC_HIDDEN bool goc__timers_started(void);
GOC_HIDDEN void goc__timers_kick(void); /* async-signal-safe */

/* ---------------------------------------------------------------- dump.c */

GOC_HIDDEN GOC_NORETURN void goc__throw(const char *msg);   /* "fatal error: " */
GOC_HIDDEN GOC_NORETURN void goc__panic(const char *msg);   /* "panic: " then abort */
GOC_HIDDEN GOC_NORETURN void goc__fatal_deadlock(void);
/* "fatal error: stack overflow in goroutine N (...)", then the dump, then
 * abort. uc: the faulting context (an unw_context_t: the SIGSEGV handler's
 * ucontext), or NULL to dump from the caller. */
GOC_HIDDEN GOC_NORETURN void goc__throw_stack_overflow(int64_t goid, void *uc);
GOC_HIDDEN void goc__dump_init(void);
GOC_HIDDEN bool goc__sigquit_pending(void);
GOC_HIDDEN GOC_NORETURN void goc__sigquit_report(void);

/* --------------------------------------------------------------- trace.c */

extern GOC_HIDDEN const goc_tracer *_Atomic goc__tracer;

static inline const goc_tracer *goc__trace(void)
{
	/* relaxed: the table is installed before goroutines start */
	return atomic_load_explicit(&goc__tracer, memory_order_relaxed);
}

#define GOC_TRACE(hook, ...)                                               \
	do {                                                                   \
		const goc_tracer *t__ = goc__trace();                              \
		if (GOC_UNLIKELY(t__ != NULL) && t__->hook != NULL)                \
			t__->hook(__VA_ARGS__);                                        \
	} while (0)

/* ThreadSanitizer annotations (weak: present only in TSan builds of the
 * program). Used only when no goc tracer is installed. acquire and release
 * are inline: every channel operation makes them, and untraced without
 * TSan they cost one load and one branch each. */
extern void __tsan_acquire(void *addr) __attribute__((weak));
extern void __tsan_release(void *addr) __attribute__((weak));

static inline void goc__tsan_acquire(const void *addr)
{
	if (GOC_UNLIKELY(__tsan_acquire != NULL) && goc__trace() == NULL)
		__tsan_acquire((void *)addr);
}

static inline void goc__tsan_release(const void *addr)
{
	if (GOC_UNLIKELY(__tsan_release != NULL) && goc__trace() == NULL)
		__tsan_release((void *)addr);
}

GOC_HIDDEN void *goc__tsan_fiber_create(void);
GOC_HIDDEN void *goc__tsan_fiber_current(void);
GOC_HIDDEN void goc__tsan_fiber_switch(void *fiber);

/* Emit a sync edge to the tracer for goroutine gid. A macro so that gid
 * (usually goc__gid(), an out-of-line call) is evaluated only when a tracer
 * is installed: the untraced fast paths of mutex and channel pay one load
 * and one branch. */
#define goc__sync(gid, op, addr) GOC_TRACE(sync, (gid), (op), (addr))

#endif /* GOC_RUNTIME_INTERNAL_H */
