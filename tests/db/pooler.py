"""Through Debian's PgBouncer in transaction pooling with one server
connection: the overview equals the oracle, the timeline and an export
work, the header says changes are polled, and the next client of the pool
gets the server's own settings (nothing attune-top set leaks)."""

import shutil

from attune_test import TAP, Cluster, run_top, parse_frames
from oracle import compare_overview
from servers import PgBouncer

t = TAP()
if not shutil.which("pgbouncer"):
    t.skip_all("pgbouncer is not installed (scripts/deps.sh --test)")
# Server settings unlike attune-top's, so a leak would show.
c = Cluster("--timezone", "Asia/Kolkata", "--datestyle", "SQL, DMY")
for sql in ("ALTER DATABASE attune SET statement_timeout = '42s'",
            "ALTER DATABASE attune SET IntervalStyle = 'sql_standard'",
            "ALTER DATABASE attune SET extra_float_digits = 1"):
    c.psql(sql)
# Attune's execution NOTIFYs exist: a stable session would LISTEN.
c.psql("CREATE FUNCTION public.attune_test_notify() RETURNS void LANGUAGE sql"
       " AS $$ SELECT pg_notify('execution_status_changed', '') $$")
b = PgBouncer(c, pool_mode="transaction", pool_size=1)
env = b.env(LANG="C.UTF-8")

SETTINGS = ("default_transaction_read_only", "transaction_read_only", "statement_timeout",
            "TimeZone", "DateStyle", "IntervalStyle", "extra_float_digits",
            "client_connection_check_interval")


def server_defaults():
    """The settings a fresh direct session gets."""
    return {k: c.psql("SHOW %s" % k, tz=None)[0][0] for k in SETTINGS}


def next_client():
    """What the pool's next client sees, through its one server connection."""
    out = b.psql("SELECT " + ", ".join("current_setting('%s')" % k for k in SETTINGS))
    return dict(zip(SETTINGS, out.split("|")))


want = server_defaults()
t.eq(want["default_transaction_read_only"], "off", "server default: read-write")

p, o = compare_overview(t, c, "through pgbouncer, 24h", [], 24, env=env)
r = run_top(["-b", "-n", "3", "-r", "0.2"], env=env)
t.ok(r.returncode == 0, "three refreshes through the pooler", r.stderr)
frames = parse_frames(r.stdout)
t.ok(len(frames) == 3 and all(
    any(l == "session: pooled: polling" for l in f["HEADER"]) for f in frames),
    "the header says the session is pooled and changes are polled",
    "\n".join(frames[0]["HEADER"]) if frames else r.stdout[-500:])
t.eq(next_client(), want, "the pool's next client sees the server's settings")

# Directly there is no pooler to mention.
r = run_top(["-b", "-n", "1"], env=c.env(LANG="C.UTF-8"))
t.ok(r.returncode == 0 and not any(l.startswith("session:") for l in r.stdout.splitlines()),
     "directly: no session note", r.stdout[:400])

# The timeline of an execution through the pooler: its transaction holds
# the settings too, and no LISTEN is left on the pool's server connection.
eid = c.value("SELECT max(id) FROM attune.execution")
r = run_top(["-b", "-n", "2", "-r", "0.2", "--entity", "execution:%s" % eid], env=env)
t.ok(r.returncode == 0 and "execution" in r.stdout, "timeline through the pooler",
     r.stderr + r.stdout[:300])
t.eq(next_client(), want, "after the timeline: the server's settings")
t.eq(b.psql("SELECT count(*) FROM pg_listening_channels()"), "0",
     "no LISTEN left on the pool's server connection")

# Exports through the pooler equal the same exports made directly (in one
# server hour: ranges start at an hour).
for args in (["--export=execution_status_hourly", "-R", "48h"],
             ["--export=execution_history", "--entity", "execution:%s" % eid]):
    for _ in range(3):
        h0 = c.value("SELECT date_trunc('hour', now())")
        outs = [run_top(args + ["-o", "-"], env=e) for e in (env, c.env(LANG="C.UTF-8"))]
        if h0 == c.value("SELECT date_trunc('hour', now())"):
            break
    t.ok(outs[0].returncode == 0 and outs[0].stdout == outs[1].stdout and
         outs[0].stdout.count("\n") > 1,
         "%s through the pooler = direct" % args[0], outs[0].stderr)
t.eq(next_client(), want, "after the export: the server's settings")
r = run_top(["--export=storage", "-o", "-"], env=env)
t.ok(r.returncode == 0, "storage export through the pooler", r.stderr)
t.eq(next_client(), want, "after the storage export: the server's settings")

t.done()
