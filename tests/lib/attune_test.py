"""Test harness: TAP output, a throwaway PostgreSQL (tests/pgcluster, the
same code as --demo), psql oracles, the program in batch mode, and a private
tmux server for terminal tests. Standard library only."""

import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

BIN = os.environ.get("ATTUNE_TOP_BIN", "attune-top")
PGCLUSTER = os.environ.get("PGCLUSTER_BIN", "pgcluster")
SRCDIR = os.environ.get("ATTUNE_SRCDIR", ".")

# The program reads $XDG_CONFIG_HOME/attune-top/config (else ~/.config/...):
# the developer's own defaults must not change what a test sees. Below
# /dev/null no file can exist; tests/db/config.py sets its own.
os.environ["XDG_CONFIG_HOME"] = "/dev/null"


# ---------------------------------------------------------------- TAP

class TAP:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print(("ok" if cond else "not ok") + " %d - %s" % (self.n, desc))
        if not cond and diag is not None:
            for line in str(diag).splitlines()[:40]:
                print("#   " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, desc):
        return self.ok(got == want, desc, "got:  %r\nwant: %r" % (got, want))

    def diag(self, msg):
        for line in str(msg).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def skip_all(self, reason):
        print("1..0 # SKIP " + reason)
        sys.exit(0)

    def done(self):
        print("1..%d" % self.n)
        sys.stdout.flush()
        sys.exit(1 if self.failed else 0)


# ---------------------------------------------------------------- cluster

class Cluster:
    """A private PostgreSQL on a Unix socket, with Attune's schema loaded."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([PGCLUSTER] + list(args), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.info = {}
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                err = self.proc.stderr.read()
                raise RuntimeError("pgcluster failed: " + err.strip())
            line = line.strip()
            if line == "READY":
                break
            if "=" in line:
                k, v = line.split("=", 1)
                self.info[k] = v
        atexit.register(self.stop)

    @property
    def dir(self):
        return self.info["CLUSTER_DIR"]

    def env(self, **extra):
        e = dict(os.environ)
        for k in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE"):
            e[k] = self.info[k]
        for k in ("PGSERVICE", "PGOPTIONS", "ATTUNE__DATABASE__URL",
                  "ATTUNE__DATABASE__SCHEMA", "PGTZ", "PGDATESTYLE"):
            e.pop(k, None)
        e.update(extra)
        return e

    def conninfo(self):
        return "host=%s port=%s user=%s dbname=%s" % (
            self.info["PGHOST"], self.info["PGPORT"], self.info["PGUSER"],
            self.info["PGDATABASE"])

    def psql(self, sql, tz="UTC"):
        """Rows of a query as lists of strings (NULL as None)."""
        env = self.env() if tz is None else self.env(PGTZ=tz)
        r = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                            "-F", "\x1f", "-R", "\x1e", "-P", "null=\x01", "-c", sql],
                           env=env, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError("psql failed: %s\n%s" % (r.stderr.strip(), sql))
        out = r.stdout
        if out.endswith("\n"):
            out = out[:-1]
        rows = []
        for rec in out.split("\x1e"):
            if rec == "":
                continue
            rows.append([None if f == "\x01" else f for f in rec.split("\x1f")])
        return rows

    def value(self, sql):
        rows = self.psql(sql)
        return rows[0][0] if rows else None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = self.proc if self.proc is None else self.proc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def private_dir(prefix):
    """A new directory in $TMPDIR, removed with its contents when the test
    ends, whether it passes, fails or raises."""
    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, True)
    return d


def run_top(args, env=None, timeout=60, stdin=subprocess.DEVNULL):
    return subprocess.run([BIN] + list(args), env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=stdin)


# ---------------------------------------------------------------- batch frames

def parse_frames(text):
    """Split batch output into frames: dict of section name -> list of lines."""
    frames = []
    cur = None
    section = None
    for line in text.splitlines():
        if line.startswith("=== attune-top frame "):
            cur = {"_title": line, "HEADER": []}
            frames.append(cur)
            section = "HEADER"
            continue
        if cur is None:
            continue
        m = re.match(r"^(THROUGHPUT|STATUS BREAKDOWN|TOP ACTIONS|WORKERS|RECENT FAILURES|RECENT STATUS CHANGES)\b(.*)$", line)
        if m:
            section = m.group(1)
            cur[section] = []
            cur[section + ":title"] = m.group(2).strip()
            continue
        if line.strip() == "":
            continue
        cur[section].append(line)
    return frames


def text_section(out, head):
    """The lines after the first line of `out` that starts with `head`, up to
    the next blank line ([] when there is no such line): one section of a
    timeline's batch output."""
    lines = out.splitlines()
    i = next((k for k, l in enumerate(lines) if l.startswith(head)), None)
    if i is None:
        return []
    body = []
    for l in lines[i + 1:]:
        if not l.strip():
            break
        body.append(l)
    return body


def header_totals(frame):
    for line in frame["HEADER"]:
        if line.startswith("totals:"):
            nums = dict(re.findall(r"(executions|events|enforcements) (\d+)", line))
            return {k: int(v) for k, v in nums.items()}
    return {}


def header_inflight(frame):
    for line in frame["HEADER"]:
        if line.startswith("in flight:"):
            parts = line[len("in flight:"):].split()
            total = int(parts[0])
            per = {parts[i]: int(parts[i + 1]) for i in range(1, len(parts) - 1, 2)}
            return total, per
    return None, {}


def table_rows(frame, section, ncols):
    """Rows of a batch table: the first ncols-1 whitespace-separated fields,
    then the rest of the line (free text printed last)."""
    lines = frame.get(section, [])
    out = []
    for line in lines[1:]:
        if line.startswith("("):
            continue
        parts = line.split(None, ncols - 1)
        if len(parts) == ncols:
            out.append(parts)
    return out


# ---------------------------------------------------------------- tmux

class Tmux:
    """A private tmux server (tmux -L) running one command in a window. Its
    socket, configuration and default export directory live in one private
    directory that kill() removes, so nothing of it stays in $TMPDIR."""

    def __init__(self, cmd, width=120, height=40, env=None):
        if not shutil.which("tmux"):
            raise RuntimeError("tmux not installed")
        self.sock = "attune-test-%d-%s" % (os.getpid(), uuid.uuid4().hex[:8])
        self.dir = tempfile.mkdtemp(prefix="attune-tmux-")
        atexit.register(self.kill)
        self.env = dict(env or os.environ)
        self.env.pop("TMUX", None)
        self.env.setdefault("TERM", "xterm-256color")
        # tmux puts its socket in $TMUX_TMPDIR/tmux-UID/.
        self.env["TMUX_TMPDIR"] = self.dir
        # 'e' writes CSV files: never into the build directory.
        if "ATTUNE_TOP_EXPORT_DIR" not in self.env:
            self.env["ATTUNE_TOP_EXPORT_DIR"] = os.path.join(self.dir, "export")
            os.mkdir(self.env["ATTUNE_TOP_EXPORT_DIR"])
        # remain-on-exit keeps the pane so the exit status can be read; set
        # in the config so that it holds from the first instant.
        conf = os.path.join(self.dir, "tmux.conf")
        with open(conf, "w") as f:
            f.write("set -g remain-on-exit on\nset -g status off\n")
        # exec: the pane's process is the program itself, not a shell.
        self._tmux("-f", conf, "new-session", "-d", "-x", str(width), "-y",
                   str(height), "-s", "t", "exec " + cmd)

    def _tmux(self, *args, check=True):
        r = subprocess.run(["tmux", "-L", self.sock] + list(args), env=self.env,
                           capture_output=True, text=True, timeout=30)
        if check and r.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout

    def send(self, *keys):
        self._tmux("send-keys", "-t", "t", *keys)

    def send_literal(self, text):
        self._tmux("send-keys", "-t", "t", "-l", text)

    def capture(self, escapes=False):
        args = ["capture-pane", "-p", "-t", "t"]
        if escapes:
            args.append("-e")
        return self._tmux(*args)

    def wait_for(self, pattern, timeout=20, escapes=False):
        """Wait until the screen matches a regex; returns the screen."""
        deadline = time.time() + timeout
        screen = ""
        while time.time() < deadline:
            screen = self.capture(escapes)
            if re.search(pattern, screen):
                return screen
            time.sleep(0.1)
        raise TimeoutError("screen never matched %r; last screen:\n%s" % (pattern, screen))

    def pipe(self, path):
        """Append what the program writes to the terminal to path from now
        on; None stops it."""
        if path:
            self._tmux("pipe-pane", "-t", "t", "-o", "cat >> " + path)
        else:
            self._tmux("pipe-pane", "-t", "t")

    def resize(self, width, height):
        self._tmux("resize-window", "-t", "t", "-x", str(width), "-y", str(height))

    def pane_pid(self):
        return int(self._tmux("display-message", "-p", "-t", "t", "#{pane_pid}").strip())

    def pane_dead(self):
        """None while running; the exit status, or 128+N after signal N."""
        out = self._tmux("display-message", "-p", "-t", "t",
                         "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}",
                         check=False).strip()
        parts = out.split(":")
        if len(parts) == 3 and parts[0] == "1":
            if parts[1]:
                return int(parts[1])
            if parts[2]:
                return 128 + int(parts[2])
            return -1
        return None

    def wait_dead(self, timeout=10):
        """The exit status once the pane's process has ended and been
        reaped (the pty may close a moment earlier); None if still running."""
        deadline = time.time() + timeout
        st = None
        while time.time() < deadline:
            st = self.pane_dead()
            if st is not None and st != -1:
                return st
            if st == -1:
                # The pty closed but the server has not reaped the process:
                # a child of its own exiting makes it collect every zombie.
                self._tmux("run-shell", "true", check=False)
            time.sleep(0.1)
        return st

    def kill(self):
        if not os.path.isdir(self.dir):
            return
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], capture_output=True,
                       env=self.env, timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def human_bytes(v):
    """Bytes as the storage view shows them ("12.3 MiB")."""
    v = int(v)
    units = ["B", "KiB", "MiB", "GiB", "TiB"]
    d, u = float(v), 0
    while d >= 1024 and u < 4:
        d /= 1024
        u += 1
    return "%d B" % v if u == 0 else "%.1f %s" % (d, units[u])


def asan_build():
    """True when the program was built with AddressSanitizer (its shadow
    memory and quarantine make RSS figures meaningless)."""
    r = subprocess.run(["nm", "-D", BIN], capture_output=True, text=True)
    return "__asan_init" in r.stdout or "__asan" in subprocess.run(
        ["ldd", BIN], capture_output=True, text=True).stdout


def wait_until(cond, timeout, step=0.1):
    """cond()'s first true value within timeout seconds, polled every step;
    else its value at the end."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return cond()


def processes_matching(pattern):
    """PIDs whose command line contains pattern (for leftover checks)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if pattern in cmd:
            pids.append(int(d))
    return pids
