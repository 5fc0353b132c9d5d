/*
 * external.c — TSan's external-object API (tsan-abi.md §2.3): a library
 * that is not instrumented says when it reads or modifies one of its
 * objects as a whole, so that two threads using one object with no order
 * between them is a race on that object, reported with the library
 * user's stack and the object's type.
 *
 *   __tsan_external_register_tag(type)   a new tag for objects of type
 *                                        (the string is copied)
 *   __tsan_external_register_header(tag, header)
 *                                        the report's title for the tag
 *                                        (default: "DATA RACE on TYPE")
 *   __tsan_external_assign_tag(addr, tag)
 *                                        the heap block holding addr is
 *                                        an object of tag's type (the
 *                                        report's location says so)
 *   __tsan_external_read/write(addr, caller_pc, tag)
 *                                        a 1-byte read or write of addr
 *                                        at the library's call, under a
 *                                        frame for caller_pc (the user's
 *                                        call into the library, if not
 *                                        NULL) and one for the tag
 *
 * A tag is a small number: as a shadow-stack frame it stands for itself
 * (no code lives at such an address), and the report leaves the frame
 * out and names the type (det_config.external_tag). Tag 0 is none: the
 * access is a plain one. A tag never registered, or past TAG_MAX, counts
 * as none (TSan checks and aborts).
 *
 * State: the tag table. A tag's slot is taken with an atomic increment;
 * its type and header are published with release stores and read with
 * acquire loads (the report path reads them from any thread; a tag whose
 * type is not yet visible counts as none). Strings come from
 * __libc_malloc and live for the run.
 */
#include "internal.h"
#include "tsan_annotations.h"

#include <stdatomic.h>
#include <string.h>

#define DECLARE_API(ret, dflt, name, params) GOCRACE_EXPORT ret name params;
GOCRACE_ANNOTATIONS_EXTERNAL(DECLARE_API)

/* 0: none; 1: TSan's Swift access tag; 2: the runtime's own, for the
 * process environment (environ.c); then the program's */
enum { TAG_NONE, TAG_SWIFT_ACCESS, TAG_FIRST_USER = GOCRACE_TAG_ENVIRONMENT + 1, TAG_MAX = 1024 };

static struct tag {
	_Atomic(const char *) type;    /* release store, once; acquire load */
	_Atomic(const char *) header;  /* release exchange; acquire load */
} tags[TAG_MAX] = {
	[TAG_SWIFT_ACCESS] = {"Swift variable", "Swift access race"},
	[GOCRACE_TAG_ENVIRONMENT] = {"environment", NULL},
};

static atomic_uint tags_used = TAG_FIRST_USER; /* relaxed: slots only */

/* The runtime's copy of s (its memcpy is no access of the program's:
 * under the guard). */
static char *copy(const char *s)
{
	gocrace_guard();
	size_t n = gocrace_strlen(s) + 1;
	char *c = __libc_malloc(n);
	if (c != NULL)
		memcpy(c, s, n);
	gocrace_unguard();
	return c;
}

/* Whether tag was handed out, and its slot then. */
static struct tag *tag_of(uintptr_t tag)
{
	if (tag == TAG_NONE || tag >= TAG_MAX ||
	    tag >= atomic_load_explicit(&tags_used, memory_order_relaxed) ||
	    /* acquire: pairs with the release in __tsan_external_register_tag */
	    atomic_load_explicit(&tags[tag].type, memory_order_acquire) == NULL)
		return NULL;
	return &tags[tag];
}

bool gocrace_external_tag(uintptr_t pc, const char **type, const char **header)
{
	struct tag *t = tag_of(pc);
	if (t == NULL)
		return false;
	*type = atomic_load_explicit(&t->type, memory_order_relaxed); /* tag_of's acquire */
	/* acquire: pairs with the release in __tsan_external_register_header */
	*header = atomic_load_explicit(&t->header, memory_order_acquire);
	return true;
}

void *__tsan_external_register_tag(const char *object_type)
{
	unsigned tag = atomic_fetch_add_explicit(&tags_used, 1, memory_order_relaxed);
	if (tag >= TAG_MAX)
		return (void *)(uintptr_t)TAG_NONE;
	const char *type = copy(object_type != NULL ? object_type : "external object");
	/* release: pairs with the acquire in tag_of */
	atomic_store_explicit(&tags[tag].type, type != NULL ? type : "external object",
	                      memory_order_release);
	return (void *)(uintptr_t)tag;
}

void __tsan_external_register_header(void *tag, const char *header)
{
	struct tag *t = tag_of((uintptr_t)tag);
	if (t == NULL || (uintptr_t)tag < TAG_FIRST_USER || header == NULL)
		return;
	/* release: pairs with the acquire in gocrace_external_tag; the old
	 * header stays (a report may be printing it) */
	atomic_exchange_explicit(&t->header, copy(header), memory_order_release);
}

void __tsan_external_assign_tag(void *addr, void *tag)
{
	if (!gocrace_ready || tag_of((uintptr_t)tag) == NULL)
		return;
	gocrace_guard();
	det_heap_tag((uintptr_t)addr, (uintptr_t)tag);
	gocrace_unguard();
}

/* The library's access at pc of the object at addr, on behalf of the
 * user's call at caller_pc. */
static void access_external(det_thread *t, const volatile void *addr, void *caller_pc, void *tag,
                            uintptr_t pc, unsigned flags)
{
	if (t == NULL)
		return;
	bool tagged = tag_of((uintptr_t)tag) != NULL;
	if (caller_pc != NULL)
		det_func_entry(t, (uintptr_t)caller_pc);
	if (tagged)
		det_func_entry(t, (uintptr_t)tag);
	gocrace_access(t, addr, 1, pc, flags);
	if (tagged)
		det_func_exit(t);
	if (caller_pc != NULL)
		det_func_exit(t);
}

void __tsan_external_read(void *addr, void *caller_pc, void *tag)
{
	access_external(gocrace_thr(), addr, caller_pc, tag, GOCRACE_CALLER_PC(), DET_READ);
}

void __tsan_external_write(void *addr, void *caller_pc, void *tag)
{
	access_external(gocrace_thr(), addr, caller_pc, tag, GOCRACE_CALLER_PC(), DET_WRITE);
}

void gocrace_tagged_access(det_thread *t, const volatile void *addr, uintptr_t tag, uintptr_t pc,
                           unsigned flags)
{
	if (!gocrace_in_libgoc(pc))
		access_external(t, addr, NULL, (void *)tag, pc, flags);
}
