#!/usr/bin/env bash
#
# race_compare.sh — what goc-race costs, next to ThreadSanitizer, Helgrind
# and DRD, on the same pthread (and libgoc) workloads.
#
# Builds each workload of bench/race/ three ways with clang: plain (-O2, no
# instrumentation), for goc-race (clang's TSan pass without its runtime,
# linked against libgoc-race-hooks; run under the preload runtime), and for
# real TSan (clang's runtime; chan.c against a libgoc built with
# -Db_sanitize=thread). Then, RUNS times, interleaved, it runs every
# workload five ways — plain, goc-race, TSan at the full size N; Helgrind
# and DRD (valgrind, on the plain binary) at a reduced size n, plus once at
# n=1 to measure their start-up — under GNU time (CPU time, peak RSS) with
# the wall time taken by the shell (microseconds). Prints three tables of
# medians and ratios:
#
#   wall time         plain, goc-race, TSan at size N; slowdown = tool /
#                     plain; goc-race/TSan
#   CPU and memory    user+sys time and peak RSS, goc-race/TSan of each;
#                     findings of goc-race and TSan
#   Valgrind          per unit of work: (t(n) - t(1)) / (n - 1), against
#                     plain's and goc-race's t(N) / N, by wall and by CPU
#                     time; a run that hits the timeout gives a bound,
#                     shown as ">X".
#
# A run must exit 0 within the timeout and print "checksum=S want=S"; one
# that does not is reported on stderr with its command and output, and that
# tool's cells for the workload read FAILED (the other tools go on). Every
# run's findings are counted: a race report from goc-race or TSan on a
# workload without a race, or none on racy, is printed as a note.
# See bench/README.md.
#
# usage: bench/race_compare.sh [-n RUNS] [-T THREADS] [-t SECS] [-o FILE]
#                              [-x TOOLS] [-p] [-s] [WORKLOAD...]
# (-h for the options; GOC_BENCH_BUILD / GOC_BENCH_TSAN_BUILD override the
# build trees, CC the compiler — it must be a clang.)

set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

all_workloads=(sweep epochs readshare lookup mutex racy condq chan spawn unaligned)

# Full size N (plain, goc-race, TSan: plain runs take about 0.1-0.5 s on a
# 2-core VM) and the sizes Helgrind and DRD run at (roughly 5 s of CPU each,
# so that their 0.5-2 s start-up and its noise matter little; their rates
# differ by workload: Helgrind's racy counter costs ~6 ns an increment,
# DRD's ~1 us, as DRD records every conflicting access). spawn runs both at N:
# Helgrind's cost per thread grows with the number of threads ever created
# (0.25 ms each at 600, 8 ms each at 10,000), so a smaller n would flatter
# it. The unit of work is given in each program's opening comment.
declare -A size=(
	[sweep]=300 [epochs]=4000 [readshare]=2500 [lookup]=200000 [mutex]=8000000 [racy]=200000000
	[condq]=1000000 [chan]=2000000 [spawn]=6000 [unaligned]=3000
)
declare -A hsize=(
	[sweep]=150 [epochs]=800 [readshare]=500 [lookup]=100000 [mutex]=500000 [racy]=1000000000
	[condq]=100000 [chan]=1000000 [spawn]=6000 [unaligned]=1500
)
declare -A dsize=(
	[sweep]=300 [epochs]=1200 [readshare]=1000 [lookup]=30000 [mutex]=500000 [racy]=5000000
	[condq]=200000 [chan]=500000 [spawn]=6000 [unaligned]=3000
)
# vsize TOOL W: the size Helgrind or DRD runs W at.
vsize() {
	if [[ $1 == helgrind ]]; then echo "${hsize[$2]}"; else echo "${dsize[$2]}"; fi
}

# Workloads with a data race that every tool must report.
declare -A has_race=([racy]=1)
# Workloads that use libgoc (linked against it; TSan gets the TSan libgoc).
declare -A uses_goc=([chan]=1)

all_tools=(plain goc-race tsan helgrind drd)

usage() {
	cat <<EOF
usage: $0 [-n RUNS] [-T THREADS] [-t SECS] [-o FILE] [-x TOOLS] [-p] [-s] [WORKLOAD...]

  -n RUNS     runs of each tool per workload (default 5); cells are medians
  -T THREADS  threads per workload (default 2); chan uses THREADS workers
  -t SECS     kill a run after SECS seconds (default 300): a failure, except
              for Helgrind and DRD, where it gives a ">X" bound
  -o FILE     also write the tables as markdown to FILE
  -x TOOLS    comma-separated tools to leave out: goc-race,tsan,helgrind,drd
  -p          run goc-race as LD_PRELOAD=libgoc-race.so even when the
              goc-race command is built (default: goc-race cc / run if built)
  -s          skip the build; use the binaries already built
  WORKLOAD    run only these (default: all): ${all_workloads[*]}

Build trees: \$GOC_BENCH_BUILD (default build-release/) for libgoc, the
hooks library, libgoc-race.so and goc-race; \$GOC_BENCH_TSAN_BUILD (default
the same name with -tsan) for a libgoc built with -Db_sanitize=thread.
Workload binaries go to <build>/bench-race/{plain,goc-race,tsan}/.
EOF
}

threads=2
skip_tools=""
force_preload=0
while getopts "n:T:t:o:x:psh" opt; do
	case $opt in
	T) threads=$OPTARG ;;
	x) skip_tools=$OPTARG ;;
	p) force_preload=1 ;;
	*) common_opt "$opt" "${OPTARG:-}" || { usage >&2; exit 2; } ;;
	esac
done
shift $((OPTIND - 1))

check_common_opts
need_posint -T "$threads"

declare -A want_tool=()
for t in "${all_tools[@]}"; do want_tool[$t]=1; done
IFS=, read -r -a skipped <<<"$skip_tools"
for t in "${skipped[@]}"; do
	case $t in
	goc-race | tsan | helgrind | drd) want_tool[$t]=0 ;;
	*) echo "race_compare.sh: -x: unknown tool '$t' (goc-race,tsan,helgrind,drd)" >&2; exit 2 ;;
	esac
done

pick_workloads size all_workloads "$@"
need_gnu_time
if ((want_tool[helgrind] || want_tool[drd])) && ! command -v valgrind >/dev/null; then
	echo "race_compare.sh: valgrind is needed for Helgrind and DRD" \
		"(apt-get install valgrind, or -x helgrind,drd)" >&2
	exit 2
fi

root=$bench_root
build=${GOC_BENCH_BUILD:-$root/build-release}
tbuild=${GOC_BENCH_TSAN_BUILD:-$build-tsan}
cc=${CC:-clang-14}
bin=$build/bench-race
shim=$build/interpose/libgoc-race.so
gocrace=$build/cli/goc-race

make_tmp goc-race-bench

# ---- build ----------------------------------------------------------------

# The commit the binaries are built from (others may commit during a run).
rev=$(git_rev)
started=$(date -u '+%Y-%m-%d %H:%M UTC')


# Same words for every tool, so the three builds differ only by the
# instrumentation. These are also the flags `goc-race cc` adds (docs/cli.md),
# except that it adds -lgoc always; --as-needed drops it where unused.
# -gdwarf-4: Valgrind 3.19 cannot read clang 14's default DWARF 5
# (DW_FORM_addrx), and its reports would then have no source lines.
# shellcheck disable=SC2054 # the commas are the linker's
cflags=(-O2 -g -gdwarf-4 -fno-omit-frame-pointer -Wall -Wextra -Werror -pthread
	-I"$root/include" -Wl,--as-needed)
gr_cflags=(-fsanitize=thread -fno-sanitize-link-runtime -mcx16)

# build_one TOOL WORKLOAD: compile bench/race/WORKLOAD.c for TOOL.
build_one() {
	local tool=$1 w=$2 src=$root/bench/race/$2.c out=$bin/$1/$2 libs=()
	local goclib=$build/runtime
	[[ $tool == tsan ]] && goclib=$tbuild/runtime
	# shellcheck disable=SC2054 # the commas are the linker's
	[[ -n ${uses_goc[$w]:-} ]] && libs=(-L"$goclib" -Wl,-rpath,"$goclib" -lgoc)
	mkdir -p "$bin/$tool"
	case $tool in
	plain) "$cc" "${cflags[@]}" "$src" -o "$out" "${libs[@]}" ;;
	goc-race)
		if ((use_cli)); then
			GOC_RACE_CC=$cc "$gocrace" cc "${cflags[@]}" "$src" -o "$out"
		else
			"$cc" "${cflags[@]}" "${gr_cflags[@]}" "$src" -o "$out" \
				-L"$build/interpose" -Wl,-rpath,"$build/interpose" \
				-lgoc-race-hooks "${libs[@]}"
		fi ;;
	tsan) "$cc" "${cflags[@]}" -fsanitize=thread "$src" -o "$out" "${libs[@]}" ;;
	esac
}

use_cli=0
if ((skip_build == 0)); then
	if ! "$cc" --version 2>/dev/null | grep -q clang; then
		echo "race_compare.sh: CC=$cc is not a clang (the TSan pass is clang's)" >&2
		exit 2
	fi
	echo "== building libgoc, the hooks library and goc-race (release) in $build" >&2
	setup_tree "$build" "$cc" --buildtype=release
	ninja -C "$build" runtime/libgoc.so interpose/libgoc-race-hooks.so >&2
	if ((want_tool[goc-race])); then
		# The preload runtime and the command may not build (or exist) yet:
		# then the goc-race column says so and the others still run.
		ninja -C "$build" interpose/libgoc-race.so >&2 ||
			echo "race_compare.sh: libgoc-race.so did not build" >&2
		ninja -C "$build" cli/goc-race >&2 ||
			echo "race_compare.sh: goc-race did not build; using LD_PRELOAD" >&2
	fi
	if ((want_tool[tsan])); then
		echo "== building libgoc with -fsanitize=thread in $tbuild" >&2
		setup_tree "$tbuild" "$cc" --buildtype=release -Db_sanitize=thread -Db_lundef=false
		ninja -C "$tbuild" runtime/libgoc.so >&2
	fi
fi
if ((want_tool[goc-race])) && [[ ! -f $shim ]]; then
	echo "race_compare.sh: no $shim: goc-race left out" >&2
	want_tool[goc-race]=0
fi
((force_preload == 0)) && [[ -x $gocrace ]] && use_cli=1

if ((skip_build == 0)); then
	echo "== building the workloads in $bin ($cc)" >&2
	for w in "${workloads[@]}"; do
		for t in plain goc-race tsan; do
			((want_tool[$t])) && build_one "$t" "$w"
		done
	done
fi
for w in "${workloads[@]}"; do
	for t in plain goc-race tsan; do
		if ((want_tool[$t])) && [[ ! -x $bin/$t/$w ]]; then
			echo "race_compare.sh: missing $bin/$t/$w (build failed, or -s without a build)" >&2
			exit 1
		fi
	done
done

# ---- running --------------------------------------------------------------

# command_for TOOL WORKLOAD N: sets cmd (array) and cmd_env (array).
command_for() {
	local tool=$1 w=$2 n=$3
	cmd_env=()
	case $tool in
	plain) cmd=("$bin/plain/$w" "$n" "$threads") ;;
	goc-race)
		if ((use_cli)); then
			cmd=("$gocrace" run --exitcode=0 --json-path="$tmp/findings.jsonl"
				-- "$bin/goc-race/$w" "$n" "$threads")
		else
			cmd_env=(LD_PRELOAD="$shim"
				GOC_RACE_OPTIONS="exitcode=0 json_path=$tmp/findings.jsonl")
			cmd=("$bin/goc-race/$w" "$n" "$threads")
		fi ;;
	tsan)
		# Report and go on; the exit status stays the program's. TSan
		# sleeps 1 s at exit while other threads live (libgoc's workers in
		# chan): not part of the cost being measured.
		cmd_env=(TSAN_OPTIONS="exitcode=0 halt_on_error=0 atexit_sleep_ms=0")
		cmd=("$bin/tsan/$w" "$n" "$threads") ;;
	helgrind | drd)
		cmd=(valgrind --tool="$tool" "$bin/plain/$w" "$n" "$threads") ;;
	esac
}

# findings_of TOOL: how many distinct findings the run just done reported.
findings_of() {
	case $1 in
	plain) echo 0 ;;
	goc-race) if [[ -f $tmp/findings.jsonl ]]; then grep -c . "$tmp/findings.jsonl" || true; else echo 0; fi ;;
	tsan) grep -c '^WARNING: ThreadSanitizer:' "$tmp/err" || true ;;
	# Valgrind: "ERROR SUMMARY: E errors from C contexts": C distinct ones.
	helgrind | drd)
		sed -n 's/.*ERROR SUMMARY: [0-9]* errors from \([0-9]*\) contexts.*/\1/p' "$tmp/err" |
			tail -n 1 ;;
	esac
}

# run_one TOOL WORKLOAD N RUN: runs one program once. Returns 0 and sets
# run_time (wall s), run_cpu (user+sys s, the whole process tree), run_rss
# (KiB) and run_found; returns 1 on failure (printed) and 2 when it was
# killed at the timeout.
run_one() {
	local tool=$1 w=$2 n=$3 r=$4 rc=0 t0 t1 why="" sum want
	command_for "$tool" "$w" "$n"
	rm -f "$tmp/time" "$tmp/out" "$tmp/err" "$tmp/findings.jsonl"
	t0=$EPOCHREALTIME
	env "${cmd_env[@]}" /usr/bin/time -f '%M %U %S' -o "$tmp/time" \
		timeout -k 10 "$timeout_s" "${cmd[@]}" >"$tmp/out" 2>"$tmp/err" || rc=$?
	t1=$EPOCHREALTIME
	read -r sum want < <(sed -n 's/.*checksum=\([-0-9]*\) want=\([-0-9]*\).*/\1 \2/p' \
		"$tmp/out" | tail -n 1) || true
	why=$(run_failure "$rc" "$sum" "$want")
	if [[ -n $why ]]; then
		print_failure "$tool $w n=$n threads=$threads run $r/$runs: $why" \
			"${cmd_env[*]}${cmd_env[*]:+ }${cmd[*]}"
		if timed_out "$rc" && [[ $tool == helgrind || $tool == drd ]]; then
			return 2
		fi
		return 1
	fi
	run_time=$(calc "$t1 - $t0" '%.3f')
	local u sy
	read -r run_rss u sy < <(tail -n 1 "$tmp/time")
	run_cpu=$(calc "$u + $sy" '%.2f')
	run_found=$(findings_of "$tool")
	run_found=${run_found:-0}
}

notes=()
declare -A noted=()
# note_findings TOOL WORKLOAD: a detector's findings against what the
# workload holds (racy: a race; the others: none). Noted once per tool and
# workload; the table shows the most findings in any run.
note_findings() {
	local tool=$1 w=$2 msg="" first
	[[ $tool == plain || -n ${noted[$w,$tool]:-} ]] && return 0
	if [[ -n ${has_race[$w]:-} ]]; then
		((run_found == 0)) && msg="$tool reported nothing on $w, which has a race"
	elif ((run_found > 0)); then
		msg="$tool reported races on $w, which has none"
		[[ $tool == helgrind || $tool == drd ]] && [[ -n ${uses_goc[$w]:-} ]] &&
			msg="$msg (Valgrind does not know libgoc's goroutines or atomics)"
	fi
	[[ -z $msg ]] && return 0
	noted[$w,$tool]=1
	notes+=("$msg")
	first=$(grep -m 1 -E 'WARNING: (DATA RACE|ThreadSanitizer)|Possible data race|Conflicting (load|store)' \
		"$tmp/err" || true)
	echo "   note: $msg${first:+ (first: $first)}" >&2
}

run_tools=()
for t in "${all_tools[@]}"; do ((want_tool[$t])) && run_tools+=("$t"); done

echo "== $runs runs per tool, $threads threads, timeout ${timeout_s}s;" \
	"tools: ${run_tools[*]}; goc-race via $( ((use_cli)) && echo "goc-race run" || echo LD_PRELOAD)" >&2

# Per workload and tool ("w,tool"), space-separated, one value per run:
# W wall time, C CPU time, M peak RSS; SW and SC the same for Valgrind's
# start-up runs (n = 1). F: most findings in a run. STATE: "" ok, FAILED,
# or timeout (Valgrind only).
declare -A W C M SW SC F STATE
for w in "${workloads[@]}"; do
	for ((r = 1; r <= runs; r++)); do
		for tool in "${run_tools[@]}"; do
			[[ -n ${STATE[$w,$tool]:-} ]] && continue
			n=${size[$w]}
			if [[ $tool == helgrind || $tool == drd ]]; then
				n=$(vsize "$tool" "$w")
				st=0
				run_one "$tool" "$w" 1 "$r" || st=$?
				if ((st)); then
					STATE[$w,$tool]=FAILED
					continue
				fi
				SW[$w,$tool]+=" $run_time" SC[$w,$tool]+=" $run_cpu"
			fi
			st=0
			run_one "$tool" "$w" "$n" "$r" || st=$?
			if ((st == 2)); then
				STATE[$w,$tool]=timeout
				continue
			elif ((st)); then
				STATE[$w,$tool]=FAILED
				continue
			fi
			W[$w,$tool]+=" $run_time" C[$w,$tool]+=" $run_cpu" M[$w,$tool]+=" $run_rss"
			((run_found > ${F[$w,$tool]:-0})) && F[$w,$tool]=$run_found
			F[$w,$tool]=${F[$w,$tool]:-0}
			note_findings "$tool" "$w"
			printf '   %-9s run %d/%d: %-8s n=%-10s %8ss wall %7ss cpu %8s KiB  findings %s\n' \
				"$w" "$r" "$runs" "$tool" "$n" "$run_time" "$run_cpu" "$run_rss" "$run_found" >&2
		done
	done
done

# ---- tables ---------------------------------------------------------------

# med ARRAY W TOOL: the median of ARRAY[W,TOOL], or nothing if that tool
# failed, timed out or did not run.
med() {
	local -n a=$1
	[[ -n ${STATE[$2,$3]:-} || -z ${a[$2,$3]:-} ]] && return 0
	# shellcheck disable=SC2086 # the list is space-separated on purpose
	median ${a[$2,$3]}
}
# cell W TOOL VALUE: VALUE, or why there is none.
cell() {
	if [[ -n ${STATE[$1,$2]:-} ]]; then echo "${STATE[$1,$2]}"
	elif ((!want_tool[$2])); then echo "-"
	else echo "${3:-n/a}"; fi
}
# cellm W TOOL KIB: the RSS cell in MiB.
cellm() {
	cell "$1" "$2" "${3:+$(mib "$3")}"
}

# shellcheck disable=SC2034 # h1..h3: used by name (print_table, md_table)
h1=(workload N "plain (s)" "goc-race (s)" "TSan (s)" "goc-race ×" "TSan ×"
	"goc-race/TSan")
# shellcheck disable=SC2034
h2=(workload "plain CPU (s)" "goc-race CPU (s)" "TSan CPU (s)" "goc-race/TSan CPU"
	"plain MiB" "goc-race MiB" "TSan MiB" "goc-race/TSan RSS" "findings goc-race/TSan")
# shellcheck disable=SC2034
h3=(workload "n H/D" "Helgrind (s)" "DRD (s)" "start-up H/D (s)" "Helgrind ×" "DRD ×"
	"Helgrind/goc-race" "DRD/goc-race" "Helgrind/goc-race CPU" "DRD/goc-race CPU"
	"Helgrind MiB" "DRD MiB" "contexts H/D")
rows1=() rows2=() rows3=()

# per_unit ARRAY START W TOOL: Valgrind's cost per unit of work from ARRAY
# (W or C) and its start-up array, (t(n) - t(1)) / (n - 1); after a
# timeout the lower bound (timeout - t(1)) / (n - 1), prefixed ">" (the CPU
# bound uses the wall-clock timeout too: only a bound for a serialized run).
per_unit() {
	local arr=$1 sarr=$2 w=$3 tool=$4 n s t
	local -n sa=$sarr
	n=$(vsize "$tool" "$w")
	[[ -z ${sa[$w,$tool]:-} ]] && return 0
	# shellcheck disable=SC2086
	s=$(median ${sa[$w,$tool]})
	if [[ ${STATE[$w,$tool]:-} == timeout ]]; then
		echo ">$(calc "($timeout_s - $s) / ($n - 1)" '%.9g')"
	elif [[ -z ${STATE[$w,$tool]:-} ]]; then
		t=$(med "$arr" "$w" "$tool")
		calc "($t - $s) / ($n - 1)" '%.9g'
	fi
}
# vratio UNIT BASE: ratio of a Valgrind per-unit time (maybe ">x") to BASE.
vratio() {
	local u=$1 b=$2 gt=""
	[[ -z $u || -z $b ]] && { echo "n/a"; return; }
	[[ $u == ">"* ]] && { gt=">"; u=${u#>}; }
	echo "$gt$(ratio "$u" "$b")"
}
# unit ARRAY W TOOL: the tool's median at size N divided by N.
unit() {
	local v
	v=$(med "$1" "$2" "$3")
	[[ -n $v ]] && calc "$v / ${size[$2]}" '%.9g'
	return 0
}

for w in "${workloads[@]}"; do
	p=$(med W "$w" plain) g=$(med W "$w" goc-race) k=$(med W "$w" tsan)
	row=("$w" "${size[$w]}" "$(cell "$w" plain "$p")" "$(cell "$w" goc-race "$g")"
		"$(cell "$w" tsan "$k")" "$(ratio "$g" "$p")" "$(ratio "$k" "$p")"
		"$(ratio "$g" "$k")")
	rows1+=("$(join_row "${row[@]}")")

	pc=$(med C "$w" plain) gc=$(med C "$w" goc-race) kc=$(med C "$w" tsan)
	pm=$(med M "$w" plain) gm=$(med M "$w" goc-race) km=$(med M "$w" tsan)
	row=("$w" "$(cell "$w" plain "$pc")" "$(cell "$w" goc-race "$gc")"
		"$(cell "$w" tsan "$kc")" "$(ratio "$gc" "$kc")"
		"$(cellm "$w" plain "$pm")" "$(cellm "$w" goc-race "$gm")" "$(cellm "$w" tsan "$km")"
		"$(ratio "$gm" "$km")" "${F[$w,goc-race]:--}/${F[$w,tsan]:--}")
	rows2+=("$(join_row "${row[@]}")")

	pu=$(unit W "$w" plain) gu=$(unit W "$w" goc-race) gcu=$(unit C "$w" goc-race)
	hu=$(per_unit W SW "$w" helgrind) du=$(per_unit W SW "$w" drd)
	hcu=$(per_unit C SC "$w" helgrind) dcu=$(per_unit C SC "$w" drd)
	hs=- ds=-
	# shellcheck disable=SC2086 # space-separated lists
	[[ -n ${SW[$w,helgrind]:-} ]] && hs=$(median ${SW[$w,helgrind]})
	# shellcheck disable=SC2086
	[[ -n ${SW[$w,drd]:-} ]] && ds=$(median ${SW[$w,drd]})
	row=("$w" "${hsize[$w]}/${dsize[$w]}"
		"$(cell "$w" helgrind "$(med W "$w" helgrind)")" "$(cell "$w" drd "$(med W "$w" drd)")"
		"$hs/$ds" "$(vratio "$hu" "$pu")" "$(vratio "$du" "$pu")"
		"$(vratio "$hu" "$gu")" "$(vratio "$du" "$gu")"
		"$(vratio "$hcu" "$gcu")" "$(vratio "$dcu" "$gcu")"
		"$(cellm "$w" helgrind "$(med M "$w" helgrind)")" "$(cellm "$w" drd "$(med M "$w" drd)")"
		"${F[$w,helgrind]:--}/${F[$w,drd]:--}")
	rows3+=("$(join_row "${row[@]}")")
done

# print_table HEADER-ARRAY-NAME ROWS-ARRAY-NAME: aligned text.
print_table() {
	local -n hdr=$1 rws=$2
	{
		(IFS='|'; echo "${hdr[*]}")
		printf '%s\n' "${rws[@]}"
	} | column -t -s '|'
}
title1="Wall time at size N, $threads threads (medians of $runs; × = slowdown against plain):"
title2="CPU time (user + sys, all threads) and peak RSS at size N:"
title3="Helgrind and DRD at sizes n (H/D); × and the ratios per unit of work: (t(n) − t(1)) / (n − 1) against plain's and goc-race's t(N) / N (wall, and CPU in the CPU columns); start-up is t(1):"
echo
echo "$title1"
print_table h1 rows1
echo
echo "$title2"
print_table h2 rows2
# Valgrind's table only when Helgrind or DRD ran (-x helgrind,drd: none).
valgrind_ran=$((want_tool[helgrind] || want_tool[drd]))
if ((valgrind_ran)); then
	echo
	echo "$title3"
	print_table h3 rows3
fi
if ((${#notes[@]})); then
	echo
	printf 'note: %s\n' "${notes[@]}"
fi

# ---- markdown -------------------------------------------------------------

# tool_line TOOL TEXT: TEXT, or that TOOL did not run.
tool_line() {
	if ((want_tool[$1])); then echo "$2"; else echo "not run (-x, or not built)"; fi
}

if [[ -n $outfile ]]; then
	{
		echo "Produced by \`bench/race_compare.sh\`, $started to $(date -u '+%H:%M UTC')."
		echo
		echo "- goc: commit $rev; workloads built with $("$cc" --version | head -n 1), -O2"
		echo "- goc-race: $(tool_line goc-race "$( ((use_cli)) && echo "built with \`goc-race cc\`, run with \`goc-race run\`" ||
			echo "instrumented by hand (-fsanitize=thread -fno-sanitize-link-runtime, libgoc-race-hooks), run with LD_PRELOAD=libgoc-race.so")")"
		echo "- TSan: $(tool_line tsan "clang's runtime (-fsanitize=thread), TSAN_OPTIONS=\"exitcode=0 halt_on_error=0 atexit_sleep_ms=0\"; chan links a libgoc built with -Db_sanitize=thread")"
		echo "- Helgrind, DRD: $( ((valgrind_ran)) && echo "$(valgrind --version), default options, on the plain binary" || echo "not run (-x)")"
		echo "- machine: $(machine)"
		echo "- $runs runs of each tool per workload, interleaved, $threads threads; each cell is the median."
		echo "  Wall time is taken by the shell; CPU time (%U + %S) and peak RSS (%M) by GNU time."
		echo
		echo "$title1"
		echo
		md_table h1 rows1
		echo
		echo "$title2"
		echo
		md_table h2 rows2
		if ((valgrind_ran)); then
			echo
			echo "$title3"
			echo
			md_table h3 rows3
		fi
		if ((${#notes[@]})); then
			echo
			printf -- '- note: %s\n' "${notes[@]}"
		fi
	} >"$tmp/md"
	mv "$tmp/md" "$outfile"
	echo "== wrote $outfile" >&2
fi

failed=0
for w in "${workloads[@]}"; do
	for tool in "${run_tools[@]}"; do
		[[ ${STATE[$w,$tool]:-} == FAILED ]] && failed=1
	done
done
if ((failed)); then
	echo "race_compare.sh: some runs FAILED (see above)" >&2
	exit 1
fi
