/* race_cxx_vptr: C++. A thread makes a virtual call on an object that
 * main then deletes with no order between the two: the destructor's store
 * of the base class's vptr races with the call's load of it. Reported
 * with TSan's label for it, once: the free of the object that follows
 * races with the same call and is not reported again.
 * expect-title: DATA RACE on vptr (ctor/dtor vs virtual call)
 * expect-location: heap T0
 * expect-stack: cur Shape::~Shape Square::~Square main
 * expect-stack: prev worker
 */
#include "e2e.h"

#include <pthread.h>

struct Shape;
const Shape *last_destroyed;

/* Not inlined: it might make a virtual call, so the destructor's store of
 * Shape's vptr before it stays. */
__attribute__((noinline)) static void destroyed(const Shape *s)
{
	last_destroyed = s;
}

struct Shape {
	virtual ~Shape() { destroyed(this); } /* race */ /* cur: T0 write */
	virtual int sides() const = 0;
};

struct Square : Shape {
	~Square() override {}
	int sides() const override { return 4; }
};

static Shape *shape;
static int seen;

static void *worker(void *)
{
	seen = shape->sides(); /* race */ /* prev: T1 read */
	e2e_post(1);
	e2e_wait(2);
	return nullptr;
}

int main()
{
	shape = new Square; /* alloc */
	pthread_t t;
	pthread_create(&t, nullptr, worker, nullptr);
	e2e_wait(1);
	delete shape;
	e2e_post(2);
	pthread_join(t, nullptr);
	return seen == 4 ? 0 : 2;
}
