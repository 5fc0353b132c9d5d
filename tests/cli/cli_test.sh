#!/usr/bin/env bash
# cli_test.sh CASE — one behaviour of the goc-race command line per case
# (tests/cli/meson.build registers each as its own test). The environment
# names what it needs: GOC_RACE (the executable under test), FAKE_SHIM
# (fake_shim.c, used through GOC_RACE_SHIM), CLI_PROG (cli_prog.c), TOP_SRCDIR,
# TEST_SRCDIR, BUILD_ROOT and TEST_TMP (a fresh directory for this case).
#
# Every error case checks the exact exit status and that stderr is exactly
# one line, "goc-race: " and the whole message (docs/cli.md "Exit status").
set -euo pipefail
case_name=$1
T=$TEST_TMP/$case_name
rm -rf "$T"
mkdir -p "$T"
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
unset GOC_RACE_OPTIONS GOC_RACE_FAKE GOC_RACE_FAKE_DUMP GOC_RACE_CC LD_PRELOAD LD_LIBRARY_PATH
export GOC_RACE_SHIM=$FAKE_SHIM

fail() { echo "FAIL ($case_name): $*" >&2; echo "--- stderr:" >&2; cat "$T/err" >&2 || true; exit 1; }

# run CMD...: runs it, keeping stdout, stderr and the status.
run() {
	set +e
	"$@" >"$T/out" 2>"$T/err"
	status=$?
	set -e
}

want_status() { [[ $status == "$1" ]] || fail "exit status $status, want $1"; }

# one_line: stderr is exactly one line.
one_line() {
	local n
	n=$(wc -l <"$T/err")
	[[ $n == 1 ]] || fail "stderr has $n lines, want 1"
}

# want_error STATUS MESSAGE: the status, and stderr is the one line
# "goc-race: MESSAGE".
want_error() {
	want_status "$1"
	one_line
	[[ $(cat "$T/err") == "goc-race: $2" ]] || fail "stderr is not 'goc-race: $2'"
}

# want_error_re STATUS REGEX: the same, for a message with parts a test
# cannot know (a temporary name, json-c's words): the whole line matches
# "goc-race: REGEX".
want_error_re() {
	want_status "$1"
	one_line
	grep -Eqx "goc-race: $2" "$T/err" || fail "stderr does not match 'goc-race: $2'"
}

# want_line TEXT: stderr has exactly this line.
want_line() { grep -Fxq -- "$1" "$T/err" || fail "stderr lacks the line: $1"; }

gr() { run "$GOC_RACE" "$@"; }

case $case_name in
# ---- usage errors: 64 ------------------------------------------------------
usage_no_command)
	gr
	want_error 64 "no command: goc-race run|cc|env ... (see goc-race --help)" ;;
usage_unknown_command)
	gr frobnicate
	want_error 64 "unknown command 'frobnicate' (commands: run, cc, env)" ;;
usage_unknown_flag)
	gr run --no-such-option -- "$CLI_PROG" exit 0
	want_error 64 "unknown option --no-such-option (see goc-race --help)" ;;
usage_unknown_env_option)
	GOC_RACE_OPTIONS="exitcode=3 no_such_key=1" gr run -- "$CLI_PROG" exit 0
	want_error 64 "GOC_RACE_OPTIONS: unknown option 'no_such_key' (see goc-race --help)" ;;
usage_env_syntax)
	GOC_RACE_OPTIONS="halt_on_error" gr run -- "$CLI_PROG" exit 0
	want_error 64 "GOC_RACE_OPTIONS: expected NAME=VALUE, got 'halt_on_error'" ;;
usage_bad_bool)
	gr run --halt-on-error=maybe -- "$CLI_PROG" exit 0
	want_error 64 "--halt-on-error: bad value 'maybe' for halt_on_error: expected 1, 0, true, false, yes or no" ;;
usage_bad_int)
	gr run --exitcode=12x -- "$CLI_PROG" exit 0
	want_error 64 "--exitcode: bad value '12x' for exitcode: expected a decimal integer" ;;
usage_bad_env_value)
	GOC_RACE_OPTIONS="report_atomic_races=2" gr run -- "$CLI_PROG" exit 0
	want_error 64 "GOC_RACE_OPTIONS: bad value '2' for report_atomic_races: expected 1, 0, true, false, yes or no" ;;
usage_exitcode_range)
	gr run --exitcode=256 -- "$CLI_PROG" exit 0
	want_error 64 "bad value '256' for exitcode: expected 0 to 255" ;;
usage_missing_value)
	gr run --json-path -- "$CLI_PROG" exit 0
	want_error 64 "option --json-path needs a value: --json-path=STRING" ;;
usage_missing_dashdash)
	gr run "$CLI_PROG" exit 0
	want_error 64 "missing -- before the program: goc-race run [OPTIONS] -- $CLI_PROG [ARGS...]" ;;
usage_no_prog)
	gr run --halt-on-error --
	want_error 64 "no program after --: goc-race run [OPTIONS] -- PROG [ARGS...]"
	gr run --halt-on-error
	want_error 64 "missing -- and a program: goc-race run [OPTIONS] -- PROG [ARGS...]" ;;

# ---- the program cannot be run: 127 / 126 --------------------------------
prog_not_found)
	gr run -- "$T/no-such-program"
	want_error 127 "$T/no-such-program: no such file"
	PATH=$T gr run -- no-such-program-in-path
	want_error 127 "no-such-program-in-path: command not found" ;;
prog_not_executable)
	echo 'not a program' >"$T/plain"
	chmod 644 "$T/plain"
	gr run -- "$T/plain"
	want_error 126 "$T/plain: not executable (Permission denied)"
	gr run -- "$T"
	want_error 126 "$T: not executable (Is a directory)"
	PATH=$T gr run -- plain
	want_error 126 "plain: found in PATH but not executable (Permission denied)" ;;
prog_exec_fails)
	# Executable bit, but not a program the kernel can start.
	printf '\x7fELF garbage' >"$T/bad"
	chmod 755 "$T/bad"
	gr run -- "$T/bad"
	want_error 126 "cannot run $T/bad: Exec format error" ;;

# ---- files goc-race needs: 74 / 73 / 69 ---------------------------------------
suppressions_unreadable)
	gr run --suppressions="$T/missing.supp" -- "$CLI_PROG" exit 0
	want_error 74 "cannot read the suppressions file $T/missing.supp: No such file or directory"
	GOC_RACE_OPTIONS="suppressions=$T/missing.supp" gr run -- "$CLI_PROG" exit 0
	want_error 74 "cannot read the suppressions file $T/missing.supp: No such file or directory" ;;
json_cannot_create)
	gr run --json-path="$T/no/such/dir/f.json" -- "$CLI_PROG" exit 0
	want_error 73 "cannot create the JSON findings file $T/no/such/dir/f.json: No such file or directory" ;;
shim_not_found)
	GOC_RACE_SHIM=$T/nope.so gr run -- "$CLI_PROG" exit 0
	want_error 69 "GOC_RACE_SHIM=$T/nope.so: No such file or directory"
	# A goc-race with nothing beside it: neither layout has the runtime.
	mkdir -p "$T/lonely/bin"
	cp "$GOC_RACE" "$T/lonely/bin/goc-race"
	unset GOC_RACE_SHIM
	run "$T/lonely/bin/goc-race" run -- "$CLI_PROG" exit 0
	L=$(realpath "$T/lonely")
	want_error_re 69 "cannot find the preload runtime libgoc-race.so: looked in $L/[^ ]+ and $L/interpose \(GOC_RACE_SHIM=PATH names another\)" ;;

# ---- the JSON findings file: 65 when damaged ------------------------------
json_corrupt)
	GOC_RACE_FAKE="race garbage race truncated" gr run -- "$CLI_PROG" exit 0
	want_error_re 65 "bad JSON findings file $TMPDIR/goc-race-[A-Za-z0-9]{6}\.jsonl:2: not JSON \([^)]+\) \(and 1 more bad line\); 2 valid: 2 findings \(2 data races\) in $CLI_PROG"
	# The damaged file is kept, so the line it names can be read.
	ls "$TMPDIR"/goc-race-*.jsonl >/dev/null || fail "damaged temporary file removed" ;;
json_bad_schema)
	GOC_RACE_FAKE="schema2" gr run -- "$CLI_PROG" exit 0
	want_error_re 65 "bad JSON findings file $TMPDIR/goc-race-[A-Za-z0-9]{6}\.jsonl:1: unknown schema 2 \(this goc-race reads schema 1\); 0 valid: no findings in $CLI_PROG"
	GOC_RACE_FAKE="race nokind" gr run -- "$CLI_PROG" exit 0
	want_error_re 65 "bad JSON findings file $TMPDIR/goc-race-[A-Za-z0-9]{6}\.jsonl:2: no \"kind\" string; 1 valid: 1 finding \(1 data race\) in $CLI_PROG" ;;

# ---- findings and the program's own status ----------------------------------
findings_exitcode)
	GOC_RACE_FAKE="race race" gr run -- "$CLI_PROG" exit 0
	want_status 66
	want_line "goc-race: 2 findings (2 data races) in $CLI_PROG; JSON not kept (--keep-json or --json-path=FILE)"
	[[ $(wc -l <"$T/err") == 1 ]] || fail "more than the summary line"
	GOC_RACE_FAKE="race" gr run --exitcode=3 -- "$CLI_PROG" exit 0
	want_status 3
	want_line "goc-race: 1 finding (1 data race) in $CLI_PROG; JSON not kept (--keep-json or --json-path=FILE)"
	# Flags win over GOC_RACE_OPTIONS.
	GOC_RACE_OPTIONS="exitcode=5" GOC_RACE_FAKE="race" gr run --exitcode=7 -- "$CLI_PROG" exit 0
	want_status 7
	GOC_RACE_OPTIONS="exitcode=5" GOC_RACE_FAKE="race" gr run -- "$CLI_PROG" exit 0
	want_status 5
	# Findings win over the program's own failure.
	GOC_RACE_FAKE="race" gr run -- "$CLI_PROG" exit 9
	want_status 66 ;;
findings_kinds)
	GOC_RACE_FAKE="race deadlock race" gr run -- "$CLI_PROG" exit 0
	want_status 66
	want_line "goc-race: 3 findings (2 data races, 1 deadlock) in $CLI_PROG; JSON not kept (--keep-json or --json-path=FILE)" ;;
status_passthrough)
	gr run -- "$CLI_PROG" exit 0
	want_status 0
	want_line "goc-race: no findings in $CLI_PROG"
	gr run -- "$CLI_PROG" exit 3
	want_status 3
	want_line "goc-race: no findings in $CLI_PROG (exit status 3)"
	[[ $(wc -l <"$T/err") == 1 ]] || fail "more than the summary line"
	# Arguments reach the program unchanged, stdout is its own.
	gr run -- "$CLI_PROG" args "a b" --exitcode=1 -- ""
	want_status 0
	printf 'a b\n--exitcode=1\n--\n\n' | diff - "$T/out" || fail "arguments changed" ;;
killed_by_signal)
	gr run -- "$CLI_PROG" signal 9
	want_status 137
	want_line "goc-race: $CLI_PROG was killed by signal 9 (Killed)"
	want_line "goc-race: no findings in $CLI_PROG"
	# Findings written before the death still count, and win.
	GOC_RACE_FAKE="race" gr run -- "$CLI_PROG" signal 15
	want_status 66
	want_line "goc-race: $CLI_PROG was killed by signal 15 (Terminated)"
	want_line "goc-race: 1 finding (1 data race) in $CLI_PROG; JSON not kept (--keep-json or --json-path=FILE)" ;;
signal_forwarded)
	# SIGTERM sent to goc-race (by a process, as a CI runner's timeout does)
	# reaches the program; goc-race itself waits and reports. (A background
	# job of a script starts with SIGINT ignored, and goc-race passes that
	# on; cli_prog wait restores the default actions so it can die.)
	declare -A words=([TERM]=Terminated [INT]=Interrupt [HUP]=Hangup)
	for sig in TERM INT HUP; do
		rm -f "$T/ready"
		"$GOC_RACE" run -- "$CLI_PROG" wait "$T/ready" >"$T/out" 2>"$T/err" &
		pid=$!
		for _ in $(seq 1 500); do
			[[ -e $T/ready ]] && break
			sleep 0.02
		done
		[[ -e $T/ready ]] || fail "program did not start"
		kill -"$sig" "$pid"
		set +e
		wait "$pid"
		status=$?
		set -e
		n=$(kill -l "$sig")
		want_status $((128 + n))
		want_line "goc-race: $CLI_PROG was killed by signal $n (${words[$sig]})"
		want_line "goc-race: no findings in $CLI_PROG"
		[[ $(wc -l <"$T/err") == 2 ]] || fail "more than those two lines"
	done ;;

# ---- what the program is given ----------------------------------------------
options_passed)
	echo 'race:foo' >"$T/my.supp"
	cd "$T"
	GOC_RACE_OPTIONS="exitcode=5 strip_path_prefix='/a b/' halt_on_error=0" \
	LD_PRELOAD=/lib/x86_64-linux-gnu/libc.so.6 GOC_RACE_FAKE_DUMP=$T/dump \
		gr run --halt-on-error --suppressions=my.supp --json-path=rel.json -- "$CLI_PROG" exit 0
	want_status 0
	opts=$(sed -n 1p "$T/dump")
	pre=$(sed -n 2p "$T/dump")
	# Set options only, in options.def's order; paths absolute; flags won.
	R=$(realpath "$T")
	[[ $opts == "json_path=$R/rel.json exitcode=5 halt_on_error=1 strip_path_prefix=\"/a b/\" suppressions=$R/my.supp" ]] ||
		fail "GOC_RACE_OPTIONS given to the program: $opts"
	[[ $pre == "$(realpath "$FAKE_SHIM"):/lib/x86_64-linux-gnu/libc.so.6" ]] ||
		fail "LD_PRELOAD given to the program: $pre" ;;
json_path_kept)
	cd "$T"
	GOC_RACE_FAKE="race" gr run --json-path=out.json -- "$CLI_PROG" exit 0
	want_status 66
	want_line "goc-race: 1 finding (1 data race) in $CLI_PROG; JSON: out.json"
	[[ $(wc -l <out.json) == 1 ]] || fail "out.json does not hold the record"
	# A second run starts the file afresh.
	gr run --json-path=out.json -- "$CLI_PROG" exit 0
	want_status 0
	want_line "goc-race: no findings in $CLI_PROG; JSON: out.json"
	[[ ! -s out.json ]] || fail "out.json kept the last run's record" ;;
temp_json)
	GOC_RACE_FAKE="race" gr run -- "$CLI_PROG" exit 0
	want_status 66
	[[ -z $(ls "$TMPDIR") ]] || fail "temporary file left behind: $(ls "$TMPDIR")"
	GOC_RACE_FAKE="race" gr run --keep-json -- "$CLI_PROG" exit 0
	want_status 66
	kept=$(ls "$TMPDIR"/goc-race-*.jsonl)
	want_line "goc-race: 1 finding (1 data race) in $CLI_PROG; JSON: $kept"
	[[ $(wc -l <"$kept") == 1 ]] || fail "kept file does not hold the record" ;;

# ---- help and the option table --------------------------------------------
help_lists_options)
	names=$(sed -n 's/^GOC_RACE_OPTION([A-Z]*, *\([a-z_0-9]*\),.*/\1/p' "$TOP_SRCDIR/interpose/options.def")
	[[ -n $names ]] || fail "no option found in options.def"
	for args in "--help" "run --help"; do
		# shellcheck disable=SC2086
		gr $args
		want_status 0
		for n in $names; do
			grep -q -- "--${n//_/-}[=[]" "$T/out" || fail "goc-race $args does not list --${n//_/-}"
			grep -q "($n; default: " "$T/out" || fail "goc-race $args does not name $n"
		done
		for s in 64 65 69 70 73 74 126 127; do
			grep -Eq "^  $s " "$T/out" || fail "goc-race $args does not document status $s"
		done
	done ;;
readme_options_table)
	gr --options-markdown
	want_status 0
	sed -n '/^<!-- options:begin -->$/,/^<!-- options:end -->$/p' "$TOP_SRCDIR/README.md" |
		sed '1d;$d' >"$T/readme_table"
	diff -u "$T/out" "$T/readme_table" ||
		fail "README.md's option table differs from goc-race --options-markdown; paste it between the markers" ;;

# ---- goc-race cc ----------------------------------------------------------------
cc_builds_instrumented)
	unset GOC_RACE_SHIM
	gr cc -O1 -o "$T/cc_prog" "$TEST_SRCDIR/cc_prog.c"
	want_status 0
	nm -u "$T/cc_prog" >"$T/undef"
	grep -q '__tsan_func_entry' "$T/undef" || fail "not instrumented"
	grep -q '__tsan_atomic128_fetch_add' "$T/undef" || fail "no 128-bit atomic hook (-mcx16)"
	run env -u LD_PRELOAD "$T/cc_prog"
	want_status 0
	[[ $(cat "$T/out") == "sum 5050 count 100 wide 100 copy 13" ]] || fail "output: $(cat "$T/out")"
	# Compile and link as separate steps: -c adds no libraries.
	gr cc -c -o "$T/cc_prog.o" "$TEST_SRCDIR/cc_prog.c"
	want_status 0
	gr cc -o "$T/cc_prog2" "$T/cc_prog.o"
	want_status 0
	run "$T/cc_prog2"
	[[ $(cat "$T/out") == "sum 5050 count 100 wide 100 copy 13" ]] || fail "two-step output: $(cat "$T/out")" ;;
cc_status)
	# The compiler's status is goc-race's.
	echo 'int main(void) { return syntax error; }' >"$T/bad.c"
	gr cc -c -o "$T/bad.o" "$T/bad.c"
	want_status 1
	grep -q "^$T/bad.c:1:[0-9]*: error: " "$T/err" || fail "compiler diagnostics not shown"
	[[ ! -e $T/bad.o ]] || fail "a failed compile left bad.o"
	GOC_RACE_CC=$T/no-such-cc gr cc -c "$T/bad.c"
	want_error 127 "$T/no-such-cc: compiler not found (GOC_RACE_CC names another)"
	GOC_RACE_CC="$CLI_PROG exit 7" gr cc -c x.c
	want_status 7 ;;
installed_layout)
	# Stage an install and use goc-race from there: every path must point
	# into the staged tree, none into the build tree.
	unset GOC_RACE_SHIM
	meson install -C "$BUILD_ROOT" --no-rebuild --quiet --destdir "$T/stage" >"$T/install.log" 2>&1 ||
		{ cat "$T/install.log" >&2; fail "meson install failed"; }
	staged=$(find "$T/stage" -path '*/bin/goc-race' -type f)
	[[ -x $staged ]] || fail "no staged goc-race"
	run "$staged" env
	want_status 0
	grep -q "^GOC_RACE_LAYOUT='installed'$" "$T/out" || fail "layout: $(cat "$T/out")"
	stage_real=$(realpath "$T/stage")
	grep -q "^GOC_RACE_SHIM='$stage_real/.*/libgoc-race.so'$" "$T/out" || fail "runtime not staged"
	grep "^GOC_RACE_CFLAGS=" "$T/out" | grep -q -- "-I$stage_real/" || fail "include dir not staged"
	grep "^GOC_RACE_LDFLAGS=" "$T/out" | grep -q -- "-L$stage_real/" || fail "lib dir not staged"
	if sed "s|$stage_real||g" "$T/out" | grep -q "$BUILD_ROOT\|$TOP_SRCDIR/include"; then
		fail "staged goc-race points into the build: $(cat "$T/out")"
	fi
	run "$staged" cc -o "$T/cc_prog" "$TEST_SRCDIR/cc_prog.c"
	want_status 0
	run env -u LD_PRELOAD "$T/cc_prog"
	[[ $(cat "$T/out") == "sum 5050 count 100 wide 100 copy 13" ]] || fail "output: $(cat "$T/out")"
	ldd "$T/cc_prog" >"$T/ldd"
	grep -q "libgoc.so => $stage_real/" "$T/ldd" || fail "libgoc not from the staged tree"
	grep -q "libgoc-race-hooks.so => $stage_real/" "$T/ldd" || fail "hooks not from the staged tree" ;;
*)
	echo "unknown case $case_name" >&2
	exit 2 ;;
esac
echo "ok: $case_name"
