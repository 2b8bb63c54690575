#!/bin/sh
# Build the libFuzzer harnesses in tests/fuzz/ with clang (fuzzer, ASan and
# UBSan) straight from the project's sources, and run each one for a few
# seconds on its seed corpus. TAP output, one line per harness with the
# number of executions; "1..0 # SKIP" when clang or its libFuzzer runtime
# (Debian: clang + libclang-rt-dev) is missing.
#
#   tests/fuzz/run.sh                 (FUZZ_SECONDS=5 per harness by default)
#   FUZZ_SECONDS=60 FUZZ_ONLY=fuzz_range tests/fuzz/run.sh
#
# New interesting inputs go to a temporary corpus (the seeds are never
# modified); a crashing input is printed in hex and kept when FUZZ_KEEP is set.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=${ATTUNE_SRCDIR:-$here/../..}
src=$(cd "$src" && pwd)
# Five seconds each (about 20 s in all); one under ATTUNE_TEST_QUICK (distcheck).
if [ "${ATTUNE_TEST_QUICK:-}" = 1 ]; then default=1; else default=5; fi
seconds=${FUZZ_SECONDS:-$default}
CLANG=${CLANG:-clang}
harnesses="fuzz_entity fuzz_range fuzz_options fuzz_csvguard fuzz_config"
[ -n "${FUZZ_ONLY:-}" ] && harnesses=$FUZZ_ONLY

work=$(mktemp -d "${TMPDIR:-/tmp}/attune-fuzz.XXXXXX") || exit 1
cleanup() { [ -n "${FUZZ_KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# settings.c includes the build's config.h; the parsers need nothing from it.
printf '#define PACKAGE_VERSION "fuzz"\n' >"$work/config.h"

flags="-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I$work -I$src/src"

# The sources each harness links with (the real ones, compiled here).
sources() {
	case $1 in
	fuzz_entity) echo "src/util/parse.c" ;;
	fuzz_range) echo "src/util/parse.c" ;;
	fuzz_options) echo "src/settings.c src/settings_file.c src/config_file.c src/util/parse.c src/util/err.c" ;;
	fuzz_config) echo "src/config_file.c src/settings_file.c src/settings.c src/util/parse.c src/util/err.c" ;;
	fuzz_csvguard) echo "src/export/csvout.c src/util/arena.c" ;;
	esac
}
libs() {
	case $1 in
	fuzz_range | fuzz_config) echo "-lm" ;;
	fuzz_csvguard) echo "-lcsv" ;;
	esac
}

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "1..0 # SKIP no clang with libFuzzer ($CLANG not found)"
	exit 0
fi
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
	>"$work/probe.c"
# shellcheck disable=SC2086
if ! "$CLANG" $flags -o "$work/probe" "$work/probe.c" >"$work/probe.log" 2>&1; then
	echo "1..0 # SKIP no clang with libFuzzer ($CLANG cannot link -fsanitize=fuzzer: $(head -n 1 "$work/probe.log"))"
	exit 0
fi

n=0
failed=0
total=0
# shellcheck disable=SC2086
set -- $harnesses
echo "1..$#"
for h in "$@"; do
	n=$((n + 1))
	bin=$work/$h
	files=""
	for f in $(sources "$h"); do files="$files $src/$f"; done
	# shellcheck disable=SC2086,SC2046
	if ! "$CLANG" $flags -o "$bin" "$here/$h.c" $files $(libs "$h") >"$work/$h.build" 2>&1; then
		echo "not ok $n - $h: does not build"
		sed 's/^/#   /' "$work/$h.build" | head -n 30
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$work/$h.corpus"
	seeds=$here/corpus/$h
	[ -d "$seeds" ] || seeds=
	# shellcheck disable=SC2086
	ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
		-print_final_stats=1 -artifact_prefix="$work/$h-" \
		"$work/$h.corpus" $seeds >"$work/$h.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h.log" | tail -n 1)
	execs=${execs:-0}
	total=$((total + execs))
	if [ $rc -eq 0 ] && [ "$execs" -gt 0 ]; then
		echo "ok $n - $h: $execs executions in ${seconds} s, no failure"
	else
		echo "not ok $n - $h: exit $rc after $execs executions"
		grep -E 'ERROR|Assertion|runtime error|SUMMARY|#[0-9]+ 0x' "$work/$h.log" | head -n 25 |
			sed 's/^/#   /'
		for a in "$work/$h"-crash-* "$work/$h"-leak-* "$work/$h"-timeout-* "$work/$h"-oom-*; do
			[ -f "$a" ] || continue
			echo "#   input ($(basename "$a")): $(od -An -tx1 -v "$a" | tr -d '\n' | cut -c1-400)"
		done
		failed=$((failed + 1))
	fi
done
echo "# $total executions in all"
[ $failed -eq 0 ]
