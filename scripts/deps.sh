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
	PACKAGES+=(clang)
fi

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	SUDO=(sudo)
else
	echo "attune-top: missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "Installing: ${missing[*]}" >&2
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
