"""A missing relation disables its own figures with a visible note; every
other number still equals the raw-row oracle. Older installs lack some
aggregates (and current ones define two of them as plain views)."""

from attune_test import TAP, Cluster, header_totals, parse_frames, run_top, table_rows
from oracle import batch_and_oracle, from_frame

t = TAP()
c = Cluster()
c.psql("DROP VIEW attune.event_volume_hourly; DROP VIEW attune.worker_status_hourly;"
       " DROP VIEW attune.execution_volume_hourly")
r, frames, o = batch_and_oracle(c, [], 24)
t.ok(r.returncode == 0 and len(frames) == 1, "runs without three aggregates", r.stderr)
fr = frames[0]
p = from_frame(fr) if frames else {}
t.eq(header_totals(fr).get("events"), None, "events total is not a number")
t.ok(any("events n/a" in l for l in fr["HEADER"]), "header says events n/a", fr["HEADER"])
t.ok(any("unavailable: events: attune.event_volume_hourly does not exist" in l
         for l in fr["THROUGHPUT"]), "throughput panel names the missing relation",
     fr["THROUGHPUT"])
ev = [l for l in fr["THROUGHPUT"] if l.startswith("events ")]
t.ok(ev and "n/a" in ev[0] and "·" in ev[0], "events sparkline shows no data, not zero", ev)
t.ok(all(row[5] == "-" for row in table_rows(fr, "WORKERS", 9)),
     "worker transitions are unknown, not zero")
for k in ("executions", "enforcements", "statuses", "actions", "inflight", "changes"):
    t.eq(p[k], o[k], "still equal to the oracle: " + k)

# A missing history table: the recent-changes panel says so, the rest works.
c.psql("ALTER TABLE attune.execution_history RENAME TO execution_history_old")
r = run_top(["-b", "-n", "1"], env=c.env(LANG="C.UTF-8"))
fr = parse_frames(r.stdout)[0]
t.ok(r.returncode == 0 and any("execution_history does not exist" in l
                                for l in fr["RECENT STATUS CHANGES"]),
     "missing execution_history: one-line note", fr.get("RECENT STATUS CHANGES"))
# The aggregates over execution_history are views: renaming the table keeps
# them working (they follow the table), so their figures are still there.
t.ok(header_totals(fr).get("executions") == o["executions"], "other panels unaffected")
t.done()
