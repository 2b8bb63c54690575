"""Resilience and safety without a terminal: a listener that never answers
(connect_timeout), passwords only through libpq (wrong password, PGPASSWORD,
.pgpass, service file, -W) and never shown, sslmode honoured, a missing
privilege marking one panel, no notice on stderr, and a server log
(log_statement=all) proving the program never sends a write."""

import os
import re
import subprocess
import time

from attune_test import BIN, TAP, Cluster, Tmux, parse_frames, private_dir, run_top
from proxy import Blackhole, Proxy

t = TAP()
env0 = dict(os.environ, LANG="C.UTF-8")
for k in ("ATTUNE__DATABASE__URL", "ATTUNE__DATABASE__SCHEMA", "PGHOST", "PGPORT",
          "PGDATABASE", "PGUSER", "PGSERVICE", "PGPASSWORD", "PGOPTIONS", "PGCONNECT_TIMEOUT"):
    env0.pop(k, None)


def one_line(r):
    lines = r.stderr.splitlines()
    return len(lines) == 1 and lines[0].startswith("attune-top: ")


# ---------------------------------------------------------------- a listener that never answers

bh = Blackhole().start()
t0 = time.time()
r = run_top(["-b", "-n", "1", "-d", "host=127.0.0.1 port=%d connect_timeout=3" % bh.port],
            env=env0, timeout=60)
took = time.time() - t0
t.ok(bh.accepted >= 1, "silent listener: the program did connect to it")
t.ok(r.returncode == 1 and one_line(r) and "timed out" in r.stderr,
     "silent listener: batch exits 1 with one line", "rc=%d stderr=%r" % (r.returncode, r.stderr))
t.ok(2.5 <= took < 6, "silent listener: it gives up after connect_timeout=3 (%.1f s)" % took)
t0 = time.time()
r = run_top(["-n", "1", "-d", "host=127.0.0.1 port=%d connect_timeout=2" % bh.port],
            env=env0, timeout=60)
t.ok(r.returncode == 1 and time.time() - t0 < 5, "silent listener: -n alone also fails fast")
# PGCONNECT_TIMEOUT (libpq's variable) replaces the program's default of 10 s.
t0 = time.time()
r = run_top(["-b", "-n", "1", "-d", "host=127.0.0.1 port=%d" % bh.port],
            env=dict(env0, PGCONNECT_TIMEOUT="3"), timeout=60)
took = time.time() - t0
t.ok(r.returncode == 1 and 2.5 <= took < 6,
     "silent listener: PGCONNECT_TIMEOUT=3 is honoured (%.1f s)" % took)
bh.close()

# ---------------------------------------------------------------- cluster, roles

c = Cluster()
env = c.env(LANG="C.UTF-8")
for k in ("PGPASSWORD", "PGOPTIONS", "PGCONNECT_TIMEOUT", "PGPASSFILE", "PGSERVICEFILE"):
    env.pop(k, None)
PW = "Right-pw-5129"
WRONG = "Wr0ng-pw-secret-8830"
c.psql("CREATE ROLE pwuser LOGIN PASSWORD '%s'; GRANT USAGE ON SCHEMA attune TO pwuser;"
       " GRANT SELECT ON ALL TABLES IN SCHEMA attune TO pwuser;"
       " CREATE ROLE limited LOGIN; GRANT USAGE ON SCHEMA attune TO limited;"
       " GRANT SELECT ON ALL TABLES IN SCHEMA attune TO limited;"
       " REVOKE SELECT ON attune.worker FROM limited" % PW)
hba = os.path.join(c.dir, "data", "pg_hba.conf")
with open(hba) as f:
    orig_hba = f.read()
with open(hba, "w") as f:  # in place: the server account keeps ownership
    f.write("local all pwuser scram-sha-256\n" + orig_hba)
c.value("SELECT pg_reload_conf()")
time.sleep(0.5)
tmp = private_dir("atres")


def batch(args, e, stdin=subprocess.DEVNULL, input_text=None):
    # A new session: no controlling terminal, so -W reads standard input.
    return subprocess.run([BIN, "-b", "-n", "1"] + args, env=e, capture_output=True, text=True,
                          timeout=60, input=input_text, start_new_session=True,
                          **({} if input_text is not None else {"stdin": stdin}))


def frame_ok(r):
    return r.returncode == 0 and len(parse_frames(r.stdout)) == 1


# ---------------------------------------------------------------- passwords

r = batch(["-U", "pwuser"], dict(env, PGPASSWORD=WRONG))
t.ok(r.returncode == 1 and one_line(r) and "password authentication failed" in r.stderr,
     "wrong password: exit 1, one line naming password authentication",
     "rc=%d stderr=%r" % (r.returncode, r.stderr))
t.ok(WRONG not in r.stderr + r.stdout, "wrong password: the password is not printed")
r = batch(["-U", "pwuser"], env)
t.ok(r.returncode == 1 and one_line(r) and "password" in r.stderr,
     "no password at all: exit 1, one line", r.stderr)

r = batch(["-U", "pwuser"], dict(env, PGPASSWORD=PW))
t.ok(frame_ok(r), "PGPASSWORD is used", r.stderr)

pgpass = os.path.join(tmp, "pgpass")
with open(pgpass, "w") as f:
    f.write("*:*:*:pwuser:%s\n" % PW)
os.chmod(pgpass, 0o600)
r = batch(["-U", "pwuser"], dict(env, PGPASSFILE=pgpass))
t.ok(frame_ok(r), ".pgpass (PGPASSFILE) is used", r.stderr)

svc = os.path.join(tmp, "pg_service.conf")
with open(svc, "w") as f:
    f.write("[attune_res]\nhost=%s\nport=%s\ndbname=%s\nuser=pwuser\npassword=%s\n"
            % (c.info["PGHOST"], c.info["PGPORT"], c.info["PGDATABASE"], PW))
e = dict(env, PGSERVICEFILE=svc)
for k in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE"):
    e.pop(k, None)
r = batch(["-d", "service=attune_res"], e)
t.ok(frame_ok(r), "a service file (with its password) is used", r.stderr)

r = batch(["-W", "-U", "pwuser"], env, input_text=PW + "\n")
t.ok(frame_ok(r), "-W reads the password (standard input without a terminal)", r.stderr)
t.ok(PW not in r.stdout + r.stderr, "-W: the password is not printed")
r = batch(["-W", "-U", "pwuser"], env, input_text=WRONG + "\n")
t.ok(r.returncode == 1 and WRONG not in r.stdout + r.stderr
     and "password authentication failed" in r.stderr, "-W with a wrong password: exit 1",
     r.stderr)
with open(hba, "w") as f:
    f.write(orig_hba)
c.value("SELECT pg_reload_conf()")

# ---------------------------------------------------------------- sslmode honoured

px = Proxy.for_cluster(c).start()
tcp = "host=127.0.0.1 port=%d user=%s dbname=%s" % (px.port, c.info["PGUSER"],
                                                      c.info["PGDATABASE"])
r = batch(["-d", tcp + " sslmode=require"], env)
t.ok(r.returncode == 1 and one_line(r) and "SSL" in r.stderr,
     "sslmode=require against a server without SSL fails (not downgraded)", r.stderr)
r = batch(["-d", "postgresql://%s@127.0.0.1:%d/%s?sslmode=require"
           % (c.info["PGUSER"], px.port, c.info["PGDATABASE"])], env)
t.ok(r.returncode == 1 and "SSL" in r.stderr, "sslmode=require in a URI is honoured too",
     r.stderr)
r = batch(["-d", tcp + " sslmode=disable"], env)
t.ok(frame_ok(r), "sslmode=disable through the same proxy works", r.stderr)
px.close()

# ---------------------------------------------------------------- a missing privilege

r = batch(["-U", "limited"], env)
fr = parse_frames(r.stdout)
t.ok(r.returncode == 0 and len(fr) == 1, "no SELECT on worker: the frame is still printed",
     r.stderr)
if fr:
    w = " ".join(fr[0].get("WORKERS", []))
    t.ok("unavailable" in w and "permission denied" in w,
         "no SELECT on worker: the workers panel says why", fr[0].get("WORKERS"))
    t.ok(len(fr[0].get("TOP ACTIONS", [])) > 3 and "unavailable" not in
         " ".join(fr[0].get("TOP ACTIONS", [])), "no SELECT on worker: other panels have data")

# ---------------------------------------------------------------- notices never reach stderr

noisy = dict(env, PGOPTIONS="-c client_min_messages=debug5")
probe = subprocess.run(["psql", "-X", "-c", "SELECT 1"], env=noisy, capture_output=True,
                       text=True, timeout=30)
t.ok("DEBUG" in probe.stderr, "client_min_messages=debug5 makes the server chatty (psql shows "
     "DEBUG lines)")
r = batch([], noisy)
t.ok(frame_ok(r) and r.stderr == "", "batch: no server notice printed", r.stderr[:2000])
errfile = os.path.join(tmp, "stderr.txt")
tm = Tmux("%s -r 0.3 2>%s" % (BIN, errfile), 120, 40, dict(noisy, TERM="xterm-256color"))
try:
    tm.wait_for(r"live, data", 20)
    time.sleep(2)
    tm.send("t")  # the storage view's queries too
    time.sleep(1.5)
    tm.send("q")
    st = tm.wait_dead(5)
finally:
    tm.kill()
with open(errfile) as f:
    err = f.read()
t.ok(st == 0 and err == "", "curses: nothing written to stderr while it owns the terminal",
     err[:2000])
c.stop()

# ---------------------------------------------------------------- no write statement, ever

# Attune lives in a schema whose name needs quoting (quote, space,
# semicolon, capitals): every identifier must go through PQescapeIdentifier.
PREFIX = "@@%a@@%c@@ "
HOSTILE = 'Att "une"; drop'
lc = Cluster("--log-statement", "all", "--conf", "log_line_prefix='%s'" % PREFIX,
             "--schema", HOSTILE)
lenv = lc.env(LANG="C.UTF-8", ATTUNE__DATABASE__SCHEMA=HOSTILE)
qs = '"%s"' % HOSTILE.replace('"', '""')
eid = lc.value("SELECT id FROM %s.execution ORDER BY id DESC LIMIT 1" % qs)
wid = lc.value("SELECT id FROM %s.worker ORDER BY id LIMIT 1" % qs)
runs = [
    ["-b", "-n", "2", "-r", "0.2"],
    ["-b", "-n", "1", "-R", "7d", "-f", "core.echo"],
    ["-b", "-n", "2", "-r", "0.2", "-e", "execution:%s" % eid],
    ["-b", "-n", "1", "-e", "worker:%s" % wid],
    ["--export=workers", "-o", os.path.join(tmp, "w.csv")],
    ["--export=execution_status_hourly", "-o", os.path.join(tmp, "s.csv")],
    ["--export=execution_history", "-e", "execution:%s" % eid, "-o", os.path.join(tmp, "h.csv")],
]
for args in runs:
    r = run_top(args, env=lenv)
    t.ok(r.returncode == 0, "log run (schema %s): attune-top %s" % (HOSTILE, " ".join(args)),
         r.stderr)
    if args[0] == "-b" and "-e" not in args and "-f" not in args:
        fr = parse_frames(r.stdout)
        t.ok(fr and "unavailable" not in r.stdout and len(fr[-1].get("WORKERS", [])) > 3,
             "every panel has data from the hostile schema", r.stdout[:3000])
# Interactively: overview, storage view, a timeline, then quit.
tm = Tmux("%s -r 0.3" % BIN, 160, 45, dict(lenv, TERM="xterm-256color"))
try:
    tm.wait_for(r"live, data", 20)
    tm.send("t")
    time.sleep(1.5)
    tm.send("Escape")
    tm.send("Tab")
    tm.send("Enter")
    time.sleep(1.5)
    tm.send("q")
    tm.wait_dead(5)
finally:
    tm.kill()
# A canary write from another application proves the scan below sees writes.
subprocess.run(["psql", "-X", "-q", "-c", "CREATE TEMP TABLE canary(x int);"
                " INSERT INTO canary VALUES (1)"], env=lc.env(PGAPPNAME="canary"),
               capture_output=True, timeout=30)
time.sleep(0.5)

ENTRY = re.compile(r"^@@(.*?)@@(.*?)@@ (\w+):  (.*)$")
STMT = re.compile(r"^(?:statement|execute [^:]*|parse [^:]*|bind [^:]*): (.*)$", re.S)
sessions = {}  # session id -> (application, [statements])
with open(lc.info["LOGFILE"], errors="replace") as f:
    cur = None
    for line in f:
        m = ENTRY.match(line)
        if m:
            app, sid, level, msg = m.groups()
            cur = None
            sm = STMT.match(msg)
            if level == "LOG" and sm:
                s = sessions.setdefault(sid, [app, []])
                s[1].append(sm.group(1))
                cur = s[1]
        elif cur is not None:
            cur[-1] += "\n" + line.rstrip("\n")

WRITE = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|GRANT|REVOKE|VACUUM|ANALYZE|"
    r"CLUSTER|REINDEX|LOCK|COPY|CALL|DO|COMMENT|SECURITY\s+LABEL|REFRESH|IMPORT|REASSIGN|"
    r"nextval|setval|pg_advisory\w*|lo_\w+|pg_terminate_backend|pg_cancel_backend|"
    r"pg_reload_conf|pg_rotate_logfile|txid_current|pg_current_xact_id|dblink\w*)\b",
    re.I)


def code_only(sql):
    """SQL without comments, string literals and quoted identifiers."""
    sql = re.sub(r"--[^\n]*", " ", sql)
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    sql = re.sub(r"'(?:[^']|'')*'", "''", sql)
    sql = re.sub(r'"(?:[^"]|"")*"', '""', sql)
    return sql


def writes(stmts):
    return [s for s in stmts if WRITE.search(code_only(s))]


ours = {sid: st for sid, (app, st) in sessions.items() if app == "attune-top"}
canary = [st for sid, (app, st) in sessions.items() if app == "canary"]
t.ok(canary and writes(canary[0]), "the log scan finds the canary's write", canary)
nstmt = sum(len(s) for s in ours.values())
t.ok(len(ours) >= len(runs) + 1 and nstmt >= 50,
     "the log holds %d attune-top sessions with %d statements" % (len(ours), nstmt))
bad = {sid: writes(st) for sid, st in ours.items() if writes(st)}
t.ok(not bad, "no attune-top statement is a write", bad)
late = []
for sid, st in ours.items():
    # Each batch is a read-only transaction (no session setting that a
    # pooler could hand to another client): a session starts with one, and
    # nothing runs outside one but LISTEN after its COMMIT.
    inside, outside = False, []
    for s in st:
        if s == "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY":
            inside = True
        elif s == "COMMIT":
            inside = False
        elif not inside and not s.startswith("LISTEN "):
            outside.append(s)
    if not st or st[0] != "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" or outside:
        late.append((sid, st[:1], outside[:2]))
t.ok(not late and ours, "every attune-top statement runs in a read-only transaction", late)
# Every value is bound: no statement carries a literal that came from the command
# line (the filter, the entity id).
lit = [s for st in ours.values() for s in st if "'core.echo'" in s or "= %s" % eid in s]
t.ok(not lit, "values travel as parameters, not as literals in the SQL", lit[:3])
t.done()
