#!/usr/bin/env bash
#
# compare.sh — run goc's benchmarks next to their Go twins and compare them.
#
# Builds both sides in release mode (the C side with meson in build-release/,
# the Go side with `go build` from bench/go into build-release/bench-go/), then
# for each workload and each worker count (GOMAXPROCS for Go, GOC_MAXPROCS for
# goc) runs Go and goc RUNS times each, interleaved (go, goc, go, goc, ...),
# under GNU time (`/usr/bin/time -f '%e %M'`: wall seconds, peak RSS in KiB).
# Every run must exit 0 within the timeout and print the expected
# "checksum=..." line; a run that does not is reported on stderr with its
# output, the rest of that row is skipped, the row is marked FAILED and the
# script exits 1 at the end. Prints a table of medians (and writes it as
# markdown with -o). See bench/README.md.
#
# usage: bench/compare.sh [-n RUNS] [-o FILE] [-w WORKERS] [-t SECS] [-s] [WORKLOAD...]
# (-h for the options; GOC_BENCH_BUILD overrides the build tree.)

set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

all_workloads=(pingpong prodcons spawn select2 skynet sleepers blocked
	mutex_uncontended mutex_contended2 mutex_contended4 mutex_contended8
	waitgroup context_cancel)

# The checksum each program prints at its default size (see the programs).
declare -A want=(
	[pingpong]=500000500000
	[prodcons]=12499997500000
	[spawn]=499999500000
	[select2]=2000000
	[skynet]=499999500000
	[sleepers]=1000000
	[blocked]=499999500000
	[mutex_uncontended]=50000000
	[mutex_contended2]=20000000
	[mutex_contended4]=20000000
	[mutex_contended8]=20000000
	[waitgroup]=1000000
	[context_cancel]=300000
)

# A workload runs the program of its own name (bench/go/<name>,
# bench/c/<name>.c) with no arguments, unless it is listed here as
# "program arguments...": one program measured at several settings, each
# setting a workload of its own. The arguments give the size N first, so the
# checksum above must be the one for that N.
declare -A invoke=(
	[mutex_contended2]="mutex_contended 20000000 2"
	[mutex_contended4]="mutex_contended 20000000 4"
	[mutex_contended8]="mutex_contended 20000000 8"
)

# command_of WORKLOAD sets prog (the program's name) and args (an array).
command_of() {
	local words
	read -r -a words <<<"${invoke[$1]:-$1}"
	prog=${words[0]}
	args=("${words[@]:1}")
}

usage() {
	cat <<EOF
usage: $0 [-n RUNS] [-o FILE] [-w WORKERS] [-t SECS] [-s] [WORKLOAD...]

  -n RUNS     runs of each side per workload and worker count (default 5)
  -o FILE     also write the results as markdown to FILE
  -w WORKERS  comma-separated worker counts (default 1,2)
  -t SECS     kill a run after SECS seconds and count it as failed (default 300)
  -s          skip the build; use the binaries already in build-release/
  WORKLOAD    run only these (default: all): ${all_workloads[*]}

The build tree is build-release/ at the top of the repository, or
\$GOC_BENCH_BUILD if set; the C compiler is \$CC (default clang-14).
EOF
}

workers_list="1,2"
while getopts "n:o:w:t:sh" opt; do
	case $opt in
	w) workers_list=$OPTARG ;;
	*) common_opt "$opt" "${OPTARG:-}" || { usage >&2; exit 2; } ;;
	esac
done
shift $((OPTIND - 1))

check_common_opts
IFS=, read -r -a workers <<<"$workers_list"
for w in "${workers[@]}"; do
	if ! [[ $w =~ ^[1-9][0-9]*$ ]]; then
		echo "compare.sh: -w wants worker counts like 1,2, got '$workers_list'" >&2
		exit 2
	fi
done

pick_workloads want all_workloads "$@"
need_gnu_time

root=$bench_root
build=${GOC_BENCH_BUILD:-$root/build-release}
gobin=$build/bench-go
cbin=$build/bench

make_tmp goc-bench

# ---- build ----------------------------------------------------------------

# The commit the binaries are built from (others may commit during a run).
rev=$(git_rev)

if ((skip_build == 0)); then
	echo "== building goc (release) in $build" >&2
	setup_tree "$build" "${CC:-clang-14}" --buildtype=release
	declare -A target_set=()
	for w in "${workloads[@]}"; do
		command_of "$w"
		target_set[bench/bench_$prog]=1
	done
	targets=("${!target_set[@]}")
	# Only the benchmarks (and libgoc): a broken test does not stop a bench run.
	ninja -C "$build" "${targets[@]}" >&2

	echo "== building the Go side in $gobin" >&2
	mkdir -p "$gobin"
	(cd "$root/bench/go" &&
		GO111MODULE=on GOFLAGS=-mod=mod GOPROXY=off go build -o "$gobin/" ./...) >&2
fi

for w in "${workloads[@]}"; do
	command_of "$w"
	for bin in "$gobin/$prog" "$cbin/bench_$prog"; do
		if [[ ! -x $bin ]]; then
			echo "compare.sh: missing $bin (build failed, or -s without a build)" >&2
			exit 1
		fi
	done
done

# ---- running --------------------------------------------------------------

# run_one SIDE WORKLOAD WORKERS RUN: runs one program once; on success sets
# run_time (s) and run_rss (KiB), on failure prints why and returns 1.
run_one() {
	local side=$1 name=$2 nw=$3 run=$4 bin var rc=0 prog args
	command_of "$name"
	if [[ $side == go ]]; then
		bin=$gobin/$prog
		var=GOMAXPROCS
	else
		bin=$cbin/bench_$prog
		var=GOC_MAXPROCS
	fi
	rm -f "$tmp/time" "$tmp/out" "$tmp/err"
	env "$var=$nw" timeout -k 10 "$timeout_s" \
		/usr/bin/time -f '%e %M' -o "$tmp/time" "$bin" "${args[@]}" >"$tmp/out" 2>"$tmp/err" || rc=$?

	local why got
	got=$(sed -n 's/.*checksum=\([-0-9]*\).*/\1/p' "$tmp/out" | tail -n 1)
	why=$(run_failure "$rc" "$got" "${want[$name]}")
	if [[ -n $why ]]; then
		print_failure "$side $name $var=$nw run $run/$runs: $why" \
			"$var=$nw $bin${args[*]:+ ${args[*]}}"
		return 1
	fi
	read -r run_time run_rss < <(tail -n 1 "$tmp/time")
}

header=(workload workers "Go time (s)" "goc time (s)" "goc/Go time"
	"Go RSS (MiB)" "goc RSS (MiB)" "goc/Go RSS")
fmt='%-17s %7s %12s %12s %11s %12s %13s %10s\n'
rows=()
failures=()

echo "== $runs runs per side, workers {${workers_list}}, timeout ${timeout_s}s" >&2
# shellcheck disable=SC2059
printf "$fmt" "${header[@]}"

for name in "${workloads[@]}"; do
	for nw in "${workers[@]}"; do
		go_t=() goc_t=() go_m=() goc_m=()
		failed=""
		for ((r = 1; r <= runs; r++)); do
			for side in go goc; do
				if ! run_one "$side" "$name" "$nw" "$r"; then
					failed=$side
					break 2
				fi
				if [[ $side == go ]]; then
					go_t+=("$run_time") go_m+=("$run_rss")
				else
					goc_t+=("$run_time") goc_m+=("$run_rss")
				fi
				printf '   %s workers=%s run %d/%d: %-3s %5ss %8s KiB\n' \
					"$name" "$nw" "$r" "$runs" "$side" "$run_time" "$run_rss" >&2
			done
		done
		if [[ -n $failed ]]; then
			failures+=("$name workers=$nw ($failed)")
			row=("$name" "$nw" "FAILED ($failed)" - - - - -)
		else
			gt=$(median "${go_t[@]}") ct=$(median "${goc_t[@]}")
			gm=$(median "${go_m[@]}") cm=$(median "${goc_m[@]}")
			row=("$name" "$nw" "$gt" "$ct" "$(ratio "$ct" "$gt")"
				"$(mib "$gm")" "$(mib "$cm")" "$(ratio "$cm" "$gm")")
		fi
		# shellcheck disable=SC2059
		printf "$fmt" "${row[@]}"
		rows+=("$(join_row "${row[@]}")")
	done
done

# ---- markdown -------------------------------------------------------------

if [[ -n $outfile ]]; then
	# The compiler the build tree was set up with.
	ccmd=$(tree_cc_cmd "$build")
	# shellcheck disable=SC2086 # ccmd may be "ccache cc"
	ccver=$(${ccmd:-cc} --version 2>/dev/null | head -n 1)
	{
		echo "# goc vs Go: benchmark results"
		echo
		echo "Produced by \`bench/compare.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
		echo
		echo "- goc: commit $rev, release build (${ccver:-unknown compiler})"
		echo "- Go: $(go version)"
		echo "- machine: $(machine)"
		echo "- $runs runs of each side per row, Go and goc interleaved; each cell is the median."
		echo "  Time is wall-clock seconds (GNU time %e, 10 ms resolution); RSS is peak"
		echo "  resident set size (GNU time %M). workers = GOMAXPROCS for Go, GOC_MAXPROCS for goc."
		echo
		md_table header rows
		if ((${#failures[@]})); then
			echo
			echo "FAILED: ${failures[*]} (see the run's stderr)."
			echo
		fi
	} >"$tmp/md"
	mv "$tmp/md" "$outfile"
	echo "== wrote $outfile" >&2
fi

if ((${#failures[@]})); then
	echo "compare.sh: FAILED: ${failures[*]}" >&2
	exit 1
fi
