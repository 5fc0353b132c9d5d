/*
 * symbolize.c — the one place that turns a code address into function,
 * file and line (symbolize.h). libdwfl finds the module and the symbol;
 * lines come from the module's line table through .debug_aranges, and
 * because clang does not emit .debug_aranges by default, from a scan of
 * the compile units when that fails.
 *
 * State: one Dwfl session per library that compiles this file, made on
 * first use. Callers serialise (see symbolize.h).
 */
#include "symbolize.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
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

static void line_by_cu_scan(Dwfl_Module *mod, Dwarf_Addr addr, goc_sym *out)
{
	Dwarf_Addr bias = 0;
	Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
	if (dw == NULL)
		return;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(dw, off + hsize, &cu) != NULL && dwarf_haspc(&cu, addr - bias) > 0) {
			Dwarf_Line *l = dwarf_getsrc_die(&cu, addr - bias);
			if (l != NULL) {
				int lineno = 0;
				out->file = dwarf_linesrc(l, NULL, NULL);
				dwarf_lineno(l, &lineno);
				out->line = lineno;
			}
			return;
		}
		off = next;
	}
}

bool goc_symbolize_addr(uintptr_t addr, goc_sym *out)
{
	memset(out, 0, sizeof *out);
	Dwfl *d = get_session();
	if (d == NULL)
		return false;
	Dwfl_Module *mod = dwfl_addrmodule(d, addr);
	if (mod == NULL) {
		report_mappings(d);
		mod = dwfl_addrmodule(d, addr);
		if (mod == NULL)
			return false;
	}
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
	Dwfl_Line *line = dwfl_module_getsrc(mod, addr);
	if (line != NULL) {
		int lineno = 0;
		out->file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		out->line = lineno;
	} else {
		line_by_cu_scan(mod, addr, out);
	}
	return true;
}
