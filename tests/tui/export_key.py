"""'e' in the dashboard exports the focused panel's full data, and in a
timeline the entity's whole history, into $ATTUNE_TOP_EXPORT_DIR; the
status line shows the path and the row count, which equal the raw rows."""

import csv
import os
import re

from attune_test import BIN, TAP, Cluster, Tmux, private_dir

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


tm = Tmux("%s -r 30" % BIN, 200, 50, env)
try:
    tm.wait_for(r"Workers \(\d+\)")
    tm.send("Tab")  # the worker panel
    tm.send("e")
    n, path = exported(tm.wait_for(r"exported \d+ rows to \S+\.csv", 20))
    workers = int(c.value("SELECT count(*) FROM attune.worker"))
    t.ok(path and os.path.dirname(path) == d and
         re.match(r"attune-top-workers-\d{8}T\d{6}Z\.csv$", os.path.basename(path)),
         "workers export lands in ATTUNE_TOP_EXPORT_DIR with a timestamped name", path)
    rows = csv_rows(path) if path else []
    t.eq(n, workers, "status line row count equals the live workers")
    t.eq(len(rows) - 1, workers, "the file holds a header and one row per worker")
    t.eq(rows[0][:3] if rows else None, ["id", "name", "worker_type"], "header row")
    # A timeline exports the entity's whole history.
    eid = c.value("SELECT entity_id FROM attune.execution_history GROUP BY 1"
                  " ORDER BY count(*) DESC, 1 LIMIT 1")
    tm.send(":")
    tm.send_literal("execution:" + eid)
    tm.send("Enter")
    tm.wait_for(r"History: rows", 10)
    tm.send("e")
    n, path = exported(tm.wait_for(r"exported \d+ rows to \S+execution_history\S+\.csv", 20))
    hist = int(c.value("SELECT count(*) FROM attune.execution_history WHERE entity_id = " + eid))
    t.eq(n, hist, "timeline export: every history row of the execution")
    t.eq(len(csv_rows(path)) - 1 if path else None, hist, "timeline export file")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()
t.done()
