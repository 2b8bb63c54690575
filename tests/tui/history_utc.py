"""Times inside history JSON on the timeline screen: under TZ=Asia/Kolkata
they are shown in local time with their offset, like every other time of
the timeline, and `u` shows them in UTC; in the change list, the state and
the pretty-printed values. Oracles: json_time (datetime → UTC → local)."""

import os
import re
import time

from attune_test import BIN, TAP, Cluster, Tmux
from json_time import CASES, convert, local_text, write_history
from tl_oracle import disp, history, state_at

ZONE = "Asia/Kolkata"
os.environ["TZ"] = ZONE  # local_text renders in the program's zone
time.tzset()

t = TAP()
c = Cluster()
env = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ=ZONE)
eid, _ = write_history(c)
rows = history(c, "execution_history", eid)
COL = 133  # the detail pane at 220 columns (3/5 for the list, then a gap)


def state_lines(scr):
    """key = value lines of the state pane."""
    out = {}
    for line in scr.splitlines():
        m = re.match(r"(\S+) = (.*?)\s*$", line[COL:])
        if m:
            out[m.group(1)] = m.group(2)
    return out


def check_state(scr, fn, label):
    want = convert(state_at(rows, len(rows) - 1), fn)
    got = state_lines(scr)
    keys = [k for k in CASES if isinstance(CASES[k], str)] + ["started_at", "status"]
    bad = [(k, got.get(k), disp(want[k])) for k in keys if got.get(k) != disp(want[k])]
    t.ok(not bad, label + ": state strings as the oracle says", bad)


def utc(v):
    return v


tm = Tmux("%s -r 30 --entity execution:%d" % (BIN, eid), 220, 120, env)
try:
    scr = tm.wait_for(r"State at .*\n(.*\n)*.*pst = ", 15)
    t.ok(re.search(r"TIME\s", scr) and "TIME (UTC)" not in scr, "starts in local time")
    check_state(scr, local_text, "local")
    t.ok(state_lines(scr).get("pst") == "2026-11-30T01:34:56+05:30",
         "-08:00 value shown in +05:30", state_lines(scr).get("pst"))
    t.ok('"frac": "2026-11-30T01:34:56.500000+05:30",' in scr,
         "pretty new values in local time, fraction kept")
    t.ok('"feb30": "2026-02-30T10:00:00+01:00",' in scr, "invalid look-alike as written")
    t.ok("started_at: 2026-11-30T01:34:56.500000+05:30 → 2026-11-30T01:35:00+05:30" in scr,
         "change list in local time", [l for l in scr.splitlines() if "started_at:" in l])
    tm.send("u")
    scr = tm.wait_for(r"TIME \(UTC\)", 5)
    scr = tm.wait_for(r"pst = 2026-11-29T20:04:56Z", 5)
    check_state(scr, utc, "u")
    t.ok('"frac": "2026-11-29T20:04:56.500000Z",' in scr and
         '"at": "2026-11-29T20:04:56Z",' in scr, "u: pretty values in UTC, nested too")
    t.ok("started_at: 2026-11-29T20:04:56.500000Z → 2026-11-29T20:05:00Z" in scr,
         "u: change list in UTC")
    t.eq(state_lines(scr).get("nested"),
         '{"at": "2026-11-29T20:04:56Z", "list": ["2026-11-29T20:04:56Z", 1, "x"]}',
         "u: nested value on one line in UTC")
    tm.send("u")
    scr = tm.wait_for(r"pst = 2026-11-30T01:34:56\+05:30", 5)
    t.ok("TIME (UTC)" not in scr, "u again: back to local time")
    tm.send("q")
    t.eq(tm.wait_dead(), 0, "q exits 0")
finally:
    tm.kill()
t.done()
