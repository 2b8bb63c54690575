"""Every overview table sorts by any of its columns: 's' walks the focused
table's columns, 'S' reverses, the sorted column's head is marked, the
selection stays on its item, and 'e' exports the rows in the order shown.
Workers keep their severity order by default."""

import csv
import re
import time

from attune_test import BIN, TAP, Cluster, Tmux, private_dir

t = TAP()
c = Cluster()
d = private_dir("attune-sort-")
env = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color", ATTUNE_TOP_EXPORT_DIR=d)

REVERSE = re.compile(r"\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m")
SGR = re.compile(r"\x1b\[[0-9;]*m")


def highlighted(tm):
    """The right half (workers, failures, changes at 200 columns) of the
    reverse-video row, the selection; None when there is none."""
    for line in tm.capture(escapes=True).splitlines():
        text = SGR.sub("", line)[101:].strip()
        if REVERSE.search(line) and text and not text.startswith(("──", "--")):
            return text
    return None


def seen(tm, pattern, timeout=10):
    """The screen once it matches, None when it never does."""
    try:
        return tm.wait_for(pattern, timeout)
    except TimeoutError:
        return None


def export(tm, what):
    """'e' on the focused table: its rows (header dropped), text cells
    without the formula guard."""
    time.sleep(1.1)  # a new file name (its stamp has seconds) and a new message
    tm.send("e")
    scr = seen(tm, r"exported \d+ rows to \S+%s\S+\.csv" % what, 20)
    m = scr and re.search(r"exported \d+ rows to (\S+\.csv)", scr)
    if not m:
        return None
    with open(m.group(1), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    unguard = lambda v: v[1:] if v[:1] == "'" and v[1:2] in ("=", "+", "-", "@") else v
    return [[unguard(v) for v in r] for r in rows]


def key(v):
    return v.encode("utf-8")


tm = Tmux("%s -r 30" % BIN, 200, 50, env)
try:
    tm.wait_for(r"Workers \(\d+\)")
    nworkers = int(c.value("SELECT count(*) FROM attune.worker"))
    tm.send("Tab")  # the workers table; its first row is the most severe
    scr = seen(tm, r"Workers \(%d\).* 1/%d" % (nworkers, nworkers))
    first = highlighted(tm)
    default = export(tm, "workers")
    t.ok(default is not None and first is not None and default[0][1] in first,
         "workers: the most severe first by default", (first, default and default[0]))
    picked = default[0][1] if default else ""

    tm.send("s")
    scr = seen(tm, r"Workers \(%d\), sort: name \u2193" % nworkers)
    t.ok(scr is not None and re.search(r"\u2193NAME", scr), "s: workers by name, NAME marked",
         scr)
    rows = export(tm, "workers") or []
    names = [r[1] for r in rows]
    t.ok(len(names) == nworkers and names == sorted(names, key=key),
         "the export is in name order", names)
    at = names.index(picked) + 1 if picked in names else 0
    t.ok(seen(tm, r"Workers \(%d\), sort: name .* %d/%d" % (nworkers, at, nworkers)) and
         picked in (highlighted(tm) or ""), "the selected worker stays selected",
         (picked, at, highlighted(tm)))

    tm.send("S")
    scr = seen(tm, r"Workers \(%d\), sort: name \u2191" % nworkers)
    t.ok(scr is not None and re.search(r"\u2191NAME", scr), "S: reversed, the mark turns", scr)
    rows = export(tm, "workers") or []
    t.eq([r[1] for r in rows], sorted(names, key=key, reverse=True),
         "the export is in reversed name order")
    t.ok(picked in (highlighted(tm) or ""), "still the same worker", highlighted(tm))
    for _ in range(5):  # status, role, type, host:port, heartbeat
        tm.send("s")
    scr = seen(tm, r"sort: heartbeat \u2191")
    t.ok(scr is not None and re.search(r"\u2191HEARTBEAT", scr), "s walks to HEARTBEAT", scr)
    rows = export(tm, "workers") or []
    ages = [float(r[7]) if r[7] else float("inf") for r in rows]
    t.ok(len(rows) == nworkers and ages == sorted(ages),
         "reversed heartbeat: the freshest first, never-beaten last", ages)

    tm.send("Tab")  # recent failures
    nfail = len(export(tm, "recent-failures") or [])
    tm.send("s")
    scr = seen(tm, r"Recent failures \((?:newest )?\d+\), sort: execution \u2193")
    t.ok(scr is not None and re.search(r"\u2193EXECUTION", scr),
         "s: failures by execution, EXECUTION marked", scr)
    rows = export(tm, "recent-failures") or []
    ids = [int(r[1]) for r in rows]
    t.ok(nfail > 1 and len(ids) == nfail and ids == sorted(ids, reverse=True),
         "the failures export is in execution order", ids)

    tm.send("Tab")  # recent status changes
    scr = seen(tm, r"\u2193TIME")
    t.ok(scr is not None, "changes: newest first by default, TIME marked")
    tm.send("j")
    tm.send("j")
    sel = seen(tm, r"Recent status changes.* 3/\d+") and highlighted(tm)
    tm.send("s")
    tm.send("s")  # execution, then action
    scr = seen(tm, r"Recent status changes, sort: action \u2193")
    t.ok(scr is not None and re.search(r"\u2193ACTION", scr), "s: changes by action", scr)
    rows = export(tm, "recent-changes") or []
    refs = [r[2] for r in rows]
    t.ok(len(refs) > 1 and refs == sorted(refs, key=key), "the changes export is in action order",
         refs)
    t.eq(highlighted(tm), sel, "the selected change stays selected")
    tm.send("S")
    scr = seen(tm, r"Recent status changes, sort: action \u2191")
    rows = export(tm, "recent-changes") or []
    t.eq([r[2] for r in rows], sorted(refs, key=key, reverse=True),
         "S: the changes export in reversed action order")
    t.eq(highlighted(tm), sel, "still the same change")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()
t.done()
