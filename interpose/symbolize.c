/*
 * symbolize.c — the detector's symbolizer and global-variable describer,
 * over runtime/symbolize.c (libdwfl), with a cache: a program's races keep
 * naming the same few hundred pcs.
 *
 * Called only from the detector's report path, under its report lock, and
 * with gocrace_ignore raised (runtime.c wraps it), so libdwfl's allocations
 * are invisible to the detector and the cache needs no lock of its own.
 * Cached strings are copies made with glibc's allocator and never freed.
 */
#include "internal.h"
#include "symbolize.h"

#include <string.h>
#include <ucontext.h>

#define CACHE_SIZE 4096
/* libdw's line-table code recurses deeply: far more than a goroutine's
 * 64 KiB stack holds. Symbolization therefore runs on this stack (one is
 * enough: callers are serialised by the report lock). */
#define SYM_STACK_SIZE (4u << 20)

static char *sym_stack;
static ucontext_t sym_caller, sym_worker;
static struct {
	uintptr_t addr;
	goc_sym *out;
	bool (*lines)(const char *module);
	bool ok;
} sym_call;

/* Frames of the runtime's own plumbing: the preload and hooks libraries,
 * libgoc's internals, libc and the loader (program start, thread start).
 * Go's reports likewise leave out the runtime's frames. They are
 * symbolized without file and line (wants_lines): a report shows them only
 * when it would otherwise have no frame at all, and then by function. */
static bool plumbing(const char *module)
{
	if (module == NULL)
		return false;
	const char *base = strrchr(module, '/');
	base = base != NULL ? base + 1 : module;
	static const char *const prefixes[] = {"libgoc-race", "libgoc.so", "libc.so", "ld-linux"};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(base, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* goc_symbolize_addr_if's filters: a code address wants its file and line
 * unless a report leaves its frame out; a global's address never does. */
static bool wants_lines(const char *module)
{
	return !plumbing(module);
}

static void sym_on_stack(void)
{
	sym_call.ok = goc_symbolize_addr_if(sym_call.addr, sym_call.out, sym_call.lines);
}

/* goc_symbolize_addr_if on the private stack (on the caller's if it cannot
 * be had). */
static bool symbolize_addr(uintptr_t addr, goc_sym *out, bool (*lines)(const char *module))
{
	if (sym_stack == NULL)
		sym_stack = __libc_malloc(SYM_STACK_SIZE);
	if (sym_stack == NULL || getcontext(&sym_worker) != 0)
		return goc_symbolize_addr_if(addr, out, lines);
	sym_worker.uc_stack.ss_sp = sym_stack;
	sym_worker.uc_stack.ss_size = SYM_STACK_SIZE;
	sym_worker.uc_link = &sym_caller;
	makecontext(&sym_worker, sym_on_stack, 0);
	sym_call.addr = addr;
	sym_call.out = out;
	sym_call.lines = lines;
	sym_call.ok = false;
	if (swapcontext(&sym_caller, &sym_worker) != 0)
		return goc_symbolize_addr_if(addr, out, lines);
	return sym_call.ok;
}

static struct entry {
	uintptr_t pc;
	bool used;
	bool ret;
	det_frame f;
} cache[CACHE_SIZE];

static const char *keep(const char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s) + 1;
	char *c = __libc_malloc(n);
	if (c != NULL)
		memcpy(c, s, n);
	return c;
}

/* Collapse "dir/../" and "./" segments, as compilers record paths relative
 * to the build directory. Returns a kept copy. */
static const char *clean(const char *path)
{
	if (path == NULL)
		return NULL;
	char out[1024];
	size_t n = strlen(path);
	if (n >= sizeof out)
		return keep(path);
	size_t o = 0;
	const char *p = path;
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (len == 1 && p[0] == '.') {
			/* drop "./" */
		} else if (len == 2 && p[0] == '.' && p[1] == '.' && o > 1) {
			/* drop the previous segment */
			o--;
			while (o > 0 && out[o - 1] != '/')
				o--;
		} else {
			memcpy(out + o, p, len);
			o += len;
			if (slash != NULL)
				out[o++] = '/';
		}
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	out[o] = '\0';
	return keep(out);
}

void gocrace_symbolize(uintptr_t pc, bool is_return_address, det_frame *f)
{
	size_t h = (size_t)((pc >> 1) * 0x9e3779b97f4a7c15ull >> 52) & (CACHE_SIZE - 1);
	struct entry *e = &cache[h];
	if (e->used && e->pc == pc && e->ret == is_return_address) {
		*f = e->f;
		return;
	}
	uintptr_t look = is_return_address ? pc - 1 : pc;
	goc_sym s;
	memset(f, 0, sizeof *f);
	f->pc = pc;
	if (symbolize_addr(look, &s, wants_lines)) {
		f->func = keep(s.func);
		f->file = clean(s.file);
		f->line = s.line;
		f->module = keep(s.module);
		f->module_off = pc - s.module_start;
		f->func_off = s.func != NULL ? s.func_off + (pc - look) : 0;
		f->hidden = plumbing(s.module) ||
			(s.func != NULL && strcmp(s.func, "_start") == 0);
	}
	e->pc = pc;
	e->ret = is_return_address;
	e->f = *f;
	e->used = true;
}

bool gocrace_describe_global(uintptr_t addr, const char **name, uintptr_t *start,
                             size_t *size, const char **module)
{
	goc_sym s;
	if (!symbolize_addr(addr, &s, goc_sym_no_lines) || s.func == NULL || !s.is_object)
		return false;
	if (s.sym_size != 0 && s.func_off >= s.sym_size)
		return false;
	*name = keep(s.func);
	*start = addr - s.func_off;
	*size = s.sym_size;
	*module = keep(s.module);
	return true;
}
