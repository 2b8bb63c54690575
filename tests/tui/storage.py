"""The storage and freshness view ('t') on plain PostgreSQL: table, index
and partition sizes equal the size functions (a partitioned table's summed
over its partition tree), partitions show their bounds, the aggregates show
as views. On the native shape (sql/attune-native.sql) at 80x24, what needs
action is on the first screen, above everything else."""

import re
import time

from attune_test import BIN, TAP, Cluster, Tmux, human_bytes
from native import nq, nv

t = TAP()
c = Cluster()
# A natively partitioned table in the schema (seed 003's layout).
c.psql("CREATE TABLE attune.workflow_events (id bigserial, ts timestamptz NOT NULL,"
       " payload jsonb, PRIMARY KEY (id, ts)) PARTITION BY RANGE (ts);"
       " CREATE TABLE attune.workflow_events_y2026m10 PARTITION OF attune.workflow_events"
       " FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');"
       " CREATE TABLE attune.workflow_events_y2026m11 PARTITION OF attune.workflow_events"
       " FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');"
       " INSERT INTO attune.workflow_events (ts, payload) SELECT timestamptz '2026-10-15'"
       " + g * interval '1 hour', '{}' FROM generate_series(1, 900) g; ANALYZE")




# A partitioned table has no storage of its own: its figures are the sums over
# its partition tree; an ordinary table has no partition count ("-").
tables = c.psql("SELECT c.relname, sum(pg_total_relation_size(t.relid)),"
                " sum(pg_relation_size(t.relid)), sum(pg_indexes_size(t.relid)),"
                " CASE WHEN c.relkind = 'p' THEN (SELECT count(*) FROM pg_inherits i"
                " WHERE i.inhparent = c.oid)::text ELSE '-' END FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " CROSS JOIN LATERAL (SELECT c.oid AS relid UNION"
                " SELECT relid FROM pg_partition_tree(c.oid)) t WHERE n.nspname = 'attune'"
                " AND c.relkind IN ('r', 'p') AND NOT c.relispartition GROUP BY c.oid")
parts = c.psql("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid),"
               " pg_total_relation_size(c.oid) FROM pg_inherits i JOIN pg_class c"
               " ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent"
               " JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = 'attune'"
               " AND c.relkind IN ('r', 'p') ORDER BY 1")

tm = Tmux("%s -r 30" % BIN, 200, 50, c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8"))
try:
    tm.wait_for(r"Workers \(\d+\)")
    tm.send("t")
    scr = tm.wait_for(r"── Aggregates", 10)
    lines = scr.splitlines()
    bad = []
    for name, total, table, index, nparts in tables:
        row = next((l for l in lines if l.startswith(name + " ")), None)
        want = [human_bytes(total), human_bytes(table), human_bytes(index)]
        cells = re.split(r"\s{2,}", row.strip()) if row else []
        if cells[1:4] != want or cells[-1] != nparts:
            bad.append((name, cells, want, nparts))
    t.ok(not bad and len(tables) >= 7, "%d tables: total, table and index sizes and partition "
         "counts equal the size functions" % len(tables), bad)
    row = next((l for l in lines if l.startswith("workflow_events ")), "")
    t.ok(re.split(r"\s{2,}", row.strip())[1:2] != ["0 B"],
         "a partitioned table shows its partitions' size, not 0 B", row)
    bad = []
    for name, bounds, size in parts:
        row = next((l for l in lines if (" " + name + " ") in (" " + l + " ")), "")
        if bounds not in row or not row.rstrip().endswith(human_bytes(size)):
            bad.append((name, bounds, human_bytes(size), row))
    t.ok(not bad and len(parts) == 2, "partitions with their bounds and sizes", bad)
    t.ok(all(re.search(r"^%s\s+view \(always current\)" % v, scr, re.M) for v in
             ("execution_status_hourly", "worker_status_hourly", "event_volume_hourly")),
         "aggregates shown as plain views")
    tm.send("Escape")
    t.ok(tm.wait_for(r"Top actions", 5) is not None, "Esc returns to the overview")
    tm.send("t")
    tm.wait_for(r"── Tables", 5)
    tm.send("t")
    t.ok(tm.wait_for(r"Top actions", 5) is not None, "t toggles the view")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()

# The header's data age is the storage view's own: refreshed every second, it
# never reads more than a couple of seconds old.
tm = Tmux("%s -r 1" % BIN, 200, 50, c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8"))
try:
    tm.wait_for(r"Workers \(\d+\)")
    tm.send("t")
    tm.wait_for(r"── Aggregates", 10)
    ages = []
    for _ in range(4):
        time.sleep(1.5)
        m = re.search(r"data (\d+)(ms|s|m|h) old", tm.capture())
        ages.append(m.group(1) + m.group(2) if m else None)
    t.ok(all(a and (a.endswith("ms") or (a.endswith("s") and int(a[:-1]) <= 3)) for a in ages),
         "storage view at -r 1: the header's data age stays fresh", ages)
    tm.send("q")
    tm.wait_dead(5)
finally:
    tm.kill()
c.stop()

# The native shape at 80x24: tomorrow's leaf of event detached and rows waiting in
# event's DEFAULT; the flags come first, in the alert colour.
c = Cluster("--native")  # history loaded, ended hours summarised
nq(c, "INSERT INTO event (trigger_ref, created) SELECT 'core.timer',"
      " date_trunc('day', now(), 'UTC') - interval '20 days' FROM generate_series(1, 5)")
leaf = nv(c, "SELECT partition_name FROM native_partition_registry WHERE parent = 'event'"
             " AND lower_bound = date_trunc('day', now(), 'UTC') + interval '1 day'")
nq(c, "ALTER TABLE event DETACH PARTITION " + leaf)
nq(c, "UPDATE native_maintenance_schedule SET next_due = now() + interval '1 hour'")
tm = Tmux("%s -r 30" % BIN, 80, 24, c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8"))
try:
    tm.wait_for(r"Workers \(\d+\)", 30)
    tm.send("t")
    scr = tm.wait_for(r"── Hourly summaries", 15) or tm.capture()
    lines = scr.splitlines()
    top = [i for i, l in enumerate(lines) if l.startswith("── ")]
    t.ok(top and lines[top[0]].startswith("── Needs action") and top[0] < 6,
         "80x24: 'Needs action' is the first table", scr)
    flag = next((l for l in lines if l.startswith("table event ")), "")
    t.ok("no partition for tomorrow" in flag and "DEFAULT" in flag,
         "80x24: event's missing leaf for tomorrow and its DEFAULT rows are on the first"
         " screen", scr)
    esc = tm.capture(escapes=True)
    t.ok(re.search(r"\x1b\[[0-9;]*m[^\x1b]*no partition for tomorrow", esc) is not None,
         "the flag is drawn in a colour of its own")
    row = next((l for l in lines if l.startswith("event ")), "")
    t.ok(lines.index(row) < lines.index(next(l for l in lines if l.startswith("audit_event "))),
         "the flagged parent is listed before the others", scr)
    size = human_bytes(c.value("SELECT sum(pg_total_relation_size(relid))"
                               " FROM pg_partition_tree('attune.event')"))
    t.eq(re.split(r"\s{2,}", row.strip())[1:3],
         [size, nv(c, "SELECT count(*) FROM native_partition_registry r WHERE parent = 'event'"
                      " AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent ="
                      " 'event'::regclass AND i.inhrelid::regclass::text = r.partition_name)")],
         "event: summed size and attached day leaves")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()

# A role that may not read the ledger: the summaries say why, the rest shows.
c.psql("CREATE ROLE monitor LOGIN; GRANT USAGE ON SCHEMA attune TO monitor;"
       " GRANT SELECT ON ALL TABLES IN SCHEMA attune TO monitor;"
       " REVOKE SELECT ON attune.native_summary_hour FROM monitor")
tm = Tmux("%s -r 30" % BIN, 200, 50, c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8", PGUSER="monitor"))
try:
    tm.wait_for(r"Workers \(\d+\)", 30)
    tm.send("t")
    scr = tm.wait_for(r"── Maintenance schedule", 15) or tm.capture()
    t.ok(re.search(r"── Hourly summaries.*\n.*\n.*permission denied for table native_summary_hour",
                   scr) is not None, "no ledger grant: a note under the summaries", scr)
    t.ok(re.search(r"^execution_history\s+\d", scr, re.M) is not None
         and re.search(r"^partition\s+\d{4}-", scr, re.M) is not None,
         "the partitions and the schedule still show")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()
t.done()
