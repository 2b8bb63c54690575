#!/usr/bin/env python3
"""The attune-top benchmark: a production-sized Attune database on a
throwaway PostgreSQL, attune-top against it, and what a user would run
instead, side by side. Prints a Markdown table (and writes it, with the
query plans and raw figures, to OUT_DIR).

    bench/bench.py BUILD_DIR [--executions N] [--out OUT_DIR]

BUILD_DIR holds attune-top and tests/pgcluster (an optimised build:
`make bench` passes its own). Every figure is the median of several runs.
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

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("build")
ap.add_argument("--executions", type=int, default=2050000,
                help="executions to generate (5 history rows each)")
ap.add_argument("--out", default=None, help="where to write results (default BUILD/bench-out)")
args = ap.parse_args()
BUILD = os.path.abspath(args.build)
OUT = os.path.abspath(args.out or os.path.join(BUILD, "bench-out"))
os.makedirs(OUT, exist_ok=True)
os.environ["ATTUNE_TOP_BIN"] = os.path.join(BUILD, "attune-top")
os.environ["PGCLUSTER_BIN"] = os.path.join(BUILD, "tests", "pgcluster")
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))

from attune_test import BIN, Cluster, Tmux  # noqa: E402

RUNS = 3
RTT_MS = 50


def say(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def med(v):
    return statistics.median(v) if v else float("nan")


# ---------------------------------------------------------------- the data

say("starting PostgreSQL")
c = Cluster("--no-workload", "--conf", "shared_buffers=1GB", "--conf", "max_wal_size=8GB",
            "--conf", "checkpoint_timeout=30min")
LOG = c.info["LOGFILE"]
say("generating %d executions (%d history rows) over 30 days" %
    (args.executions, args.executions * 5))
t0 = time.time()
r = subprocess.run(["psql", "-X", "-q", "-v", "executions=%d" % args.executions,
                    "-f", os.path.join(HERE, "dataset.sql")],
                   env=c.env(), capture_output=True, text=True)
if r.returncode != 0:
    sys.exit("bench: dataset.sql failed: " + r.stderr.strip())
gen_s = time.time() - t0
counts = dict(c.psql("""
    SELECT 'execution_history', count(*) FROM attune.execution_history UNION ALL
    SELECT 'actions', count(DISTINCT action_ref) FROM attune.execution UNION ALL
    SELECT 'workers', count(*) FROM attune.worker UNION ALL
    SELECT 'executions', count(*) FROM attune.execution UNION ALL
    SELECT 'days', extract(day FROM max(time) - min(time))::int + 1 FROM attune.execution_history"""))
counts = {k: int(v) for k, v in counts.items()}
say("data set ready in %.0f s: %s" % (gen_s, counts))


def log_size():
    return os.path.getsize(LOG)


def log_since(off):
    with open(LOG, errors="replace") as f:
        f.seek(off)
        return f.read()


def top(extra, env=None, timeout=300):
    """attune-top's exit and CPU time (rusage of the child)."""
    p = subprocess.Popen([BIN] + extra, env=env or c.env(), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("bench: attune-top %s failed: %s" % (extra, p.stderr.read().decode()))
    return ru.ru_utime + ru.ru_stime


top(["-b", "-n", "2", "-r", "0.2"])  # warm the caches once

# ---------------------------------------------------------------- server time per query

LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (LOG|DETAIL):  (.*)$")
DUR = re.compile(r"duration: ([0-9.]+) ms  (parse|bind|execute|statement)( [^:]*)?: (.*)$")


def statements(text):
    """[(sql, ms, params)] in log order: parse + bind + execute of one
    extended-protocol statement add up; simple statements stand alone."""
    out, pending, last = [], 0.0, None
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        if m.group(2) == "DETAIL":
            if last in ("execute", "statement") and m.group(3).startswith("parameters:"):
                out[-1][2] = m.group(3)
            continue
        d = DUR.match(m.group(3))
        if not d:
            last = None
            continue
        ms, last, sql = float(d.group(1)), d.group(2), d.group(4)
        if last in ("parse", "bind"):
            pending += ms
        else:
            out.append([sql, ms + pending, ""])
            pending = 0.0
    return out


CLOCK = "SELECT (extract(epoch FROM now()) * 1000000)::int8"
NAMES = [
    (CLOCK, "clock"),
    ("execution_throughput_hourly", "executions per action and hour"),
    ("sum(transition_count)::int8 FROM", "status transitions per hour"),
    ("FILTER (WHERE new_status = 'completed')", "outcomes per action"),
    ("event_volume_hourly", "events per hour"),
    ("enforcement_volume_hourly", "enforcements per hour"),
    ("worker w", "workers + transitions"),
    ("FROM \"attune\".execution_history", "recent status changes"),
    ("count(*)::int8 FROM \"attune\".execution", "in-flight executions"),
]


def name_of(sql):
    if sql.strip() == CLOCK:
        return "clock"
    for needle, name in NAMES[1:]:
        if needle in sql:
            return name
    return sql[:40]


def refreshes(stmts):
    """Split the program's statements into refreshes (each starts with the
    clock query), dropping the connection set-up before the first."""
    out = []
    for s in stmts:
        if name_of(s[0]) == "clock":
            out.append([])
        if out:
            out[-1].append(s)
    return out


say("server time per query (statement log)")
off = log_size()
N_SERVER = 21
top(["-b", "-n", str(N_SERVER), "-r", "0.2"], env=c.env(PGOPTIONS="-c log_min_duration_statement=0"))
time.sleep(0.5)
stmts = statements(log_since(off))
with open(os.path.join(OUT, "statements.txt"), "w") as f:
    f.write("".join("%.3f ms  %s  [%s]\n" % (s[1], s[0], s[2]) for s in stmts))
refs = refreshes(stmts)
if len(refs) < 2:
    sys.exit("bench: no refreshes found in the server log %s" % LOG)
full_ms = sum(s[1] for s in refs[0])
steady = refs[1:]
steady_ms = [sum(s[1] for s in r) for r in steady]
per_query = {}
for r in steady:
    for s in r:
        per_query.setdefault(name_of(s[0]), []).append(s[1])
full_query = {}
for s in refs[0]:
    full_query.setdefault(name_of(s[0]), []).append(s[1])
# The statements of the first refresh with the settled range substituted:
# what one would type into psql to see the same figures.
settled_sql = {}
for s in refs[0]:
    params = dict(re.findall(r"\$(\d+) = ('(?:[^']|'')*'|NULL)", s[2]))
    if "3" in params and params["3"] != "'Infinity'":
        params["3"] = "'Infinity'"  # the settled part from the range start: now to the end
    elif "3" in params:
        continue  # the live part of a split query: covered by the line above
    sql = s[0]
    for k in sorted(params, key=len, reverse=True):
        sql = sql.replace("$" + k, params[k])
    settled_sql.setdefault(name_of(s[0]), sql)
equivalent = [settled_sql[n] for _, n in NAMES if n in settled_sql and n != "clock"]
with open(os.path.join(OUT, "equivalent.sql"), "w") as f:
    f.write(";\n".join(equivalent) + ";\n")

SIX = ["SELECT * FROM attune.%s WHERE bucket >= now() - interval '24 hours' ORDER BY bucket" % v
       for v in ("execution_status_hourly", "execution_throughput_hourly", "event_volume_hourly",
                 "worker_status_hourly", "enforcement_volume_hourly", "execution_volume_hourly")]


def psql_server_ms(sqls, reps=RUNS * 2):
    off = log_size()
    script = "".join(s + ";\n" for s in sqls) * reps
    subprocess.run(["psql", "-X", "-q", "-o", "/dev/null", "-f", "-"], input=script, text=True,
                   env=c.env(PGOPTIONS="-c log_min_duration_statement=0"), check=True)
    time.sleep(0.5)
    st = [s[1] for s in statements(log_since(off))]
    n = len(sqls)
    return med([sum(st[i:i + n]) for i in range(n, len(st) - n + 1, n)])  # first rep is warm-up


psql_ms = psql_server_ms(equivalent)
six_ms = psql_server_ms(SIX)

# ---------------------------------------------------------------- plans

say("query plans (auto_explain, ANALYZE, BUFFERS)")
off = log_size()
top(["-b", "-n", "2", "-r", "0.5"], env=c.env(PGOPTIONS=" ".join([
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
with open(os.path.join(OUT, "plans.txt"), "w") as f:
    f.write(plan_text + "\n")
seq_history = re.findall(r"Seq Scan on (execution_history|worker_history)\b", plan_text)
seq_any = sorted(set(re.findall(r"Seq Scan on (\w+)", plan_text)))


def top_buffers(p):
    for line in p:
        m = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", line)
        if m:
            return int(m.group(1)) + int(m.group(2) or 0)
    return 0


# plans of refresh 1 (full) and 2 (live), split at the clock query
split = [i for i, p in enumerate(plans) if any(l.strip().endswith(CLOCK) for l in p[:3])]
buf_full = sum(top_buffers(p) for p in plans[split[0]:split[1]]) if len(split) > 1 else 0
buf_live = sum(top_buffers(p) for p in plans[split[1]:]) if len(split) > 1 else 0

# ---------------------------------------------------------------- round trips over 50 ms

say("round trips and bytes over a %d ms link" % RTT_MS)


class Proxy:
    def __init__(self):
        self.stats = tempfile.mktemp(prefix="attune-bench-proxy-")
        self.port = 20000 + os.getpid() % 10000
        sock = "%s/.s.PGSQL.%s" % (c.info["PGHOST"], c.info["PGPORT"])
        self.p = subprocess.Popen([sys.executable, os.path.join(HERE, "delay_proxy.py"),
                                   str(self.port), sock, str(RTT_MS / 2), self.stats])
        atexit.register(self.close)
        for _ in range(100):
            if os.path.exists(self.stats) and os.path.getsize(self.stats):
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

    def conninfo(self):
        return "host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable" % (
            self.port, c.info["PGUSER"], c.info["PGDATABASE"])

    def close(self):
        if self.p.poll() is None:
            self.p.terminate()
            self.p.wait()
        if os.path.exists(self.stats):
            os.unlink(self.stats)


proxy = Proxy()


def over_link(run, n):
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


def run_top_link(k):
    top(["-b", "-n", str(k), "-r", "0.1", "-d", proxy.conninfo()])


def run_psql_link(sqls):
    def run(k):
        script = "".join(s + ";\n" for s in sqls) * k
        subprocess.run(["psql", "-X", "-q", "-o", "/dev/null", "-d", proxy.conninfo(), "-f", "-"],
                       input=script, text=True, env=c.env(), check=True)
    return run


link = {}
for label, run in (("top", run_top_link), ("psql", run_psql_link(equivalent)),
                   ("six", run_psql_link(SIX))):
    rs = [over_link(run, 10) for _ in range(RUNS)]
    link[label] = {"flights": med([r[0][0] for r in rs]), "up": med([r[0][1] for r in rs]),
                   "down": med([r[0][2] for r in rs]), "first_flights": med([r[1][0] for r in rs]),
                   "first_down": med([r[1][2] for r in rs])}
proxy.close()

# ---------------------------------------------------------------- client CPU (batch)

say("client CPU per refresh (batch mode)")
cpu_batch = []
for _ in range(RUNS):
    one = top(["-b", "-n", "1"])
    many = top(["-b", "-n", "21", "-r", "0.1"])
    cpu_batch.append((many - one) / 20 * 1000)

# ---------------------------------------------------------------- time to the first frame


def first_frame_batch(extra=()):
    t = time.monotonic()
    r = subprocess.run([BIN, "-b", "-n", "1"] + list(extra), env=c.env(), capture_output=True)
    assert r.returncode == 0 and b"TOP ACTIONS" in r.stdout, r.stderr
    return (time.monotonic() - t) * 1000


def first_frame_tui(marker=b"pack0.action_0"):
    """Start in a 200x50 pseudo-terminal; the time until the first frame
    with data (the busiest action's name) has been written."""
    t = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        env = c.env(TERM="xterm-256color", LANG="C.UTF-8")
        os.execve(BIN, [BIN, "-r", "1"], env)
    buf, got = b"", None
    while got is None and time.monotonic() - t < 30:
        r, _, _ = select.select([fd], [], [], 1)
        if r:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                break
            if marker in buf:
                got = (time.monotonic() - t) * 1000
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    return got


say("time to the first frame")
ff_batch = med([first_frame_batch() for _ in range(5)])
ff_tui = med([first_frame_tui() for _ in range(5)])
# The same on an empty Attune database: what starting, connecting and
# probing the catalog cost, without the first read of 24 h of aggregates.
subprocess.run(["psql", "-X", "-q", "-c", "CREATE DATABASE attune_empty"], env=c.env(), check=True)
empty_env = c.env(PGDATABASE="attune_empty", PGOPTIONS="-c search_path=attune")
subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE SCHEMA attune",
                "-f", os.path.join(SRC, "sql", "attune-plain.sql")], env=empty_env, check=True,
               stdout=subprocess.DEVNULL)

ff_empty = med([first_frame_batch(["-d", "attune_empty"]) for _ in range(5)])

# ---------------------------------------------------------------- the dashboard left running

say("idle cost: 200x50 tmux, 1 s refresh")


def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def vm(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


pipe_file = tempfile.mktemp(prefix="attune-bench-tty-")
tm = Tmux("%s -r 1" % BIN, 200, 50, c.env(TERM="xterm-256color", LANG="C.UTF-8"))
tm.wait_for(r"pack0\.action_0", 30)
pid = tm.pane_pid()
backend = int(c.value("SELECT pid FROM pg_stat_activity WHERE application_name = 'attune-top'"))
time.sleep(3)
tm.pipe(pipe_file)
time.sleep(1)


def windows(n, secs):
    """Per window: client CPU %, server backend CPU %, terminal bytes/s."""
    out = []
    for _ in range(n):
        a, b, z = cpu_ns(pid), cpu_ns(backend), os.path.getsize(pipe_file)
        t = time.monotonic()
        time.sleep(secs)
        dt = time.monotonic() - t
        out.append(((cpu_ns(pid) - a) / dt / 1e7, (cpu_ns(backend) - b) / dt / 1e7,
                    (os.path.getsize(pipe_file) - z) / dt))
    return out


WINDOW = 20
idle = windows(RUNS, WINDOW)

say("one series changing: events arrive every second")
stop = threading.Event()


def events():
    while not stop.is_set():
        c.psql("INSERT INTO attune.event (trigger_ref, created) SELECT 'sensor0.trigger_0', now()"
               " FROM generate_series(1, 5); REFRESH MATERIALIZED VIEW attune.event_volume_hourly")
        stop.wait(1)


th = threading.Thread(target=events)
th.start()
time.sleep(2)
busy = windows(RUNS, WINDOW // 2)
stop.set()
th.join()
rss_peak = vm(pid, "VmHWM")
rss_now = vm(pid, "VmRSS")
tm.send("q")
tm.wait_dead(10)
tm.kill()
os.unlink(pipe_file)

# ---------------------------------------------------------------- report

machine = subprocess.run(["sh", "-c", "nproc; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2;"
                          " grep MemTotal /proc/meminfo | awk '{print $2}'"],
                         capture_output=True, text=True).stdout.split("\n")
pgver = c.value("SHOW server_version")
idle_cpu = med([w[0] for w in idle])
idle_srv = med([w[1] for w in idle])
idle_bytes = med([w[2] for w in idle])
busy_bytes = med([w[2] for w in busy])
steady_med = med(steady_ms)
amortized_srv = idle_srv + full_ms / 300.0 / 10.0  # plus one full re-read every 5 min

res = {
    "counts": counts, "generate_s": gen_s, "postgres": pgver,
    "server_ms": {"full_refresh": full_ms, "steady_refresh_median": steady_med,
                  "per_query_median": {k: med(v) for k, v in per_query.items()},
                  "full_per_query": {k: sum(v) for k, v in full_query.items()},
                  "psql_equivalent": psql_ms, "six_queries": six_ms},
    "plans": {"history_seq_scans": len(seq_history), "seq_scans_on": seq_any,
              "buffers_full": buf_full, "buffers_live": buf_live},
    "link": link, "client_cpu_ms_batch": med(cpu_batch),
    "first_frame_ms": {"batch": ff_batch, "tui": ff_tui, "batch_empty_db": ff_empty},
    "tui": {"idle_cpu_pct": idle_cpu, "server_cpu_pct": idle_srv, "bytes_idle": idle_bytes,
            "bytes_one_series": busy_bytes, "busy_cpu_pct": med([w[0] for w in busy]),
            "rss_peak_kib": rss_peak, "rss_kib": rss_now, "server_cpu_amortized_pct": amortized_srv},
    "machine": {"cores": machine[0].strip(), "cpu": machine[1].strip(),
                "mem_kib": machine[2].strip()},
}
with open(os.path.join(OUT, "results.json"), "w") as f:
    json.dump(res, f, indent=1)


def ratio(x, y):
    return "%.1f×" % (x / y) if y else "–"


L = link
rows = [
    ("Round trips per refresh (50 ms link)", "%.2f" % L["top"]["flights"],
     "%.2f (%s)" % (L["psql"]["flights"], ratio(L["psql"]["flights"], L["top"]["flights"])),
     "%.2f (%s)" % (L["six"]["flights"], ratio(L["six"]["flights"], L["top"]["flights"])),
     "≤ 1.5"),
    ("Server time per refresh, steady (ms)", "%.1f" % steady_med,
     "%.1f (%s)" % (psql_ms, ratio(psql_ms, steady_med)),
     "%.1f (%s)" % (six_ms, ratio(six_ms, steady_med)), "≤ 25"),
    ("Server time, first refresh / full re-read (ms)", "%.1f" % full_ms, "", "", ""),
    ("Bytes from the server per refresh", "%.0f" % L["top"]["down"],
     "%.0f (%s)" % (L["psql"]["down"], ratio(L["psql"]["down"], L["top"]["down"])),
     "%.0f (%s)" % (L["six"]["down"], ratio(L["six"]["down"], L["top"]["down"])), ""),
    ("Bytes to the server per refresh", "%.0f" % L["top"]["up"], "%.0f" % L["psql"]["up"],
     "%.0f" % L["six"]["up"], ""),
    ("Server CPU at 1 s refresh (% of a core)", "%.2f (%.2f with the 5-min re-read)" %
     (idle_srv, amortized_srv), "", "", "≤ 1"),
    ("Client CPU idle at 1 s, 200×50 (% of a core)", "%.3f" % idle_cpu, "", "", "≤ 0.1"),
    ("Client CPU per refresh, batch (ms)", "%.2f" % med(cpu_batch), "", "", ""),
    ("Terminal bytes per refresh, nothing changed", "%.0f" % idle_bytes, "", "", "≤ 200"),
    ("Terminal bytes per refresh, one series changing", "%.0f" % busy_bytes, "", "", ""),
    ("Peak RSS (MiB)", "%.1f" % (rss_peak / 1024), "", "", "≤ 7"),
    ("First complete frame, TUI 200×50 (ms)", "%.0f" % ff_tui, "", "", "≤ 60"),
    ("First complete frame, batch (ms)", "%.0f" % ff_batch, "", "", ""),
    ("First complete frame, batch, empty database (ms)", "%.0f" % ff_empty, "", "", ""),
]
table = ["| Measure | attune-top | psql, same queries one by one | six-queries pattern | target |",
         "|---|---:|---:|---:|---|"]
table += ["| %s |" % " | ".join(r) for r in rows]
head = ("Data: %d execution_history rows over %d days, %d action refs, %d workers "
        "(PostgreSQL %s, aggregates as materialized views; generated in %.0f s). "
        "Machine: %s cores, %s, %.0f GiB. Plans: %d sequential scans of a history table "
        "(sequential scans only on: %s); shared buffers touched per refresh %d (full) / %d (steady)."
        % (counts["execution_history"], counts["days"], counts["actions"], counts["workers"], pgver,
           gen_s, res["machine"]["cores"], res["machine"]["cpu"],
           int(res["machine"]["mem_kib"] or 0) / 1048576, len(seq_history),
           ", ".join(seq_any) or "none", buf_full, buf_live))
per_q = ["", "| Query | steady (ms, median) | first refresh (ms) |", "|---|---:|---:|"]
for _, n in NAMES:
    if n in per_query or n in full_query:
        per_q.append("| %s | %.2f | %.2f |" % (n, med(per_query.get(n, [])),
                                              sum(full_query.get(n, [0]))))
report = "\n".join([head, ""] + table + per_q) + "\n"
with open(os.path.join(OUT, "results.md"), "w") as f:
    f.write(report)
print(report)
c.stop()
