"""Current Attune wants PostgreSQL 16+: the native shape (sql/attune-native.sql) on the
PostgreSQL 17 of the TimescaleDB lane's engine (PGlite, tests/tsdb), with the demo's
history and every ended hour summarised, then a few hours dirtied; attune-top reads it
with summaries for clean hours and raw rows for the rest, and every figure of the
overview equals SQL over the raw rows. One session at a time (see tests/lib/tsdb.py).
Also the shape's own checks (tests/db/native_schema.py) on the same engine."""

import os
import re
import runpy
import subprocess
import sys

from attune_test import TAP, parse_frames, run_top
from oracle import compare_overview
from tsdb import TsCluster, tsdb_available

t = TAP()
avail, why = tsdb_available()
if not avail:
    t.skip_all("PostgreSQL 17 lane: " + why)

DIRTY = ("UPDATE execution_history SET new_values = jsonb_set(new_values, '{status}',"
         " '\"failed\"') WHERE ctid IN (SELECT ctid FROM execution_history"
         " WHERE 'status' = ANY(changed_fields) AND new_values->>'status' = 'completed'"
         " AND time >= date_trunc('hour', now(), 'UTC') - interval '4 hours'"
         " AND time < date_trunc('hour', now(), 'UTC') - interval '3 hours' LIMIT 2)")
try:
    c = TsCluster(load=("attune-native.sql", "demo-workload.sql"), refresh=None,
                  extra_sql=("SELECT native_summary_build(now(), NULL)", DIRTY))
except RuntimeError as e:
    t.ok(False, "PostgreSQL 17 lane server starts with the native shape", e)
    t.done()
version = c.value("SHOW server_version")
t.ok(version.startswith("17"), "the lane runs PostgreSQL 17 (%s)" % version)
t.ok(int(c.value("SELECT count(*) FROM attune.native_summary_invalidation")) > 0,
     "an ended hour is queued as dirty")

env = c.env(LANG="C.UTF-8")
compare_overview(t, c, "PostgreSQL 17 native 24h", [], 24, env=env)
compare_overview(t, c, "PostgreSQL 17 native 7d", ["-R", "7d"], 168, env=env)
r = run_top(["-b", "-n", "1"], env=env)
fr = parse_frames(r.stdout)
head = "\n".join(fr[0]["HEADER"]) if fr else r.stderr
t.ok(re.search(r"backend: native PostgreSQL 17\S*, summaries \+ raw from sources", head) and
     re.search(r"^freshness: summaries [1-9]\d* h \+ raw \d+ h$", head, re.M),
     "PostgreSQL 17: the header names the shape and the summary hours", head)
c.stop()

# The shape's own checks on PostgreSQL 17, as a sub-test whose TAP lines are counted here.
env = dict(os.environ, ATTUNE_NATIVE_LANE="pglite")
script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "native_schema.py")
p = subprocess.run([sys.executable, script], env=env, capture_output=True, text=True,
                   timeout=600)
oks = re.findall(r"^ok \d+", p.stdout, re.M)
bad = re.findall(r"^not ok \d+.*$", p.stdout, re.M)
t.ok(p.returncode == 0 and len(oks) > 50 and not bad,
     "native_schema.py on PostgreSQL 17: %d checks pass" % len(oks), bad[:5] or p.stderr[-400:])
t.done()
