"""Plain views are never filtered on their computed bucket: when the hourly
relations are plain views (attune-plain.sql, and current upstream's native
shape), attune-top reads their sources with half-open bounds on the
sources' own time columns, grouped as the views are, in the overview (both
the first, whole-range refresh and the live-only one after it) and in
--export. The server log shows it; the figures still equal the raw rows."""

import os
import re
import tempfile
import time

from attune_test import TAP, Cluster, parse_frames, run_top
from oracle import compare_overview, from_frame, oracle

VIEWS = ("execution_status_hourly", "execution_throughput_hourly", "event_volume_hourly",
         "worker_status_hourly", "enforcement_volume_hourly", "execution_volume_hourly")
LO = r"to_timestamp\(\$1::float8\)"
HI = r"to_timestamp\(\$3::float8\)"
# Conditions up to the bound: anything but the end of the subquery.
COND = r"(?:[^()]|\([^()]*\))*?"

t = TAP()
c = Cluster("--log-statement", "all", "--conf", "log_line_prefix = '%a| '")
ENV = c.env(LANG="C.UTF-8")

kinds = dict(c.psql("SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n"
                    " ON n.oid = c.relnamespace WHERE n.nspname = 'attune'"))
t.ok(all(kinds.get(v) == "v" for v in VIEWS), "the six hourly relations are plain views",
     {v: kinds.get(v) for v in VIEWS})

# ---------------------------------------------------------------- figures
# Two refreshes: the first reads the whole range (settled and live hours),
# the second only the live hour. Both equal the raw rows.
for _ in range(3):
    h0 = c.value("SELECT date_trunc('hour', now())")
    r = run_top(["-b", "-n", "2", "-r", "0.2"], env=ENV)
    o = oracle(c, 24)
    if c.value("SELECT date_trunc('hour', now())") == h0:
        break
    time.sleep(1)
frames = parse_frames(r.stdout)
t.ok(r.returncode == 0 and len(frames) == 2, "-b -n 2: two frames, exit 0",
     "rc=%d stderr=%s" % (r.returncode, r.stderr))
for i, fr in enumerate(frames[:2]):
    p = from_frame(fr)
    for k in ("executions", "events", "enforcements", "statuses", "failure", "actions",
              "workers", "inflight", "changes"):
        t.eq(p[k], o[k], "frame %d: %s equal the raw rows" % (i + 1, k))
t.ok(frames and re.search(r"backend: plain PostgreSQL [^ ]+, raw from sources  schema: attune",
                          "\n".join(frames[0]["HEADER"])),
     "the header says the views are read raw from their sources",
     frames[0]["HEADER"][:2] if frames else None)
top = max(o["actions"].items(), key=lambda kv: kv[1][0])[0]
compare_overview(t, c, "filter " + top, ["-f", top, "-R", "2d"], 48, top, env=ENV)

# ---------------------------------------------------------------- export
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "volume.csv")
    r = run_top(["--export=execution_volume_hourly", "-R", "7d", "-o", out], env=ENV)
    rows = []
    if os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            rows = f.read().splitlines()
want = int(c.value("SELECT count(*) FROM attune.execution_volume_hourly"
                   " WHERE bucket >= date_trunc('hour', now() - interval '7 days')"))
t.ok(r.returncode == 0 and len(rows) == want + 1,
     "--export=execution_volume_hourly: one row per bucket and key of the view",
     "rc=%d rows=%d want=%d %s" % (r.returncode, len(rows) - 1, want, r.stderr))

# ---------------------------------------------------------------- the log
with open(c.info["LOGFILE"], encoding="utf-8", errors="replace") as f:
    log = f.read()
stmts = re.findall(r"^attune-top\| LOG:  (?:statement|execute [^:]*): (.*)$", log, re.M)
t.ok(len(stmts) > 20, "the log holds attune-top's statements (%d)" % len(stmts))
views = "|".join(VIEWS)
bucket_filters = [s for s in stmts if re.search(
    r'"attune"\.(?:%s)\b%s\bWHERE\s+bucket\s*[<>]' % (views, COND), s)]
t.ok(not bucket_filters, "no statement filters a plain view on its computed bucket",
     bucket_filters[:2])
reads = [s for s in stmts if re.search(r'"attune"\.(?:%s)\b' % views, s)]
t.ok(not reads, "no statement reads a plain view at all", reads[:2])


def read_with(label, pattern):
    hits = [s for s in stmts if re.search(pattern, s)]
    t.ok(hits, label)


# The UTC hour as written, or as PostgreSQL 14+ is sent it (db/queries.c).
def utc_hour(col):
    return (r"(?:date_trunc\('hour', %s, 'UTC'\)|date_bin\('1 hour', %s,"
            r" TIMESTAMPTZ '0001-01-01 00:00:00\+00'\))" % (col, col))


for src, col, keys in (("execution_history", "time", "entity_ref"),
                       ("event", "created", "trigger_ref"), ("enforcement", "created", "rule_ref"),
                       ("worker_history", "time", "entity_ref")):
    read_with("%s: read with [range start, end) on %s, bucketed in UTC" % (src, col),
              r"SELECT %s, %s\b%s"
              r' FROM "attune"\.%s WHERE %s\b%s >= %s AND %s < %s GROUP BY'
              % (utc_hour(col), keys, COND, src, COND, col, LO, col, HI))
read_with("execution (export): read with the range's bounds on created",
          utc_hour("created") + r'%s FROM "attune"\.execution WHERE created >= '
          r"date_trunc\('hour', now\(\) - make_interval\(hours => \$1::int\)\) AND created < "
          % COND)
t.done()
