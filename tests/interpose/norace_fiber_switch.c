/* norace_fiber_switch: fibers one and two (fibers.h) run on main's OS
 * thread through swapcontext: main → one → two → main, each switch
 * announced with __tsan_switch_to_fiber(f, 0), which synchronises. So
 * every write of shared happens after the one before it: main's after
 * creating the fibers, one's, two's, and main's again once it is back.
 */
#include "fibers.h"

int shared;

static void run_one(void)
{
	shared = 1;
	__tsan_switch_to_fiber(two, 0);
	swapcontext(&one_uc, &two_uc);
}

static void run_two(void)
{
	shared = 2;
	__tsan_switch_to_fiber(main_fiber, 0);
	swapcontext(&two_uc, &main_uc);
}

int main(void)
{
	main_fiber = __tsan_get_current_fiber();
	one = __tsan_create_fiber(0);
	two = __tsan_create_fiber(0);
	fibers_prepare(run_one, run_two);
	shared = 0;
	__tsan_switch_to_fiber(one, 0);
	swapcontext(&main_uc, &one_uc);
	shared = 3;
	fibers_destroy();
	return shared == 3 ? 0 : 1;
}
