#!/usr/bin/env bash
# One command on a fresh machine: install what is missing, build with
# warnings as errors and ASan + UBSan, and run the whole test suite
# (`make check`), then `make distcheck`. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test || exit 1
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed" >&2; exit 1; }

# Everything the tests create in $TMPDIR (clusters, sockets, tmux servers,
# exports) goes into one private directory: what is still there after the
# run was left behind by a test, and counts as a failure. Traversable by
# others because the test clusters run as another user when we are root.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/attune-check.XXXXXX") || exit 1
chmod 711 "$run_tmp"
trap 'rm -rf "$run_tmp"' EXIT
export TMPDIR=$run_tmp

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

# The plain closing line CI reads, from automake's per-file results: each
# assertion once. A file whose assertions failed also ends with a non-zero
# status (an ERROR result); a file's ERRORs count once, and only when nothing
# else failed in it (a crash, a missing plan, a sanitizer report at exit).
# tally FILE.trs...: "passed failed skipped"; no file at all counts as one failure.
tally() {
	[ $# -gt 0 ] || { echo "0 1 0"; return; }
	awk '
	FNR == 1 { flush(); p = f = e = s = 0 }
	/^:test-result: (PASS|XFAIL)/ { p++ }
	/^:test-result: (FAIL|XPASS)/ { f++ }
	/^:test-result: ERROR/ { e++ }
	/^:test-result: SKIP/ { s++ }
	function flush() { P += p; F += (f ? f : (e ? 1 : 0)); S += s }
	END { flush(); print P + 0, F + 0, S + 0 }' "$@"
}
mapfile -t trs < <(find "$build" -name '*.trs' ! -path '*/_build/*')
read -r pass fail skip <<<"$(tally "${trs[@]}")"
[ ${#trs[@]} -gt 0 ] || fail=0
if [ "$fail" -gt 0 ] && [ -f "$build/test-suite.log" ]; then
	grep -v '^ok ' "$build/test-suite.log" | head -n 200
fi

if [ $status -eq 0 ] && [ "${ATTUNE_SKIP_DISTCHECK:-}" != 1 ]; then
	(cd "$build" && ATTUNE_TEST_QUICK=1 make -s distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror \
		>distcheck.log 2>&1) ||
		{ echo "make distcheck failed:" >&2; tail -n 40 "$build/distcheck.log" >&2; status=1; }
	[ $status -eq 0 ] && echo "make distcheck passed" >&2
fi

# The Debian package (tests/pkg/deb.py, about a minute): built with
# dpkg-buildpackage from the tracked files, checked with lintian, unpacked
# into a scratch root and run against a test server. Its own step, after
# distcheck, since it builds the whole tree again; counted like the rest.
if [ -x "$build/tests/pgcluster" ]; then
	(cd "$build" && make -s check TESTS=tests/pkg/deb.py >/dev/null 2>&1)
	deb_status=$?
	if [ -f "$build/tests/pkg/deb.trs" ]; then
		read -r dp df ds <<<"$(tally "$build/tests/pkg/deb.trs")"
	else
		read -r dp df ds <<<"0 1 0"
	fi
	pass=$((pass + dp)) fail=$((fail + df)) skip=$((skip + ds))
	if [ $deb_status -ne 0 ] || [ "$df" -gt 0 ]; then
		echo "Debian package test failed:" >&2
		grep -v '^ok ' "$build/tests/pkg/deb.log" 2>/dev/null | head -n 60 >&2
		status=1
	else
		echo "Debian package test passed ($dp assertions)" >&2
	fi
fi

left=$(cd "$run_tmp" && find . -mindepth 1 -maxdepth 1 -printf '%f ')
if [ -n "$left" ]; then
	echo "FAIL: left behind in \$TMPDIR by the tests: $left" >&2
	fail=$((fail + 1))
	status=1
fi
echo "${pass} passed, ${fail} failed, ${skip} skipped"
exit $status
