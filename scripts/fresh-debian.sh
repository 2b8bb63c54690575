#!/usr/bin/env bash
# The README's test command on a bare Debian 12, the way a new machine runs it:
# debootstrap (minbase, bookworm main) into a directory, the committed tree
# copied in (with ../shared beside it when there is one), then `CI=true bash
# .ci/run` with no standard input and no terminal
#   1. as a user without sudo while packages are missing: one line, exit 1;
#   2. as root (installs every package from nothing);
#   3. as a user with passwordless sudo, and 4. as a user without sudo (both
#      with the packages present);
# and after each run the root's /tmp must hold what it held before.
# Each run gets its own PID and mount namespace, so /proc shows only its own
# processes and every mount goes away with it.
#
# Usage (as root, with access to Debian's archive; not part of `make check`):
#   scripts/fresh-debian.sh [--reuse] [DIR]     DIR defaults to /var/tmp/attune-fresh-debian
# --reuse keeps a root made by an earlier call instead of building it anew.
# FRESH_DEBIAN_RUNS picks runs by name (default: "missing root sudoer tester").
# Prints one line per run (wall time, closing line) and exits 0 when all pass.
set -euo pipefail

reuse=0
if [ "${1:-}" = "--reuse" ]; then
	reuse=1
	shift
fi
dir=${1:-/var/tmp/attune-fresh-debian}
repo=$(cd "$(dirname "$0")/.." && pwd)
root=$dir/root
log=$dir/logs
suite=${FRESH_DEBIAN_SUITE:-bookworm}
mirror=${FRESH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
runs=" ${FRESH_DEBIAN_RUNS:-missing root sudoer tester} "

die() {
	echo "fresh-debian: $*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null 2>&1 ||
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; } ||
	die "cannot install debootstrap"

build_root() {
	rm -rf "$root"
	mkdir -p "$dir"
	echo "debootstrap --variant=minbase $suite into $root" >&2
	debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
		die "debootstrap failed (see $dir/debootstrap.log)"
	# The host's apt settings (e.g. for an archive snapshot), none of its sources.
	cp /etc/apt/apt.conf.d/* "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
	chroot "$root" useradd -m -s /bin/bash tester
	chroot "$root" useradd -m -s /bin/bash sudoer
}

# The committed tree (what a clean clone has) into HOME/work/main of a user.
copy_tree() {
	local home=$1 owner=$2
	rm -rf "$root$home/work"
	mkdir -p "$root$home/work/main"
	git -C "$repo" archive HEAD | tar -x -C "$root$home/work/main"
	[ -d "$repo/../shared" ] && cp -r "$repo/../shared" "$root$home/work/shared"
	chroot "$root" chown -R "$owner:$owner" "$home/work"
}

# Run a command in the root as USER with no terminal and no standard input,
# in fresh PID and mount namespaces.
in_root() {
	local user=$1 home=/home/$1
	[ "$user" = root ] && home=/root
	shift
	unshare --mount --pid --fork --propagation private -- bash -c '
		r=$1; user=$2; home=$3; shift 3
		mount -t proc proc "$r/proc"
		mount -t sysfs sys "$r/sys"
		mount --bind /dev "$r/dev"
		mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"
		mount --bind "$r/dev/pts/ptmx" "$r/dev/ptmx"
		mount -t tmpfs -o mode=1777 shm "$r/dev/shm"
		ca=; [ -f "$r/etc/host-extra-ca.pem" ] && ca=NODE_EXTRA_CA_CERTS=/etc/host-extra-ca.pem
		exec chroot "$r" /usr/sbin/runuser -u "$user" -- env -i HOME="$home" $ca \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
	' in_root "$root" "$user" "$home" setsid "$@" </dev/null
}

tmp_listing() { (cd "$root/tmp" && find . -mindepth 1 | sort); }

failed=0
# ci_run LABEL USER HOME: .ci/run as USER; one line with its wall time and closing line.
ci_run() {
	local label=$1 user=$2 home=$3 t0 rc before after summary
	copy_tree "$home" "$user"
	before=$(tmp_listing)
	t0=$(date +%s)
	rc=0
	in_root "$user" bash -c "cd $home/work/main && CI=true bash .ci/run" >"$log/$label.log" 2>&1 || rc=$?
	after=$(tmp_listing)
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log/$label.log" | tail -n 1 || true)
	printf '%-8s exit %d in %4d s: %s\n' "$label" "$rc" "$(($(date +%s) - t0))" "${summary:-no closing line}"
	if [ "$rc" -ne 0 ]; then
		failed=1
		grep -E '^(FAIL|ERROR)|failed' "$log/$label.log" | head -n 20 | sed 's/^/    /'
	fi
	if [ "$before" != "$after" ]; then
		failed=1
		echo "    left in /tmp:" $(comm -13 <(echo "$before") <(echo "$after"))
	fi
	if [ "$rc" -eq 0 ] && ! grep -q '^make distcheck passed' "$log/$label.log"; then
		failed=1
		echo "    make distcheck was not reached"
	fi
}

if [ "$reuse" -eq 0 ] || [ ! -x "$root/bin/bash" ]; then
	build_root
fi
mkdir -p "$log"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Where this host reaches the registries through a TLS proxy, node is told of
# its CA by NODE_EXTRA_CA_CERTS: the root gets the same file.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
	cp "$NODE_EXTRA_CA_CERTS" "$root/etc/host-extra-ca.pem"
fi

# 1. Packages missing, no sudo, no terminal: one line naming them, exit 1.
if [[ $runs == *" missing "* ]]; then
	copy_tree /home/tester tester
	rc=0
	in_root tester bash -c "cd /home/tester/work/main && CI=true bash .ci/run" \
		>"$log/missing.log" 2>&1 || rc=$?
	if [ "$rc" -eq 1 ] && [ "$(wc -l <"$log/missing.log")" -eq 1 ] &&
		grep -q '^attune-top: missing Debian packages: .*apt-get install -y ' "$log/missing.log"; then
		echo "missing  exit 1, one line: $(cut -c1-100 "$log/missing.log")…"
	else
		failed=1
		echo "missing  exit $rc, expected one line and exit 1:"
		head -n 5 "$log/missing.log" | sed 's/^/    /'
	fi
fi
# 2. Root, from nothing.
[[ $runs == *" root "* ]] && ci_run root root /root
# 3. A user with passwordless sudo (sudo is set up here, as an admin would).
if [[ $runs == *" sudoer "* ]]; then
	in_root root bash -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sudo >/dev/null &&
		echo "sudoer ALL=(ALL) NOPASSWD: ALL" >/etc/sudoers.d/sudoer &&
		chmod 440 /etc/sudoers.d/sudoer'
	ci_run sudoer sudoer /home/sudoer
fi
# 4. A user without sudo.
[[ $runs == *" tester "* ]] && ci_run tester tester /home/tester

echo "logs in $log"
exit $failed
