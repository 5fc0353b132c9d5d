/* race_cxx_member: C++. Member functions defined in the class (inline)
 * race on a global object; the report names them as C++ does
 * (demangled, with their class), each inlined into its caller.
 * expect-location: global counter
 * expect-stack: cur Counter::get main
 * expect-stack: prev Counter::bump worker
 */
#include "e2e.h"

#include <pthread.h>

struct Counter {
	long n = 0;
	void bump() { n++; /* race */ /* prev: T1 write */ }
	long get() const { return n; /* race */ /* cur: T0 read */ }
};

Counter counter;

static void *worker(void *)
{
	counter.bump();
	e2e_post(1);
	return nullptr;
}

int main()
{
	pthread_t t;
	pthread_create(&t, nullptr, worker, nullptr);
	e2e_wait(1);
	long v = counter.get();
	pthread_join(t, nullptr);
	return v == 1 ? 0 : 2;
}
