"""Tables that keep their item: the selection stays on its row across
refreshes while rows arrive (a cluster with the simulator), g/G/Home/End,
the position label, '/' incremental search with n/N and "no match"."""

import re
import time

from attune_test import BIN, TAP, Cluster, Tmux

t = TAP()
c = Cluster("--sim")
env = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")

REVERSE = re.compile(r"\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m")
SGR = re.compile(r"\x1b\[[0-9;]*m")


def highlighted(tm):
    """The text of the reverse-video row (the selection), or None."""
    for line in tm.capture(escapes=True).splitlines():
        text = SGR.sub("", line).strip()
        if REVERSE.search(line) and not text.startswith(("──", "--")):
            return text
    return None


def exec_total(scr):
    m = re.search(r"exec (\d+)", scr)
    return int(m.group(1)) if m else None


def next_refresh_with_rows(tm, seen):
    """Wait until the header's execution total differs from seen (rows
    arrived and a refresh showed them); returns the new total."""
    tm.wait_for(r"exec \d+", 30)
    deadline = time.time() + 60
    while time.time() < deadline:
        n = exec_total(tm.capture())
        if n is not None and n != seen:
            return n
        time.sleep(0.1)
    raise TimeoutError("no new executions arrived")


tm = Tmux("%s -r 0.5" % BIN, 120, 40, env)
try:
    scr = tm.wait_for(r"Recent status changes")
    tm.send("Tab")
    tm.send("Tab")
    tm.send("Tab")  # the changes table (after workers and failures)
    for _ in range(3):
        tm.send("j")
    tm.wait_for(r"Recent status changes.* 4/\d+", 10)
    first = highlighted(tm)
    t.ok(first is not None and re.search(r"\d+\s+\S+", first), "a change row is selected", first)
    seen, rows = exec_total(tm.capture()), []
    for _ in range(5):
        seen = next_refresh_with_rows(tm, seen)
        rows.append(highlighted(tm))
    t.eq(rows, [first] * 5, "the selected change stays selected across five refreshes")
    ids = [re.search(r"\s(\d+)\s", " " + (r or "") + " ").group(1) if r else None for r in rows]
    t.ok(len(set(ids)) == 1, "the highlighted execution id did not change", ids)

    # g/G/Home/End on the overview's tables, with the position label.
    tm.send("BTab")
    tm.send("BTab")
    tm.send("BTab")  # top actions
    tm.wait_for(r"Top actions \(\d+\)", 5)
    n_actions = int(re.search(r"Top actions \((\d+)\)", tm.capture()).group(1))
    tm.send("G")
    scr = tm.wait_for(r" %d/%d" % (n_actions, n_actions), 5)
    t.ok(True, "G selects the last action (%d/%d)" % (n_actions, n_actions))
    tm.send("g")
    t.ok(tm.wait_for(r" 1/%d" % n_actions, 5) is not None, "g selects the first action")
    tm.send("End")
    t.ok(tm.wait_for(r" %d/%d" % (n_actions, n_actions), 5) is not None, "End: the last")
    tm.send("Home")
    t.ok(tm.wait_for(r" 1/%d" % n_actions, 5) is not None, "Home: the first")

    # '/' searches incrementally; n/N move between matches.
    refs = sorted(r[0] for r in c.psql(
        "SELECT DISTINCT action_ref FROM attune.execution WHERE action_ref ILIKE '%rest%'"))
    tm.send("/")
    tm.send_literal("rest")
    tm.wait_for(r"/rest", 5)
    sel = highlighted(tm)
    t.ok(sel is not None and "ops.restart_service" in sel, "/rest selects ops.restart_service",
         sel)
    tm.send("Enter")
    tm.wait_for(r"n next, N previous", 5)
    tm.send("n")
    time.sleep(0.3)
    after_n = highlighted(tm)
    t.ok(after_n is not None and "rest" in after_n.lower(), "n: the next match", after_n)
    tm.send("N")
    time.sleep(0.3)
    after_big_n = highlighted(tm)
    t.ok(after_big_n == sel and (len(refs) == 1) == (after_n == sel),
         "N: back to the previous match", (sel, after_n, after_big_n, refs))
    # s and S re-sort: the selected action stays selected, the column is shown.
    tm.send("Escape")
    tm.send("/")
    tm.send_literal("ops.restart")
    tm.send("Enter")
    tm.wait_for(r"n next, N previous", 5)
    picked = highlighted(tm)
    keep = []
    for key, title in (("s", r"sort: ok \u2193"), ("s", r"sort: failed \u2193"),
                       ("S", r"sort: failed \u2191"), ("s", r"sort: timeout \u2191")):
        tm.send(key)
        tm.wait_for(title, 5)
        row = highlighted(tm)
        keep.append(row.split()[0] if row else None)
    t.eq(keep, ["ops.restart_service"] * 4,
         "s/S re-sort with the selected action kept selected and on screen")
    t.ok(re.search(r"\u2191TIMEOUT", tm.capture()) is not None, "the sorted column is marked")
    tm.send("Escape")
    tm.send("/")
    tm.send_literal("zzznothing")
    t.ok(tm.wait_for(r"/zzznothing\s+no match", 5) is not None, "no match says so")
    tm.send("Escape")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()
t.done()
