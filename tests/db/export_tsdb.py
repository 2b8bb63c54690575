"""--export on TimescaleDB (the PGlite lane, tests/lib/tsdb.py): the
aggregates are materialized-only continuous aggregates refreshed up to
now() - 1 h, so their newest buckets exist only in the raw hypertables.
Every aggregate export, the workers' transitions and a history export must
still equal the oracle over raw rows: the export reads past the watermark
like the dashboard does.

One session at a time: the program and the oracle run one after another."""

import os
import tempfile

from attune_test import TAP, run_top
import csv_oracle as co
from tsdb import TsCluster, tsdb_available

t = TAP()
avail, why = tsdb_available()
if not avail:
    t.skip_all("TimescaleDB lane: " + why)
try:
    c = TsCluster()
except RuntimeError as e:
    t.ok(False, "TimescaleDB lane server starts", e)
    t.done()
env = c.env(LANG="C.UTF-8")
tmp = tempfile.TemporaryDirectory()


def export(args):
    path = os.path.join(tmp.name, "x%d.csv" % t.n)
    for _ in range(3):
        before = co.server_now(c)
        r = run_top(args + ["-o", path, "--force"], env=env, timeout=300)
        after = co.server_now(c)
        if co.bounds(before, 1) == co.bounds(after, 1):
            break
    t.ok(r.returncode == 0 and r.stderr == "", " ".join(args) + ": exit 0, quiet",
         "rc=%d stderr=%r" % (r.returncode, r.stderr))
    return (co.parse_csv(path) if r.returncode == 0 else []), before


def first_difference(got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return "row %d:\n  got  %r\n  want %r" % (i, g, w)
    return "lengths %d vs %d" % (len(got), len(want))


lagging = 0
for name in co.AGGREGATES:
    got, now = export(["--export=" + name, "-R", "24h"])
    want = [co.HEADERS[name]] + co.apply_guard(name, co.aggregate(c, name, now, 24), False)
    t.ok(got == want, "%s: %d rows equal the raw-row oracle" % (name, len(want) - 1),
         first_difference(got, want))
    col = co.HEADERS[name][-1]
    agg = int(c.value("SELECT coalesce(sum(%s), 0) FROM attune.%s WHERE bucket >="
                      " date_trunc('hour', now() - interval '24 hours')" % (col, name)))
    lagging += agg < sum(int(r[-1]) for r in want[1:])

t.ok(lagging >= 4, "the materialized aggregates alone lag the raw rows (%d of 6):"
     " the tail past the watermark is in the exports" % lagging)

got, now = export(["--export=workers", "-R", "24h"])
want = co.workers(c, now, 24)
t.eq([(r[0], r[9]) for r in got[1:]], [(r[0], r[9]) for r in want],
     "workers: status transitions in range equal the raw rows")

eid = c.value("SELECT entity_id FROM attune.execution_history"
              " WHERE time > now() - interval '30 minutes' ORDER BY time DESC LIMIT 1")
got, now = export(["--export=execution_history", "--entity=execution:%s" % eid])
want = [co.HEADERS["execution_history"]] + co.apply_guard(
    "execution_history", co.history(c, "execution_history", "entity_id = %s" % eid, now, 24),
    False)
t.ok(len(want) > 1 and got == want, "execution_history on a hypertable: %d rows" % (len(want) - 1),
     first_difference(got, want))
t.done()
