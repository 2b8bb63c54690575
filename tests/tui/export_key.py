"""'e' in the dashboard exports the focused table as displayed (its
columns, sort and filter), and in a timeline the entity's history with the
timeline's filters, into $ATTUNE_TOP_EXPORT_DIR; the status line shows the
absolute path and the row count, which equal SQL over the raw rows."""

import csv
import os
import re
import time

from attune_test import BIN, TAP, Cluster, Tmux, private_dir
from oracle import oracle

t = TAP()
c = Cluster()
d = private_dir("attune-export-")
env = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8", ATTUNE_TOP_EXPORT_DIR=d)


def exported(scr):
    m = re.search(r"exported (\d+) rows to (\S+\.csv)", scr)
    return (int(m.group(1)), m.group(2)) if m else (None, None)


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def pct(num, den):
    """The screen's FAIL% (fmt_pct): tenths rounded half up, "-" for 0/0."""
    if den == 0:
        return "-"
    t = int(min(max(num * 1000.0 / den, 0), 1000) + 0.5)
    return "%d.%d%%" % (t // 10, t % 10)


tm = Tmux("%s -r 30" % BIN, 200, 50, env)
try:
    scr = tm.wait_for(r"Workers \(\d+\)")
    # Top actions (focused at start): the visible columns, FAIL% included,
    # in the screen's order, equal to SQL over the raw history.
    before = oracle(c, 24)
    tm.send("e")
    n, path = exported(tm.wait_for(r"exported \d+ rows to \S+\.csv", 20))
    after = oracle(c, 24)
    t.ok(path and os.path.isabs(path) and os.path.dirname(path) == d and
         re.match(r"attune-top-overview-top-actions-24h-\d{8}T\d{6}Z\.csv$",
                  os.path.basename(path)),
         "top actions export: absolute path, view and range in the name", path)
    rows = csv_rows(path) if path else [[]]
    t.eq(rows[0], ["action", "executions", "ok", "failed", "timeout", "fail_pct"],
         "top actions export has the visible columns, FAIL% included")
    # The formula guard prefixes "'" to text cells a spreadsheet would run.
    unguard = lambda v: v[1:] if v[:1] == "'" and v[1:2] in ("=", "+", "-", "@") else v
    got = {unguard(r[0]): tuple(r[1:]) for r in rows[1:]}
    t.ok("'=cmd.exec" in [r[0] for r in rows[1:]], "text cells get the formula guard")
    want = [{ref: (str(e), str(ok), str(f), str(to), pct(f + to, ok + f + to))
             for ref, (e, ok, f, to) in o["actions"].items()} for o in (before, after)]
    t.ok(got in want, "top actions export rows equal the oracle", (got, want[0]))
    t.eq(n, len(rows) - 1, "status line row count equals the file's rows")
    execs = [int(r[1]) for r in rows[1:]]
    t.ok(execs == sorted(execs, reverse=True), "rows in the screen's sort (executions)")
    first_on_screen = re.search(r"^ACTION +\S*EXEC.*\n(\S+)", scr, re.M)
    t.ok(first_on_screen and rows[1][0].startswith(first_on_screen.group(1)[:20]),
         "the first exported row is the first on screen", (rows[1:2], first_on_screen))

    tm.send("Tab")  # the worker panel
    tm.send("e")
    n, path = exported(tm.wait_for(r"exported \d+ rows to \S+workers\S+\.csv", 20))
    workers = int(c.value("SELECT count(*) FROM attune.worker"))
    t.ok(path and os.path.dirname(path) == d and
         re.match(r"attune-top-overview-workers-24h-\d{8}T\d{6}Z\.csv$", os.path.basename(path)),
         "workers export lands in ATTUNE_TOP_EXPORT_DIR with a timestamped name", path)
    rows = csv_rows(path) if path else []
    t.eq(n, workers, "status line row count equals the live workers")
    t.eq(len(rows) - 1, workers, "the file holds a header and one row per worker")
    t.eq(rows[0][:3] if rows else None, ["id", "name", "status"], "header row")
    # A timeline exports the entity's whole history.
    eid = c.value("SELECT entity_id FROM attune.execution_history GROUP BY 1"
                  " ORDER BY count(*) DESC, 1 LIMIT 1")
    tm.send(":")
    tm.send_literal("execution:" + eid)
    tm.send("Enter")
    tm.wait_for(r"History: rows", 10)
    tm.send("e")
    n, path = exported(tm.wait_for(r"exported \d+ rows to \S+timeline-execution\S+\.csv", 20))
    hist = int(c.value("SELECT count(*) FROM attune.execution_history WHERE entity_id = " + eid))
    t.eq(n, hist, "timeline export: every history row of the execution")
    t.eq(len(csv_rows(path)) - 1 if path else None, hist, "timeline export file")
    t.ok(path and re.match(r"attune-top-timeline-execution-%s-\d{8}T\d{6}Z\.csv$" % eid,
                           os.path.basename(path)), "the timeline file names the entity", path)
    # With 'o' (INSERT only) the export holds what the timeline shows.
    tm.send("o")
    tm.wait_for(r"INSERT", 10)
    time.sleep(1.1)  # a file name has a one-second stamp: the next one is new
    first_path = path
    tm.send("e")
    tm.wait_for(r"exporting", 10)
    n, path = exported(tm.wait_for(r"exported \d+ rows to \S+timeline-execution\S+\.csv", 20))
    ins = int(c.value("SELECT count(*) FROM attune.execution_history WHERE entity_id = %s"
                      " AND operation = 'INSERT'" % eid))
    t.eq(n, ins, "timeline export with o: only the INSERT rows")
    t.ok(path and all(r[1] == "INSERT" for r in csv_rows(path)[1:]), "the file's operations")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()
t.done()
