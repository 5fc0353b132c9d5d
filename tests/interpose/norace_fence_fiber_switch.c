/* norace_fence_fiber_switch: fiber one writes data and makes a release
 * fence, then switches (unsynchronised) to main, which makes a relaxed
 * store of its own, and back; only then does one store the flag relaxed.
 * main loads the flag with acquire and reads data: one's fence orders the
 * write before it. Regression: the fence state was the OS thread's and
 * said whose it was; main's store on the same thread dropped one's fence,
 * so one's store published nothing and the read was a false race. (The
 * same holds for a goroutine switched out between its fence and its
 * store, or resumed on another worker.)
 */
#include "fibers.h"

#include <stdatomic.h>

int data;
static atomic_int flag;
atomic_int other; /* global: the store to it stays */

static void run_one(void)
{
	data = 1;
	atomic_thread_fence(memory_order_release);
	__tsan_switch_to_fiber(main_fiber, __tsan_switch_to_fiber_no_sync);
	swapcontext(&one_uc, &main_uc);
	atomic_store_explicit(&flag, 1, memory_order_relaxed);
	__tsan_switch_to_fiber(main_fiber, __tsan_switch_to_fiber_no_sync);
	swapcontext(&one_uc, &main_uc);
}

static void run_two(void)
{
}

int main(void)
{
	main_fiber = __tsan_get_current_fiber();
	one = __tsan_create_fiber(0);
	two = __tsan_create_fiber(0);
	fibers_prepare(run_one, run_two);
	__tsan_switch_to_fiber(one, 0);
	swapcontext(&main_uc, &one_uc);
	atomic_store_explicit(&other, 1, memory_order_relaxed);
	__tsan_switch_to_fiber(one, __tsan_switch_to_fiber_no_sync);
	swapcontext(&main_uc, &one_uc);
	int v = 0;
	if (atomic_load_explicit(&flag, memory_order_acquire))
		v = data;
	fibers_destroy();
	return v == 1 ? 0 : 1;
}
