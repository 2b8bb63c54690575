#!/usr/bin/env python3
"""Many dashboards against one server: N `attune-top -b -r 1` at a 1 s
refresh, first directly, then through Debian's PgBouncer in transaction
pooling (default_pool_size 5). Reports, per run: server CPU per dashboard
(utime + stime of every process of the server, from /proc, over the
measured window), the server connections held (client backends in
pg_stat_activity), PgBouncer's own CPU, and the refresh time each
dashboard reports in its frames (median, p95).

    bench/scale.py [BUILD_DIR] [--dashboards N] [--seconds S]

BUILD_DIR (default _build/dev) holds attune-top and tests/pgcluster; the
server is a copy of a test cluster (pg_basebackup) started with room for
the connections. Not part of `make check`."""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))


def cpu_of(pids):
    """utime + stime of pids, in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / tick


def tree(root):
    """root and its children (the postmaster's backends and workers)."""
    out = [root]
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == root:
            out.append(int(d))
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))] if xs else float("nan")


def run(label, srv, env, n, seconds, bouncer=None):
    # Frames go to files: a full pipe would stall a dashboard.
    outs = [tempfile.TemporaryFile(mode="w+") for _ in range(n)]
    procs = [subprocess.Popen([BIN, "-b", "-r", "1", "-n", str(seconds)], env=env,
                              stdout=o, stderr=subprocess.DEVNULL, text=True)
             for o in outs]
    time.sleep(5)  # everyone connected and refreshing
    window = max(5, seconds - 12)
    pids = tree(srv.proc.pid)
    c0, b0, t0 = cpu_of(pids), cpu_of([bouncer.proc.pid]) if bouncer else 0, time.time()
    held = []
    for _ in range(int(window)):
        time.sleep(1)
        held.append(int(srv.psql("SELECT count(*) - 1 FROM pg_stat_activity"
                                 " WHERE backend_type = 'client backend'")))
    pids = set(pids) | set(tree(srv.proc.pid))
    c1, b1, t1 = cpu_of(pids), cpu_of([bouncer.proc.pid]) if bouncer else 0, time.time()
    took, frames, failed = [], 0, 0
    for p, o in zip(procs, outs):
        p.wait(timeout=seconds + 120)
        failed += p.returncode != 0
        o.seek(0)
        out = o.read()
        o.close()
        for m in re.finditer(r"refresh took: ([0-9.]+)s", out):
            took.append(float(m.group(1)))
            frames += 1
    cpu = (c1 - c0) / (t1 - t0)
    per = cpu / n
    res = {
        "label": label, "dashboards": n, "frames": frames, "failed": failed,
        "server_cpu_pct": 100 * cpu, "cpu_per_dashboard_pct": 100 * per,
        "dashboards_per_core": (1 / per) if per > 0 else float("inf"),
        "connections_max": max(held), "connections_median": statistics.median(held),
        "bouncer_cpu_pct": 100 * (b1 - b0) / (t1 - t0),
        "refresh_median_ms": 1000 * statistics.median(took) if took else float("nan"),
        "refresh_p95_ms": 1000 * pct(took, 95),
    }
    print("%-22s %3d dashboards  %5d frames  %d failed  server CPU %.1f %% of a core"
          " (%.2f %% per dashboard: %.0f per core)  server connections %d (max %d)"
          "%s  refresh median %.1f ms, p95 %.1f ms" % (
              label, n, frames, failed, res["server_cpu_pct"], res["cpu_per_dashboard_pct"],
              res["dashboards_per_core"], res["connections_median"], res["connections_max"],
              "  PgBouncer CPU %.1f %%" % res["bouncer_cpu_pct"] if bouncer else "",
              res["refresh_median_ms"], res["refresh_p95_ms"]), flush=True)
    return res


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=os.path.join(HERE, "..", "_build", "dev"))
    ap.add_argument("--dashboards", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=40)
    ap.add_argument("--pool", type=int, default=5)
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    BIN = os.path.join(build, "attune-top")
    os.environ["ATTUNE_TOP_BIN"] = BIN
    os.environ["PGCLUSTER_BIN"] = os.path.join(build, "tests", "pgcluster")
    from attune_test import Cluster
    import servers

    c = Cluster()
    d = servers.owned_dir(c, "scale.")
    data = os.path.join(d, "data")
    r = servers._run(c, ["pg_basebackup", "-h", c.info["PGHOST"], "-p", c.info["PGPORT"],
                         "-U", c.info["PGUSER"], "-D", data, "-X", "stream", "-c", "fast"])
    if r.returncode != 0:
        sys.exit("scale: pg_basebackup failed: " + r.stderr)
    srv = servers.Postgres(c, data, d, int(c.info["PGPORT"]),
                           ["-c", "listen_addresses=", "-c", "max_connections=%d"
                            % (a.dashboards + 20)])
    c.stop()  # the copy is the server measured

    class Target:
        info = dict(c.info, PGHOST=d)
        dir = d

        def env(self, **extra):
            return c.env(**dict({"PGHOST": d}, **extra))
    tgt = Target()
    print("server: PostgreSQL %s, %d CPUs on this machine" % (
        srv.psql("SHOW server_version"), os.cpu_count()))
    run("direct", srv, tgt.env(LANG="C.UTF-8"), a.dashboards, a.seconds)
    b = servers.PgBouncer(tgt, pool_mode="transaction", pool_size=a.pool)
    run("pgbouncer transaction", srv, b.env(LANG="C.UTF-8"), a.dashboards, a.seconds, b)


if __name__ == "__main__":
    main()
