/* race_external_object: a library that is not instrumented reports its
 * objects' uses through TSan's external-object API. Two threads use one
 * list, a push and a length, with no order: a race on the list, titled
 * with its registered type, each access's stack the library function and
 * its caller (the tag's frame left out), the location the tagged block.
 * expect-title: DATA RACE on demo_list
 * expect-location: heap T0
 * expect-stack: cur list_len main
 * expect-stack: prev list_push pusher
 */
#include "e2e.h"

#include <pthread.h>
#include <stdlib.h>

/* The library's functions: built as a library that is not instrumented
 * would be (no accesses checked, no shadow-stack frame of their own). */
#define GOC_LIBRARY __attribute__((disable_sanitizer_instrumentation, noinline))

void *__tsan_external_register_tag(const char *object_type);
void __tsan_external_assign_tag(void *addr, void *tag);
void __tsan_external_read(void *addr, void *caller_pc, void *tag);
void __tsan_external_write(void *addr, void *caller_pc, void *tag);

/* ---- the library: not instrumented ---- */

typedef struct list {
	int n;
	int items[4];
} list;

static void *list_tag;

GOC_LIBRARY static list *list_new(void)
{
	if (list_tag == NULL)
		list_tag = __tsan_external_register_tag("demo_list");
	list *l = calloc(1, sizeof *l); /* alloc */
	__tsan_external_assign_tag(l, list_tag);
	return l;
}

GOC_LIBRARY static void list_push(list *l, int v)
{
	__tsan_external_write(l, __builtin_return_address(0), list_tag); /* race */ /* prev: T1 write */
	l->items[l->n++ & 3] = v;
}

GOC_LIBRARY static int list_len(list *l)
{
	__tsan_external_read(l, __builtin_return_address(0), list_tag); /* race */ /* cur: T0 read */
	return l->n;
}

/* ---- the program ---- */

static void *pusher(void *arg)
{
	list_push(arg, 1);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	list *l = list_new();
	pthread_t t;
	pthread_create(&t, NULL, pusher, l);
	e2e_wait(1);
	int n = list_len(l);
	e2e_post(2);
	pthread_join(t, NULL);
	free(l);
	return n == 1 ? 0 : 1;
}
