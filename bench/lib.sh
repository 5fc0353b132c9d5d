# shellcheck shell=bash
#
# lib.sh — what bench/compare.sh and bench/race_compare.sh share: the
# options both take and checking their arguments, the scratch directory,
# classifying and printing a failed run, the arithmetic of the tables
# (median, ratio, MiB), the markdown table, and the commit and machine lines
# a result is recorded with. Sourced, not run; every function is documented
# at its definition. Sets bench_root (the top of the repository), bench_me
# (the script's name, for messages) and the shared options' defaults.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_me=${0##*/}

# The options both drivers take, at their defaults: -n RUNS, -t SECS (the
# timeout of one run), -o FILE (markdown copy), -s (skip the build).
runs=5
timeout_s=300
outfile=""
skip_build=0

# common_opt OPT ARG: one of the options above, or -h (the driver's usage,
# then exit 0), as getopts gave it; returns 1 for any other option, which
# is the driver's own or a bad one.
# shellcheck disable=SC2034 # outfile, skip_build: read by the drivers
common_opt() {
	case $1 in
	n) runs=$2 ;;
	t) timeout_s=$2 ;;
	o) outfile=$2 ;;
	s) skip_build=1 ;;
	h) usage; exit 0 ;;
	*) return 1 ;;
	esac
}

# check_common_opts: exits 2 unless RUNS and SECS are positive integers.
check_common_opts() {
	need_posint -n "$runs"
	need_posint -t "$timeout_s"
}

# need_posint FLAG VALUE: exits 2 unless VALUE is a positive integer.
need_posint() {
	if ! [[ $2 =~ ^[1-9][0-9]*$ ]]; then
		echo "$bench_me: $1 wants a positive integer, got '$2'" >&2
		exit 2
	fi
}

# pick_workloads KNOWN ALL WORKLOAD...: sets workloads to the named ones,
# or to all of ALL (an array's name) if none is named; exits 2 on a name
# that is not a key of KNOWN (an associative array's name).
pick_workloads() {
	local -n known=$1 all=$2
	shift 2
	workloads=()
	if (($# == 0)); then
		workloads=("${all[@]}")
		return
	fi
	local w
	for w in "$@"; do
		if [[ -z ${known[$w]+set} ]]; then
			echo "$bench_me: unknown workload '$w' (have: ${all[*]})" >&2
			exit 2
		fi
		workloads+=("$w")
	done
}

# need_gnu_time: exits 2 unless GNU time is at /usr/bin/time.
need_gnu_time() {
	if [[ ! -x /usr/bin/time ]]; then
		echo "$bench_me: GNU time is needed at /usr/bin/time (apt-get install time)" >&2
		exit 2
	fi
}

# make_tmp PREFIX: sets tmp to a new scratch directory, removed at exit.
make_tmp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
}

# timed_out RC: whether RC is the status of a run `timeout -k 10` ended.
timed_out() {
	(($1 == 124 || $1 == 137))
}

# run_failure RC SUM WANT: why a run that exited with status RC under
# `timeout -k 10 $timeout_s` and printed the checksum SUM (empty: no
# checksum line) failed, WANT being the right checksum; nothing if it did
# not.
run_failure() {
	local rc=$1
	if timed_out "$rc"; then
		echo "timed out after ${timeout_s}s (killed)"
	elif ((rc > 128)); then
		echo "killed by signal $((rc - 128)) ($(kill -l $((rc - 128)) 2>/dev/null || echo '?'))"
	elif ((rc != 0)); then
		echo "exit status $rc"
	elif [[ -z $2 ]]; then
		echo "no checksum line"
	elif [[ $2 != "$3" ]]; then
		echo "checksum $2, want $3"
	fi
}

# print_failure WHAT COMMAND: the report of a failed run on stderr: WHAT,
# the command, and the tails of $tmp/out and $tmp/err (and $tmp/time if
# GNU time wrote it).
print_failure() {
	{
		echo
		echo "!!!! FAIL: $1"
		echo "!!!! command: $2"
		echo "---- stdout:"
		tail -n 20 "$tmp/out"
		echo "---- stderr (last 60 lines):"
		tail -n 60 "$tmp/err"
		[[ -s $tmp/time ]] && { echo "---- time:"; cat "$tmp/time"; }
		echo "----"
	} >&2
}

# median prints the median of its numeric arguments.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPR FORMAT: evaluates an awk expression and prints it with FORMAT.
calc() {
	awk "BEGIN { printf \"$2\", $1 }"
}

# ratio A B prints A/B with two decimals (none from 100 up), or n/a when A
# is empty or B is not positive.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (b + 0 <= 0 || a == "") print "n/a"
		else if (a / b >= 100) printf "%.0f\n", a / b
		else printf "%.2f\n", a / b }'
}

# mib KIB prints KIB in MiB with one decimal.
mib() {
	awk -v k="$1" 'BEGIN { printf "%.1f\n", k / 1024 }'
}

# join_row CELL...: the cells joined by '|', one table row as md_table and
# the text tables read it.
join_row() {
	local IFS='|'
	echo "$*"
}

# md_table HEADER ROWS: a markdown table from the names of an array of
# headers and an array of join_row rows; the first column left-aligned,
# the others right-aligned.
md_table() {
	local -n hdr=$1 rws=$2
	local cells row i
	printf '|'; printf ' %s |' "${hdr[@]}"; echo
	printf '| --- |'; for ((i = 1; i < ${#hdr[@]}; i++)); do printf ' ---: |'; done; echo
	for row in "${rws[@]}"; do
		IFS='|' read -r -a cells <<<"$row"
		printf '|'; printf ' %s |' "${cells[@]}"; echo
	done
}

# tree_cc_cmd DIR prints the C compiler command the meson tree DIR was set
# up with, as its build.ninja runs it (say "clang-14", or "ccache cc");
# nothing if DIR is not set up.
tree_cc_cmd() {
	# shellcheck disable=SC2016 # $ARGS is ninja's, matched literally
	sed -n '/^rule c_COMPILER$/{n;s/^ *command = \(.*\) \$ARGS.*/\1/p;q}' "$1/build.ninja" 2>/dev/null
}

# tree_cc DIR prints that compiler (the command's last word) as a resolved
# path.
tree_cc() {
	local cmd
	cmd=$(tree_cc_cmd "$1")
	[[ -n $cmd ]] && readlink -f "$(command -v "${cmd##* }")"
}

# setup_tree DIR CC OPTIONS...: set up the meson tree DIR (of the goc
# source) with the C compiler CC, or reconfigure it. Meson keeps the
# compiler a tree was first set up with, so a tree set up with another
# (say gcc, from a plain `meson setup`) is wiped and set up again.
setup_tree() {
	local dir=$1 cc=$2 have want
	shift 2
	want=$(readlink -f "$(command -v "$cc")") ||
		{ echo "no compiler $cc on PATH" >&2; exit 2; }
	if [[ ! -f $dir/build.ninja ]]; then
		CC=$cc meson setup "$dir" "$bench_root" "$@" >&2
		return
	fi
	have=$(tree_cc "$dir" || true)
	if [[ $have == "$want" ]]; then
		meson setup --reconfigure "$dir" "$bench_root" "$@" >&2
	else
		echo "== $dir was set up with ${have:-an unknown compiler}; setting it up again with $cc" >&2
		CC=$cc meson setup --wipe "$dir" "$bench_root" "$@" >&2
	fi
}

# git_rev prints the short commit of the working tree, marked when it has
# uncommitted changes (take it before building: others may commit during
# a run).
git_rev() {
	local rev
	rev=$(git -C "$bench_root" rev-parse --short HEAD 2>/dev/null || echo unknown)
	if [[ -n $(git -C "$bench_root" status --porcelain 2>/dev/null) ]]; then
		rev="$rev (with uncommitted changes)"
	fi
	echo "$rev"
}

# machine prints the machine a result was measured on: kernel, CPUs,
# memory.
machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "$(uname -srm), $(nproc) CPUs${cpu:+ ($cpu)}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) memory"
}
