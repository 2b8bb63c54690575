"""Refreshes after the first re-read only the newest two hours and keep the
settled buckets: while executions start, change status and finish between
frames, every frame still equals SQL over the raw rows; the settled part
is read again when the user asks for a refresh (space)."""

import re
import subprocess
import time

from attune_test import BIN, TAP, Cluster, Tmux, parse_frames
from oracle import from_frame, oracle

t = TAP()
c = Cluster()
env = c.env(LANG="C.UTF-8")


def activity(n):
    """n executions created now, moved through their statuses by the
    history trigger (so history rows are stamped now)."""
    c.psql("""
        WITH x AS (
            INSERT INTO attune.execution (action, action_ref, status)
            SELECT 1, 'core.echo', 'requested' FROM generate_series(1, %d)
            RETURNING id)
        SELECT count(*) FROM x""" % n)
    c.psql("UPDATE attune.execution SET status = 'running', started_at = now()"
           " WHERE action_ref = 'core.echo' AND status = 'requested'")
    c.psql("UPDATE attune.execution SET status = 'completed'"
           " WHERE id IN (SELECT id FROM attune.execution WHERE action_ref = 'core.echo'"
           " AND status = 'running' ORDER BY id LIMIT %d)" % (n // 2))


def figures(p):
    return {k: p[k] for k in ("executions", "statuses", "failure", "actions", "inflight")}


for attempt in range(3):
    hour0 = c.value("SELECT date_trunc('hour', now())")
    # Writes after frames 1 and 2; the last frame (7) starts seconds after
    # them even when psql is slow on a loaded machine.
    proc = subprocess.Popen([BIN, "-b", "-n", "8", "-r", "1"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out = []
    seen = 0
    for line in proc.stdout:
        out.append(line)
        if line.startswith("=== attune-top frame"):
            seen += 1
            if seen == 2:
                activity(6)  # after frame 1 was read, before frame 2
            if seen == 3:
                activity(4)
    proc.wait(timeout=60)
    want = oracle(c, 24)
    if c.value("SELECT date_trunc('hour', now())") == hour0:
        break
    time.sleep(1)

frames = parse_frames("".join(out))
t.ok(proc.returncode == 0 and len(frames) == 8, "eight frames", proc.stderr.read())
if len(frames) == 8:
    first, last = from_frame(frames[0]), from_frame(frames[7])
    t.eq(last["executions"] - first["executions"], 10, "ten new executions counted once")
    got = figures(last)
    for k, v in figures(want).items():
        t.eq(got[k], v, "last frame equals the oracle: " + k)

# The settled part is kept, so a row written into an old hour shows only
# after an explicit refresh (or after five minutes).
tm = Tmux("%s -r 0.5 -f core.late" % BIN, 160, 50, dict(env))
try:
    tm.wait_for(r"no executions in range|no action named core\.late in range", 30)
    # The kept part is also read again when the hour turns or the previous
    # hour stops being live (5 minutes in): keep the next seconds clear of both.
    while True:
        sec = int(c.value("SELECT extract(epoch FROM now())::int8 % 3600"))
        if 8 <= sec < 285 or sec >= 310 and sec < 3585:
            break
        time.sleep(1)
    # An execution created five hours ago (history rows with an old time).
    c.psql("INSERT INTO attune.execution_history (time, operation, entity_id, entity_ref,"
           " changed_fields, new_values) VALUES (now() - interval '5 hours', 'INSERT',"
           " 999999, 'core.late', '{}', '{\"status\": \"requested\"}')")
    time.sleep(2)
    t.ok(not re.search(r"core\.late +1 ", tm.capture()),
         "a late row in a settled hour is not re-read each refresh")
    tm.send("Space")
    scr = tm.wait_for(r"core\.late +1 ", 10)
    t.ok(True, "space reads the settled hours again: the late row appears")
finally:
    tm.kill()
t.done()
