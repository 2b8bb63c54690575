#!/usr/bin/env python3
"""The attune-top benchmark: Attune databases of each shape and size on a
throwaway PostgreSQL, attune-top against them, and what a user would run
instead, side by side. Prints a Markdown table (and writes it, with the
query plans and raw figures, to OUT_DIR).

    bench/bench.py BUILD_DIR [--shapes native,plain,agg] [--sizes 1M,10M]
                   [--out OUT_DIR]

Shapes (each its own database in one cluster, built once per run):
  native  current upstream Attune on stock PostgreSQL (sql/attune-native.sql):
          day-partitioned event / execution_history, plain hourly views,
          summaries built except the newest hours and a few dirtied ones;
  plain   plain views over plain tables (sql/attune-plain.sql);
  agg     the aggregate-table stand-in: the six views as materialized views.
Sizes are execution_history rows (5 per execution) spread over 30 days; the
range read is always the last 24 h, so most rows are outside it.

BUILD_DIR holds attune-top and tests/pgcluster (an optimised build:
`make bench` passes its own). Figures are medians of several runs.
Standard library only; needs psql and tmux."""

import argparse
import atexit
import fcntl
import json
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
SHAPES = ("native", "plain", "agg")
SCHEMA_SQL = {"native": "attune-native.sql", "plain": "attune-plain.sql", "agg": "attune-plain.sql"}
SHAPE_TITLE = {"native": "native (day partitions + summaries)", "plain": "plain views",
               "agg": "aggregate tables (materialized views)"}


def size_arg(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError("bad size %r (e.g. 1M, 10M, 500k)" % text)
    rows = float(m.group(1)) * {"": 1, "k": 1e3, "m": 1e6}[m.group(2).lower()]
    return text.strip(), int(rows)


def list_arg(choices):
    def parse(text):
        v = [x.strip() for x in text.split(",") if x.strip()]
        bad = [x for x in v if x not in choices]
        if bad or not v:
            raise argparse.ArgumentTypeError("choose from %s" % ",".join(choices))
        return v
    return parse


ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("build")
ap.add_argument("--shapes", type=list_arg(SHAPES), default=list(SHAPES),
                help="shapes to measure, comma-separated (default native,plain,agg)")
ap.add_argument("--sizes", default=["1M", "10M"],
                type=lambda t: [size_arg(x) for x in t.split(",") if x.strip()],
                help="execution_history rows, comma-separated (default 1M,10M)")
ap.add_argument("--out", default=None, help="where to write results (default BUILD/bench-out)")
args = ap.parse_args()
if isinstance(args.sizes[0], str):
    args.sizes = [size_arg(x) for x in args.sizes]
# The newest 24 hours hold the same executions at every size: the 1 M set's
# even share (1 M rows over 30 days). A bigger set only adds older history,
# so a refresh of a 24 h range must cost the same (the 1.5x bound).
RECENT = 1000000 // 5 // 30
BUILD = os.path.abspath(args.build)
OUT = os.path.abspath(args.out or os.path.join(BUILD, "bench-out"))
os.makedirs(OUT, exist_ok=True)
os.environ["ATTUNE_TOP_BIN"] = os.path.join(BUILD, "attune-top")
os.environ["PGCLUSTER_BIN"] = os.path.join(BUILD, "tests", "pgcluster")
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))

from attune_test import BIN, Cluster, Tmux  # noqa: E402

RUNS = 3
RTT_MS = 50
T_START = time.time()


def say(msg):
    print("bench: [%4.0f s] %s" % (time.time() - T_START, msg), file=sys.stderr, flush=True)


def med(v):
    return statistics.median(v) if v else float("nan")


# Ctrl-C raises KeyboardInterrupt; TERM and HUP exit the same way, so the
# atexit handlers stop the cluster (pgcluster removes its directory), the
# proxy and tmux, and remove the temporary files, whatever ends the run.
def on_signal(sig, _frame):
    raise SystemExit(128 + sig)


for _sig in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, on_signal)

TEMP_FILES = []


def temp_path(prefix):
    fd, p = tempfile.mkstemp(prefix=prefix)
    os.close(fd)
    TEMP_FILES.append(p)
    return p


@atexit.register
def remove_temp_files():
    for p in TEMP_FILES:
        try:
            os.unlink(p)
        except OSError:
            pass


# ---------------------------------------------------------------- the data

say("starting PostgreSQL")
# A server sized like a small production one: the newest days of history
# fit in shared_buffers, as they would where Attune runs (the report says
# which value was in effect).
c = Cluster("--no-attune", "--conf", "max_wal_size=8GB", "--conf", "checkpoint_timeout=30min",
            "--conf", "shared_buffers=1GB")
LOG = c.info["LOGFILE"]


@atexit.register
def stop_cluster():
    """Closing pgcluster's stdin stops the server and removes its directory.
    With tens of GB written the shutdown checkpoint and the removal outlast
    Cluster.stop's 30 s, after which it would kill pgcluster half-way and
    leave files behind: wait for as long as it takes (registered after the
    Cluster's own handler, so it runs first)."""
    if c.proc and c.proc.poll() is None:
        t = time.time()
        try:
            c.proc.stdin.close()
        except OSError:
            pass
        try:
            c.proc.wait(timeout=1800)
        except subprocess.TimeoutExpired:
            pass
        say("PostgreSQL stopped and removed in %.0f s" % (time.time() - t))


def psql_admin(sql, db=None):
    env = c.env(PGDATABASE=db) if db else c.env()
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def dataset(db, shape, executions, load=True):
    r = subprocess.run(["psql", "-X", "-q", "-v", "shape=" + shape, "-v", "load=%d" % load,
                        "-v", "executions=%d" % executions, "-v", "recent=%d" % RECENT,
                        "-f", os.path.join(HERE, "dataset.sql")],
                       env=c.env(PGDATABASE=db), capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench: dataset.sql (%s) failed: %s" % (db, r.stderr.strip()))


def create_db(db, shape):
    psql_admin("CREATE DATABASE " + db)
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE SCHEMA attune",
                    "-1", "-f", os.path.join(SRC, "sql", SCHEMA_SQL[shape])],
                   env=c.env(PGDATABASE=db, PGOPTIONS="-c search_path=attune"), check=True,
                   stdout=subprocess.DEVNULL)


def build_size(label, rows):
    """One database per shape: <shape>_<label>. The aggregate-table shape is
    a file copy of the plain one with its views materialized."""
    executions = max(1, rows // 5)
    built = {}
    for shape in [s for s in ("plain", "native") if s in args.shapes or
                  (s == "plain" and "agg" in args.shapes)]:
        db = "%s_%s" % (shape, label.lower())
        say("generating %s: %d executions (%d history rows) over 30 days, %d in the last 24 h" %
            (db, executions, executions * 5, RECENT))
        t0 = time.time()
        create_db(db, shape)
        dataset(db, shape, executions)
        built[db] = time.time() - t0
    if "agg" in args.shapes:
        db, src = "agg_%s" % label.lower(), "plain_%s" % label.lower()
        say("generating %s (a copy of %s, views materialized)" % (db, src))
        t0 = time.time()
        psql_admin("CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY" % (db, src))
        dataset(db, "agg", executions, load=False)
        built[db] = time.time() - t0 + built[src]
    return built


def value_in(db, sql):
    r = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-F", "|",
                        "-c", sql], env=c.env(PGDATABASE=db, PGTZ="UTC"), capture_output=True,
                       text=True, check=True)
    return [line.split("|") for line in r.stdout.splitlines() if line]


def counts_in(db):
    rows = value_in(db, """
        SELECT 'execution_history', count(*) FROM attune.execution_history UNION ALL
        SELECT 'history_24h', count(*) FROM attune.execution_history
         WHERE time >= now() - interval '24 hours' UNION ALL
        SELECT 'actions', count(DISTINCT action_ref) FROM attune.execution UNION ALL
        SELECT 'workers', count(*) FROM attune.worker UNION ALL
        SELECT 'days', extract(day FROM max(time) - min(time))::int + 1
          FROM attune.execution_history""")
    out = {k: int(v) for k, v in rows}
    if db.startswith("native_"):
        rows = value_in(db, """
            SELECT 'summary_hours', count(*) FROM attune.native_summary_hour UNION ALL
            SELECT 'dirty_hours', count(DISTINCT (kind, bucket)) FROM attune.native_summary_invalidation
            UNION ALL
            SELECT 'day_leaves', count(*) FROM attune.native_partition_registry
             WHERE parent = 'execution_history'""")
        out.update({k: int(v) for k, v in rows})
    return out


def log_size():
    return os.path.getsize(LOG)


def log_since(off):
    with open(LOG, errors="replace") as f:
        f.seek(off)
        return f.read()


def top(extra, env, timeout=None):
    """attune-top's exit and CPU time (rusage of the child)."""
    p = subprocess.Popen([BIN] + extra, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("bench: attune-top %s failed: %s" % (extra, p.stderr.read().decode()))
    return ru.ru_utime + ru.ru_stime


def timed(fn):
    t = time.monotonic()
    fn()
    return time.monotonic() - t


def reps_for(seconds, budget, lo, hi):
    """How many repetitions of something that took `seconds` fit in `budget`."""
    return max(lo, min(hi, int(budget / max(seconds, 1e-3))))


# ---------------------------------------------------------------- server time per query

LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (LOG|DETAIL):  (.*)$")
DUR = re.compile(r"duration: ([0-9.]+) ms  (parse|bind|execute|statement)( [^:]*)?: (.*)$")


def statements(text):
    """[(sql, ms, params, pid)] in log order: parse + bind + execute of one
    extended-protocol statement add up; simple statements stand alone.
    Sessions (the first refresh runs on two) are told apart by pid."""
    out, pending, last, at = [], {}, {}, {}
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        pid = m.group(1)
        if m.group(2) == "DETAIL":
            if last.get(pid) in ("execute", "statement") and pid in at and \
                    m.group(3).startswith("parameters:"):
                out[at[pid]][2] = m.group(3)
            continue
        d = DUR.match(m.group(3))
        if not d:
            last[pid] = None
            continue
        ms, last[pid], sql = float(d.group(1)), d.group(2), d.group(4)
        if last[pid] in ("parse", "bind"):
            pending[pid] = pending.get(pid, 0.0) + ms
        else:
            at[pid] = len(out)
            out.append([sql, ms + pending.get(pid, 0.0), "", pid])
            pending[pid] = 0.0
    return out


CLOCK = ("SELECT (extract(epoch FROM current_setting('attune.now')::timestamptz)"
         " * 1000000)::int8")
BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
NAMES = [
    (CLOCK, "clock"),
    ("execution_throughput_hourly", "executions per action and hour"),
    ("GROUPING(bucket)", "statuses per hour + outcomes per action"),
    ("event_volume_hourly", "events per hour"),
    ("enforcement_volume_hourly", "enforcements per hour"),
    ("worker_status_hourly", "worker transitions"),
    ("worker w", "workers"),
    ("FROM \"attune\".execution_history", "recent status changes"),
    ("count(*)::int8 FROM \"attune\".execution", "in-flight executions"),
]


def name_of(sql):
    if sql.strip() == CLOCK:
        return "clock"
    for needle, name in NAMES[1:]:
        if needle in sql:
            return name
    return sql[:60]


# What sharing the first refresh's snapshot between two sessions adds.
SHARING = re.compile(r"pg_export_snapshot|SET TRANSACTION SNAPSHOT|pg_advisory_")


def transactions(stmts):
    """Each session's statements split into its transactions (each batch is
    one, from BEGIN to COMMIT), in the order they began."""
    out, cur = [], {}
    for s in stmts:
        if s[0].strip() == BEGIN:
            cur[s[3]] = []
            out.append(cur[s[3]])
        if s[3] in cur:
            cur[s[3]].append(s)
    return out


def refreshes(stmts):
    """The refreshes among the program's transactions: those that read the
    clock (the connection's set-up and catalog probe do not). The part of
    the first refresh a second session read in its snapshot (it begins by
    importing it) counts with the first."""
    txns = transactions(stmts)
    out = [t for t in txns if any(name_of(s[0]) == "clock" for s in t)]
    helped = [s for t in txns if any(s[0].startswith("SET TRANSACTION SNAPSHOT") for s in t)
              for s in t]
    if out and helped:
        out[0] = out[0] + helped
    return out


SIX = ["SELECT * FROM attune.%s WHERE bucket >= now() - interval '24 hours' ORDER BY bucket" % v
       for v in ("execution_status_hourly", "execution_throughput_hourly", "event_volume_hourly",
                 "worker_status_hourly", "enforcement_volume_hourly", "execution_volume_hourly")]


def psql_script(sqls, k=1):
    return "".join(s + ";\n" for s in sqls) * k


def psql_run(env, sqls, k=1, conninfo=None):
    cmd = ["psql", "-X", "-q", "-o", "/dev/null", "-f", "-"]
    if conninfo:
        cmd[1:1] = ["-d", conninfo]
    subprocess.run(cmd, input=psql_script(sqls, k), text=True, env=env, check=True)


def psql_server_ms(db, sqls):
    """(steady, first): server time of one pass over the statements. The
    first pass is the warm-up and counts as the first refresh."""
    env = c.env(PGDATABASE=db)
    first_wall = timed(lambda: psql_run(env, sqls))
    reps = reps_for(first_wall, 30, 2, RUNS * 2)
    off = log_size()
    psql_run(c.env(PGDATABASE=db, PGOPTIONS="-c log_min_duration_statement=0"), sqls, reps + 1)
    time.sleep(0.5)
    st = [s[1] for s in statements(log_since(off))]
    n = len(sqls)
    passes = [sum(st[i:i + n]) for i in range(0, len(st) - n + 1, n)]
    return med(passes[1:]), passes[0], reps, passes[1:]


# ---------------------------------------------------------------- round trips over 50 ms


class Proxy:
    def __init__(self):
        self.stats = temp_path("attune-bench-proxy-")
        self.port = 20000 + os.getpid() % 10000
        sock = "%s/.s.PGSQL.%s" % (c.info["PGHOST"], c.info["PGPORT"])
        self.p = subprocess.Popen([sys.executable, os.path.join(HERE, "delay_proxy.py"),
                                   str(self.port), sock, str(RTT_MS / 2), self.stats])
        atexit.register(self.close)
        for _ in range(100):
            if os.path.getsize(self.stats):
                break
            time.sleep(0.05)

    def read(self):
        time.sleep(0.3)  # let the proxy count the last bytes
        for _ in range(100):  # the file is rewritten after every chunk
            with open(self.stats) as f:
                v = f.read().split()
            if len(v) == 3:
                return [int(x) for x in v]
            time.sleep(0.01)
        sys.exit("bench: cannot read the proxy's counters")

    def conninfo(self, db):
        return "host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable" % (
            self.port, c.info["PGUSER"], db)

    def close(self):
        if self.p.poll() is None:
            self.p.terminate()
            self.p.wait()


def over_link(proxy, run, n):
    """(flights, bytes up, bytes down) per refresh: a run of n+1 refreshes
    minus a run of 1, so connecting and the first refresh drop out."""
    a0 = proxy.read()
    run(1)
    a1 = proxy.read()
    run(n + 1)
    a2 = proxy.read()
    one = [y - x for x, y in zip(a0, a1)]
    many = [y - x for x, y in zip(a1, a2)]
    return [(m - o) / n for m, o in zip(many, one)], one


def link_figures(proxy, run, n=10, runs=RUNS):
    """Flights and bytes are counts, not timings: a slow client gets fewer
    refreshes and one run."""
    t = timed(lambda: run(1))
    if t > 2:
        n, runs = 2, 1
    rs = [over_link(proxy, run, n) for _ in range(runs)]
    return {"flights": med([r[0][0] for r in rs]), "up": med([r[0][1] for r in rs]),
            "down": med([r[0][2] for r in rs]), "first_flights": med([r[1][0] for r in rs]),
            "first_down": med([r[1][2] for r in rs])}


# ---------------------------------------------------------------- time to the first frame


def first_frame_batch(env, extra=()):
    t = time.monotonic()
    r = subprocess.run([BIN, "-b", "-n", "1"] + list(extra), env=env, capture_output=True)
    assert r.returncode == 0 and b"TOP ACTIONS" in r.stdout, r.stderr
    return (time.monotonic() - t) * 1000


def first_frame_psql(env, sqls):
    """From starting psql until it has printed every answer and exited."""
    t = time.monotonic()
    subprocess.run(["psql", "-X", "-q", "-f", "-"], input=psql_script(sqls), text=True, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return (time.monotonic() - t) * 1000


def first_frames(fn):
    one = fn()
    k = reps_for(one / 1000, 15, 2, 6)
    return med([fn() for _ in range(k)])


def first_frame_tui(env, marker=b"pack0.action_0"):
    """Start in a 200x50 pseudo-terminal; the time until the first frame
    with data (the busiest action's name) has been written."""
    t = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        os.execve(BIN, [BIN, "-r", "1"], dict(env, TERM="xterm-256color", LANG="C.UTF-8"))
    buf, got = b"", None
    try:
        while got is None and time.monotonic() - t < 30:
            r, _, _ = select.select([fd], [], [], 1)
            if r:
                try:
                    buf += os.read(fd, 65536)
                except OSError:
                    break
                if marker in buf:
                    got = (time.monotonic() - t) * 1000
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    return got


# ---------------------------------------------------------------- one database


def top_buffers(p):
    for line in p:
        m = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", line)
        if m:
            return int(m.group(1)) + int(m.group(2) or 0)
    return 0


def measure(db, proxy):
    out_dir = os.path.join(OUT, db)
    os.makedirs(out_dir, exist_ok=True)
    env = c.env(PGDATABASE=db)
    res = {"db": db}

    # warm the caches once; the time of it sets how many refreshes are logged
    warm = timed(lambda: top(["-b", "-n", "2", "-r", "0.2"], env))
    n_server = reps_for(max(warm / 2 - 0.2, 0.01), 30, 6, 21)

    say("%s: server time per refresh (statement log, %d refreshes)" % (db, n_server))
    off = log_size()
    top(["-b", "-n", str(n_server), "-r", "0.2"],
        c.env(PGDATABASE=db, PGOPTIONS="-c log_min_duration_statement=0"))
    time.sleep(0.5)
    stmts = statements(log_since(off))
    with open(os.path.join(out_dir, "statements.txt"), "w") as f:
        f.write("".join("%.3f ms  %s  [%s]\n" % (s[1], s[0], s[2]) for s in stmts))
    refs = refreshes(stmts)
    if len(refs) < 2:
        sys.exit("bench: no refreshes found in the server log %s" % LOG)
    full_ms = sum(s[1] for s in refs[0])
    steady = refs[1:]
    per_query, full_query = {}, {}
    for r in steady:
        for s in r:
            per_query.setdefault(name_of(s[0]), []).append(s[1])
    for s in refs[0]:
        full_query.setdefault(name_of(s[0]), []).append(s[1])
    res["server_ms"] = {"full_refresh": full_ms,
                        "steady_refresh_median": med([sum(s[1] for s in r) for r in steady]),
                        "steady_refreshes": len(steady),
                        "steady_all": [sum(s[1] for s in r) for r in steady],
                        "per_query_median": {k: med(v) for k, v in per_query.items()},
                        "full_per_query": {k: sum(v) for k, v in full_query.items()}}

    # The statements of the first refresh with the settled range substituted:
    # what one would type into psql to see the same figures.
    # A bucketed query is read in two parts, [range start, live start) and
    # [live start, live end): the settled part, widened to the live end,
    # stands for both.
    settled_sql, order = {}, []
    split = [dict(re.findall(r"\$(\d+) = ('(?:[^']|'')*'|NULL)", s[2])) for s in refs[0]]
    split = [p for p in split if "3" in p]
    range_lo = min((float(p["1"].strip("'")) for p in split), default=None)
    live_end = max((p["3"] for p in split), key=lambda v: float(v.strip("'")), default=None)
    for s in refs[0]:
        if name_of(s[0]) == "clock" or SHARING.search(s[0]):
            continue
        params = dict(re.findall(r"\$(\d+) = ('(?:[^']|'')*'|NULL)", s[2]))
        if "3" in params and float(params["1"].strip("'")) == range_lo:
            params["3"] = live_end  # the settled part, from the range start to the live end
        elif "3" in params:
            continue  # the live part of a split query: covered by the line above
        sql = s[0]
        for k in sorted(params, key=len, reverse=True):
            sql = sql.replace("$" + k, params[k])
        if s[0] not in settled_sql:
            order.append(s[0])
        settled_sql.setdefault(s[0], sql)
    equivalent = [settled_sql[k] for k in order]
    with open(os.path.join(out_dir, "equivalent.sql"), "w") as f:
        f.write(";\n".join(equivalent) + ";\n")

    say("%s: psql, same queries / six-queries pattern" % db)
    p_steady, p_first, p_reps, p_all = psql_server_ms(db, equivalent)
    s_steady, s_first, s_reps, s_all = psql_server_ms(db, SIX)
    res["server_ms"].update({"psql_equivalent": p_steady, "psql_first": p_first,
                             "six_queries": s_steady, "six_first": s_first,
                             "psql_reps": p_reps, "six_reps": s_reps,
                             "psql_all": p_all, "six_all": s_all})

    say("%s: query plans (auto_explain, ANALYZE, BUFFERS)" % db)
    off = log_size()
    top(["-b", "-n", "2", "-r", "0.5"], c.env(PGDATABASE=db, PGOPTIONS=" ".join([
        "-c session_preload_libraries=auto_explain", "-c auto_explain.log_min_duration=0",
        "-c auto_explain.log_analyze=on", "-c auto_explain.log_buffers=on",
        "-c auto_explain.log_timing=off"])))
    time.sleep(0.5)
    plans, cur = [], None
    for line in log_since(off).splitlines():
        if LINE.match(line):
            cur = None
            if "  plan:" in line:
                cur = []
                plans.append(cur)
        elif cur is not None:
            cur.append(line)
    plan_text = "\n\n".join("\n".join(p) for p in plans)
    with open(os.path.join(out_dir, "plans.txt"), "w") as f:
        f.write(plan_text + "\n")
    seq_history = re.findall(r"Seq Scan on (execution_history\w*|worker_history|event\w*)\b",
                             plan_text)
    split = [i for i, p in enumerate(plans) if any(ln.strip().endswith(CLOCK) for ln in p[:3])]
    res["plans"] = {
        "history_seq_scans": len(seq_history),
        "seq_scans_on": sorted(set(re.findall(r"Seq Scan on (\w+)", plan_text))),
        "buffers_full": sum(top_buffers(p) for p in plans[split[0]:split[1]]) if len(split) > 1 else 0,
        "buffers_live": sum(top_buffers(p) for p in plans[split[1]:]) if len(split) > 1 else 0}

    say("%s: round trips and bytes over a %d ms link" % (db, RTT_MS))

    def run_top_link(k):
        top(["-b", "-n", str(k), "-r", "0.1", "-d", proxy.conninfo(db)], env)

    res["link"] = {
        "top": link_figures(proxy, run_top_link),
        # psql sends the same text every time: its counts do not vary
        "psql": link_figures(proxy, lambda k: psql_run(env, equivalent, k, proxy.conninfo(db)),
                             4, 1),
        "six": link_figures(proxy, lambda k: psql_run(env, SIX, k, proxy.conninfo(db)), 4, 1)}

    say("%s: time to the first frame (local socket)" % db)
    res["first_frame_ms"] = {
        "top": first_frames(lambda: first_frame_batch(env)),
        "psql": first_frames(lambda: first_frame_psql(env, equivalent)),
        "six": first_frames(lambda: first_frame_psql(env, SIX))}
    with open(os.path.join(out_dir, "result.json"), "w") as f:
        json.dump(res, f, indent=1)
    return res


# ---------------------------------------------------------------- the dashboard left running


def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def vm(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def dashboard(db, shape):
    """What the dashboard costs when left running: one database only."""
    env = c.env(PGDATABASE=db)
    out = {"db": db}
    say("%s: client CPU per refresh (batch mode)" % db)
    cpu = []
    for _ in range(RUNS):
        one = top(["-b", "-n", "1"], env)
        many = top(["-b", "-n", "21", "-r", "0.1"], env)
        cpu.append((many - one) / 20 * 1000)
    out["client_cpu_ms_batch"] = med(cpu)

    say("%s: first frame in a terminal; on an empty database" % db)
    out["first_frame_tui_ms"] = med([first_frame_tui(env) for _ in range(5)])
    # The same on an empty Attune database of this shape: what starting,
    # connecting and probing the catalog cost, without reading 24 h of data.
    create_db("attune_empty", shape)
    out["first_frame_empty_ms"] = med([first_frame_batch(c.env(PGDATABASE="attune_empty"))
                                       for _ in range(5)])

    say("%s: idle cost: 200x50 tmux, 1 s refresh" % db)
    pipe_file = temp_path("attune-bench-tty-")
    tm = Tmux("%s -r 1" % BIN, 200, 50, c.env(PGDATABASE=db, TERM="xterm-256color",
                                               LANG="C.UTF-8"))
    tm.wait_for(r"pack0\.action_0", 60)
    pid = tm.pane_pid()
    # The first refresh's second session is gone once the frame is out;
    # its backend may take a moment to exit.
    sessions = []
    for _ in range(50):
        sessions = value_in(db, "SELECT pid FROM pg_stat_activity"
                                " WHERE application_name = 'attune-top'")
        if len(sessions) == 1:
            break
        time.sleep(0.1)
    backend = int(sessions[0][0])
    time.sleep(3)
    tm.pipe(pipe_file)
    time.sleep(1)

    def windows(n, secs):
        """Per window: client CPU %, server backend CPU %, terminal bytes/s."""
        w = []
        for _ in range(n):
            a, b, z = cpu_ns(pid), cpu_ns(backend), os.path.getsize(pipe_file)
            t = time.monotonic()
            time.sleep(secs)
            dt = time.monotonic() - t
            w.append(((cpu_ns(pid) - a) / dt / 1e7, (cpu_ns(backend) - b) / dt / 1e7,
                      (os.path.getsize(pipe_file) - z) / dt))
        return w

    idle = windows(RUNS, 20)
    say("%s: one series changing: events arrive every second" % db)
    stop = threading.Event()
    refresh = "; REFRESH MATERIALIZED VIEW attune.event_volume_hourly" if shape == "agg" else ""

    def events():
        while not stop.is_set():
            value_in(db, "INSERT INTO attune.event (trigger_ref, created) SELECT"
                         " 'sensor0.trigger_0', now() FROM generate_series(1, 5)" + refresh)
            stop.wait(1)

    th = threading.Thread(target=events)
    th.start()
    try:
        time.sleep(2)
        busy = windows(RUNS, 10)
    finally:
        stop.set()
        th.join()
    out.update({"rss_peak_kib": vm(pid, "VmHWM"), "rss_kib": vm(pid, "VmRSS")})
    tm.send("q")
    tm.wait_dead(10)
    tm.kill()
    out.update({"idle_cpu_pct": med([w[0] for w in idle]),
                "server_cpu_pct": med([w[1] for w in idle]),
                "bytes_idle": med([w[2] for w in idle]),
                "bytes_one_series": med([w[2] for w in busy]),
                "busy_cpu_pct": med([w[0] for w in busy])})
    return out


# ---------------------------------------------------------------- the runs

results, counts, gen_s = {}, {}, {}
proxy = Proxy()
for label, rows in args.sizes:
    gen_s.update(build_size(label, rows))
    for shape in args.shapes:
        db = "%s_%s" % (shape, label.lower())
        counts[db] = counts_in(db)
        say("%s ready: %s" % (db, counts[db]))
        results[db] = measure(db, proxy)
        results[db].update({"shape": shape, "size": label, "counts": counts[db],
                            "generate_s": gen_s[db]})
proxy.close()

# the dashboard left running: native if measured, at the largest size
detail_shape = "native" if "native" in args.shapes else args.shapes[0]
detail_label = max(args.sizes, key=lambda s: s[1])[0]
detail_db = "%s_%s" % (detail_shape, detail_label.lower())
detail = dashboard(detail_db, detail_shape)

# ---------------------------------------------------------------- report

machine = subprocess.run(["sh", "-c", "nproc; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2;"
                          " grep MemTotal /proc/meminfo | awk '{print $2}'"],
                         capture_output=True, text=True).stdout.split("\n")
pgver = c.value("SHOW server_version")
shared_buffers = c.value("SHOW shared_buffers")
machine = {"cores": machine[0].strip(), "cpu": machine[1].strip(), "mem_kib": machine[2].strip()}
with open(os.path.join(OUT, "results.json"), "w") as f:
    json.dump({"postgres": pgver, "machine": machine, "results": results, "dashboard": detail,
               "wall_s": time.time() - T_START}, f, indent=1)

dbs = [db for db in results]


def fmt(v, digits=1):
    if v is None or v != v:
        return "–"
    if digits == 0:
        return "{:,.0f}".format(v).replace(",", " ")
    return "%.*f" % (digits, v)


def pct(v):
    v = sorted(v)
    return v[int(0.1 * (len(v) - 1))], v[int(round(0.9 * (len(v) - 1)))]


def ratio(x, y):
    return "%.1f×" % (x / y) if y and x == x and y == y else "–"


def row(label, fn, target=""):
    return "| %s | %s | %s |" % (label, " | ".join(fn(results[db]) for db in dbs), target)


def vs(key_top, key_other, get, digits=1):
    def f(r):
        a, b = get(r, key_top), get(r, key_other)
        return "%s (%s)" % (fmt(b, digits), ratio(b, a))
    return f


def srv(r, k):
    return r["server_ms"][k]


def lnk(field):
    return lambda r, k: r["link"][k][field]


def ff(r, k):
    return r["first_frame_ms"][k]


head = ["| Measure | " + " | ".join("%s, %s" % (results[db]["shape"], results[db]["size"])
                                   for db in dbs) + " | target |",
        "|---|" + "---:|" * len(dbs) + "---|"]
rows_ = [
    row("**Server time per steady refresh (ms)**: attune-top",
        lambda r: fmt(srv(r, "steady_refresh_median"), 2), "native ≤ 10 at 10 M"),
    row("… psql, same queries one by one (× attune-top)",
        vs("steady_refresh_median", "psql_equivalent", srv)),
    row("… six-queries pattern (× attune-top)", vs("steady_refresh_median", "six_queries", srv)),
    row("… spread of attune-top's steady refreshes (10th–90th percentile)",
        lambda r: "%s–%s" % tuple(fmt(x, 2) for x in pct(r["server_ms"]["steady_all"]))),
    row("**Server time, first refresh (ms)**: attune-top", lambda r: fmt(srv(r, "full_refresh"))),
    row("… psql, same queries (first pass)", lambda r: fmt(srv(r, "psql_first"))),
    row("… six-queries pattern (first pass)", lambda r: fmt(srv(r, "six_first"))),
    row("**First complete frame, local socket (ms)**: attune-top `-b -n 1`",
        lambda r: fmt(ff(r, "top"), 0), "native ≤ 80 at 10 M"),
    row("… psql, same queries (start to exit)", lambda r: fmt(ff(r, "psql"), 0)),
    row("… six-queries pattern (start to exit)", lambda r: fmt(ff(r, "six"), 0)),
    row("**Bytes from the server per refresh**: attune-top",
        lambda r: fmt(r["link"]["top"]["down"], 0)),
    row("… psql, same queries (× attune-top)", vs("top", "psql", lnk("down"), 0)),
    row("… six-queries pattern (× attune-top)", vs("top", "six", lnk("down"), 0)),
    row("Bytes from the server, first refresh with connecting: attune-top",
        lambda r: fmt(r["link"]["top"]["first_down"], 0)),
    row("Bytes to the server per refresh: attune-top / psql / six",
        lambda r: "%s / %s / %s" % tuple(fmt(r["link"][k]["up"], 0) for k in ("top", "psql", "six"))),
    row("**Round trips per refresh (50 ms link)**: attune-top",
        lambda r: fmt(r["link"]["top"]["flights"], 2), "≤ 1.5"),
    row("… psql, same queries", lambda r: fmt(r["link"]["psql"]["flights"], 2)),
    row("… six-queries pattern", lambda r: fmt(r["link"]["six"]["flights"], 2)),
    row("Shared buffers per refresh, first / steady (attune-top)",
        lambda r: "%d / %d" % (r["plans"]["buffers_full"], r["plans"]["buffers_live"])),
    row("Sequential scans of history/event relations in its plans",
        lambda r: "%d" % r["plans"]["history_seq_scans"]),
    row("Runs behind the medians: steady refreshes / psql / six passes",
        lambda r: "%d / %d / %d" % (r["server_ms"]["steady_refreshes"], r["server_ms"]["psql_reps"],
                                    r["server_ms"]["six_reps"])),
]

scaling = ["", "Cost against history (steady server time per refresh, ms; the same 24 h range "
               "at every size):", "",
           "| Shape | client | " + " | ".join(l for l, _ in args.sizes) +
           " | largest / smallest | target |", "|---|---|" + "---:|" * len(args.sizes) + "---:|---|"]
if len(args.sizes) > 1:
    for shape in args.shapes:
        for client, key in (("attune-top", "steady_refresh_median"),
                            ("psql, same queries", "psql_equivalent"),
                            ("six-queries pattern", "six_queries")):
            v = [results["%s_%s" % (shape, l.lower())]["server_ms"][key] for l, _ in args.sizes]
            scaling.append("| %s | %s | %s | %s | %s |" % (
                SHAPE_TITLE[shape], client, " | ".join(fmt(x, 2) for x in v), ratio(v[-1], v[0]),
                "≤ 1.5×" if client == "attune-top" else ""))
else:
    scaling = []

d = detail
dash = ["", "The dashboard left running (%s, %s; 200×50 tmux at a 1 s refresh):" %
        (SHAPE_TITLE[detail_shape], detail_label), "",
        "| Measure | value | target |", "|---|---:|---|",
        "| Server CPU at 1 s refresh (%% of a core) | %.2f | ≤ 1 |" % d["server_cpu_pct"],
        "| Client CPU idle at 1 s (%% of a core) | %.3f | ≤ 0.1 |" % d["idle_cpu_pct"],
        "| Client CPU per refresh, batch (ms) | %.2f | |" % d["client_cpu_ms_batch"],
        "| Terminal bytes per refresh, nothing changed | %.0f | ≤ 200 |" % d["bytes_idle"],
        "| Terminal bytes per refresh, one series changing | %.0f | |" % d["bytes_one_series"],
        "| Peak RSS (MiB) | %.1f | ≤ 7 |" % (d["rss_peak_kib"] / 1024),
        "| First complete frame, TUI 200×50 (ms) | %.0f | ≤ 60 |" % d["first_frame_tui_ms"],
        "| First complete frame, batch, empty database of this shape (ms) | %.0f | |" %
        d["first_frame_empty_ms"]]

data = ["Data sets (30 days of history up to the start of the run, range read: the last 24 h):",
        ""]
for db in dbs:
    k = results[db]["counts"]
    extra = ""
    if "summary_hours" in k:
        extra = "; %d day leaves, %d summary hours built, %d hours dirty" % (
            k["day_leaves"], k["summary_hours"], k["dirty_hours"])
    data.append("- `%s`: %s execution_history rows (%s in the last 24 h), %d action refs, "
                "%d workers%s; generated in %.0f s" % (
                    db, fmt(k["execution_history"], 0), fmt(k["history_24h"], 0), k["actions"],
                    k["workers"], extra, results[db]["generate_s"]))
data.append("")
data.append("PostgreSQL %s (shared_buffers %s); %s cores, %s, %.0f GiB; whole run %.0f s." % (
    pgver, shared_buffers, machine["cores"], machine["cpu"], int(machine["mem_kib"] or 0) / 1048576,
    time.time() - T_START))

report = "\n".join(data + [""] + head + rows_ + scaling + dash) + "\n"
with open(os.path.join(OUT, "results.md"), "w") as f:
    f.write(report)
print(report)
stop_cluster()
