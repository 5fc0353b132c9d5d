/*
 * symbolize.h — address to function, file and line, with elfutils' libdwfl.
 * Compiled into libgoc (for goroutine dumps) and into the preload runtime
 * (for race reports); each library has its own session. Not thread-safe:
 * callers serialise (the dump lock, the detector's report lock).
 */
#ifndef GOC_RUNTIME_SYMBOLIZE_H
#define GOC_RUNTIME_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>

#define GOC_SYM_MAX_INLINED 16

typedef struct goc_sym {
	const char *func;       /* NULL if unknown; owned by libdwfl */
	const char *file;       /* NULL if unknown; owned by libdwfl */
	int line;
	const char *module;     /* path of the object file, or NULL */
	uintptr_t module_start; /* its load address */
	uintptr_t func_off;     /* addr - symbol start (0 if no symbol) */
	uintptr_t sym_size;     /* the symbol's size (st_size) */
	bool is_object;         /* the symbol is data (STT_OBJECT/STT_TLS), not code */
	/* When addr is in code inlined into func: the inlined functions
	 * (C++: by linkage name, mangled as func is), innermost first, each
	 * at the line it is executing (the first at
	 * file:line); func itself is then at outer_file:outer_line, the call
	 * site of the outermost. Otherwise ninlined is 0 and outer_* are file
	 * and line. Inlined `artificial` wrappers (glibc's _FORTIFY_SOURCE
	 * functions) are no frames: their code belongs to their call site. */
	int ninlined;
	struct goc_sym_inlined {
		const char *func;
		const char *file;
		int line;
	} inlined[GOC_SYM_MAX_INLINED];
	const char *outer_file;
	int outer_line;
} goc_sym;

/* Describes the instruction (or, for data, the variable) at addr (pass pc - 1 for a return address).
 * false if no loaded object contains addr. Libraries loaded later are
 * picked up (the session re-reads the process's mappings on a miss).
 * The file and line are looked up only if lines is NULL or lines(module)
 * is true: a line lookup parses the module's DWARF (for libc, with its
 * debug symbols installed, some 15 MiB), which callers that leave a
 * module's frames out need not pay. */
__attribute__((visibility("hidden"))) bool goc_symbolize_addr_if(uintptr_t addr, goc_sym *out,
                                                                bool (*lines)(const char *module));
/* A lines filter for goc_symbolize_addr_if that wants no module's lines
 * (the function and module alone). */
__attribute__((visibility("hidden"))) bool goc_sym_no_lines(const char *module);

#endif /* GOC_RUNTIME_SYMBOLIZE_H */
