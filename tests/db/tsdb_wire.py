"""The TimescaleDB lane's server (tests/tsdb/server.mjs) as a PostgreSQL server: the
defects of the stock pglite-socket server are handled (SSLRequest, messages split
across socket reads, COPY FROM STDIN, clients dying mid-result or while queued,
sessions leaking into the next client, startup parameters), one session at a time;
and Attune's TimescaleDB schema installs over the wire as its header documents
(psql -1 -f, extension pre-created in public), after which attune-top's overview
equals the raw-row oracle."""

import hashlib
import os
import socket
import struct
import subprocess
import time

from attune_test import SRCDIR, TAP, parse_frames, run_top
from oracle import batch_and_oracle, from_frame
from tsdb import TsCluster, tsdb_available

t = TAP()
avail, why = tsdb_available()
if not avail:
    t.skip_all("TimescaleDB lane: " + why)

try:
    c = TsCluster(load=False, refresh=None)
except RuntimeError as e:
    t.ok(False, "lane server starts without Attune", e)
    t.done()
t.ok(True, "lane server starts without Attune")
PORT = int(c.info["PGPORT"])


def psql_run(sql, env=None, timeout=60, args=(), stdin=None):
    """psql -c SQL, or psql reading stdin when sql is None."""
    cmd = ["psql", "-X", "-A", "-t", "-q"] + list(args)
    if sql is not None:
        cmd += ["-c", sql]
    return subprocess.run(cmd, env=env or c.env(), capture_output=True, text=True,
                          timeout=timeout, input=stdin)


def alive(label):
    r = psql_run("SELECT 'alive'")
    return t.ok(r.returncode == 0 and r.stdout.strip() == "alive", label,
                r.stderr + "\n" + c.log_tail())


# ------------------------------------------------------------------ raw protocol
def startup_packet(**params):
    body = struct.pack("!i", 196608)
    for k, v in params.items():
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


def query_msg(sql):
    b = sql.encode() + b"\0"
    return b"Q" + struct.pack("!i", len(b) + 4) + b


# Bytes read past a ReadyForQuery, per socket: two answers can arrive in one
# read, and the second belongs to the next call.
pending = {}


def read_until_ready(s, timeout=30):
    """Backend messages [(type, body)] up to and including ReadyForQuery."""
    s.settimeout(timeout)
    buf = pending.pop(s, b"")
    out = []
    while True:
        while len(buf) >= 5:
            n = struct.unpack("!i", buf[1:5])[0]
            if len(buf) < 1 + n:
                break
            out.append((chr(buf[0]), buf[5:1 + n]))
            buf = buf[1 + n:]
            if out[-1][0] == "Z":
                if buf:
                    pending[s] = buf
                return out
        chunk = s.recv(65536)
        if not chunk:
            return out
        buf += chunk


def raw_connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
    s.sendall(startup_packet(user="postgres", database="x"))
    msgs = read_until_ready(s)
    return s, msgs


def datarows(msgs):
    rows = []
    for typ, body in msgs:
        if typ == "D":
            n = struct.unpack("!h", body[:2])[0]
            off, row = 2, []
            for _ in range(n):
                ln = struct.unpack("!i", body[off:off + 4])[0]
                off += 4
                row.append(None if ln < 0 else body[off:off + ln].decode())
                off += max(ln, 0)
            rows.append(row)
    return rows


# SSLRequest answered 'N' (the stock server answers it wrongly).
s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
s.sendall(struct.pack("!ii", 8, 80877103))
t.eq(s.recv(1), b"N", "SSLRequest is answered 'N'")
s.sendall(startup_packet(user="postgres", database="x"))
msgs = read_until_ready(s)
t.ok(msgs and msgs[0][0] == "R" and struct.unpack("!i", msgs[0][1][:4])[0] == 0
     and msgs[-1][0] == "Z", "startup after SSLRequest: AuthenticationOk ... ReadyForQuery",
     [m[0] for m in msgs])
# A Query message cut in two across socket reads (the stock server would hand the
# WASM half a message and abort it).
q = query_msg("SELECT length('%s')" % ("x" * 200000))
s.sendall(q[:70001])
time.sleep(0.3)
s.sendall(q[70001:])
t.eq(datarows(read_until_ready(s)), [["200000"]], "a message split across reads runs once, whole")
# Two messages in one write, the second split.
q2 = query_msg("SELECT 1") + query_msg("SELECT 2")
s.sendall(q2[:len(q2) - 3])
time.sleep(0.2)
s.sendall(q2[len(q2) - 3:])
got = datarows(read_until_ready(s)) + datarows(read_until_ready(s))
t.eq(got, [["1"], ["2"]], "two queries in one write, in order")


def closed_after(s, data):
    """Send data, read until the server closes the connection and return
    what it answered (b"" for nothing)."""
    s.sendall(data)
    s.settimeout(10)
    try:
        tail = s.recv(100)
    except OSError:
        tail = b""
    s.close()
    return tail


# Terminate ends the connection.
t.eq(closed_after(s, b"X" + struct.pack("!i", 4)), b"",
     "Terminate: the server closes the connection")
# CancelRequest on a second connection: closed at once, never queued.
t.eq(closed_after(socket.create_connection(("127.0.0.1", PORT), timeout=10),
                  struct.pack("!iiii", 16, 80877102, 1, 2)), b"",
     "CancelRequest is closed without an answer")
# Garbage instead of a startup packet.
t.eq(closed_after(socket.create_connection(("127.0.0.1", PORT), timeout=10),
                  b"\xff\xff\xff\xffGET / HTTP/1.0\r\n\r\n"), b"",
     "garbage instead of a startup packet: connection closed")
alive("server alive after raw-protocol clients")

# ------------------------------------------------------------------ libpq clients
for mode in ("disable", "prefer", "allow"):
    r = psql_run("SELECT 'ok'", env=c.env(PGSSLMODE=mode))
    t.ok(r.returncode == 0 and r.stdout.strip() == "ok", "psql with sslmode=%s" % mode, r.stderr)
r = psql_run("SELECT 1", env=c.env(PGSSLMODE="require"))
t.ok(r.returncode != 0 and "SSL" in r.stderr, "sslmode=require fails cleanly (no TLS)", r.stderr)
alive("server alive after sslmode=require")

big = "y" * (1 << 20)
r = psql_run(None, stdin="SELECT length('%s'), md5('%s');\n" % (big, big))  # too long for argv
t.eq(r.stdout.strip(), "%d|%s" % (len(big), hashlib.md5(big.encode()).hexdigest()),
     "a 2 MiB query (many socket reads) runs")
r = psql_run("SELECT sum(length(x)) FROM (SELECT repeat('z', 1000) AS x"
             " FROM generate_series(1, 5000)) s")
t.eq(r.stdout.strip(), "5000000", "aggregate over a large intermediate result")
r = psql_run("SELECT repeat('z', 1000) FROM generate_series(1, 5000)")
t.eq(len(r.stdout.splitlines()), 5000, "a 5 MB result arrives whole")

# Settings PGlite boots with, fixed for every client.
r = psql_run("SELECT current_setting('client_min_messages'), current_setting('enable_seqscan'),"
             " current_setting('search_path')")
t.eq(r.stdout.strip(), 'notice|on|"$user", public',
     "sane client_min_messages, enable_seqscan, search_path")
t.ok("DEBUG" not in r.stderr, "no DEBUG chatter on the client", r.stderr[:500])

# Startup parameters: PGTZ, PGDATESTYLE, PGOPTIONS, application_name.
r = psql_run("SELECT current_setting('TimeZone'), current_setting('DateStyle'),"
             " current_setting('statement_timeout'), current_setting('application_name'),"
             " current_setting('work_mem')",
             env=c.env(PGTZ="Asia/Tokyo", PGDATESTYLE="SQL, DMY", PGAPPNAME="lane-probe",
                       PGOPTIONS="-c statement_timeout=7s --work-mem=8MB"))
t.eq(r.stdout.strip(), "Asia/Tokyo|SQL, DMY|7s|lane-probe|8MB",
     "startup parameters applied (TimeZone, DateStyle, options, application_name)")
r = psql_run("SELECT 1", env=c.env(PGOPTIONS="-c no_such_setting_here=1"))
t.ok(r.returncode != 0 and "no_such_setting_here" in r.stderr,
     "an unknown startup option fails the connection", r.stderr)
alive("server alive after a refused startup option")

# COPY FROM STDIN is refused cleanly; COPY TO STDOUT works. Asserted on the wire
# (no client's recovery from a refused COPY is involved): an ErrorResponse and no
# CopyInResponse, then the same connection answers the next query.
psql_run("CREATE TABLE public.lane_copy (x int)")
s, _ = raw_connect()
s.sendall(query_msg("COPY public.lane_copy FROM STDIN"))
msgs = read_until_ready(s)
kinds = [m[0] for m in msgs]
errors = [m[1].decode(errors="replace") for m in msgs if m[0] == "E"]
t.ok("G" not in kinds and kinds[-1:] == ["Z"] and len(errors) == 1
     and "not supported" in errors[0],
     "COPY FROM STDIN: an ErrorResponse, no CopyInResponse", (kinds, errors))
s.sendall(query_msg("SELECT 'same session', (SELECT count(*) FROM public.lane_copy)"))
t.eq(datarows(read_until_ready(s)), [["same session", "0"]],
     "after the refused COPY the same connection answers, nothing was copied")
s.sendall(b"X" + struct.pack("!i", 4))
s.close()
r = psql_run("COPY (SELECT g, 'v' || g FROM generate_series(1, 3) g) TO STDOUT WITH (FORMAT csv)")
t.eq(r.stdout.split(), ["1,v1", "2,v2", "3,v3"], "COPY TO STDOUT works")
alive("server alive after COPY FROM STDIN")

# The next client never inherits a session: open transaction, temp table, prepared
# statement, SET values, read-only mode, advisory lock, LISTEN.
r = psql_run("BEGIN; CREATE TEMP TABLE lane_tmp (x int); INSERT INTO public.lane_copy VALUES (42);"
             " PREPARE lane_p AS SELECT 1; SET statement_timeout = '3s';"
             " SET default_transaction_read_only = on; SET TimeZone = 'Asia/Kolkata';"
             " SET client_min_messages = debug5; LISTEN lane_chan;"
             " SELECT pg_advisory_lock(4242)")
t.ok(r.returncode == 0, "a session leaves a transaction open and settings changed", r.stderr)
r = psql_run("SELECT to_regclass('pg_temp.lane_tmp') IS NULL, (SELECT count(*) FROM"
             " pg_prepared_statements), current_setting('statement_timeout'),"
             " current_setting('default_transaction_read_only'), current_setting('TimeZone'),"
             " current_setting('client_min_messages'), pg_current_xact_id_if_assigned() IS NULL,"
             " (SELECT count(*) FROM public.lane_copy), (SELECT count(*) FROM pg_locks"
             " WHERE locktype = 'advisory'), (SELECT count(*) FROM pg_listening_channels())",
             env=c.env(PGTZ="UTC"))
t.eq(r.stdout.strip(), "t|0|0|off|UTC|notice|t|0|0|0",
     "the next client starts clean (rolled back, DISCARD ALL, boot fixes)")
# The program's own session (read-only, pinned settings) does not leak either.
r = psql_run("CREATE TABLE public.lane_after (x int); DROP TABLE public.lane_after; SELECT 'rw'")
t.eq(r.stdout.strip(), "rw", "writable again after a read-only session")

# Clients dying mid-result (EPIPE/ECONNRESET in the server).
for i in range(3):
    p = subprocess.Popen(["psql", "-X", "-At", "-c",
                          "SELECT repeat('k', 2000) FROM generate_series(1, 20000)"],
                         env=c.env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(0.2 + 0.2 * i)
    p.kill()
    p.wait()
    p.stdout.close()
alive("server alive after clients killed mid-result")
# A client that closes its socket without reading while a large result is written.
s, _ = raw_connect()
s.sendall(query_msg("SELECT repeat('k', 4000) FROM generate_series(1, 4000)"))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()  # RST
alive("server alive after a reset connection")

# One session at a time: the second client waits for the first, then runs; a queued
# client that dies is dropped.
t0 = time.time()
p1 = subprocess.Popen(["psql", "-X", "-At", "-c", "SELECT 'first', pg_sleep(1.5)"],
                      env=c.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
time.sleep(0.4)
p_dead = subprocess.Popen(["psql", "-X", "-At", "-c", "SELECT 'never'"], env=c.env(),
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(0.2)
p_dead.kill()
p_dead.wait()
r2 = psql_run("SELECT 'second', clock_timestamp()")
o1, e1 = p1.communicate(timeout=60)
t.ok(p1.returncode == 0 and o1.startswith("first") and r2.returncode == 0
     and r2.stdout.startswith("second") and time.time() - t0 >= 1.4,
     "a second connection waits for the first, then runs", (o1, e1, r2.stdout, r2.stderr))

# ------------------------------------------------------------------ install over the wire
# As the schema file's header says, with TimescaleDB already created in public (as on
# TimescaleDB's images) and Attune in the schema attune.
r = psql_run("CREATE EXTENSION IF NOT EXISTS timescaledb SCHEMA public; CREATE SCHEMA attune")
t.ok(r.returncode == 0, "timescaledb created in public, schema attune", r.stderr)
for f in ("attune-timescale.sql", "demo-workload.sql"):
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f",
                        os.path.join(SRCDIR, "sql", f)],
                       env=c.env(PGOPTIONS="-c search_path=attune,public"),
                       capture_output=True, text=True, timeout=300)
    t.ok(r.returncode == 0, "psql -1 -f sql/%s over the wire" % f, r.stderr[-2000:])
t.eq(c.extension_schema(), "public", "the extension stayed in public")
r = psql_run("SELECT (attune_demo.populate(days => 2))->>'executions'")
t.ok(r.returncode == 0 and int(r.stdout.strip() or 0) > 1000,
     "populate(days => 2) over the wire", r.stdout + r.stderr)
names = c.refresh_aggregates("1 hour")
t.eq(len(names), 6, "refresh_aggregates() refreshed six aggregates (CALL outside a transaction)")
for _ in range(3):
    psql_run("SELECT attune_demo.tick()")
r, frames, o = batch_and_oracle(c, [], 24, env=c.env(LANG="C.UTF-8"))
t.ok(r.returncode == 0 and len(frames) == 1, "attune-top against the psql-installed schema",
     r.stderr)
if frames:
    p = from_frame(frames[0])
    t.ok("backend: TimescaleDB 2.23" in "\n".join(frames[0]["HEADER"]), "header: TimescaleDB",
         frames[0]["HEADER"])
    for k in ("executions", "events", "enforcements", "statuses", "actions", "workers",
              "inflight", "changes"):
        t.eq(p[k], o[k], "extension in public: 24h %s equals the raw-row oracle" % k)

t.diag("wire server peak RSS %.0f MB" % (c.peak_rss_mb() or -1))
c.stop()
t.ok(not os.path.exists(c.tmp), "stop() removes the lane's data directory")
t.done()
