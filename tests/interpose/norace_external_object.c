/* norace_external_object: the external-object API's reads and writes
 * order nothing themselves, but the program's own order counts: a thread
 * pushes onto a list and posts a semaphore, main waits and reads the
 * list's length. Reads of one list by two threads are no race either, nor
 * are untagged (tag 0) accesses ordered by a join.
 */
#include "e2e.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

/* The library's functions: built as a library that is not instrumented
 * would be (no accesses checked, no shadow-stack frame of their own). */
#define GOC_LIBRARY __attribute__((disable_sanitizer_instrumentation, noinline))

void *__tsan_external_register_tag(const char *object_type);
void __tsan_external_register_header(void *tag, const char *header);
void __tsan_external_read(void *addr, void *caller_pc, void *tag);
void __tsan_external_write(void *addr, void *caller_pc, void *tag);

typedef struct list {
	int n;
} list;

static void *list_tag;
static sem_t pushed;

GOC_LIBRARY static void list_push(list *l, void *tag)
{
	__tsan_external_write(l, __builtin_return_address(0), tag);
	l->n++;
}

GOC_LIBRARY static int list_len(list *l, void *tag)
{
	__tsan_external_read(l, __builtin_return_address(0), tag);
	return l->n;
}

static void *pusher(void *arg)
{
	list_push(arg, list_tag);
	sem_post(&pushed);
	e2e_post(1);
	return NULL;
}

static void *reader(void *arg)
{
	(void)list_len(arg, list_tag);
	e2e_post(3);
	return NULL;
}

int main(void)
{
	list_tag = __tsan_external_register_tag("demo_list");
	__tsan_external_register_header(list_tag, "race on a demo list");
	list *l = calloc(1, sizeof *l), *plain = calloc(1, sizeof *plain);
	sem_init(&pushed, 0, 0);
	pthread_t t, u, v;
	pthread_create(&t, NULL, pusher, l);
	e2e_wait(1);
	sem_wait(&pushed);
	int n = list_len(l, list_tag);
	e2e_post(2);
	pthread_create(&u, NULL, reader, l);
	e2e_wait(3);
	n += list_len(l, list_tag);
	pthread_create(&v, NULL, pusher, plain);
	pthread_join(v, NULL);
	sem_wait(&pushed);
	list_push(plain, NULL);
	pthread_join(t, NULL);
	pthread_join(u, NULL);
	int m = list_len(plain, NULL);
	free(l);
	free(plain);
	return n == 2 && m == 2 ? 0 : 1;
}
