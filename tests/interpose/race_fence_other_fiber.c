/* race_fence_other_fiber: fiber one makes a release fence and switches
 * (unsynchronised) to fiber two on the same OS thread; two writes data and
 * stores a flag relaxed, without a fence of its own; main loads the flag
 * with acquire and reads data. Nothing orders two's write before main's
 * read. Regression: the fence state was the OS thread's alone, so two's
 * relaxed store published two's clock as if two had made the fence, and
 * main's acquire hid the race. (The same holds for goroutines on one
 * worker.)
 * expect-location: global data
 * expect-thread-name: T2 two
 */
#include "fibers.h"

#include <stdatomic.h>

int data;
static atomic_int flag;

static void run_one(void)
{
	atomic_thread_fence(memory_order_release);
	__tsan_switch_to_fiber(two, __tsan_switch_to_fiber_no_sync);
	swapcontext(&one_uc, &two_uc);
}

static void run_two(void)
{
	data = 1; /* race */ /* prev: T2 write */
	atomic_store_explicit(&flag, 1, memory_order_relaxed);
	__tsan_switch_to_fiber(main_fiber, __tsan_switch_to_fiber_no_sync);
	swapcontext(&two_uc, &main_uc);
}

int main(void)
{
	main_fiber = __tsan_get_current_fiber();
	one = __tsan_create_fiber(0);
	two = __tsan_create_fiber(0);
	fibers_prepare(run_one, run_two);
	__tsan_switch_to_fiber(one, 0);
	swapcontext(&main_uc, &one_uc);
	int v = 0;
	if (atomic_load_explicit(&flag, memory_order_acquire))
		v = data; /* race */ /* cur: T0 read */
	fibers_destroy();
	return v == 1 ? 0 : 1;
}
