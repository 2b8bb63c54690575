"""Smaller screen behaviours: the +/- refresh ladder with feedback at 80
columns, a 'terminal too small' screen, range and space while paused, a
missing port, 'u' on the overview with the zone in the header, an error
cleared by a successful ':' and a failed one keeping the timeline, a ref
filter that says what it matched."""

import re
import time

from attune_test import BIN, TAP, Cluster, Tmux, parse_frames, run_top

t = TAP()
c = Cluster()
env = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color", TZ="UTC")

# ---- the ladder, at 80x24 where the header's "every" is cut off
tm = Tmux("%s -r 2" % BIN, 80, 24, env)
try:
    scr = tm.wait_for(r"Workers \(\d+\)")
    # Header line 2 at 80 columns keeps every in-flight count (short labels)
    # and marks a cut with an ellipsis.
    line2 = scr.splitlines()[1]
    inflight = c.psql("SELECT status::text, count(*) FROM attune.execution WHERE status::text"
                      " NOT IN ('completed', 'succeeded', 'failed', 'timeout', 'timed_out',"
                      " 'cancelled', 'canceled', 'abandoned', 'skipped') GROUP BY 1")
    t.ok(inflight and all(re.search(r"\b%s %s\b" % (st, n), line2) for st, n in inflight),
         "80 columns: header line 2 shows every in-flight count", (line2, inflight))
    t.ok(len(line2.rstrip()) < 80 or line2.rstrip().endswith("\u2026"),
         "80 columns: a cut header line ends in an ellipsis", line2)
    seen = []
    for key, want in (("-", "5"), ("-", "10"), ("-", "30"), ("-", "60"), ("+", "30"),
                      ("+", "10"), ("+", "5"), ("+", "2"), ("+", "1"), ("+", "0.5")):
        tm.send(key)
        scr = tm.wait_for(r"refresh every %ss\b" % re.escape(want), 5)
        seen.append(want)
    t.eq(seen, ["5", "10", "30", "60", "30", "10", "5", "2", "1", "0.5"],
         "+/- walk 0.5, 1, 2, 5, 10, 30, 60 s with feedback on the status line")
    tm.send("+")
    t.ok(tm.wait_for(r"fastest step", 5) is not None, "+ at 0.5 s says it is the fastest")
    # Paused: a range key applies at once with one refresh, and says so.
    tm.send("p")
    tm.wait_for("PAUSED", 5)
    tm.send("5")
    scr = tm.wait_for(r"range 7d: refreshed once", 5)
    t.ok(tm.wait_for(r"Throughput 7d", 10) is not None, "paused + 5: the panels show 7 days")
    tm.send("Space")
    t.ok(tm.wait_for(r"paused: refreshed once", 5) is not None, "space while paused says so")
    tm.send("p")
    # A bad ':' leaves an error; a good one clears it.
    tm.send(":")
    tm.send_literal("nonsense")
    tm.send("Enter")
    tm.wait_for(r"not an entity", 5)
    eid = c.value("SELECT min(id) FROM attune.execution")
    tm.send(":")
    tm.send_literal("execution:" + eid)
    tm.send("Enter")
    scr = tm.wait_for(r"History: rows", 10)
    t.ok("not an entity" not in scr, "a successful ':' clears the earlier error", scr)
    # A ':' that finds nothing goes back to the timeline being read.
    tm.send(":")
    tm.send_literal("execution:999999999")
    tm.send("Enter")
    scr = tm.wait_for(r"no history for execution:999999999", 10)
    t.ok(re.search(r"History: rows", scr) and ("execution:" + eid) in scr,
         "a failed ':' keeps the timeline that was open", scr)
    tm.send("Escape")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()

# ---- too small, then big enough again
tm = Tmux("%s -r 1" % BIN, 30, 6, env)
try:
    scr = tm.wait_for(r"terminal too small", 10)
    t.ok(re.search(r"need 40.8", scr) and "Workers" not in scr,
         "30x6: a 'terminal too small (need 40x8)' screen instead of fragments", scr)
    tm.resize(120, 40)
    t.ok(tm.wait_for(r"Workers \(\d+\)", 10) is not None, "resized: the overview is back")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()

# ---- a worker without a port; 'u' and the zone in the header
c.psql("UPDATE attune.worker SET port = NULL WHERE id = (SELECT min(id) FROM attune.worker"
       " WHERE host IS NOT NULL) RETURNING host")
host = c.value("SELECT host FROM attune.worker WHERE port IS NULL AND host IS NOT NULL"
               " ORDER BY id LIMIT 1")
r = run_top(["-b", "-n", "1"], env=env)
wk = parse_frames(r.stdout)[0].get("WORKERS", []) if r.returncode == 0 else []
t.ok(host and any(re.search(r"\s%s\s" % re.escape(host), l) for l in wk) and
     not any((host + ":0") in l for l in wk), "batch: a missing port is not ':0'", wk)
tm = Tmux("%s -r 30" % BIN, 120, 50, dict(env, TZ="Europe/Berlin"))
try:
    scr = tm.wait_for(r"Workers \(\d+\)")
    t.ok(host and host in scr and (host + ":0") not in scr, "a missing port is not ':0'", host)
    # A long host is cut before its port, which stays visible.
    lh, lp = c.psql("SELECT host, port FROM attune.worker WHERE port IS NOT NULL"
                    " ORDER BY length(host) DESC, id LIMIT 1")[0]
    t.ok(any(l.find(lh[:12]) >= 0 and re.search(r":%s\b" % lp, l) for l in scr.splitlines()),
         "a long host keeps its port visible (%s:%s)" % (lh, lp), scr)
    t.ok(re.search(r"data [\d.]+m?s old\s+CES?T\s", scr) is not None, "the header names the zone", scr)
    tm.send("u")
    scr = tm.wait_for(r"data [\d.]+m?s old\s+UTC\s", 5)
    t.ok("TIME UTC" in scr, "u on the overview: times in UTC, said in the header and panel")
    # A filter by a worker's name: the header says it selects the worker's
    # executions; a worker that ran none says so instead of an empty table.
    wname = c.value("SELECT name FROM attune.worker w WHERE name ~ '^[a-z0-9-]+$'"
                    " AND NOT EXISTS (SELECT 1 FROM attune.execution e WHERE e.executor = w.id)"
                    " ORDER BY name LIMIT 1")
    tm.send("f")
    tm.send_literal(wname)
    tm.send("Enter")
    scr = tm.wait_for(r"Workers \(1\)", 10)
    t.ok(re.search(r"worker %s ran no executions in range" % re.escape(wname), scr) is not None
         and "(worker: its executions)" in scr,
         "a worker filter: the header and the actions table say it selects its executions", scr)
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()

# ---- 200 columns: ROLE and TYPE stay; storage stops at its end; an
# inactive worker is not drawn like one in error.
tm = Tmux("%s -r 30" % BIN, 200, 50, env)
try:
    scr = tm.wait_for(r"Workers \(\d+\)")
    t.ok(re.search(r"NAME\s+STATUS\s+ROLE\s+TYPE\s+HOST:PORT", scr) is not None,
         "200 columns: ROLE and TYPE are shown", scr)
    esc = tm.capture(escapes=True)

    def sgr_before(word):
        for line in esc.splitlines():
            m = re.search(r"((?:\x1b\[[0-9;]*m)+)%s\b" % word, line)
            if m:
                return m.group(1)
        return None
    inactive, error = sgr_before("inactive"), sgr_before("error")
    t.ok(inactive is not None and error is not None and inactive != error,
         "an inactive worker is not coloured like one in error", (inactive, error))
    tm.resize(100, 14)  # storage longer than the screen
    tm.send("t")
    tm.wait_for(r"Storage|freshness", 10)
    for _ in range(20):
        tm.send("NPage")
    time.sleep(0.5)
    lines = tm.capture().splitlines()
    body = [l for l in lines[2:-1]]
    t.ok(len(body) >= 10 and body[-1].strip() != "",
         "storage: paging past the end stops with the last line at the bottom", lines[-6:])
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()
t.done()
