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

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
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
	/* the preload library by its path too: a copy under another name
	 * (a benchmark's, a package's) is still the runtime */
	static char self[PATH_MAX]; /* its real path; "" if unknown */
	static bool self_known;
	if (!self_known) {
		Dl_info info;
		if (dladdr((void *)plumbing, &info) == 0 || info.dli_fname == NULL ||
		    realpath(info.dli_fname, self) == NULL)
			self[0] = '\0';
		self_known = true;
	}
	if (self[0] != '\0' && strcmp(module, self) == 0)
		return true;
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

/* A pc's frames: more than one when the code at pc was inlined. */
static struct entry {
	uintptr_t pc;
	bool used;
	bool ret;
	uint8_t n;
	det_frame *f;   /* n frames, innermost first; kept copies */
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

/* ---- C++ names ---------------------------------------------------------- */

typedef char *demangler(const char *, char *, size_t *, int *);

/* Drops the parameter list of a demangled function name, and the
 * qualifiers after it ("ns::C::f(int) const" -> "ns::C::f"): reports add
 * "()" to every function, as Go's do. Not a function (no closing ")"):
 * left as it is. */
static void drop_parameters(char *d)
{
	static const char *const quals[] = {" const", " volatile", " &&", " &", " noexcept"};
	size_t n = strlen(d);
	for (bool again = true; again;) {
		again = false;
		for (size_t q = 0; q < sizeof quals / sizeof quals[0]; q++) {
			size_t k = strlen(quals[q]);
			if (n > k && strcmp(d + n - k, quals[q]) == 0) {
				n -= k;
				d[n] = '\0';
				again = true;
			}
		}
	}
	if (n == 0 || d[n - 1] != ')')
		return;
	int depth = 0;
	for (size_t i = n; i-- > 0;) {
		if (d[i] == ')') {
			depth++;
		} else if (d[i] == '(' && --depth == 0) {
			if (i > 0)
				d[i] = '\0';
			return;
		}
	}
}

/* A kept copy of name, demangled when it is a C++ one ("_Z..."), with
 * the C++ runtime's own demangler if the program has it loaded (a C
 * program has no mangled names); functions lose their parameter lists. */
static const char *plain_name(const char *name, bool function)
{
	static demangler *demangle;
	static bool looked;
	if (name == NULL || name[0] != '_' || name[1] != 'Z')
		return keep(name);
	if (!looked) {
		demangle = (demangler *)dlsym(RTLD_DEFAULT, "__cxa_demangle");
		looked = true;
	}
	int status = -1;
	char *d = demangle != NULL ? demangle(name, NULL, NULL, &status) : NULL;
	if (d == NULL || status != 0)
		return keep(name);
	if (function)
		drop_parameters(d);
	const char *k = keep(d);
	free(d); /* the demangler's malloc; the guard is raised */
	return k;
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

/* The frames of a pc symbolized as s (looked up at look), into f[max]. */
static size_t frames_of(uintptr_t pc, uintptr_t look, const goc_sym *s, det_frame *f, size_t max)
{
	det_frame base = { .pc = pc };
	base.module = keep(s->module);
	base.module_off = pc - s->module_start;
	base.func_off = s->func != NULL ? s->func_off + (pc - look) : 0;
	base.hidden = plumbing(s->module) || (s->func != NULL && strcmp(s->func, "_start") == 0);
	size_t n = 0;
	for (int i = 0; i < s->ninlined && n + 1 < max; i++) {
		f[n] = base;
		f[n].func = plain_name(s->inlined[i].func, true);
		f[n].file = clean(s->inlined[i].file);
		f[n].line = s->inlined[i].line;
		n++;
	}
	f[n] = base;
	f[n].func = plain_name(s->func, true);
	f[n].file = clean(s->outer_file);
	f[n].line = s->outer_line;
	return n + 1;
}

size_t gocrace_symbolize(uintptr_t pc, bool is_return_address, det_frame *f, size_t max)
{
	if (max == 0)
		return 0;
	size_t h = (size_t)((pc >> 1) * 0x9e3779b97f4a7c15ull >> 52) & (CACHE_SIZE - 1);
	struct entry *e = &cache[h];
	if (!(e->used && e->pc == pc && e->ret == is_return_address)) {
		uintptr_t look = is_return_address ? pc - 1 : pc;
		det_frame got[GOC_SYM_MAX_INLINED + 1];
		goc_sym s;
		size_t n = 1;
		memset(got, 0, sizeof got);
		got[0].pc = pc;
		if (symbolize_addr(look, &s, wants_lines))
			n = frames_of(pc, look, &s, got, sizeof got / sizeof got[0]);
		det_frame *kept = __libc_malloc(n * sizeof *kept);
		if (kept == NULL) {
			*f = got[0];
			return 1;
		}
		memcpy(kept, got, n * sizeof *kept);
		__libc_free(e->f);
		*e = (struct entry){ pc, true, is_return_address, (uint8_t)n, kept };
	}
	size_t n = e->n < max ? e->n : max;
	memcpy(f, e->f, n * sizeof *f);
	return n;
}

bool gocrace_describe_global(uintptr_t addr, const char **name, uintptr_t *start,
                             size_t *size, const char **module)
{
	goc_sym s;
	if (!symbolize_addr(addr, &s, goc_sym_no_lines) || s.func == NULL || !s.is_object)
		return false;
	if (s.sym_size != 0 && s.func_off >= s.sym_size)
		return false;
	*name = plain_name(s.func, false);
	*start = addr - s.func_off;
	*size = s.sym_size;
	*module = keep(s.module);
	return true;
}
