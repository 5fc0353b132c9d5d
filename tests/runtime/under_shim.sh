#!/usr/bin/env bash
# under_shim.sh SHIM.so PROGRAM ARGS... — runs a runtime test suite under
# goc-race's preload runtime and fails if the suite fails or if anything at
# all was reported. The findings file is checked, not the exit status:
# Criterion runs each test in a child process that reports its result
# before it exits, so the runtime's exit status 66 would not fail the test.
set -u
shim=$1
shift
json=$(mktemp)
trap 'rm -f "$json"' EXIT
LD_PRELOAD=$shim GOC_RACE_OPTIONS="json_path=$json" "$@"
rc=$?
if [[ -s $json ]]; then
	echo "goc-race reported $(wc -l <"$json") finding(s) in a suite that must have none:"
	cat "$json"
	exit 1
fi
exit $rc
