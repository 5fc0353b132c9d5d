#!/usr/bin/env bash
# The main job: builds goc and runs the bundled example programs in
# fixtures/, saying what each one shows and whether it ended as its
# "verdict:" comment says. (The race detector will take over this command
# when it lands.) Installs its Debian packages first.
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

# expected exit status per verdict: norace 0, deadlock 2 (Go's status),
# misuse 134 (SIGABRT after the fatal message).
expected() {
	case $1 in
	norace) echo 0 ;; deadlock) echo 2 ;; misuse) echo 134 ;; *) echo "?" ;;
	esac
}

fail=0
for src in fixtures/*.c; do
	name=$(basename "$src" .c)
	verdict=$(sed -n '1s/.*verdict: *\([a-z]*\).*/\1/p' "$src")
	what=$(sed -n '2,3p' "$src" | sed 's/^ \* *//' | tr '\n' ' ')
	echo "=== $name (verdict: $verdict)"
	echo "    $what"
	set +e
	out=$(timeout 60 "build/fixtures/$name" 2>&1)
	rc=$?
	set -e
	printf '%s\n' "$out" | head -n 12 | sed 's/^/    | /'
	want=$(expected "$verdict")
	if [[ $rc == "$want" ]]; then
		echo "    -> exit status $rc, as expected"
	else
		echo "    -> exit status $rc, expected $want"
		fail=1
	fi
done
exit $fail
