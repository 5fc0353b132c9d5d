/*
 * thread.c — det_threads: pthreads and goroutines alike.
 *
 * Creation copies the parent's clock into the child and then advances the
 * parent's epoch: the creation happens before the child's first event, and
 * nothing the parent does afterwards does. Finishing keeps the clock for
 * joiners and hands the slot back (clock.c). Joining joins the finished
 * thread's clock into the joiner's.
 *
 * A det_thread's memory lives for the whole run: reports name the thread
 * that made a remembered access long after it finished (its clock and
 * stack are freed when the last reference goes; its identity stays).
 *
 * Locks: list_lock protects the list of all threads. Everything else in a
 * det_thread is the thread's own, except `finished` (atomic, release on
 * finish, acquire in reports) and vc after finish (read-only then).
 */
#include "internal.h"

#include <stddef.h>
#include <string.h>

static det_lock list_lock;
static det_thread *all_threads; /* list_lock */
static _Atomic uint64_t nthreads;
static _Atomic uint64_t next_thread_number;

/* initial-exec: the preload runtime is loaded at start-up, never dlopen'd */
__thread det_tls det__tls __attribute__((tls_model("initial-exec")));

_Static_assert(offsetof(struct det_thread, host) == sizeof(det_thread_hot),
               "detector.h's det_thread_host finds the host bytes after the hot fields");

void det_set_current(det_thread *t)
{
	det_thread *old = det__tls.current;
	if (old != NULL)
		atomic_store_explicit(&old->running_on, NULL, memory_order_relaxed);
	det__tls.current = t;
	if (t != NULL) {
		/* t may still be current on another OS thread that missed its
		 * switch away (a goroutine that parked inside a custom mutex's
		 * region, whose guard drops the tracer's events): the copy then
		 * follows t here, where it runs now */
		atomic_store_explicit(&t->running_on, &det__tls, memory_order_relaxed);
		det__hot_copy(&det__tls.hot, &t->hot);
	} else {
		det__hot_copy(&det__tls.hot, &(const det_thread_hot){ 0 });
	}
}

/* det_signal_state's words */
struct signal_saved {
	det_thread *t;
	det_thread_hot hot;
	uintptr_t memo_pc[2];
	det_ctx memo[2];
	struct det_l1_cached l1[DET_L1_CACHE];
};
_Static_assert(sizeof(struct signal_saved) <= sizeof(det_signal_state),
               "det_signal_state holds what det_signal_enter saves");

void det_signal_enter(det_signal_state *s)
{
	struct signal_saved *v = (struct signal_saved *)s->words;
	det_thread *t = det__tls.current;
	v->t = t;
	if (t != NULL) {
		v->hot = t->hot;
		memcpy(v->memo_pc, t->ctx_memo_pc, sizeof v->memo_pc);
		memcpy(v->memo, t->ctx_memo, sizeof v->memo);
	}
	memcpy(v->l1, det__l1_cache, sizeof v->l1);
}

void det_signal_exit(const det_signal_state *s)
{
	const struct signal_saved *v = (const struct signal_saved *)s->words;
	det_thread *t = v->t;
	/* the handler may have switched threads (a fiber), or moved t to no
	 * slot (its leaves then stay none) */
	if (t != NULL && t == det__tls.current && t->hot.cell_id != 0) {
		det__hot_copy_leaves(&t->hot, &v->hot);
		det__hot_leaves_changed(t);
		memcpy(t->ctx_memo_pc, v->memo_pc, sizeof v->memo_pc);
		memcpy(t->ctx_memo, v->memo, sizeof v->memo);
	}
	memcpy(det__l1_cache, v->l1, sizeof v->l1);
}

det_thread *det_thread_create(det_thread *parent, det_thread_kind kind, int64_t id,
                              det_ctx created_at)
{
	det_thread *t = det_calloc(1, sizeof *t);
	DET_CHECK(t != NULL);
	t->kind = kind;
	t->id = id;
	if (kind == DET_KIND_THREAD && id < 0)
		t->id = (int64_t)atomic_fetch_add_explicit(&next_thread_number, 1,
			memory_order_relaxed);
	t->created_at = created_at;
	DET_CHECK(det__stack_init(t));
	t->slot = DET_NO_SLOT;
	det__ctx_memo_clear(t);
	if (parent != NULL) {
		det__vc_copy(&t->vc, &parent->vc);
		det__tick(parent);
	}
	det__slot_take(t);
	det__lock(&list_lock);
	t->all_next = all_threads;
	all_threads = t;
	det__unlock(&list_lock);
	atomic_fetch_add_explicit(&nthreads, 1, memory_order_relaxed);
	return t;
}

void det_thread_start(det_thread *t, uintptr_t stack_lo, size_t stack_size)
{
	det_set_current(t);
	t->stack_lo = stack_lo;
	t->stack_hi = stack_lo + stack_size;
	if (stack_size != 0)
		det__shadow_reset(stack_lo, stack_size);
}

void det_thread_finish(det_thread *t)
{
	det__slot_give_back(t);
	/* release: pairs with the acquire in reports that print the state */
	atomic_store_explicit(&t->finished, true, memory_order_release);
	if (det__tls.current == t)
		det_set_current(NULL);
}

void det_thread_join(det_thread *joiner, det_thread *t)
{
	det__vc_join(&joiner->vc, &t->vc);
}

void det_thread_release_ref(det_thread *t)
{
	/* The identity stays for reports; the clock and stack go. */
	if (!atomic_load_explicit(&t->finished, memory_order_acquire))
		return;
	det__vc_free(&t->vc);
	det__stack_free(t);
}

det_thread_kind det_thread_kind_of(const det_thread *t)
{
	return t->kind;
}

uint32_t det_thread_slot(const det_thread *t)
{
	return t->slot;
}

int64_t det_thread_id(const det_thread *t)
{
	return t->id;
}

void det_thread_set_name(det_thread *t, const char *name)
{
	strncpy(t->name, name, sizeof t->name - 1);
	t->name[sizeof t->name - 1] = '\0';
}

uint64_t det__threads_created(void)
{
	return atomic_load_explicit(&nthreads, memory_order_relaxed);
}

/* The thread whose stack holds addr, or NULL. Reports only. */
det_thread *det__thread_by_stack(uintptr_t addr)
{
	det_thread *found = NULL;
	det__lock(&list_lock);
	for (det_thread *t = all_threads; t != NULL; t = t->all_next)
		if (addr >= t->stack_lo && addr < t->stack_hi &&
		    !atomic_load_explicit(&t->finished, memory_order_acquire)) {
			found = t;
			break;
		}
	det__unlock(&list_lock);
	return found;
}

void det__thread_fork_child(void)
{
	det__lock_reset(&list_lock);
	/* The parent's other OS threads are gone, and their thread-local
	 * blocks with them (glibc reuses their stacks for the child's new
	 * threads): what was current on them is current nowhere. */
	for (det_thread *t = all_threads; t != NULL; t = t->all_next)
		if (atomic_load_explicit(&t->running_on, memory_order_relaxed) != &det__tls)
			atomic_store_explicit(&t->running_on, NULL, memory_order_relaxed);
}
