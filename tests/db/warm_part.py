"""The live hours are read in two parts on plain views (and native
installs): the last minutes every refresh, the rest of them (the warm
part) kept and read again once a minute. A row stamped now shows in the
next frame; a row that commits late with a time in the warm part shows
within a minute; every frame equals SQL over the raw rows."""

import subprocess
import time

from attune_test import BIN, TAP, Cluster, parse_frames
from oracle import from_frame, oracle

t = TAP()
c = Cluster()
env = c.env(LANG="C.UTF-8")


def minute():
    return int(c.value("SELECT extract(minute FROM now())::int"))


# Keep the next 80 s clear of the hour turning and of the previous hour
# leaving the live part (5 minutes in): either reads everything again.
while minute() in (3, 4, 5, 58, 59):
    time.sleep(5)


def history_row(ref, age_s):
    c.psql("INSERT INTO attune.execution_history (time, operation, entity_id, entity_ref,"
           " changed_fields, new_values) VALUES (now() - interval '%d seconds', 'INSERT',"
           " 990000 + %d, '%s', '{}', '{\"status\": \"requested\"}')" % (age_s, age_s, ref))


def executions(fr, ref):
    return from_frame(fr)["actions"].get(ref, (0,))[0]


proc = subprocess.Popen([BIN, "-b", "-n", "90", "-r", "1"], env=env, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True)
buf, frames, hot_at, warm_seen, warm_at = [], [], None, None, None
try:
    for line in proc.stdout:
        if line.startswith("=== attune-top frame") and buf:
            frames += parse_frames("".join(buf))
            buf = []
            n = len(frames)
            if n == 3:
                # Frame 2 read the warm part; from now on it is kept.
                history_row("core.hot", 0)
                history_row("core.warm", 150)
                warm_at = time.time()
            elif n > 3 and hot_at is None and executions(frames[-1], "core.hot") == 1:
                hot_at = n
            if n > 3 and executions(frames[-1], "core.warm") == 1:
                warm_seen = time.time() - warm_at
                break
        buf.append(line)
finally:
    proc.terminate()
    proc.wait(timeout=30)

t.ok(hot_at is not None and hot_at <= 5, "a row stamped now shows in the next frame", hot_at)
t.ok(warm_seen is not None and warm_seen <= 70,
     "a row committed late into the warm part shows within a minute (%s s)"
     % (None if warm_seen is None else round(warm_seen)))
if frames:
    want, got = oracle(c, 24), from_frame(frames[-1])
    for k in ("executions", "statuses", "actions", "failure"):
        t.eq(got[k], want[k], "the frame that shows it equals the oracle: " + k)
t.done()
