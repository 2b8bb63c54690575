#!/usr/bin/env bash
# Install what attune-top needs to build, run its demo and run its tests,
# from Debian's packages: only what is missing, with apt-get (as root, or
# through sudo for a normal user).
set -euo pipefail

PACKAGES=(
	build-essential autoconf automake pkg-config
	libncurses-dev libpq-dev libcsv-dev
	postgresql postgresql-client
	tmux python3 valgrind groff-base procps
)
if [ "${1:-}" = "--test" ]; then
	# clang alone lacks the libFuzzer runtime (tests/fuzz/run.sh): on Debian 12
	# it is in libclang-rt-14-dev, which libclang-rt-dev pulls in for the
	# default clang.
	PACKAGES+=(clang libclang-rt-dev)
	# The shell completion tests (tests/completion/bash.sh) source
	# bash-completion's framework and check the zsh completion's syntax.
	PACKAGES+=(bash-completion zsh)
	# The Debian package test (tests/pkg/deb.py): dpkg-buildpackage with dh,
	# and lintian.
	PACKAGES+=(dpkg-dev debhelper lintian)
	# The pooler tests (tests/db/pooler.py) run Debian's PgBouncer in transaction
	# pooling in front of the test cluster; openssl makes the TLS test's CA.
	PACKAGES+=(pgbouncer openssl)
	# The TimescaleDB test lane runs on node (tests/tsdb): Debian's, unless a node
	# is already there (e.g. from another source, whose npm comes with it).
	command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
# The TimescaleDB lane's two pinned npm packages (tests/tsdb/package-lock.json), with
# npm ci; nothing is fetched when node_modules already holds exactly the locked
# versions. Failing here only makes the lane skip (visibly), never the whole setup.
tsdb_npm() {
	local dir
	dir="$(cd "$(dirname "$0")/.." && pwd)/tests/tsdb"
	[ -f "$dir/package-lock.json" ] || return 0
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		echo "attune-top: node/npm not available: the TimescaleDB test lane will be skipped" >&2
		return 0
	fi
	# shellcheck disable=SC2016
	if node -e '
		const fs = require("fs"), d = process.argv[1];
		const lock = JSON.parse(fs.readFileSync(d + "/package-lock.json", "utf8"));
		for (const [k, v] of Object.entries(lock.packages || {})) {
			if (!k) continue;
			const have = JSON.parse(fs.readFileSync(d + "/" + k + "/package.json", "utf8"));
			if (have.version !== v.version) process.exit(1);
		}' "$dir" 2>/dev/null; then
		return 0
	fi
	echo "Installing the TimescaleDB lane's npm packages (npm ci --prefix tests/tsdb)" >&2
	npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2 ||
		echo "attune-top: npm ci failed: the TimescaleDB test lane will be skipped" >&2
}

if [ ${#missing[@]} -eq 0 ]; then
	[ "${1:-}" = "--test" ] && tsdb_npm
	exit 0
fi

# As root, apt-get directly; otherwise through sudo, when it can run without
# asking (NOPASSWD, a cached ticket) or can ask on a terminal. Without either
# (a script, CI, no sudo at all), one line says what to install and how.
if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO=(sudo -n)
elif command -v sudo >/dev/null 2>&1 && { : </dev/tty; } 2>/dev/null; then
	SUDO=(sudo)
else
	echo "attune-top: missing Debian packages: ${missing[*]}; install them as root:" \
		"apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "Installing: ${missing[*]}" >&2
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [ "${1:-}" = "--test" ]; then
	tsdb_npm
fi
