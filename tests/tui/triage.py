"""Triage on a real terminal (tmux): the problems are on screen at 80x24, the
health line and the batch frame's health and failures equal SQL over the raw
rows, the stacked status chart gives failures only the cells they earn, the
current hour is marked, and both charts share their bucket width."""

import re
import time

from attune_test import BIN, TAP, Cluster, Tmux, parse_frames, run_top
from oracle import TERMINAL, failures, health, health_from_frame, q

t = TAP()
c = Cluster()
S = '"attune"'
AS_ATTUNE = "SET search_path = attune, public; "

# Heartbeats that stay fresh for the whole run (a worker clock a little ahead
# of the server's), so that only the scripted stale worker is stale; one more
# worker in error. Every problem kind then exists, deterministically.
c.psql("UPDATE attune.worker SET last_heartbeat = now() + interval '20 minutes'"
       " WHERE status::text <> 'inactive' AND last_heartbeat >= now() - interval '10 minutes'")
ERR = c.value("SELECT name FROM attune.worker WHERE status::text = 'active'"
              " AND last_heartbeat > now() ORDER BY name DESC LIMIT 1")
c.psql(AS_ATTUNE + "UPDATE worker SET status = 'error' WHERE name = %s" % q(ERR))


def start(width, height, args="", lang="C.UTF-8"):
    env = c.env(LANG=lang, LC_ALL=lang, TERM="xterm-256color")
    return Tmux("%s -r 0.5 %s" % (BIN, args), width, height, env)


def same_hour(fn):
    """fn() twice within one server hour (retried across a boundary)."""
    for _ in range(3):
        h0 = c.value("SELECT date_trunc('hour', now())")
        r = fn()
        if c.value("SELECT date_trunc('hour', now())") == h0:
            return r
        time.sleep(1)
    raise RuntimeError("hour boundary kept moving")


def section(scr, name):
    """The lines of one panel: from its title to the next title."""
    out, inside = [], False
    for l in scr.splitlines():
        if l.startswith("\u2500\u2500 ") or l.startswith("-- "):
            inside = l[3:].startswith(name)
            continue
        if inside:
            out.append(l)
    return "\n".join(out)


# ---- 80x24: one row of every problem kind that exists
tm = start(80, 24)
try:
    def look80():
        scr = tm.wait_for(r"Recent failures \((\d+|newest \d+)\)")
        time.sleep(1.2)  # a refresh after the first, same hour as the oracle
        return tm.capture(), health(c), failures(
            c, "date_trunc('hour', now() - interval '24 hours')", None, S)
    scr, h, newest = same_hour(look80)
    problems = [n for k in ("error", "stale", "flapping") for n in h["names"].get(k, [])]
    t.ok(h["classes"]["error"] >= 1 and h["classes"]["stale"] >= 1,
         "fixture has a worker in error and a stale one", h)
    workers = section(scr, "Workers")
    missing = [n for n in problems if n not in workers]
    t.ok(not missing, "80x24: every error, stale and flapping worker is on screen",
         (missing, scr))
    t.ok(newest and re.search(r"\b%s\b" % newest[0][1], scr) is not None,
         "80x24: the newest failure (execution %s) is on screen"
         % (newest[0][1] if newest else "?"), scr)
    # The health line: workers by state, every figure as SQL counts them.
    line = next((l for l in scr.splitlines() if l.startswith("workers ")), "")
    shown = {k: int(v) for v, k in
             re.findall(r"(\d+) (ok|error|stale|flapping|busy|down)\b", line)}
    want = {k: v for k, v in h["classes"].items() if v or k == "ok"}
    t.eq(shown, want, "80x24: the health line counts workers by state as SQL does")
    t.ok(("(#%d)" % h["oldest"][0]) in line if h["oldest"] else "nothing in flight" in line,
         "80x24: the health line names the oldest execution in flight", (line, h["oldest"]))
    # Enter on the failures list opens that execution's timeline.
    for _ in range(2):
        tm.send("Tab")
    time.sleep(0.3)
    tm.send("Enter")
    t.ok(tm.wait_for(r"execution:%s" % newest[0][1], 10) is not None,
         "Enter on a failure opens its execution's timeline")
finally:
    tm.kill()

# ---- batch frame: health and RECENT FAILURES equal SQL over the raw rows


def batch():
    r = run_top(["-b", "-n", "1"], env=c.env(LANG="C.UTF-8"))
    return r, health(c), failures(c, "date_trunc('hour', now() - interval '24 hours')", None, S)


r, h, fl = same_hour(batch)
frames = parse_frames(r.stdout)
t.ok(r.returncode == 0 and len(frames) == 1, "batch: one frame", r.stderr)
if frames:
    classes, oldest = health_from_frame(frames[0])
    t.eq(classes, h["classes"], "batch: workers by state equal SQL")
    t.eq(oldest, h["oldest"], "batch: oldest execution in flight equals SQL")
    rows = [tuple(l.split(None, 5)) for l in frames[0].get("RECENT FAILURES", [])[1:]]
    t.eq(rows, fl, "batch: RECENT FAILURES equals SQL over the execution rows")
    t.ok(len(fl) >= 3, "fixture has failures in range", len(fl))
    tp = frames[0].get("THROUGHPUT:title", "")
    t.ok("last column = current hour" in tp, "batch: the current hour is marked", tp)

# ---- the stacked chart at 2 % failures: 98 completed, 2 failed, this hour
PROBE = "probe.two_percent"
c.psql(AS_ATTUNE + "INSERT INTO execution (action_ref, config)"
       " SELECT %s, '{}' FROM generate_series(1, 100)" % q(PROBE))
c.psql(AS_ATTUNE + "UPDATE execution SET status = CASE WHEN id %% 50 = 0 THEN 'failed'"
       " ELSE 'completed' END::execution_status_enum WHERE action_ref = %s" % q(PROBE))
n_failed = int(c.value("SELECT count(*) FROM attune.execution WHERE action_ref = %s"
                       " AND status::text = 'failed'" % q(PROBE)))
t.eq(n_failed, 2, "probe: 2 of 100 executions failed")


def chart_rows(scr):
    """The stacked chart's rows: from the legend to the axis under it."""
    lines = scr.splitlines()
    i = next((k for k, l in enumerate(lines) if "ends per bucket" in l), None)
    if i is None:
        return []
    out = []
    for l in lines[i + 1:]:
        if "^" in l or l.startswith("--"):
            break
        out.append(l[13:])
    return out


tm = start(120, 45, "-f %s" % PROBE, lang="C")
try:
    scr = tm.wait_for(r"ends per bucket[\s\S]*\^")
    rows = chart_rows(scr)
    cells = "".join(rows)
    t.ok(cells.count("#") >= 3 and "x" not in cells,
         "2 percent failures: the stacked column is all completed cells, no failure cell",
         "\n".join(rows))
finally:
    tm.kill()

# ---- the current hour marked, its count equal to SQL; one bucket width at any width


def axes(scr):
    """The axis rows of the two charts (the lines with the current hour's mark)."""
    out = []
    for l in scr.splitlines():
        m = re.match(r"^ {13}[^ ].*?\^", l)  # under the charts, left-hand panels
        if m:
            out.append(m.group(0))
    return out


for width in (59, 60, 80, 200):
    tm = start(width, 60, "", lang="C")
    try:
        def look():
            scr = tm.wait_for(r"ends per bucket[\s\S]*\^[\s\S]*Top actions")
            n = int(c.value("SELECT count(*) FROM attune.execution_history WHERE"
                            " operation = 'INSERT' AND time >= date_trunc('hour', now())"))
            return scr, n
        scr, n = same_hour(look)
        ax = axes(scr)
        t.ok(len(ax) == 2 and ax[0] == ax[1],
             "%d columns: both charts have the same time axis (same bucket width)" % width,
             "\n".join(ax) + "\n" + scr)
        m = re.search(r"1 column = (\d+)h, \^ this hour (\d+) exec", scr)
        t.ok(m is not None and int(m.group(2)) == n,
             "%d columns: the current hour is marked with its count so far (%d)" % (width, n),
             scr.splitlines()[:6])
        if m:
            group = int(m.group(1))
            nb = 25  # 24 h range: 24 whole hours and the current one
            t.eq(group, -(-nb // (width - 13)),
                 "%d columns: %d h per column, from the chart width alone" % (width, group))
    finally:
        tm.kill()

# ---- the demo's live rate: paced ticks create work at the history's rate
hours = [int(r[0]) for r in c.psql(
    "SELECT count(*) FROM attune.execution_history WHERE operation = 'INSERT'"
    " AND time >= date_trunc('hour', now()) - interval '24 hours'"
    " AND time < date_trunc('hour', now()) GROUP BY date_trunc('hour', time)")]
pace = float(c.value("SELECT attune_demo.pace()"))
t.ok(hours and min(hours) <= pace * 3600 * 4.25 <= max(hours),
     "paced ticks aim at a typical hour of the history (%.0f/h within %s..%s)"
     % (pace * 3600 * 4.25, min(hours) if hours else "?", max(hours) if hours else "?"))
before = int(c.value("SELECT count(*) FROM attune.execution"))
c.psql("SELECT attune_demo.tick(true) FROM generate_series(1, 600)")
made = int(c.value("SELECT count(*) FROM attune.execution")) - before
# Unpaced, 600 calls create ~1800; paced, about 600 * pace * 4.25 (~12 here).
t.ok(made < 150, "600 paced ticks (ten minutes) create %d executions, not thousands" % made)

c.stop()
t.done()
