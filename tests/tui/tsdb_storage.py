"""The storage and freshness view on real TimescaleDB (the PGlite lane):
hypertable sizes, chunks, compressed chunks and retention, and each
continuous aggregate's watermark and refresh job, equal direct queries of
timescaledb_information and the size functions; so do the rows of
--export=storage (hypertables with hypertable_size, chunks and chunk range;
aggregates with their watermark; the other tables with their size)."""

import os
import re
import time

from attune_test import BIN, TAP, Tmux, human_bytes, private_dir, run_top
import csv_oracle as co
from tsdb import TsCluster, tsdb_available

t = TAP()
avail, why = tsdb_available()
if not avail:
    t.skip_all("TimescaleDB lane: " + why)
c = TsCluster(populate="SELECT attune_demo.populate(days => 3)")
ts = c.extension_schema()




# Compress the oldest chunk of execution_history so the view has a ratio.
c.psql("SELECT %s.compress_chunk(k) FROM %s.show_chunks('attune.execution_history',"
       " older_than => now() - interval '2 days') k LIMIT 1" % (ts, ts))
hyper = c.psql(
    "SELECT h.hypertable_name, %s.hypertable_size(format('%%I.%%I', h.hypertable_schema,"
    " h.hypertable_name)::regclass), h.num_chunks, (SELECT count(*) FROM"
    " timescaledb_information.chunks k WHERE k.hypertable_name = h.hypertable_name"
    " AND k.hypertable_schema = h.hypertable_schema AND k.is_compressed),"
    " (SELECT j.config->>'drop_after' FROM timescaledb_information.jobs j"
    " WHERE j.proc_name = 'policy_retention' AND j.hypertable_name = h.hypertable_name)"
    " FROM timescaledb_information.hypertables h WHERE h.hypertable_schema = 'attune'" % ts)
aggs = c.psql(
    "SELECT ca.view_name, to_char(_timescaledb_functions.to_timestamp("
    "_timescaledb_functions.cagg_watermark(g.mat_hypertable_id)) AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD HH24:MI:SS'), j.job_id FROM timescaledb_information.continuous_aggregates ca"
    " JOIN _timescaledb_catalog.continuous_agg g ON g.user_view_name = ca.view_name"
    " AND g.user_view_schema = ca.view_schema LEFT JOIN timescaledb_information.jobs j"
    " ON j.hypertable_name = ca.materialization_hypertable_name"
    " AND j.proc_name = 'policy_refresh_continuous_aggregate'"
    " WHERE ca.view_schema = 'attune'")
t.ok(len(hyper) == 5 and len(aggs) == 6, "oracle: 5 hypertables, 6 aggregates")
t.ok(any(int(h[3]) > 0 for h in hyper), "one chunk is compressed")

env = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ="UTC")
tm = Tmux("%s -r 60" % BIN, 230, 50, env)
try:
    tm.wait_for(r"Workers \(\d+\)", 60)
    tm.send("t")
    scr = tm.wait_for(r"── Continuous aggregates[\s\S]*execution_volume_hourly", 60)
    time.sleep(0.5)
    scr = tm.capture()
    tm.send("q")
    tm.wait_dead(10)
finally:
    tm.kill()

lines = scr.splitlines()
bad = []
for name, size, chunks, compressed, retention in hyper:
    row = next((l for l in lines if l.startswith(name + " ")), "")
    cells = re.split(r"\s{2,}", row.strip())
    if len(cells) < 8 or cells[1] != human_bytes(size) or cells[2] != chunks or \
            cells[3] != compressed or cells[7] != retention:
        bad.append((name, cells, human_bytes(size), chunks, compressed, retention))
t.ok(not bad, "hypertables: size, chunks, compressed chunks, retention equal the catalog", bad)
row = next((l for l in lines if l.startswith("execution_history ")), "")
t.ok(re.search(r"\d+\.\d\d", row) is not None, "execution_history shows a compression ratio", row)
bad = []
for name, wm, job in aggs:
    row = next((l for l in lines if l.startswith(name + " ")), "")
    if wm not in row or "true" not in row or (job and not row.rstrip().endswith(job)):
        bad.append((name, wm, job, row))
t.ok(not bad, "aggregates: materialized only, watermark and refresh job equal the catalog", bad)
t.ok(re.search(r"aggregates materialized through \d\d:\d\d", scr) is not None,
     "the view says how far the aggregates are materialized")

# --export=storage, then the oracle (one session at a time).
path = os.path.join(private_dir("attune-tsdb-storage-"), "storage.csv")
r = run_top(["--export=storage", "-o", path], env=env, timeout=300)
t.ok(r.returncode == 0 and r.stderr == "", "--export=storage: exit 0, quiet", r.stderr)
rows = co.parse_csv(path) if r.returncode == 0 else [[]]
head = rows[0]
got = {row[0]: dict(zip(head, ["" if x is None else x for x in row])) for row in rows[1:]}
ISO = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"
hyper = c.psql(
    "SELECT h.hypertable_name, %s.hypertable_size(format('%%I.%%I', h.hypertable_schema,"
    " h.hypertable_name)::regclass), h.num_chunks, (SELECT to_char(min(k.range_start) AT TIME"
    " ZONE 'UTC', %s) FROM timescaledb_information.chunks k WHERE k.hypertable_schema ="
    " h.hypertable_schema AND k.hypertable_name = h.hypertable_name), (SELECT"
    " to_char(max(k.range_end) AT TIME ZONE 'UTC', %s) FROM timescaledb_information.chunks k"
    " WHERE k.hypertable_schema = h.hypertable_schema AND k.hypertable_name ="
    " h.hypertable_name), coalesce((SELECT j.config->>'drop_after' FROM"
    " timescaledb_information.jobs j WHERE j.proc_name = 'policy_retention'"
    " AND j.hypertable_name = h.hypertable_name), '') FROM timescaledb_information.hypertables h"
    " WHERE h.hypertable_schema = 'attune' ORDER BY 1" % (ts, ISO, ISO))
aggs = c.psql(
    "SELECT ca.view_name, to_char(_timescaledb_functions.to_timestamp("
    "_timescaledb_functions.cagg_watermark(g.mat_hypertable_id)) AT TIME ZONE 'UTC', %s)"
    " FROM timescaledb_information.continuous_aggregates ca"
    " JOIN _timescaledb_catalog.continuous_agg g ON g.user_view_name = ca.view_name"
    " AND g.user_view_schema = ca.view_schema WHERE ca.view_schema = 'attune' ORDER BY 1" % ISO)
tables = c.psql(
    "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n"
    " ON n.oid = c.relnamespace WHERE n.nspname = 'attune' AND c.relkind = 'r'"
    " AND NOT EXISTS (SELECT 1 FROM timescaledb_information.hypertables h"
    " WHERE h.hypertable_schema = 'attune' AND h.hypertable_name = c.relname) ORDER BY 1")
keys = ["relation", "total_bytes", "partitions", "oldest_bound", "newest_bound", "retention"]
t.eq(head[:11], ["relation", "kind", "total_bytes", "partitions", "oldest_bound",
                 "newest_bound", "default_rows", "future_days", "hours_built", "hours_dirty",
                 "watermark"], "--export=storage header")
t.eq([[got.get(h[0], {}).get(k) for k in keys] for h in hyper], hyper,
     "hypertables: hypertable_size, chunks, oldest/newest chunk bound, retention equal the"
     " catalog")
t.ok(all(got[h[0]]["kind"] == "hypertable" for h in hyper), "kind hypertable")
t.eq([[a[0], got.get(a[0], {}).get("watermark")] for a in aggs], aggs,
     "continuous aggregates: watermark equals cagg_watermark")
t.eq([[n, got.get(n, {}).get("total_bytes")] for n, _ in tables], tables,
     "the other tables: pg_total_relation_size")
t.ok(all(v["needs_action"] == "" and v["hours_built"] == "" for v in got.values()),
     "no native figures on TimescaleDB")
t.done()
