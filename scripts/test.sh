#!/usr/bin/env bash
# Builds goc and runs every test: the release build (all suites, with 1, 2
# and 4 workers), a debug build (compiled with the same -Werror, suites run
# except the big stress tests), and the whole runtime suite built with
# -fsanitize=thread against clang 14's real ThreadSanitizer, which must
# report nothing. Installs its Debian packages first. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
goc_install_deps

export CC=clang-14
setup() { # dir, options...
	local dir=$1; shift
	if [[ -f $dir/build.ninja ]]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir"
}

setup build --buildtype=debugoptimized
setup build-debug --buildtype=debug
setup build-tsan --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false

status=0
meson test -C build --print-errorlogs || status=1
meson test -C build-debug --print-errorlogs --no-suite stress || status=1
# halt_on_error: a TSan report fails the test that caused it.
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 atexit_sleep_ms=0" \
	meson test -C build-tsan --print-errorlogs || status=1

if ((status)); then
	echo "FAILED: see the logs above (build*/meson-logs/testlog.txt)"
else
	echo "all test suites passed (release, debug, ThreadSanitizer)"
fi
exit $status
