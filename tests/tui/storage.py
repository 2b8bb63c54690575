"""The storage and freshness view ('t') on plain PostgreSQL: table, index
and partition sizes equal the size functions, partitions show their bounds,
the aggregates show as views."""

import re
import time

from attune_test import BIN, TAP, Cluster, Tmux, human_bytes

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




tables = c.psql("SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid),"
                " pg_indexes_size(c.oid), (SELECT count(*) FROM pg_inherits i"
                " WHERE i.inhparent = c.oid) FROM pg_class c JOIN pg_namespace n"
                " ON n.oid = c.relnamespace WHERE n.nspname = 'attune'"
                " AND c.relkind IN ('r', 'p') AND NOT c.relispartition")
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
t.done()
