#!/usr/bin/env bash
# One command for the benchmark: install what is missing, build an optimised
# attune-top (no sanitizers) in _build/bench and run `make bench` there.
# Every shape at 1 M and 10 M history rows takes about half an hour on 2
# cores; the table ends up in _build/bench/bench-out/results.md. Extra
# arguments go to bench/bench.py (e.g. --sizes 1M for a quick run, --shapes
# native).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed" >&2; exit 1; }
build=_build/bench
mkdir -p "$build"
cd "$build"
[ -f Makefile ] || ../../configure -q CFLAGS="-O2 -g"
make -s -j"$(nproc)" attune-top tests/pgcluster
make -s bench BENCH_FLAGS="$*"
