#!/usr/bin/env bash
# The main job: builds goc and goc-race, then runs every bundled example
# program in fixtures/ (the list is fixtures/list) under goc-race: each is
# compiled with `goc-race cc` and run with `goc-race run`. For each it
# prints the opening comment (what it does, what it teaches, what it
# prints), its output, what goc-race reported, and whether it ended as its
# "verdict:" says: exit status, stdout as in fixtures/expected/NAME.stdout
# and the program's first line on stderr (Go's fatal message) as in
# fixtures/expected/NAME.stderr1 where those exist, and for the examples
# with lines marked /* race */ a race report naming exactly those lines. Installs its Debian packages first.
# Usage: scripts/examples.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
goc_install_deps

export CC=clang-14
if [[ -f build/build.ninja ]]; then
	meson setup --reconfigure build >/dev/null
else
	meson setup build --buildtype=debugoptimized >/dev/null
fi
ninja -C build >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expected exit status: 66 (goc-race's exitcode) when the example has a
# race (its lines are marked /* race */, whatever its verdict); otherwise
# per verdict: norace and leak 0 (leaks are not reported yet), deadlock 2
# (Go's status), misuse 134 (SIGABRT after the fatal message).
expected() { # verdict source
	if grep -q '/\* race \*/' "$2"; then
		echo 66
		return
	fi
	case $1 in
	norace | leak) echo 0 ;; deadlock) echo 2 ;; misuse) echo 134 ;;
	*) echo "?" ;;
	esac
}

# The lines marked /* race */ in a source, sorted, space-separated.
marked_lines() {
	grep -n '/\* race \*/' "$1" | cut -d: -f1 | sort -n | uniq | tr '\n' ' '
}

# The source lines of the two accesses (top frames) of the one finding in
# goc-race's JSON lines file, sorted and deduplicated; "not one finding"
# if the file holds none or several, and a frame in another file than the
# example ($2) does not count as a line of it.
reported_lines() {
	if [[ $(grep -c . "$1") != 1 ]]; then
		echo "not one finding: $(grep -c . "$1")"
		return
	fi
	grep -o '"stack":\[{"func":"[^"]*","file":"[^"]*","line":[0-9]*' "$1" |
		head -n 2 | grep -F "\"file\":\"$(realpath "$2")\"" |
		sed 's/.*"line"://' | sort -n | uniq | tr '\n' ' '
}

# The program's own first line on stderr: not goc-race's "goc-race: "
# lines, nor a race report (between its "==================" rules).
program_stderr1() {
	awk '/^==================$/ { inreport = !inreport; next }
	     !inreport && !/^goc-race: / { print; exit }' "$1"
}

fail=0 n=0 bad=()
for name in $(grep -v '^#' fixtures/list); do
	src=fixtures/$name.c
	verdict=$(sed -n '1s/.*verdict: *\([a-z]*\).*/\1/p' "$src")
	echo "=== $name (verdict: $verdict)"
	# the opening comment after the verdict line, up to its closing */
	sed -n '2,/\*\//{s/^ \* \{0,1\}//;s/ *\*\/$//;s/^/    /;p}' "$src"
	build/cli/goc-race cc -O0 -o "$tmp/$name" "$src"
	# in $(...), so the shell does not announce a program killed by SIGABRT
	rc=$(timeout 120 build/cli/goc-race run --json-path="$tmp/$name.json" -- \
		"$tmp/$name" >"$tmp/out" 2>"$tmp/err"; echo $?)
	head -n 12 "$tmp/out" | sed 's/^/    | /'
	(($(wc -l <"$tmp/out") > 12)) && echo "    | ..."
	# goc-race's report (Go's layout), or else the program's first line
	if grep -q "WARNING: DATA RACE" "$tmp/err"; then
		sed -n '/WARNING: DATA RACE/,/^==================$/p' "$tmp/err" | head -n 40 |
			sed 's/^/    ! /'
	else
		{ grep -v '^goc-race: ' "$tmp/err" || true; } | head -n 1 | sed 's/^/    ! /'
	fi
	{ grep '^goc-race: ' "$tmp/err" || true; } | tail -n 1 | sed 's/^/    /'
	want=$(expected "$verdict" "$src")
	n=$((n + 1))
	if [[ $rc != "$want" ]]; then
		echo "    -> exit status $rc, expected $want"
		fail=1 bad+=("$name")
	elif [[ $want == 66 && $(reported_lines "$tmp/$name.json" "$src") != $(marked_lines "$src") ]]; then
		echo "    -> race reported on lines $(reported_lines "$tmp/$name.json" "$src")," \
			"expected the marked lines $(marked_lines "$src")"
		fail=1 bad+=("$name")
	elif [[ -f fixtures/expected/$name.stdout ]] &&
		! cmp -s "fixtures/expected/$name.stdout" "$tmp/out"; then
		echo "    -> exit status $rc, but stdout differs from fixtures/expected/$name.stdout"
		fail=1 bad+=("$name")
	elif [[ -f fixtures/expected/$name.stderr1 ]] &&
		[[ $(program_stderr1 "$tmp/err") != "$(cat "fixtures/expected/$name.stderr1")" ]]; then
		echo "    -> exit status $rc, but the first line on stderr is" \
			"'$(program_stderr1 "$tmp/err")', not as in fixtures/expected/$name.stderr1"
		fail=1 bad+=("$name")
	else
		echo "    -> exit status $rc, as expected"
	fi
done
if ((fail)); then
	echo "${#bad[@]} of $n examples did not end as expected: ${bad[*]}"
else
	echo "all $n examples ended as their verdicts say"
fi
exit $fail
