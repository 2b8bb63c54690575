#!/usr/bin/env bash
# One command on a fresh machine: install what is missing, build, and launch
# the dashboard on a throwaway local demo database.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
if [ ! -x _build/demo/attune-top ] || [ -n "$(find src sql configure.ac Makefile.am -newer _build/demo/attune-top 2>/dev/null | head -n 1)" ]; then
	[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi >/dev/null
	mkdir -p _build/demo
	(cd _build/demo && { [ -f Makefile ] || ../../configure -q; } && make -s -j"$(nproc)") >&2
fi
exec _build/demo/attune-top --demo "$@"
