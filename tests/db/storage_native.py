"""--export=storage against catalog, registry and ledger queries run here, on the
three shapes:
  native (sql/attune-native.sql): per day-partitioned parent the size summed over
  its partition tree, the registered day leaves and their bounds, the rows waiting
  in DEFAULT (probed up to 1001: "1000+"), the future days; per summary kind the
  hours built, dirty and missing in the range (ledger and queue); the maintenance
  schedule; what needs action (no leaf for tomorrow, rows in DEFAULT, dirty hours
  older than the summary interval, an overdue job). A role that may not read the
  ledger gets the rest and a note. Plain PostgreSQL: every table's size (summed over
  the tree for a partitioned one) and the views."""

import os
import re

from attune_test import TAP, Cluster, private_dir, run_top
import csv_oracle as co
from native import nq, nv

t = TAP()
tmp = private_dir("attune-storage-")
HEAD = ["relation", "kind", "total_bytes", "partitions", "oldest_bound", "newest_bound",
        "default_rows", "future_days", "hours_built", "hours_dirty", "watermark",
        "hours_missing", "oldest_refresh", "latest_refresh", "retention", "last_success",
        "next_due", "needs_action"]
ISO = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"


def iso(expr):
    return "to_char((%s) AT TIME ZONE 'UTC', %s)" % (expr, ISO)


def export(c, args, env=None, hour_stable=True):
    """The CSV as {relation: row dict}, exit status and stderr. Read again when the
    server's hour changed meanwhile (the oracle's hour counts would differ)."""
    path = os.path.join(tmp, "s%d.csv" % t.n)
    for _ in range(3):
        before = c.value("SELECT date_trunc('hour', now())")
        r = run_top(["--export=storage", "-o", path, "--force"] + args,
                    env=env or c.env(), timeout=120)
        if not hour_stable or c.value("SELECT date_trunc('hour', now())") == before:
            break
    rows = co.parse_csv(path) if r.returncode == 0 else [[]]
    rows = [["" if x is None else x for x in row] for row in rows]  # NULL: empty
    return rows[0], {row[0]: dict(zip(HEAD, row)) for row in rows[1:]}, r


def sub(row, keys):
    return {k: row.get(k) for k in keys} if row else None


# ---------------------------------------------------------------- native
# History loaded, ended hours summarised; autovacuum off so that sizes hold still.
c = Cluster("--native", "--conf", "autovacuum = off")
PARENTS = ("audit_event", "event", "execution_history")
KINDS = ("event_volume", "execution_creation", "execution_status", "worker_status")
# Nothing overdue yet; a clean baseline.
nq(c, "UPDATE native_maintenance_schedule SET next_due = now() + interval '1 hour',"
      " last_success = now()")
# Rows of a day without a leaf land in DEFAULT: 1200 events 20 days ago (more than the
# probe counts), 3 history rows 21 days ago.
nq(c, "INSERT INTO event (trigger_ref, created) SELECT 'core.timer', date_trunc('day', now(),"
      " 'UTC') - interval '20 days' + g * interval '1 second' FROM generate_series(1, 1200) g")
nq(c, "INSERT INTO execution_history (time, operation, entity_id, entity_ref)"
      " SELECT date_trunc('day', now(), 'UTC') - interval '21 days' + g * interval '1 minute',"
      " 'INSERT', g, 'core.echo' FROM generate_series(1, 3) g")
# Dirty hours in the range: event_volume 5 hours ago (queued long ago: stale) and
# worker_status 3 hours ago (queued just now).
nq(c, "INSERT INTO event (trigger_ref, created) VALUES ('core.timer',"
      " date_trunc('hour', now(), 'UTC') - interval '5 hours' + interval '10 minutes')")
nq(c, "UPDATE native_summary_invalidation SET created = now() - interval '2 hours'"
      " WHERE kind = 'event_volume' AND bucket = date_trunc('hour', now(), 'UTC')"
      " - interval '5 hours'")
nq(c, "INSERT INTO native_summary_invalidation (kind, bucket) VALUES"
      " ('worker_status', date_trunc('hour', now(), 'UTC') - interval '3 hours')")
# A missing hour: forget one built hour of execution_status 7 hours ago.
nq(c, "DELETE FROM native_summary_hour WHERE kind = 'execution_status'"
      " AND bucket = date_trunc('hour', now(), 'UTC') - interval '7 hours'")
c.psql("VACUUM")


def parents_oracle():
    out = {}
    for p in PARENTS:
        size = c.value("SELECT sum(pg_total_relation_size(relid)) FROM"
                       " pg_partition_tree('attune.%s')" % p)
        n, lo, hi, fut = nq(c, "SELECT count(*), %s, %s, count(*) FILTER (WHERE lower_bound >="
                               " date_trunc('day', now(), 'UTC') + interval '1 day')"
                               " FROM native_partition_registry r WHERE parent = '%s'"
                               " AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent ="
                               " '%s'::regclass AND i.inhrelid::regclass::text ="
                               " r.partition_name)"
                               % (iso("min(lower_bound)"), iso("max(upper_bound)"), p, p))[0]
        d = int(c.value("SELECT count(*) FROM ONLY attune.%s_default" % p))
        out[p] = {"total_bytes": size, "partitions": n, "oldest_bound": lo, "newest_bound": hi,
                  "future_days": fut, "default_rows": str(d) if d <= 1000 else "1000+"}
    return out


def summaries_oracle(hours=24):
    lo = "date_trunc('hour', now() - interval '%d hours')" % hours
    hi = "date_trunc('hour', now())"
    out = {}
    for k in KINDS:
        built, oldest, latest = nq(
            c, "SELECT count(*), %s, %s FROM native_summary_hour WHERE kind = '%s'"
               " AND bucket >= %s AND bucket < %s"
               % (iso("min(refreshed_at)"), iso("max(refreshed_at)"), k, lo, hi))[0]
        dirty = nv(c, "SELECT count(DISTINCT bucket) FROM native_summary_invalidation"
                      " WHERE kind = '%s' AND bucket >= %s AND bucket < %s" % (k, lo, hi))
        wm = nv(c, "SELECT %s FROM native_summary_hour WHERE kind = '%s'"
                   % (iso("max(bucket) + interval '1 hour'"), k))
        out[k + "_hourly_summary"] = {"hours_built": built, "hours_dirty": dirty,
                                      "hours_missing": str(hours - int(built)),
                                      "oldest_refresh": oldest, "latest_refresh": latest,
                                      "watermark": wm}
    return out


P_KEYS = ["total_bytes", "partitions", "oldest_bound", "newest_bound", "future_days",
          "default_rows"]
S_KEYS = ["hours_built", "hours_dirty", "hours_missing", "oldest_refresh", "latest_refresh",
          "watermark"]

head, got, r = export(c, [])
t.ok(r.returncode == 0 and r.stderr == "", "native: --export=storage exits 0, quietly",
     "rc=%d stderr=%r" % (r.returncode, r.stderr))
t.eq(head, HEAD, "header")
want = parents_oracle()
t.eq({p: sub(got.get(p), P_KEYS) for p in PARENTS}, want,
     "parents: summed partition-tree size, registered leaves and bounds, DEFAULT rows"
     " (1000+ past the probe), future days equal the catalog")
t.eq([got[p]["kind"] for p in PARENTS], ["partitioned table"] * 3, "parents' kind")
t.eq([got[p]["retention"] for p in PARENTS], ["90 days", "30 days", "30 days"],
     "retention from runtime_retention_target_config")
t.eq({p: got[p]["needs_action"] for p in PARENTS},
     {"audit_event": "", "event": "rows waiting in the DEFAULT partition",
      "execution_history": "rows waiting in the DEFAULT partition"},
     "DEFAULT holding rows is flagged; tomorrow's leaves exist")
want = summaries_oracle(24)
t.eq({k: sub(got.get(k), S_KEYS) for k in want}, want,
     "summaries -R 24h: hours built, dirty, missing, oldest/latest build, watermark equal"
     " the ledger and the queue")
t.ok(want["execution_status_hourly_summary"]["hours_missing"] == "1"
     and want["event_volume_hourly_summary"]["hours_dirty"] == "1"
     and want["worker_status_hourly_summary"]["hours_dirty"] == "1",
     "the oracle sees the hour forgotten and the hours dirtied")
t.eq({k: got[k]["needs_action"] for k in want},
     {"event_volume_hourly_summary": "1 dirty hour(s) not rebuilt within the summary interval",
      "execution_creation_hourly_summary": "", "execution_status_hourly_summary": "",
      "worker_status_hourly_summary": ""},
     "only the hour queued longer than the summary interval is flagged")
t.ok(list(got)[:2] == ["event", "execution_history"],
     "flagged parents come first", list(got)[:4])
t.eq([(k, got.get(k, {}).get("kind")) for k in ("execution_status_hourly", "worker")],
     [("execution_status_hourly", "view"), ("worker", "table")],
     "the hourly views and the ordinary tables are listed too")
t.eq(sorted(k for k, v in got.items() if v["kind"] == "maintenance job"),
     ["partition", "retention", "summary"], "the three maintenance jobs")
t.ok(all(got[j]["needs_action"] == "" for j in ("partition", "retention", "summary")),
     "no job overdue")

head, got, r = export(c, ["-R", "6h"])
want = summaries_oracle(6)
t.eq({k: sub(got.get(k), S_KEYS) for k in want}, want, "--range 6h: the hour counts follow")

# The summary interval from the configuration: an hour now queued for 2 h is within 3 h.
nq(c, "UPDATE runtime_retention_config SET native_maintenance ="
      " native_maintenance || '{\"summary_interval_seconds\": 10800}'")
head, got, r = export(c, [])
t.eq(got["event_volume_hourly_summary"]["needs_action"], "",
     "summary_interval_seconds from runtime_retention_config decides what is stale")

# Tomorrow's leaf of execution_history detached; a job overdue.
tomorrow = nv(c, "SELECT partition_name FROM native_partition_registry WHERE parent ="
                 " 'execution_history' AND lower_bound = date_trunc('day', now(), 'UTC')"
                 " + interval '1 day'")
nq(c, "ALTER TABLE execution_history DETACH PARTITION %s" % tomorrow)
nq(c, "UPDATE native_maintenance_schedule SET next_due = now() - interval '20 minutes'"
      " WHERE job = 'partition'")
head, got, r = export(c, [])
want = parents_oracle()
t.eq(sub(got["execution_history"], P_KEYS), want["execution_history"],
     "detached leaf: counts, bounds and future days follow the attached leaves")
t.ok("no partition for tomorrow" in got["execution_history"]["needs_action"],
     "no leaf for tomorrow is flagged", got["execution_history"]["needs_action"])
t.eq(got["partition"]["needs_action"], "overdue", "a job 20 minutes past next_due is overdue")
t.eq(got["partition"]["next_due"], nv(c, "SELECT %s FROM native_maintenance_schedule"
                                         " WHERE job = 'partition'" % iso("next_due")),
     "next_due as UTC ISO 8601")

# A monitoring role that may not read the ledger, DEFAULT or the retention targets.
c.psql("CREATE ROLE monitor LOGIN; GRANT USAGE ON SCHEMA attune TO monitor;"
       " GRANT SELECT ON ALL TABLES IN SCHEMA attune TO monitor;"
       " REVOKE SELECT ON attune.native_summary_hour, attune.event_default,"
       " attune.runtime_retention_target_config FROM monitor")
menv = c.env(PGUSER="monitor")
head, got, r = export(c, [], env=menv)
t.ok(r.returncode == 0, "no ledger grant: the export still succeeds", r.stderr)
t.ok(re.search(r"storage: Hourly summaries.*permission denied for table native_summary_hour",
               r.stderr) is not None, "... and says why the summaries are missing", r.stderr)
t.ok(not any(v["kind"] == "summary table" or v["hours_built"] for v in got.values()),
     "no summary figures without the ledger")
t.eq((got["event"]["default_rows"], got["event"]["retention"],
      got["execution_history"]["default_rows"]), ("", "", "3"),
     "an unreadable DEFAULT or retention table leaves its cell empty, the rest stays")
t.eq(sub(got["audit_event"], ["partitions", "future_days"]),
     sub(want["audit_event"], ["partitions", "future_days"]), "partitions still counted")
c.stop()

# ---------------------------------------------------------------- plain PostgreSQL
c = Cluster()
c.psql("ALTER SYSTEM SET autovacuum = off")
c.psql("SELECT pg_reload_conf()")
c.psql("CREATE TABLE attune.workflow_events (id bigserial, ts timestamptz NOT NULL,"
       " PRIMARY KEY (id, ts)) PARTITION BY RANGE (ts);"
       " CREATE TABLE attune.workflow_events_a PARTITION OF attune.workflow_events"
       " FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');"
       " CREATE TABLE attune.workflow_events_b PARTITION OF attune.workflow_events"
       " FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');"
       " INSERT INTO attune.workflow_events (ts) SELECT timestamptz '2026-10-15'"
       " + g * interval '1 hour' FROM generate_series(1, 900) g")
c.psql("VACUUM")
head, got, r = export(c, [], hour_stable=False)
t.ok(r.returncode == 0 and r.stderr == "", "plain: exit 0, quiet", r.stderr)
tables = c.psql("SELECT c.relname, CASE c.relkind WHEN 'p' THEN 'partitioned table'"
                " ELSE 'table' END, CASE c.relkind WHEN 'p' THEN (SELECT sum("
                "pg_total_relation_size(relid)) FROM pg_partition_tree(c.oid))"
                " ELSE pg_total_relation_size(c.oid) END, CASE c.relkind WHEN 'p' THEN"
                " (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid)::text"
                " ELSE '' END FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'attune' AND c.relkind IN ('r', 'p')"
                " AND NOT c.relispartition ORDER BY 1")
t.eq(sorted([k, v["kind"], v["total_bytes"], v["partitions"]] for k, v in got.items()
            if v["kind"].endswith("table")), tables,
     "plain: every table's total bytes (a partitioned one summed over its tree) and"
     " partition count equal the size functions")
t.ok(int(got["workflow_events"]["total_bytes"]) > 0, "a partitioned table is not 0 B")
views = c.psql("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
               " WHERE n.nspname = 'attune' AND c.relkind = 'v' AND c.relname LIKE '%_hourly'"
               " ORDER BY 1")
t.eq(sorted(k for k, v in got.items() if v["kind"] == "view"), [v[0] for v in views],
     "plain: the hourly views")
t.ok(all(v["needs_action"] == "" and v["hours_built"] == "" for v in got.values()),
     "plain: no native figures, nothing flagged")
t.done()
