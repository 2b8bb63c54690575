"""Current Attune on stock PostgreSQL (sql/attune-native.sql: day partitions,
plain hourly views, summaries with a ledger and a queue of dirtied hours).
attune-top reads built, clean hours from the summaries and every other hour
raw from the sources, in one read-only REPEATABLE READ transaction per
refresh. Every figure must equal SQL over the raw rows:
  - with hours never built, dirty hours (a stale summary that must not be
    used), the current hour, a partial first hour, rows still in _default;
  - for a monitoring role that cannot read the ledger (raw only, said in
    the header, never an error), and when the grant goes away mid-session;
  - when an hour that was already read and kept is dirtied afterwards;
and the leaves of days outside the range are never scanned."""

import re
import select
import subprocess
import time

from attune_test import BIN, TAP, Cluster, parse_frames, run_top
from oracle import compare_overview, from_frame, oracle

t = TAP()
c = Cluster("--native", "--log-statement", "all", "--conf", "log_line_prefix = '%a| '")
ENV = c.env(LANG="C.UTF-8")
KINDS = ("execution_status", "execution_creation", "event_volume", "worker_status")


def sql(s):
    return c.psql("SET search_path = attune; " + s)


def val(s):
    rows = sql(s)
    return rows[0][0] if rows else None


t.eq(val("SELECT count(*) FROM pg_class WHERE relname = 'execution_history' AND relkind = 'p'"),
     "1", "the test cluster has the native shape (execution_history is partitioned)")
t.ok(int(val("SELECT count(*) FROM native_summary_hour")) > 4 * 24,
     "its ended hours were summarised at load, as the supervisor would have")

# ---------------------------------------------------------------- the states
# Never built: the newest three ended hours of every kind forgotten.
for k in KINDS:
    sql("SELECT native_summary_forget('%s', date_trunc('hour', now(), 'UTC') - interval '3 hours',"
        " date_trunc('hour', now(), 'UTC'))" % k)
# Dirty: the summaries of these hours are now wrong, and queued.
sql("UPDATE execution_history SET new_values = jsonb_set(new_values, '{status}', '\"failed\"')"
    " WHERE ctid IN (SELECT ctid FROM execution_history WHERE 'status' = ANY(changed_fields)"
    " AND new_values->>'status' = 'completed'"
    " AND time >= date_trunc('hour', now(), 'UTC') - interval '6 hours'"
    " AND time < date_trunc('hour', now(), 'UTC') - interval '5 hours' LIMIT 3)")
sql("INSERT INTO execution_history (time, operation, entity_id, entity_ref, changed_fields,"
    " new_values) VALUES (date_trunc('hour', now(), 'UTC') - interval '7 hours' + interval '10 min',"
    " 'INSERT', 999001, 'core.echo', '{}', '{\"status\": \"requested\"}')")
sql("INSERT INTO event (trigger, trigger_ref, created) SELECT trigger, trigger_ref,"
    " date_trunc('hour', now(), 'UTC') - interval '8 hours' + interval '5 min' FROM event LIMIT 4")
sql("INSERT INTO worker_history (time, operation, entity_id, entity_ref, changed_fields,"
    " old_values, new_values) SELECT date_trunc('hour', now(), 'UTC') - interval '9 hours',"
    " 'UPDATE', entity_id, entity_ref, '{status}', '{\"status\": \"active\"}',"
    " '{\"status\": \"inactive\"}' FROM worker_history LIMIT 2")
# A partial first hour: the first half of the 24 h range's first hour deleted.
sql("DELETE FROM execution_history WHERE time >= date_trunc('hour', now() - interval '24 hours')"
    " AND time < date_trunc('hour', now() - interval '24 hours') + interval '30 min'")
# Late rows of a day without a leaf wait in DEFAULT.
sql("INSERT INTO event (trigger, trigger_ref, created) SELECT trigger, trigger_ref,"
    " now() - interval '10 days' FROM event LIMIT 3")
t.eq(val("SELECT count(*) FROM ONLY event_default"), "3", "rows of a day without a leaf in _default")
dirty = val("SELECT count(DISTINCT (kind, bucket)) FROM native_summary_invalidation"
            " WHERE bucket < date_trunc('hour', now(), 'UTC')")
t.ok(int(dirty) >= 5, "ended hours are queued as dirty (%s)" % dirty)
stale = val("SELECT sum(transition_count) FROM execution_status_hourly_summary s"
            " WHERE new_status = 'failed' AND bucket = date_trunc('hour', now(), 'UTC')"
            " - interval '6 hours'")
fresh = val("SELECT count(*) FROM execution_history WHERE 'status' = ANY(changed_fields)"
            " AND new_values->>'status' = 'failed' AND time >= date_trunc('hour', now(), 'UTC')"
            " - interval '6 hours' AND time < date_trunc('hour', now(), 'UTC') - interval '5 hours'")
t.ok(stale != fresh, "a dirty hour's summary differs from its rows (%s vs %s)" % (stale, fresh))


def clean_hours(hours):
    """Hours of the range each kind can serve from its summary, by the rule."""
    rows = sql("SELECT k, (SELECT count(*) FROM native_summary_hour h WHERE h.kind::text = k"
               " AND h.bucket >= date_trunc('hour', now() - interval '%d hours')"
               " AND h.bucket < date_trunc('hour', now(), 'UTC') AND NOT EXISTS (SELECT 1"
               " FROM native_summary_invalidation v WHERE v.kind = h.kind"
               " AND v.bucket = h.bucket)) FROM unnest('{%s}'::text[]) k"
               % (hours, ",".join(KINDS)))
    return min(int(r[1]) for r in rows)


# ---------------------------------------------------------------- figures
for label, args, hours, filt in (("24h", [], 24, None), ("7d", ["-R", "7d"], 168, None),
                                 ("2w with _default", ["-R", "2w"], 336, None)):
    p, o = compare_overview(t, c, "native " + label, args, hours, filt, env=ENV)
top = max(oracle(c, 24)["actions"].items(), key=lambda kv: kv[1][0])[0]
compare_overview(t, c, "native filter " + top, ["-f", top, "-R", "2d"], 48, top, env=ENV)
# A worker filter: the executions it ran, raw (the summaries know no worker).
busy = c.value("SELECT w.name FROM attune.worker w JOIN attune.execution e ON e.executor = w.id"
               " WHERE e.created >= now() - interval '24 hours'"
               " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
p, o = compare_overview(t, c, "native filter worker", ["-f", busy, "-R", "2d"], 48, busy, env=ENV)
t.ok(o["executions"] > 0, "native filter worker: it ran executions in range", o["executions"])

for _ in range(3):
    h0 = c.value("SELECT date_trunc('hour', now())")
    r = run_top(["-b", "-n", "1"], env=ENV)
    want = clean_hours(24)
    if c.value("SELECT date_trunc('hour', now())") == h0:
        break
fr = parse_frames(r.stdout)
head = "\n".join(fr[0]["HEADER"]) if fr else ""
t.ok(re.search(r"backend: native PostgreSQL \S+, summaries \+ raw from sources", head),
     "the header names the native shape", head)
t.ok("freshness: summaries %d h + raw %d h" % (want, 25 - want) in head,
     "the header says how many hours came from summaries (%d) and raw (%d)" % (want, 25 - want),
     head)

# ---------------------------------------------------------------- the log
with open(c.info["LOGFILE"], encoding="utf-8", errors="replace") as f:
    log = f.read()
stmts = re.findall(r"^attune-top\| LOG:  (?:statement|execute [^:]*): (.*)$", log, re.M)
t.ok(any(s == "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" for s in stmts) and
     any(s == "COMMIT" for s in stmts), "each refresh is one read-only REPEATABLE READ transaction")
t.ok(any("execution_status_hourly_summary" in s for s in stmts) and
     any("event_volume_hourly_summary" in s for s in stmts), "built hours are read from summaries")
views = r"\"attune\"\.(?:execution_status|execution_throughput|event_volume|worker_status|" \
        r"enforcement_volume|execution_volume)_hourly\b(?!_summary)"
t.ok(not [s for s in stmts if re.search(views, s)], "no statement reads an hourly view")

# ---------------------------------------------------------------- pruning
# One frame's leaves: none of a day before the range is scanned.
sql("SELECT pg_stat_reset()")
r = run_top(["-b", "-n", "1", "-R", "24h"], env=ENV)
time.sleep(0.6)
old = sql("SELECT s.relname, s.seq_scan + coalesce(s.idx_scan, 0)"
          " FROM pg_stat_user_tables s JOIN native_partition_registry g"
          " ON g.partition_name = s.relname"
          " WHERE g.upper_bound <= date_trunc('hour', now() - interval '24 hours')")
t.ok(r.returncode == 0 and len(old) >= 12, "leaves of older days exist (%d)" % len(old))
t.eq([x for x in old if x[1] != "0"], [], "a 24 h refresh scans no leaf of an older day")

# ---------------------------------------------------------------- roles
sql("CREATE ROLE mon LOGIN; GRANT USAGE ON SCHEMA attune TO mon;"
    " GRANT SELECT ON ALL TABLES IN SCHEMA attune TO mon;"
    " REVOKE SELECT ON native_summary_hour FROM mon;"
    " CREATE ROLE mon2 LOGIN; GRANT USAGE ON SCHEMA attune TO mon2;"
    " GRANT SELECT ON ALL TABLES IN SCHEMA attune TO mon2")
MON = c.env(LANG="C.UTF-8", PGUSER="mon")
p, o = compare_overview(t, c, "no ledger grant", [], 24, env=MON)
r = run_top(["-b", "-n", "1"], env=MON)
t.ok("freshness: raw only: summary ledger not readable" in r.stdout and
     "query failed" not in r.stdout and r.returncode == 0,
     "no ledger grant: raw only, said once in the header, no error", r.stdout[:600])


def frames_while(args, env, after_first, n):
    """Run a batch of n frames; call after_first() once the first frame is
    out; return the frames and the process's exit status."""
    p = subprocess.Popen([BIN, "-b", "-n", str(n)] + args, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    out, fired, deadline = "", False, time.time() + 60
    while time.time() < deadline:
        ready, _, _ = select.select([p.stdout], [], [], 1)
        line = p.stdout.readline() if ready else None
        if line == "":
            break
        out += line or ""
        if not fired and line and line.startswith("RECENT STATUS CHANGES"):
            fired = True
            after_first()
    p.wait(timeout=30)
    return parse_frames(out), p.returncode, p.stderr.read()


frames, rc, err = frames_while(["-r", "1"], c.env(LANG="C.UTF-8", PGUSER="mon2"),
                               lambda: sql("REVOKE SELECT ON native_summary_hour FROM mon2"), 3)
o = oracle(c, 24)
t.ok(rc == 0 and len(frames) == 3, "grant revoked mid-session: still three frames, exit 0", err)
t.ok(frames and "raw only: summary ledger not readable" in "\n".join(frames[-1]["HEADER"]) and
     not [f for f in frames if "query failed" in str(f)],
     "grant revoked mid-session: raw from then on, never an error")
if frames:
    t.eq(from_frame(frames[-1])["statuses"], o["statuses"], "grant revoked: figures still true")

# ---------------------------------------------------------------- kept hours
# The first frame reads and keeps the ended hours; then one of them is
# dirtied (a status rewritten 10 hours ago): later frames must show it.
HOUR = ("time >= date_trunc('hour', now(), 'UTC') - interval '10 hours'"
        " AND time < date_trunc('hour', now(), 'UTC') - interval '9 hours'")


def dirty_kept():
    sql("UPDATE execution_history SET new_values = jsonb_set(new_values, '{status}',"
        " '\"timeout\"') WHERE ctid IN (SELECT ctid FROM execution_history"
        " WHERE 'status' = ANY(changed_fields) AND new_values->>'status' = 'completed'"
        " AND %s LIMIT 5)" % HOUR)


for _ in range(3):
    h0 = c.value("SELECT date_trunc('hour', now())")
    before = oracle(c, 24)
    frames, rc, err = frames_while(["-r", "1.5"], ENV, dirty_kept, 3)
    after = oracle(c, 24)
    if c.value("SELECT date_trunc('hour', now())") == h0:
        break
t.ok(rc == 0 and len(frames) == 3, "kept hours: three frames", err)
t.ok(before["statuses"] != after["statuses"], "the change alters the status totals")
if len(frames) == 3:
    t.eq(from_frame(frames[0])["statuses"], before["statuses"], "frame 1 equals the rows before")
    t.eq(from_frame(frames[2])["statuses"], after["statuses"],
         "a kept hour dirtied after it was read: the last frame equals the rows after")
    t.eq(from_frame(frames[2])["actions"], after["actions"], "... and so do the actions")
t.done()
