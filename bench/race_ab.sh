#!/usr/bin/env bash
#
# race_ab.sh — two builds of the preload runtime against each other and
# against real TSan, on one workload of bench/race/, runs interleaved
# (A, B, TSan, A, B, TSan, ...): the measure of one change to the runtime
# on a machine whose speed moves more between runs than the change does.
# Uses the workload binaries race_compare.sh built (run it once first);
# prints the median wall time of each (medians of RUNS) and the ratios
# A/B, A/TSan and B/TSan, with the commit and machine.
#
# usage: bench/race_ab.sh [-n RUNS] [-T THREADS] LIB_A LIB_B WORKLOAD N
#   LIB_A, LIB_B: libgoc-race.so of each build (a build tree's
#   interpose/libgoc-race.so), e.g. the change in a git worktree's tree.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
	echo "usage: $bench_me [-n RUNS] [-T THREADS] LIB_A LIB_B WORKLOAD N"
}

threads=2
while getopts n:T:h opt; do
	case $opt in
	T) threads=$OPTARG ;;
	*) common_opt "$opt" "${OPTARG:-}" || { usage >&2; exit 2; } ;;
	esac
done
shift $((OPTIND - 1))
check_common_opts
need_posint -T "$threads"
if (($# != 4)); then
	usage >&2
	exit 2
fi
lib_a=$1 lib_b=$2 w=$3 n=$4
need_posint N "$n"
bin=${GOC_BENCH_BUILD:-$bench_root/build-release}/bench-race
for f in "$lib_a" "$lib_b" "$bin/goc-race/$w" "$bin/tsan/$w"; do
	if [[ ! -f $f ]]; then
		echo "$bench_me: no $f (build the runtimes; run race_compare.sh once for the workloads)" >&2
		exit 2
	fi
done

# one TOOL: runs the workload once under TOOL (a, b or tsan) and prints its
# wall time; exits 1 when the run fails.
one() {
	local t0 t1 rc=0
	local -a cmd=("$bin/goc-race/$w" "$n" "$threads")
	case $1 in
	a) cmd=(env LD_PRELOAD="$lib_a" "${cmd[@]}") ;;
	b) cmd=(env LD_PRELOAD="$lib_b" "${cmd[@]}") ;;
	tsan) cmd=("$bin/tsan/$w" "$n" "$threads") ;;
	esac
	t0=$EPOCHREALTIME
	"${cmd[@]}" >/dev/null 2>&1 || rc=$?
	t1=$EPOCHREALTIME
	if ((rc != 0)); then
		echo "$bench_me: $1 run failed (exit $rc): ${cmd[*]}" >&2
		exit 1
	fi
	calc "$t1 - $t0" '%.3f'
}

declare -A times=()
for ((r = 1; r <= runs; r++)); do
	for tool in a b tsan; do
		times[$tool]+="$(one "$tool") "
	done
done
declare -A med=()
for tool in a b tsan; do
	# shellcheck disable=SC2086 # the list of times, one word each
	med[$tool]=$(median ${times[$tool]})
done
echo "$w $n, $threads threads, medians of $runs (wall s), at $(git_rev); $(machine)"
echo "A ${med[a]} ($lib_a)"
echo "B ${med[b]} ($lib_b)"
echo "TSan ${med[tsan]}"
echo "A/B $(ratio "${med[a]}" "${med[b]}")  A/TSan $(ratio "${med[a]}" "${med[tsan]}")  B/TSan $(ratio "${med[b]}" "${med[tsan]}")"
