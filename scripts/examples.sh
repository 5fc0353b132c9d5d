#!/usr/bin/env bash
# The main job: builds goc and runs the bundled example programs in
# fixtures/ (the list is fixtures/list), printing each one's opening comment
# (what it does, what it teaches, what it prints), its output, and whether
# it ended as its "verdict:" says — exit status, and stdout as in
# fixtures/expected/NAME.stdout where that exists. (The race detector will
# take over this command when it lands, and judge the race and leak
# examples itself.) Installs its Debian packages first.
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

# expected exit status per verdict: norace 0, deadlock 2 (Go's status),
# misuse 134 (SIGABRT after the fatal message). A race or a leak does not
# stop a program: 0 until the detector reports them.
expected() {
	case $1 in
	norace | race | leak) echo 0 ;; deadlock) echo 2 ;; misuse) echo 134 ;;
	*) echo "?" ;;
	esac
}

fail=0 n=0 bad=()
for name in $(grep -v '^#' fixtures/list); do
	src=fixtures/$name.c
	verdict=$(sed -n '1s/.*verdict: *\([a-z]*\).*/\1/p' "$src")
	echo "=== $name (verdict: $verdict)"
	# the opening comment after the verdict line, up to its closing */
	sed -n '2,/\*\//{s/^ \* \{0,1\}//;s/ *\*\/$//;s/^/    /;p}' "$src"
	# in $(...), so the shell does not announce a program killed by SIGABRT
	rc=$(timeout 60 "build/fixtures/$name" >"$tmp/out" 2>"$tmp/err"; echo $?)
	head -n 12 "$tmp/out" | sed 's/^/    | /'
	(($(wc -l <"$tmp/out") > 12)) && echo "    | ..."
	head -n 1 "$tmp/err" | sed 's/^/    ! /'
	want=$(expected "$verdict")
	n=$((n + 1))
	if [[ $rc != "$want" ]]; then
		echo "    -> exit status $rc, expected $want"
		fail=1 bad+=("$name")
	elif [[ -f fixtures/expected/$name.stdout ]] &&
		! cmp -s "fixtures/expected/$name.stdout" "$tmp/out"; then
		echo "    -> exit status $rc, but stdout differs from fixtures/expected/$name.stdout"
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
