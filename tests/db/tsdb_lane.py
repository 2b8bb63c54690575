"""The TimescaleDB lane: Attune's TimescaleDB schema (sql/attune-timescale.sql) and the
demo fixture on PGlite + TimescaleDB 2.23 (tests/tsdb/server.mjs), continuous
aggregates refreshed up to now() - 1 h as the policies would leave them, fresh rows
written through the history triggers; then the catalogue, the header, and every
number of the overview against SQL over the raw rows — the newest buckets only exist
in the raw hypertables, so these prove the live tail past the watermark.

One session at a time: the program, psql and the oracle run strictly one after
another (a second connection would wait for the first)."""

import re
import time

from attune_test import TAP, parse_frames, run_top
from oracle import oracle, overview_suite
from tsdb import TsCluster, tsdb_available

LANE_T0 = time.time()
t = TAP()
avail, why = tsdb_available()
if not avail:
    t.skip_all("TimescaleDB lane: " + why)

HYPERTABLES = {"execution_history", "worker_history", "event", "enforcement", "execution"}
AGGREGATES = {"execution_status_hourly", "execution_throughput_hourly", "event_volume_hourly",
              "worker_status_hourly", "enforcement_volume_hourly", "execution_volume_hourly"}
PROBE = "tsdb.lane_probe"

try:
    c = TsCluster()  # boot, load schema + fixture (8 days), refresh to now() - 1 h
except RuntimeError as e:
    t.ok(False, "TimescaleDB lane server starts", e)
    t.done()
t.ok(True, "TimescaleDB lane server starts (PGlite + TimescaleDB, schema and fixture loaded)")
t.diag("lane server: %s; ready after %.1f s; node pid %s"
       % (", ".join("%s %d ms" % kv for kv in c.timings.items()), c.ready_s, c.pid))
env = c.env(LANG="C.UTF-8")


def watermarks():
    """{aggregate: watermark as ISO UTC text} from TimescaleDB's own catalogue."""
    fn = c.value("SELECT CASE WHEN to_regproc('_timescaledb_functions.cagg_watermark') IS NULL"
                 " THEN '_timescaledb_internal' ELSE '_timescaledb_functions' END")
    rows = c.psql(
        "SELECT ca.user_view_name,"
        " to_char(%s.to_timestamp(%s.cagg_watermark(ca.mat_hypertable_id)) AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        " FROM _timescaledb_catalog.continuous_agg ca WHERE ca.user_view_schema = 'attune'"
        % (fn, fn))
    return {r[0]: r[1] for r in rows}


# ------------------------------------------------------------------ (1) catalogue
hts = {r[0] for r in c.psql("SELECT hypertable_name FROM timescaledb_information.hypertables"
                            " WHERE hypertable_schema = 'attune'")}
t.eq(hts, HYPERTABLES, "hypertables: execution_history, worker_history, event, enforcement, execution")
caggs = {r[0]: r[1] for r in c.psql(
    "SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates"
    " WHERE view_schema = 'attune'")}
t.eq(set(caggs), AGGREGATES, "the six continuous aggregates exist")
t.ok(caggs and all(v == "t" for v in caggs.values()), "every aggregate is materialized_only",
     caggs)
ext = c.extension_schema()
t.ok(ext is not None, "timescaledb extension present (schema %s)" % ext)
tsver = c.value("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")
t.ok(tsver and tsver.startswith("2.23"), "TimescaleDB 2.23", tsver)
jobs = int(c.value("SELECT count(*) FROM timescaledb_information.jobs"
                   " WHERE hypertable_schema = 'attune'"))
t.ok(jobs >= 6 + 5 + 5, "refresh, compression and retention policies registered (%d jobs)" % jobs)
wm = watermarks()
t.eq(set(wm), AGGREGATES, "every aggregate has a watermark")
lag_ok = c.value(
    "SELECT bool_and(w > now() - interval '2 hours 5 minutes' AND w <= now() - interval '1 hour')"
    " FROM unnest(ARRAY[%s]::timestamptz[]) AS w" % ",".join("'%s'" % v for v in wm.values()))
t.eq(lag_ok, "t", "watermarks are the start of the hour one hour back (refresh end now() - 1 h)")

# ------------------------------------------------------------------ fresh rows
# Through the real triggers: the simulator's ticks, plus a probe execution, event,
# enforcement and a worker status change written by hand.
hist0 = int(c.value("SELECT count(*) FROM attune.execution_history"))
for _ in range(10):
    c.psql("SELECT attune_demo.tick()")
# Attune's trigger functions name execution_history/worker_history unqualified: like
# Attune's own connections, writers put the schema on the search_path.
AS_ATTUNE = "SET search_path = attune, public; "
probe_id = c.value(AS_ATTUNE +
    "INSERT INTO execution (action_ref, config) VALUES ('%s', '{}') RETURNING id" % PROBE)
c.psql(AS_ATTUNE + "UPDATE execution SET status = 'running', started_at = now() WHERE id = %s"
       % probe_id)
c.psql(AS_ATTUNE + "UPDATE execution SET status = 'failed', result = '{\"exit_code\": 3}'"
       " WHERE id = %s" % probe_id)
ev_id = c.value(AS_ATTUNE +
    "INSERT INTO event (trigger_ref, payload) VALUES ('%s', '{}') RETURNING id" % PROBE)
c.psql(AS_ATTUNE + "INSERT INTO enforcement (rule_ref, trigger_ref, event, payload)"
       " VALUES ('%s', '%s', %s, '{}')" % (PROBE, PROBE, ev_id))
flip = c.value("SELECT name FROM attune.worker WHERE status = 'active' ORDER BY id LIMIT 1")
c.psql(AS_ATTUNE + "UPDATE worker SET status = 'error' WHERE name = '%s'"
       % flip.replace("'", "''"))
hist1 = int(c.value("SELECT count(*) FROM attune.execution_history"))
t.ok(hist1 > hist0, "ticks wrote execution_history rows through the trigger (%d new)"
     % (hist1 - hist0))
probe_hist = c.psql("SELECT operation, coalesce(new_values->>'status', '-')"
                    " FROM attune.execution_history WHERE entity_id = %s ORDER BY time, operation"
                    % probe_id)
t.eq(probe_hist, [["INSERT", "requested"], ["UPDATE", "running"], ["UPDATE", "failed"]],
     "history trigger on the execution hypertable: INSERT and two status changes")
t.eq(c.value("SELECT count(*) FROM attune.worker_history WHERE entity_ref = '%s'"
             " AND new_values->>'status' = 'error' AND time > now() - interval '5 minutes'"
             % flip.replace("'", "''")), "1",
     "history trigger on worker writes into the worker_history hypertable")

# ------------------------------------------------------------------ (1) header
r = run_top(["-b", "-n", "1"], env=env)
frames = parse_frames(r.stdout)
t.ok(r.returncode == 0 and len(frames) == 1, "attune-top -b -n 1 against the lane: one frame, exit 0",
     "rc=%d stderr=%s" % (r.returncode, r.stderr))
head = "\n".join(frames[0]["HEADER"]) if frames else ""
t.ok(re.search(r"backend: TimescaleDB 2\.23", head), "header says backend: TimescaleDB 2.23…", head)
t.ok(re.search(r"schema: attune\b", head), "header names the schema attune", head)
m = re.search(r"materialized through (\S+?),", head)
t.ok(m and m.group(1) == min(wm.values()),
     "header: aggregates materialized through the watermark (%s)" % min(wm.values()), head)

# ------------------------------------------------------------------ lag
o7 = oracle(c, 168)
agg = {
    "executions": ("execution_throughput_hourly", "execution_count"),
    "events": ("event_volume_hourly", "event_count"),
    "enforcements": ("enforcement_volume_hourly", "enforcement_count"),
}
for k, (view, col) in agg.items():
    s = int(c.value("SELECT coalesce(sum(%s), 0) FROM attune.%s"
                    " WHERE bucket >= date_trunc('hour', now() - interval '168 hours')"
                    % (col, view)))
    t.ok(s < o7[k], "raw aggregate %s lags the raw rows (%d < %d): the tail matters"
         % (view, s, o7[k]))
newest = c.value("SELECT max(bucket) < date_trunc('hour', now()) - interval '1 hour'"
                 " FROM attune.execution_throughput_hourly")
t.eq(newest, "t", "the aggregates have no bucket for the last two hours")
probe_in_agg = c.value("SELECT count(*) FROM attune.execution_throughput_hourly"
                       " WHERE action_ref = '%s'" % PROBE)
t.eq(probe_in_agg, "0", "the probe execution is only in the raw rows")


# ------------------------------------------------------------------ (2) overview oracle
compare = overview_suite(t, c, env=env)
compare("filter worker " + flip, ["--filter=" + flip], 24, flip)
# Only the raw rows of this hour know the probe: 1 execution, 1 failure, 1 event,
# 1 enforcement.
pp, po = compare("filter probe", ["-f", PROBE], 24, PROBE)
t.eq((po["executions"], po["events"], po["enforcements"], po["failure"]), (1, 1, 1, (1, 1)),
     "probe oracle: 1 execution (failed), 1 event, 1 enforcement")

# ------------------------------------------------------------------ moving watermarks
# Refresh two aggregates up to now() (their watermark becomes this hour), leave the
# others an hour behind: each aggregate's own watermark must be used, and no row may
# be counted twice at the seam.
c.refresh_aggregates("0 seconds", ["attune.execution_throughput_hourly",
                                   "attune.event_volume_hourly"])
wm2 = watermarks()
t.ok(wm2["execution_throughput_hourly"] > wm["execution_throughput_hourly"]
     and wm2["execution_status_hourly"] == wm["execution_status_hourly"],
     "refresh_continuous_aggregate over the wire moved only the chosen watermarks", wm2)
for _ in range(3):
    c.psql("SELECT attune_demo.tick()")
compare("24h, staggered watermarks", [], 24)
compare("filter probe, staggered watermarks", ["-f", PROBE], 24, PROBE)
c.refresh_aggregates("0 seconds")
compare("7d, all refreshed to this hour", ["--range=7d"], 168)

t.diag("lane node process peak RSS %.0f MB; lane wall time %.1f s"
       % (c.peak_rss_mb() or -1, time.time() - LANE_T0))
c.stop()
t.done()
