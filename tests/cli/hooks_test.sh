#!/usr/bin/env bash
# hooks_test.sh MODE CC HOOKS_LIB SRCDIR TMPDIR — tests libgoc-race-hooks.so
# (interpose/hooks.c) against what clang's ThreadSanitizer pass emits.
#
#   run      builds hooks_probe.c instrumented, linked against the hooks
#            library only, runs it with nothing preloaded, and compares its
#            output with hooks_probe.expected: atomics, copies and plain
#            accesses behave as without instrumentation.
#   symbols  compiles the probes (-O0 and -O1, C and C++; with CC and, if
#            installed, clang-19) and checks that every __tsan_* symbol
#            they leave undefined is defined by the library; that the
#            library defines the whole compiler ABI of tsan-abi.md §1.7-1.8
#            even where a probe could not provoke it; that it defines
#            the user annotation API (interpose/tsan_annotations.h) but not
#            __tsan_acquire/__tsan_release, which libgoc looks up weakly to
#            find a real TSan; and that it exports nothing else.
#   runtime  HOOKS_LIB is the preload runtime libgoc-race.so instead: it
#            must define every __tsan_* name the same probes leave undefined
#            and every one the hooks library defines (HOOKS in the
#            environment), since a name it lacked would resolve to the
#            no-op hook under LD_PRELOAD and its accesses go unseen.
set -euo pipefail
mode=$1 cc=$2 lib=$3 src=$4 tmp=$5
libdir=$(dirname "$lib")
mkdir -p "$tmp"
tsan=(-fsanitize=thread -fno-sanitize-link-runtime -mcx16 -g)
fail() { echo "FAIL: $*" >&2; exit 1; }

# defined LIB: the dynamic symbols LIB defines, sorted.
defined() { nm -D --defined-only "$1" | awk '{print $3}' | sort -u; }

# annotations HEADER: the names tsan_annotations.h lists, sorted.
annotations() {
	sed -n -E 's/^[[:space:]]*X\([^,]*,[^,]*, *([A-Za-z_][A-Za-z_0-9]*),.*$/\1/p' "$1" | sort -u
}

# The __tsan_* names the probes leave undefined, into $tmp/undef; sets
# compilers. clang 19 too where it is installed: it emits __tsan_mem* (§1.4).
emitted() {
	: >"$tmp/undef"
	compilers=("$cc")
	if command -v clang-19 >/dev/null; then compilers+=(clang-19); fi
	for c in "${compilers[@]}"; do
		for opt in -O0 -O1; do
			"$c" "${tsan[@]}" $opt -c -o "$tmp/probe$opt.o" "$src/hooks_probe.c"
			nm -u "$tmp/probe$opt.o" | awk '$2 ~ /^__tsan_/ {print $2}' >>"$tmp/undef"
			"$c" -x c++ "${tsan[@]}" $opt -c -o "$tmp/vptr$opt.o" "$src/hooks_probe_vptr.cc"
			nm -u "$tmp/vptr$opt.o" | awk '$2 ~ /^__tsan_/ {print $2}' >>"$tmp/undef"
		done
	done
	sort -u "$tmp/undef" -o "$tmp/undef"
}

case $mode in
run)
	"$cc" "${tsan[@]}" -O1 -pthread -o "$tmp/hooks_probe" "$src/hooks_probe.c" \
		-L"$libdir" -lgoc-race-hooks -Wl,-rpath,"$libdir"
	# The probe proves something only if its atomics went through the hooks.
	undef=$(nm -u "$tmp/hooks_probe")
	for n in 8 16 32 64 128; do
		for op in load store exchange fetch_add fetch_sub fetch_and fetch_or \
			fetch_xor fetch_nand compare_exchange_val; do
			grep -qx "  *U __tsan_atomic${n}_$op" <<<"$undef" ||
				fail "probe does not call __tsan_atomic${n}_$op"
		done
	done
	env -u LD_PRELOAD "$tmp/hooks_probe" >"$tmp/hooks_probe.out"
	diff -u "$src/hooks_probe.expected" "$tmp/hooks_probe.out" ||
		fail "instrumented probe printed other values than without hooks"
	echo "ok: instrumented probe runs against the no-op hooks with the right values"
	;;
symbols)
	emitted
	defined "$lib" >"$tmp/defined"
	grep -qx __tsan_vptr_update "$tmp/undef" || fail "C++ probe emitted no vptr hook"
	missing=$(comm -23 "$tmp/undef" "$tmp/defined")
	[[ -z $missing ]] || fail "emitted by ${compilers[*]} but not defined by the library:"$'\n'"$missing"

	# The whole compiler ABI (§1.7) plus range/_pc variants (§1.8).
	want=(__tsan_init __tsan_func_entry __tsan_func_exit __tsan_vptr_read
		__tsan_vptr_update __tsan_read_range __tsan_write_range
		__tsan_read_range_pc __tsan_write_range_pc __tsan_memcpy
		__tsan_memmove __tsan_memset __tsan_atomic_thread_fence
		__tsan_atomic_signal_fence __tsan_ignore_thread_begin
		__tsan_ignore_thread_end)
	for n in 1 2 4 8 16; do
		want+=("__tsan_read$n" "__tsan_write$n" "__tsan_read${n}_pc" "__tsan_write${n}_pc")
		[[ $n == 1 ]] || want+=("__tsan_unaligned_read$n" "__tsan_unaligned_write$n")
	done
	for n in 8 16 32 64 128; do
		for op in load store exchange fetch_add fetch_sub fetch_and fetch_or \
			fetch_xor fetch_nand compare_exchange_val compare_exchange_strong \
			compare_exchange_weak; do
			want+=("__tsan_atomic${n}_$op")
		done
	done
	for s in "${want[@]}"; do
		grep -qx "$s" "$tmp/defined" || fail "library does not define $s"
	done

	# The user annotation API (§2.2, §2.4, §2.5), as no-ops: every name
	# interpose/tsan_annotations.h lists.
	annotations "$src/../../interpose/tsan_annotations.h" >"$tmp/annotations"
	missing=$(comm -23 "$tmp/annotations" "$tmp/defined")
	[[ -z $missing ]] || fail "library does not define the annotations:"$'\n'"$missing"
	# __tsan_acquire/__tsan_release must stay absent: libgoc takes
	# __tsan_acquire for a real TSan.
	for s in __tsan_acquire __tsan_release; do
		grep -qx "$s" "$tmp/defined" && fail "library defines $s"
	done
	others=$(grep -v '^__tsan_' "$tmp/defined" | comm -23 - "$tmp/annotations" || true)
	[[ -z $others ]] || fail "library exports more than hooks and annotations:"$'\n'"$others"
	echo "ok (${compilers[*]}): $(wc -l <"$tmp/undef") emitted hooks, ${#want[@]} ABI names" \
		"and $(wc -l <"$tmp/annotations") annotations defined, $(wc -l <"$tmp/defined") exported in all," \
		"no __tsan_acquire/__tsan_release"
	;;
runtime)
	emitted
	defined "$lib" >"$tmp/defined"
	missing=$(comm -23 "$tmp/undef" "$tmp/defined")
	[[ -z $missing ]] || fail "emitted by ${compilers[*]} but not defined by the runtime:"$'\n'"$missing"
	defined "$HOOKS" >"$tmp/hooks"
	missing=$(comm -23 "$tmp/hooks" "$tmp/defined")
	[[ -z $missing ]] || fail "defined by the hooks library but not by the runtime:"$'\n'"$missing"
	echo "ok (${compilers[*]}): the runtime defines all $(wc -l <"$tmp/undef") emitted hooks" \
		"and all $(wc -l <"$tmp/hooks") of the hooks library's names"
	;;
*)
	fail "unknown mode $mode"
	;;
esac
