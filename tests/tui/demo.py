"""--demo: starts, shows live data whose counts grow, and leaves no
process, socket or directory behind after q, Ctrl-C, SIGTERM and SIGHUP."""

import os
import re
import signal
import tempfile
import time

from attune_test import BIN, TAP, Tmux, header_totals, parse_frames, processes_matching, run_top

t = TAP()


def private_tmp():
    d = tempfile.mkdtemp(prefix="atd")
    os.chmod(d, 0o755)  # the server may run as another user (when we are root)
    return d


def leftovers(d):
    return os.listdir(d), processes_matching(d)


env = dict(os.environ, LANG="C.UTF-8")

# ---- batch: three frames whose counts grow. The range is wider than the
# demo's 8-day history so that no bucket leaves the window when an hour
# boundary passes between frames.
d = private_tmp()
# The simulator runs at the history's rate (an execution a minute or so), so
# growth within seconds needs its fast mode.
r = run_top(["--demo", "-b", "-n", "3", "-r", "1.5", "-R", "30d"],
            env=dict(env, TMPDIR=d, ATTUNE_TOP_DEMO_FAST="1"), timeout=120)
frames = parse_frames(r.stdout)
t.ok(r.returncode == 0 and len(frames) == 3, "--demo -b -n 3 prints three frames",
     "rc=%d stderr=%s" % (r.returncode, r.stderr))
if len(frames) == 3:
    ex = [header_totals(f)["executions"] for f in frames]
    ev = [header_totals(f)["events"] for f in frames]
    t.ok(ex[0] < ex[1] < ex[2], "executions grow frame by frame: %s" % ex)
    t.ok(ev[0] < ev[2], "events grow: %s" % ev)
    head = "\n".join(frames[0]["HEADER"])
    t.ok("native PostgreSQL" in frames[0]["HEADER"][0] and
         re.search(r"^freshness: summaries [1-9]\d* h \+ raw \d+ h$", head, re.M),
         "demo runs current Attune's shape, its ended hours summarised", head)
files, procs = leftovers(d)
t.ok(files == [] and procs == [], "batch demo leaves nothing behind", (files, procs))
os.rmdir(d)


# ---- interactive: q, Ctrl-C, SIGTERM, SIGHUP
def interactive(label, stop):
    d = private_tmp()
    tm = Tmux("%s --demo -r 0.5" % BIN, 120, 40, dict(env, TMPDIR=d))
    try:
        scr = tm.wait_for(r"Workers \(\d+\)", 60)
        t.ok("exec " in scr, label + ": demo dashboard shows live data")
        pid = tm.pane_pid()
        stop(tm, pid)
        status = tm.wait_dead(20)
        t.ok(status is not None, label + ": the program ended (status %s)" % status)
        deadline = time.time() + 10
        while time.time() < deadline and any(leftovers(d)):
            time.sleep(0.2)
        files, procs = leftovers(d)
        t.ok(files == [] and procs == [], label + ": no process, socket or directory left",
             (files, procs))
        return status
    finally:
        tm.kill()
        try:
            os.rmdir(d)
        except OSError:
            pass


st = interactive("q", lambda tm, pid: tm.send("q"))
t.eq(st, 0, "q exits 0")
st = interactive("Ctrl-C", lambda tm, pid: tm.send("C-c"))
t.eq(st, 128 + signal.SIGINT, "Ctrl-C exits 130")
st = interactive("SIGTERM", lambda tm, pid: os.kill(pid, signal.SIGTERM))
t.eq(st, 128 + signal.SIGTERM, "SIGTERM exits 143")
st = interactive("SIGHUP", lambda tm, pid: os.kill(pid, signal.SIGHUP))
t.eq(st, 128 + signal.SIGHUP, "SIGHUP exits 129")
t.done()
