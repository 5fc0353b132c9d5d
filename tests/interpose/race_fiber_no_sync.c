/* race_fiber_no_sync: norace_fiber_switch with fiber one's switch to two
 * made with __tsan_switch_to_fiber_no_sync: nothing orders one's write
 * before two's, though they ran one after the other on one OS thread. The
 * report names the fibers as threads T1 and T2, with their fiber names
 * and main's __tsan_create_fiber calls as their creation stacks.
 * expect-location: global shared
 * expect-thread-name: T1 one
 * expect-thread-name: T2 two
 */
#include "fibers.h"

int shared;

static void run_one(void)
{
	shared = 1; /* race */ /* prev: T1 write */
	__tsan_switch_to_fiber(two, __tsan_switch_to_fiber_no_sync);
	swapcontext(&one_uc, &two_uc);
}

static void run_two(void)
{
	shared = 2; /* race */ /* cur: T2 write */
	__tsan_switch_to_fiber(main_fiber, 0);
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
	fibers_destroy();
	return 0;
}
