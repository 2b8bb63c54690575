"""On a real streaming standby of the test cluster (pg_basebackup -R over
its Unix socket): once replay caught up, the overview equals the oracle and
the header says "standby, replay lag 0 s"; with replay paused the lag grows
and the figures stay those of the replayed data, read at the replay time;
no LISTEN is ever sent to the standby (its statement log)."""

import re
import time

from attune_test import TAP, Cluster, run_top, parse_frames
from oracle import compare_overview, oracle, from_frame
from servers import standby

t = TAP()
c = Cluster()
# Attune's execution NOTIFYs exist: a stable session would LISTEN.
c.psql("CREATE FUNCTION public.attune_test_notify() RETURNS void LANGUAGE sql"
       " AS $$ SELECT pg_notify('execution_status_changed', '') $$")
sb = standby(c)
TERMINAL = "('completed','succeeded','failed','timeout','timed_out','cancelled','canceled'," \
           "'abandoned','skipped')"


class On:
    """The oracle's view of a server: its psql, in UTC."""

    def __init__(self, srv):
        self.srv = srv

    def psql(self, sql, tz="UTC"):
        out = self.srv.psql("SET TimeZone = 'UTC'; " + sql if tz else sql)
        return [r.split("|") for r in out.splitlines()] if out else []

    def value(self, sql):
        rows = self.psql(sql)
        return rows[0][0] if rows else None


def caught_up():
    lsn = c.value("SELECT pg_current_wal_lsn()")
    for _ in range(600):
        if sb.psql("SELECT pg_last_wal_replay_lsn() >= '%s'" % lsn) == "t":
            return True
        time.sleep(0.1)
    return False


def finish_one():
    """A write on the primary: an in-flight execution completes."""
    # The test cluster commits asynchronously: ask for this commit to be
    # flushed, so that the primary's WAL position below includes it.
    c.psql("SET synchronous_commit = on; UPDATE attune.execution SET status = 'completed'"
           " WHERE id = (SELECT min(id) FROM attune.execution WHERE status::text NOT IN %s)"
           % TERMINAL)


def session_line(frame):
    return next((l for l in frame["HEADER"] if l.startswith("session:")), "")


env = sb.env(LANG="C.UTF-8")
finish_one()
t.ok(caught_up(), "the standby replayed the primary's write")
p, o = compare_overview(t, c, "standby, caught up", [], 24, env=env)
r = run_top(["-b", "-n", "1"], env=env)
fr = parse_frames(r.stdout)
t.eq(session_line(fr[0]) if fr else r.stderr, "session: standby, replay lag 0 s",
     "the header says standby, replay lag 0 s")

# Replay paused, the primary writes on: the lag grows, and the figures are
# those of the data replayed so far, at its time.
sb.psql("SELECT pg_wal_replay_pause()")
# A pause takes effect at the next record: wait until it has, or the write
# below may still be replayed and nothing would lag.
for _ in range(600):
    if sb.psql("SELECT pg_get_wal_replay_pause_state()") == "paused":
        break
    time.sleep(0.1)
before = On(sb).value("SELECT count(*) FROM attune.execution WHERE status::text NOT IN %s"
                      % TERMINAL)
finish_one()
lsn = c.value("SELECT pg_current_wal_lsn()")
for _ in range(600):
    if sb.psql("SELECT pg_last_wal_receive_lsn() >= '%s'"
               " AND pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()" % lsn) == "t":
        break
    time.sleep(0.1)
lags = []
for i in range(2):
    if i:
        time.sleep(2.5)
    r = run_top(["-b", "-n", "1"], env=env)
    fr = parse_frames(r.stdout)
    m = re.match(r"session: standby, replay lag (\d+) s$", session_line(fr[0]) if fr else "")
    lags.append(int(m.group(1)) if m else None)
    if i == 0:
        replayed = sb.psql("SELECT to_char(pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC',"
                           " 'YYYY-MM-DD\"T\"HH24:MI:SS')")
        t.ok(fr and replayed in fr[0]["_title"],
             "paused: the frame is read at the replay time",
             "%s vs %s" % (fr[0]["_title"] if fr else r.stderr, replayed))
        got = from_frame(fr[0]) if fr else {}
        t.eq(got.get("inflight_total"), int(before),
             "paused: in flight as replayed, not as on the primary")
        t.eq(got.get("inflight"), oracle(On(sb), 24)["inflight"],
             "paused: in flight by status = the standby's rows")
t.ok(lags[0] is not None and lags[1] is not None and lags[1] >= lags[0] + 2,
     "paused: the replay lag grows (%s)" % lags)
sb.psql("SELECT pg_wal_replay_resume()")
t.ok(caught_up(), "replay resumed and caught up")

# A timeline of an execution on the standby refreshes by polling.
eid = c.value("SELECT max(id) FROM attune.execution")
r = run_top(["-b", "-n", "2", "-r", "0.2", "--entity", "execution:%s" % eid], env=env)
t.ok(r.returncode == 0, "timeline on the standby", r.stderr)
log = sb.log_text()
t.ok("statement: SELECT" in log, "the standby's statement log is on")
t.ok(not re.search(r"statement: LISTEN|LISTEN execution", log),
     "no LISTEN sent to the standby")
t.done()
