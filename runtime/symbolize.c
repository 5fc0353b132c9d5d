/*
 * symbolize.c — the one place that turns a code address into function,
 * file and line (symbolize.h). libdwfl finds the module (from the
 * process's mappings, or, for an address no file mapping covers, such as
 * a large .bss, from the object dladdr names) and the symbol;
 * lines come from the module's line table through .debug_aranges, and
 * because clang does not emit .debug_aranges by default, from a scan of
 * the compile units when that fails.
 *
 * State: one Dwfl session per library that compiles this file, made on
 * first use. Callers serialise (see symbolize.h).
 */
#include "symbolize.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static Dwfl *session;

static void report_mappings(Dwfl *d)
{
	dwfl_report_begin(d);
	dwfl_linux_proc_report(d, getpid());
	dwfl_report_end(d, NULL, NULL);
}

static Dwfl *get_session(void)
{
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_linux_proc_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
	};
	if (session == NULL) {
		session = dwfl_begin(&cb);
		if (session != NULL)
			report_mappings(session);
	}
	return session;
}

/* The compile unit that holds addr, and the module's bias: libdwfl's
 * lookup needs .debug_aranges, which clang does not emit by default, so a
 * scan of the units follows when it fails. */
static bool cu_of(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Die *cu, Dwarf_Addr *bias)
{
	Dwarf_Die *d = dwfl_module_addrdie(mod, addr, bias);
	if (d != NULL) {
		*cu = *d;
		return true;
	}
	Dwarf *dw = dwfl_module_getdwarf(mod, bias);
	if (dw == NULL)
		return false;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, off + hsize, cu) != NULL && dwarf_haspc(cu, addr - *bias) > 0)
			return true;
		off = next;
	}
	return false;
}

static void line_in_cu(Dwarf_Die *cu, Dwarf_Addr pc, goc_sym *out)
{
	Dwarf_Line *l = dwarf_getsrc_die(cu, pc);
	if (l != NULL) {
		int lineno = 0;
		out->file = dwarf_linesrc(l, NULL, NULL);
		dwarf_lineno(l, &lineno);
		out->line = lineno;
	}
}

/* The name of a subprogram or inlined subroutine DIE (an inlined one
 * names its abstract origin): its linkage name where it has one (C++:
 * mangled, with its class and namespace, for the caller to demangle),
 * else its name. */
static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
	if (linkage == NULL)
		linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
	return linkage != NULL ? linkage : dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
}

/* The call site of an inlined subroutine DIE; false if it has none. */
static bool call_site(Dwarf_Die *cu, Dwarf_Die *die, const char **file, int *line)
{
	Dwarf_Attribute a;
	Dwarf_Word f = 0, l = 0;
	Dwarf_Files *files;
	size_t nfiles;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &a), &f) != 0 ||
	    dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &a), &l) != 0 ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || f >= nfiles)
		return false;
	*file = dwarf_filesrc(files, f, NULL, NULL);
	*line = (int)l;
	return *file != NULL;
}

static bool is_artificial(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	bool artificial = false;
	return dwarf_attr_integrate(die, DW_AT_artificial, &a) != NULL &&
	       dwarf_formflag(&a, &artificial) == 0 && artificial;
}

/* The inlined frames at pc (a module address, addr - bias), from the
 * scopes that hold it, innermost first: each inlined subroutine is a
 * frame at the current location, which then moves to its call site. An
 * `artificial` one (glibc's _FORTIFY_SOURCE wrappers of memcpy, strcpy
 * and the rest) is no frame: only the location moves, as the attribute
 * asks of a debugger. clang's line table names the wrapper's line in
 * string_fortified.h, which tells the reader nothing about their program;
 * out->file and out->line are therefore the location after the wrappers
 * innermost in the chain. */
static void inlined_frames(Dwarf_Die *cu, Dwarf_Addr pc, goc_sym *out)
{
	Dwarf_Die *scopes = NULL;
	int n = dwarf_getscopes(cu, pc, &scopes);
	const char *file = out->file;
	int line = out->line;
	int i = 0;
	while (i < n) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag == DW_TAG_lexical_block) {
			i++;
			continue;
		}
		if (tag != DW_TAG_inlined_subroutine)
			break;
		const char *cfile;
		int cline;
		if (!call_site(cu, &scopes[i], &cfile, &cline))
			break;
		if (is_artificial(&scopes[i])) {
			if (out->ninlined == 0) {
				out->file = cfile;
				out->line = cline;
			}
		} else if (out->ninlined < GOC_SYM_MAX_INLINED) {
			const char *name = die_name(&scopes[i]);
			struct goc_sym_inlined *f = &out->inlined[out->ninlined++];
			f->func = name != NULL ? name : "??";
			f->file = file;
			f->line = line;
		}
		file = cfile;
		line = cline;
		/* dwarf_getscopes goes on past an inlined subroutine with the
		 * scopes of the inlined function's own definition; the caller's
		 * are the ones above this instance in the tree */
		Dwarf_Die *up = NULL;
		int m = dwarf_getscopes_die(&scopes[i], &up);
		free(scopes);
		scopes = up;
		n = m;
		i = 1;
	}
	out->outer_file = file;
	out->outer_line = line;
	free(scopes);
}

/* The module whose image holds addr, when the mappings libdwfl was told
 * of do not: the pages of a large .bss past the end of the file are
 * anonymous mappings, which dwfl_linux_proc_report leaves out, so a
 * global there had no name. The dynamic linker knows each object's whole
 * extent (dladdr); its module is the one at the object's base. */
static Dwfl_Module *module_of_image(Dwfl *d, uintptr_t addr)
{
	Dl_info info;
	if (dladdr((void *)addr, &info) == 0 || info.dli_fbase == NULL)
		return NULL;
	return dwfl_addrmodule(d, (Dwarf_Addr)(uintptr_t)info.dli_fbase);
}

bool goc_symbolize_addr_if(uintptr_t addr, goc_sym *out, bool (*lines)(const char *module))
{
	memset(out, 0, sizeof *out);
	Dwfl *d = get_session();
	if (d == NULL)
		return false;
	Dwfl_Module *mod = dwfl_addrmodule(d, addr);
	if (mod == NULL) {
		report_mappings(d);
		mod = dwfl_addrmodule(d, addr);
	}
	if (mod == NULL)
		mod = module_of_image(d, addr);
	if (mod == NULL)
		return false;
	Dwarf_Addr start;
	out->module = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
	out->module_start = (uintptr_t)start;
	GElf_Off symoff = 0;
	GElf_Sym sym;
	out->func = dwfl_module_addrinfo(mod, addr, &symoff, &sym, NULL, NULL, NULL);
	out->func_off = out->func != NULL ? (uintptr_t)symoff : 0;
	if (out->func != NULL) {
		out->sym_size = (uintptr_t)sym.st_size;
		int type = GELF_ST_TYPE(sym.st_info);
		out->is_object = type == STT_OBJECT || type == STT_TLS || type == STT_COMMON;
	}
	if (lines != NULL && !lines(out->module))
		return true;
	Dwfl_Line *line = dwfl_module_getsrc(mod, addr);
	Dwarf_Die cu;
	Dwarf_Addr bias = 0;
	bool have_cu = false;
	if (line != NULL) {
		int lineno = 0;
		out->file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		out->line = lineno;
	} else if ((have_cu = cu_of(mod, addr, &cu, &bias))) {
		line_in_cu(&cu, addr - bias, out);
	}
	out->outer_file = out->file;
	out->outer_line = out->line;
	if (out->file != NULL && (have_cu || cu_of(mod, addr, &cu, &bias)))
		inlined_frames(&cu, addr - bias, out);
	return true;
}

bool goc_sym_no_lines(const char *module)
{
	(void)module;
	return false;
}
