#!/usr/bin/env bash
# Round trips per refresh, measured through a delaying TCP proxy: the count
# of client "flights" for N+1 refreshes minus that for 1 refresh, over N.
# Usage: bench/roundtrips.sh BUILD_DIR [DELAY_MS] [N]
set -euo pipefail
build=$(cd "$1" && pwd); delay=${2:-25}; n=${3:-10}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
coproc CL { exec "$build/tests/pgcluster"; }
while read -r line <&"${CL[0]}"; do
	[ "$line" = READY ] && break
	export "${line?}"
done
sock="$PGHOST/.s.PGSQL.$PGPORT"
port=$(( 20000 + RANDOM % 10000 ))
python3 "$here/delay_proxy.py" "$port" "$sock" "$delay" "$tmp/stats" &
for _ in $(seq 100); do [ -s "$tmp/stats" ] && break; sleep 0.1; done
run() {
	local t0 t1
	t0=$(date +%s.%N)
	"$build/attune-top" -b -n "$1" -r 0.1 -d "host=127.0.0.1 port=$port user=$PGUSER dbname=$PGDATABASE sslmode=disable" >"$tmp/out"
	t1=$(date +%s.%N)
	read -r flights up down <"$tmp/stats"
	echo "$flights $up $down $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')"
}
read -r f1 u1 d1 s1 < <(run 1)
read -r f2 u2 d2 s2 < <(run $((n + 1)))
local_ms=$(grep -o 'refresh took: [0-9.]*' "$tmp/out" | awk '{s+=$3; c++} END {printf "%.1f", 1000*s/c}')
echo "one-way delay ${delay} ms (round trip $((2 * delay)) ms), $n extra refreshes"
# The proxy's counters are cumulative over both runs.
echo "round trips per refresh: $(awk -v a="$f1" -v b="$f2" -v n="$n" 'BEGIN {printf "%.2f", (b - 2 * a) / n}')  (connect + setup + first refresh: $f1)"
echo "bytes per refresh: up $(( (u2 - 2 * u1) / n )), down $(( (d2 - 2 * d1) / n ))"
echo "wall time: 1 refresh ${s1}s, $((n + 1)) refreshes ${s2}s"
echo "refresh time through the proxy (as reported): ${local_ms} ms"
