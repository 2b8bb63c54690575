#!/usr/bin/env bash
# One command on a fresh machine: install what is missing, build with
# warnings as errors and ASan + UBSan, and run the whole test suite
# (`make check`), then `make distcheck`. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test || exit 1
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed" >&2; exit 1; }

jobs=$(nproc)
build=_build/check
rm -rf "$build"
mkdir -p "$build"
status=0
(
	cd "$build" &&
	../../configure -q --enable-werror --enable-sanitizers &&
	make -s -j"$jobs" &&
	make -s -j"$jobs" check
)
status=$?
# automake's summary → the plain closing line CI reads.
log=$build/test-suite.log
pass=0 fail=0 skip=0
if [ -f "$log" ]; then
	pass=$(sed -n 's/^# PASS: *//p' "$log" | head -n 1)
	fail=$(sed -n 's/^# FAIL: *//p' "$log" | head -n 1)
	xfail=$(sed -n 's/^# XPASS: *//p' "$log" | head -n 1)
	err=$(sed -n 's/^# ERROR: *//p' "$log" | head -n 1)
	skip=$(sed -n 's/^# SKIP: *//p' "$log" | head -n 1)
	fail=$(( ${fail:-0} + ${xfail:-0} + ${err:-0} ))
	[ "$fail" -gt 0 ] && cat "$log" | grep -v '^ok ' | head -n 200
fi

if [ $status -eq 0 ] && [ "${ATTUNE_SKIP_DISTCHECK:-}" != 1 ]; then
	(cd "$build" && ATTUNE_TEST_QUICK=1 make -s distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror \
		>distcheck.log 2>&1) ||
		{ echo "make distcheck failed:" >&2; tail -n 40 "$build/distcheck.log" >&2; status=1; }
fi
echo "${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
exit $status
