"""The first refresh reads the whole range, and it is read on two
connections in one snapshot (src/db/helper.h): the main one exports its
snapshot and commits only once a second connection has imported it; the
second reads every other settled query and is closed.
Checked against SQL over the raw rows and the server's statement log:
  - the frame equals the oracle, and both halves ran in the exported
    snapshot (the ids in the log match);
  - one connection is left once the first frame is out;
  - a role allowed one connection: the second one is refused, quietly,
    and the frame is still whole;
  - a second connection lost halfway: the panels it was reading say so,
    nothing else is wrong, and the next refresh is whole."""

import re
import subprocess
import time

from attune_test import BIN, TAP, Cluster, parse_frames, wait_until
from oracle import batch_and_oracle, compare_overview, from_frame, oracle

t = TAP()
c = Cluster("--native", "--log-statement", "all", "--conf", "log_line_prefix = '%a|%p| '")
ENV = c.env(LANG="C.UTF-8")


def log_text():
    with open(c.info["LOGFILE"], encoding="utf-8", errors="replace") as f:
        return f.read()


def statements(since):
    """(pid, statement) of attune-top's statements logged after offset since."""
    return re.findall(r"^attune-top\|(\d+)\| LOG:  (?:statement|execute [^:]*): (.*)$",
                      log_text()[since:], re.M)


def app_backends():
    return int(c.value("SELECT count(*) FROM pg_stat_activity"
                       " WHERE application_name = 'attune-top'"))


# ---------------------------------------------------------------- shared snapshot
def split_run(env, attempts=8):
    """A first frame read on two connections, with its oracle and log: the
    second connection is used when it is ready in time, which a loaded
    machine may delay (then the main one reads everything: tried again)."""
    for _ in range(attempts):
        mark = len(log_text())
        r, frames, o = batch_and_oracle(c, [], 24, env=env)
        st = statements(mark)
        if any(s.startswith("SET TRANSACTION SNAPSHOT") for _, s in st):
            return r, frames, o, st
    return r, frames, o, st


r, frames, o, st = split_run(ENV)
t.ok(r.returncode == 0 and len(frames) == 1, "first frame: one frame, exit 0", r.stderr)
if frames:
    got = from_frame(frames[0])
    for k in ("executions", "events", "enforcements", "statuses", "failure", "actions",
              "workers", "inflight", "changes", "failures"):
        t.eq(got[k], o[k], "first frame on two connections equals the oracle: " + k)
exporters = {pid for pid, s in st if s == "SELECT pg_export_snapshot()"}
imports = [(pid, s) for pid, s in st if s.startswith("SET TRANSACTION SNAPSHOT")]
t.ok(len(exporters) == 1 and len(imports) == 1 and imports[0][0] not in exporters,
     "the snapshot is exported by one backend and imported by another", (exporters, imports))
if len(exporters) == 1 and len(imports) == 1:
    main, helper = exporters.pop(), imports[0][0]
    mine = [s for pid, s in st if pid == helper]
    t.ok(any("native_summary_hour" in s for s in mine),
         "the second connection reads settled hours", [s[:80] for s in mine])
    imported = [i for i, (pid, s) in enumerate(st) if s.startswith("SET TRANSACTION SNAPSHOT")]
    commit = [i for i, (pid, s) in enumerate(st) if pid == main and s == "COMMIT"]
    t.ok(imported and commit and imported[0] < commit[-1],
         "the exporter commits only after the import ran")
    at = mine.index(imports[0][1]) if imports[0][1] in mine else 0
    t.ok(at > 0 and mine[at - 1].startswith("BEGIN"),
         "the import is the second connection's first statement in its transaction")

# ---------------------------------------------------------------- one connection left
proc = subprocess.Popen([BIN, "-b", "-n", "3", "-r", "1"], env=ENV, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True)
seen = 0
left = None
for line in proc.stdout:
    if line.startswith("=== attune-top frame"):
        seen += 1
        if seen == 2:
            left = wait_until(lambda: app_backends() == 1, 5)
proc.wait(timeout=30)
t.ok(proc.returncode == 0 and seen == 3 and left,
     "after the first frame one connection is left", (proc.returncode, seen, app_backends()))

# ---------------------------------------------------------------- one connection allowed
c.psql("CREATE ROLE single LOGIN CONNECTION LIMIT 1; GRANT USAGE ON SCHEMA attune TO single;"
       " GRANT SELECT ON ALL TABLES IN SCHEMA attune TO single;"
       " GRANT USAGE ON TYPE attune.native_summary_kind TO single")
SINGLE = c.env(LANG="C.UTF-8", PGUSER="single")
mark = len(log_text())
ps, _ = compare_overview(t, c, "one connection allowed", [], 24, env=SINGLE)
t.ok(not any(s.startswith("SET TRANSACTION SNAPSHOT") for _, s in statements(mark)),
     "one connection allowed: everything read on it")

# ---------------------------------------------------------------- lost halfway
# The second connection reads the statuses' settled hours from their
# summary: a lock on it holds that connection there, and it is ended.
holder = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=c.env(PGAPPNAME="lock-holder"))
holder.stdin.write("BEGIN; LOCK TABLE attune.execution_status_hourly_summary"
                   " IN ACCESS EXCLUSIVE MODE;\n")
holder.stdin.flush()
t.ok(wait_until(lambda: c.value(
    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
    " WHERE a.application_name = 'lock-holder' AND l.mode = 'AccessExclusiveLock'"
    " AND l.granted") != "0", 10), "lost: another session locks the statuses' summary")
def blocked_split():
    """attune-top's backends once one waits on the lock: the first refresh
    split over two connections leaves the main one done and the second
    waiting (tried again when the main one read everything itself)."""
    for _ in range(8):
        proc = subprocess.Popen([BIN, "-b", "-n", "2", "-r", "1"], env=ENV,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_until(lambda: c.value(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'attune-top'"
            " AND wait_event = 'relation'") != "0", 15)
        time.sleep(0.2)
        if app_backends() == 2:
            return proc
        proc.kill()
        proc.wait(timeout=10)
        wait_until(lambda: app_backends() == 0, 5)
    return None


proc = blocked_split()
activity = c.psql("SELECT pid, wait_event_type, wait_event, state, left(query, 70)"
                  " FROM pg_stat_activity WHERE application_name = 'attune-top'")
ended = proc is not None and c.value(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
    " WHERE application_name = 'attune-top' AND wait_event = 'relation'") == "1"
t.ok(ended, "lost: the second connection, waiting on the lock, is ended", activity)
holder.stdin.write("COMMIT;\n")
holder.stdin.close()
holder.wait(timeout=10)
out, err = proc.communicate(timeout=60) if proc else ("", "")
frames = parse_frames(out)
texts = out.split("=== attune-top frame ")[1:]
t.ok(proc.returncode == 0 and len(frames) == 2 and len(texts) == 2,
     "lost: two frames, exit 0", (proc.returncode, len(frames), err[-300:]))
if len(frames) == 2 and len(texts) == 2:
    t.ok("second connection failed" in texts[0] and "second connection" not in texts[1],
         "lost: the first frame says which read was lost, the next one does not",
         texts[0][:1500])
    want, got = oracle(c, 24), from_frame(frames[1])
    for k in ("executions", "statuses", "actions", "failure", "workers"):
        t.eq(got[k], want[k], "lost: the next frame equals the oracle: " + k)
t.done()
