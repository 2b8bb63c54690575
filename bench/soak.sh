#!/usr/bin/env bash
# Soak: the dashboard for an hour at a 0.2 s refresh on a 200x50 terminal
# (a private tmux server) against a throwaway cluster with the live workload
# simulator (tests/pgcluster --sim), sampling its RSS (VmRSS) and CPU time
# (utime + stime from /proc/PID/stat) every minute into a CSV.
#
#   bench/soak.sh [BUILD_DIR]          (default: _build/dev)
#
# Environment: DURATION seconds (3600), INTERVAL seconds between samples
# (60), REFRESH (0.2), OUT (CSV path; default bench/soak-YYYYmmdd-HHMMSS.csv).
# e.g. DURATION=180 INTERVAL=20 bench/soak.sh for a short check.
# Prints RSS at start and end, peak RSS, mean CPU, and the dashboard's state.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../_build/dev}" && pwd)
duration=${DURATION:-3600}
interval=${INTERVAL:-60}
refresh=${REFRESH:-0.2}
out=${OUT:-$here/soak-$(date -u +%Y%m%d-%H%M%S).csv}
bin=$build/attune-top
if [ ! -x "$bin" ] || [ ! -x "$build/tests/pgcluster" ]; then
	echo "soak: build $build first (attune-top and tests/pgcluster)" >&2
	exit 1
fi
command -v tmux >/dev/null || { echo "soak: tmux is not installed" >&2; exit 1; }

sock=attune-soak-$$
tmp=$(mktemp -d)
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	if [ -n "${CL_PID:-}" ]; then
		eval "exec ${CL[1]}>&-" 2>/dev/null || true
		wait "$CL_PID" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

coproc CL { exec "$build/tests/pgcluster" --sim; }
while read -r line <&"${CL[0]}"; do
	[ "$line" = READY ] && break
	export "${line?}"
done
[ -n "${PGHOST:-}" ] || { echo "soak: the cluster did not start" >&2; exit 1; }
unset ATTUNE__DATABASE__URL ATTUNE__DATABASE__SCHEMA PGSERVICE PGOPTIONS

printf 'set -g remain-on-exit on\nset -g status off\n' >"$tmp/tmux.conf"
TERM=xterm-256color LANG=C.UTF-8 tmux -L "$sock" -f "$tmp/tmux.conf" new-session -d \
	-x 200 -y 50 -s soak "exec '$bin' -r $refresh"
pid=$(tmux -L "$sock" display-message -p -t soak '#{pane_pid}')
screen() { tmux -L "$sock" capture-pane -p -t soak; }
state() { screen | head -n 1 | grep -oE '(live|STALE|PAUSED|loading|connecting|reconnecting)[^│|]*$' | sed 's/ *$//'; }
for _ in $(seq 300); do screen | grep -q 'live, data' && break; sleep 0.1; done
screen | grep -q 'live, data' || { echo "soak: the dashboard never showed live data" >&2; screen >&2; exit 1; }

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
now_ms() { date +%s%3N; }

echo "elapsed_s,rss_kib,cpu_s,cpu_pct_interval,state" >"$out"
t0=$(now_ms)
c0=$(cpu_ticks)
prev_t=$t0 prev_c=$c0
rss0=$(rss_kib)
peak=$rss0
echo "0,$rss0,$(awk -v c="$c0" -v hz="$hz" 'BEGIN { printf "%.2f", c / hz }'),,\"$(state)\"" >>"$out"
echo "soak: pid $pid, refresh ${refresh}s, ${duration}s, a sample every ${interval}s → $out"
next=$interval
while :; do
	target=$((t0 + next * 1000))
	while :; do
		left=$((target - $(now_ms)))
		[ "$left" -le 0 ] && break
		[ "$left" -gt 5000 ] && left=5000
		sleep "$(awk -v l="$left" 'BEGIN { printf "%.3f", l / 1000 }')"
		[ -d "/proc/$pid" ] || { echo "soak: the dashboard died" >&2; screen >&2; exit 1; }
	done
	t=$(now_ms) c=$(cpu_ticks) rss=$(rss_kib)
	[ "$rss" -gt "$peak" ] && peak=$rss
	pct=$(awk -v c="$c" -v pc="$prev_c" -v t="$t" -v pt="$prev_t" -v hz="$hz" \
		'BEGIN { printf "%.2f", 100 * (c - pc) / hz / ((t - pt) / 1000) }')
	el=$(((t - t0 + 500) / 1000))
	st=$(state)
	echo "$el,$rss,$(awk -v c="$c" -v hz="$hz" 'BEGIN { printf "%.2f", c / hz }'),$pct,\"$st\"" >>"$out"
	echo "  ${el}s  RSS ${rss} KiB  CPU ${pct}%  $st"
	prev_t=$t prev_c=$c
	next=$((next + interval))
	[ "$next" -le "$duration" ] || break
done

tmux -L "$sock" send-keys -t soak q
for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
status=
for _ in $(seq 50); do
	# A child of the tmux server exiting makes it reap the dead pane's process.
	tmux -L "$sock" run-shell true 2>/dev/null || true
	status=$(tmux -L "$sock" display-message -p -t soak '#{pane_dead}:#{pane_dead_status}' 2>/dev/null || true)
	case $status in 1:?*) status=${status#1:}; break ;; esac
	status=
	sleep 0.1
done
mean=$(awk -v c="$prev_c" -v c0="$c0" -v t="$prev_t" -v a="$t0" -v hz="$hz" \
	'BEGIN { printf "%.2f", 100 * (c - c0) / hz / ((t - a) / 1000) }')
cpu_total=$(awk -v c="$prev_c" -v c0="$c0" -v hz="$hz" 'BEGIN { printf "%.1f", (c - c0) / hz }')
echo "soak: RSS start ${rss0} KiB, end ${rss} KiB, peak ${peak} KiB;" \
	"CPU ${cpu_total} s over $(((prev_t - t0 + 500) / 1000)) s" \
	"= mean ${mean}% of one core; final state: ${st}; q → exit ${status:-?}"
