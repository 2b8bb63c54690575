"""Resilience on a real terminal (tmux) against a real server: the server
stopped and started under a running dashboard, a TCP proxy killed and
restored, a server that goes silent, ACCESS EXCLUSIVE locks held by another
session, a listener that never answers, a wrong password, -W with echo off,
Ctrl-Z / fg, and SIGHUP. Bounds are generous functional bounds ("exits
within 3 s"), never performance figures."""

import atexit
import os
import re
import signal
import subprocess
import time

from attune_test import BIN, TAP, Cluster, Tmux, wait_until
from proxy import Blackhole, Proxy

t = TAP()
c = Cluster()
env = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
APP = "attune-top"


def tcp_conninfo(port, extra=""):
    return "host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable %s" % (
        port, c.info["PGUSER"], c.info["PGDATABASE"], extra)


def app_backends(state_filter=""):
    return int(c.value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s' %s"
                       % (APP, state_filter)))


def seconds(age):
    """fmt_duration text ("2.7s", "5s", "1m02s", "3h04m") back to seconds."""
    total = 0.0
    for num, unit in re.findall(r"([\d.]+)([dhms])", age):
        total += float(num) * {"d": 86400, "h": 3600, "m": 60, "s": 1}[unit]
    return total


def stale_age(screen):
    m = re.search(r"STALE ([\dhms.]+), reconnecting", screen)
    return seconds(m.group(1)) if m else None


def dashboard(args, width=160, height=50, e=None):
    return Tmux("%s %s" % (BIN, args), width, height, e or env)


def has_data(screen):
    """The overview's panels with rows from the last snapshot."""
    return ("Workers (" in screen and "Top actions (" in screen and "core.echo" in screen
            and "worker-action-01" in screen)


# ---------------------------------------------------------------- server control

class Postmaster:
    """Stop the cluster's server and start it again on the same data
    directory, socket and port, as the account that owns the data."""

    def __init__(self, cluster):
        self.c = cluster
        self.pid = int(cluster.info["POSTMASTER_PID"])
        with open("/proc/%d/cmdline" % self.pid, "rb") as f:
            self.argv = [a.decode() for a in f.read().split(b"\0")[:-1]]
        self.proc = None
        atexit.register(self.shutdown)

    def _pidfile(self):
        return os.path.join(self.c.dir, "data", "postmaster.pid")

    def stop(self):
        """Fast shutdown (what `pg_ctl stop -m fast` sends)."""
        pid = self.proc.pid if self.proc else self.pid
        os.kill(pid, signal.SIGINT)
        if self.proc:
            self.proc.wait(30)
            self.proc = None
        return wait_until(lambda: not os.path.exists(self._pidfile()), 30)

    def start(self):
        st = os.stat(os.path.join(self.c.dir, "data"))
        kw = {}
        if os.geteuid() == 0:
            kw = dict(user=st.st_uid, group=st.st_gid, extra_groups=[])
        with open(self.c.info["LOGFILE"], "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=log, cwd=self.c.dir, start_new_session=True,
                                         **kw)

        def up():
            try:
                return self.c.value("SELECT 1") == "1"
            except RuntimeError:
                return False
        return wait_until(up, 30, 0.2)

    def shutdown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------- 1. server stop / start

pm = Postmaster(c)
tm = dashboard("-r 0.5")
try:
    tm.wait_for(r"live, data")
    t.ok(has_data(tm.capture()), "server restart: dashboard shows data")
    t.ok(pm.stop(), "server restart: the server stopped (fast shutdown)")
    scr = tm.wait_for(r"STALE [\dhms.]+, reconnecting", 15)
    t.ok(has_data(scr), "server down: the last data stays on screen, marked STALE", scr)
    a1 = stale_age(scr)
    time.sleep(2.5)
    scr = tm.capture()
    a2 = stale_age(scr)
    t.ok(a1 is not None and a2 is not None and a2 >= a1 + 1.5,
         "server down: the stale age keeps counting (%s → %s)" % (a1, a2), scr)
    t.ok(re.search(r"No such file|could not connect|failed|terminat", scr.splitlines()[1])
         is not None, "server down: the header says why", scr.splitlines()[:2])
    tm.send("?")
    t.ok(tm.wait_for(r"attune-top keys", 5) is not None, "server down: keys still work")
    tm.send("Escape")
    t.ok(pm.start(), "server restart: the server is up again")
    scr = tm.wait_for(r"live, data", 30)
    t.ok(has_data(scr) and re.search(r"exec \d+", scr) is not None,
         "server back: data returns by itself, without a key press", scr)
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "server restart: q exits 0")
finally:
    tm.kill()

# ---------------------------------------------------------------- 2. TCP proxy killed and restored

px = Proxy.for_cluster(c).start()
tm = dashboard("-r 0.5 -d '%s'" % tcp_conninfo(px.port))
try:
    scr = tm.wait_for(r"live, data", 20)
    t.ok(has_data(scr), "proxy: dashboard shows data through 127.0.0.1:%d" % px.port)
    px.kill()
    scr = tm.wait_for(r"STALE [\dhms.]+, reconnecting", 15)
    t.ok(has_data(scr), "proxy killed: data stays on screen, marked STALE", scr)
    t.ok(re.search(r"lost|refused|failed|closed", scr.splitlines()[1]) is not None,
         "proxy killed: the reason is on screen", scr.splitlines()[:2])
    before = px.accepted
    time.sleep(3)
    px.start()
    scr = tm.wait_for(r"live, data", 30)
    t.ok(has_data(scr) and px.accepted > before,
         "proxy restored: the dashboard reconnects by itself", scr)

    # ---- 3. a server that goes silent mid-session (connections open, no bytes)
    px.freeze()
    tm.send("space")
    scr = tm.wait_for(r"STALE [\dhms.]+, (reconnecting|connecting)", 40)
    t.ok(has_data(scr), "silent server: detected, data kept and marked STALE", scr)
    scr = tm.wait_for(r"STALE [\dhms.]+, connecting", 15)
    t.ok(has_data(scr), "silent server: a hanging reconnect still shows the data's age",
         scr.splitlines()[0])
    px.freeze(False)
    px.kill()
    px.start()
    scr = tm.wait_for(r"live, data", 30)
    t.ok(has_data(scr), "silent server answers again: back to live")

    # q while a refresh is stuck on a silent server: still exits at once.
    px.freeze()
    tm.send("space")
    time.sleep(1)
    t0 = time.time()
    tm.send("q")
    st = tm.wait_dead(10)
    took = time.time() - t0
    t.ok(st == 0 and took < 3, "silent server: q exits within 3 s (%.1f s, status %s)"
         % (took, st), tm.capture())
finally:
    tm.kill()
    px.freeze(False)
    px.close()

# ---------------------------------------------------------------- 4. locks held by another session


class LockHolder:
    """psql holding locks in an open transaction until close()."""

    def __init__(self, tables):
        self.p = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True,
                                  env=c.env(PGAPPNAME="lock-holder"))
        sql = "BEGIN;\n" + "".join("LOCK TABLE attune.%s IN ACCESS EXCLUSIVE MODE;\n" % x
                                   for x in tables)
        self.p.stdin.write(sql)
        self.p.stdin.flush()
        self.n = len(tables)

    def held(self):
        return int(c.value(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE a.application_name = 'lock-holder' AND l.mode = 'AccessExclusiveLock'"
            " AND l.locktype = 'relation' AND l.granted")) >= self.n

    def close(self):
        self.p.stdin.close()
        self.p.wait(10)


ALL = ["execution_history", "execution", "event", "enforcement", "worker", "worker_history"]
tm = dashboard("-r 0.5")
lk = None
try:
    tm.wait_for(r"live, data")
    lk = LockHolder(ALL)
    t.ok(wait_until(lk.held, 10), "locks: another session holds ACCESS EXCLUSIVE on %d tables"
         % len(ALL))
    tm.send("space")
    waiting = wait_until(lambda: app_backends("AND wait_event_type = 'Lock'") > 0, 10)
    t.ok(waiting, "locks: the dashboard's refresh is blocked on a lock")
    tm.send("?")
    t.ok(tm.wait_for(r"attune-top keys", 3) is not None,
         "locks: the screen stays responsive (? opens help)")
    tm.send("Escape")
    # The help overlay closes at the next draw.
    wait_until(lambda: "attune-top keys" not in tm.capture(), 3)
    t.ok(has_data(tm.capture()), "locks: the last data stays on screen", tm.capture())
    t0 = time.time()
    tm.send("q")
    st = tm.wait_dead(10)
    took = time.time() - t0
    t.ok(st == 0 and took < 3, "locks: q exits within 3 s (%.1f s, status %s)" % (took, st))
    gone = wait_until(lambda: app_backends() == 0, 5)
    t.ok(gone, "locks: the blocked query was cancelled, no attune-top backend is left",
         c.psql("SELECT state, wait_event_type, left(query, 60) FROM pg_stat_activity"
                " WHERE application_name = '%s'" % APP))
finally:
    tm.kill()
    if lk:
        lk.close()

# One relation locked for longer than statement_timeout (10 s): that panel
# is marked, the others keep their data and the dashboard stays live.
if os.environ.get("ATTUNE_TEST_QUICK") != "1":
    tm = dashboard("-r 0.5")
    lk = None
    try:
        tm.wait_for(r"live, data")
        lk = LockHolder(["worker"])
        wait_until(lk.held, 10)
        scr = tm.wait_for(r"unavailable: .*(statement timeout|cancel)", 40)
        t.ok("Top actions (" in scr and "core.echo" in scr and "live, data" in scr,
             "lock past statement_timeout: the workers panel is marked, the others refresh",
             scr)
        lk.close()
        lk = None
        scr = tm.wait_for(r"worker-action-01", 30)
        t.ok("unavailable" not in scr, "lock released: the workers panel recovers", scr)
        tm.send("q")
        tm.wait_dead(5)
    finally:
        tm.kill()
        if lk:
            lk.close()

# ---------------------------------------------------------------- 5. a listener that never answers

bh = Blackhole().start()
tm = dashboard("-r 0.5 -d 'host=127.0.0.1 port=%d connect_timeout=3'" % bh.port)
try:
    scr = tm.wait_for(r"connecting", 5)
    tm.send("?")
    t.ok(tm.wait_for(r"attune-top keys", 3) is not None,
         "silent listener: the UI is live while connecting (? opens help)")
    tm.send("Escape")
    scr = tm.wait_for(r"timed out", 10)
    t.ok(re.search(r"reconnecting|connecting", scr) is not None,
         "silent listener: connect_timeout=3 gives 'timed out' and a retry", scr)
    t0 = time.time()
    tm.send("q")
    st = tm.wait_dead(10)
    t.ok(st == 0 and time.time() - t0 < 3, "silent listener: q exits at once while connecting")
finally:
    tm.kill()
    bh.close()

# ---------------------------------------------------------------- shells

def shell(base=None):
    """An interactive bash (job control) in tmux with a known prompt."""
    e = dict(base or env, PS1="PROMPT$ ", HISTFILE="/dev/null")
    sh = Tmux("bash --norc --noprofile -i", 160, 50, e)
    sh.wait_for(r"[#$] *\n", 10)
    sh.send_literal("PS1='PROMPT$ '; clear")
    sh.send("Enter")
    sh.wait_for(r"(?m)^PROMPT\$ ?$", 10)
    return sh


def flags(tm):
    """(alternate screen on, cursor visible) of the pane."""
    out = tm._tmux("display-message", "-p", "-t", "t", "#{alternate_on}:#{cursor_flag}").strip()
    a, cur = out.split(":")
    return a == "1", cur == "1"


def child_pid(sh, name="attune-top"):
    ppid = sh.pane_pid()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
            except OSError:
                continue
            comm = st[st.index("(") + 1:st.rindex(")")]
            if comm == name and int(st[st.rindex(")") + 2:].split()[1]) == ppid:
                return int(d)
    return None


_tty_n = [0]


def tty_sane(sh):
    """The shell's terminal has echo and icanon on (stty -a)."""
    _tty_n[0] += 1
    n = _tty_n[0]
    sh.send_literal("echo TTY%d: $(stty -a | tr ' ' '\\n' | grep -xE -- '-?(echo|icanon)')" % n)
    sh.send("Enter")
    scr = sh.wait_for(r"TTY%d: (-?(?:echo|icanon)) (-?(?:echo|icanon))" % n, 5)
    m = re.search(r"TTY%d: (-?(?:echo|icanon)) (-?(?:echo|icanon))" % n, scr)
    return sorted(m.groups()) == ["echo", "icanon"]


# ---------------------------------------------------------------- 6. wrong password

PW = "Right-pw-7781"
WRONG = "Wr0ng-pw-secret-4412"
c.psql("CREATE ROLE pwuser LOGIN PASSWORD '%s'; GRANT USAGE ON SCHEMA attune TO pwuser;"
       " GRANT SELECT ON ALL TABLES IN SCHEMA attune TO pwuser" % PW)
hba = os.path.join(c.dir, "data", "pg_hba.conf")
with open(hba) as f:
    orig_hba = f.read()
with open(hba, "w") as f:  # keeps the server account's ownership
    f.write("local all pwuser scram-sha-256\n" + orig_hba)
c.value("SELECT pg_reload_conf()")
time.sleep(0.5)


def auth_failures():
    with open(c.info["LOGFILE"], errors="replace") as f:
        return len(re.findall(r'password authentication failed for user "pwuser"', f.read()))


pw_env = dict(env, PGPASSWORD=WRONG)
tm = dashboard("-r 0.5 -U pwuser", 200, 50, pw_env)
try:
    scr = tm.wait_for(r"password authentication failed", 15)
    n0 = auth_failures()
    time.sleep(6)
    n1 = auth_failures()
    scr = tm.capture()
    t.ok("password authentication failed" in scr and re.search(r"reconnecting|connecting", scr),
         "wrong password: the reason is on screen, and it keeps retrying", scr)
    t.ok(n1 - n0 <= 6, "wrong password: no hot loop (%d attempts in 6 s)" % (n1 - n0))
    t.ok(n1 > n0 or n0 >= 3, "wrong password: it does retry (%d, then %d)" % (n0, n1))
    t.ok(WRONG not in scr, "wrong password: the password is never shown")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "wrong password: q exits 0")
finally:
    tm.kill()

# ---- -W: the prompt reads with echo off, and the password works
out = os.path.join(c.dir, "w-frame.txt")
e2 = dict(env)
e2.pop("PGPASSWORD", None)
sh = shell(e2)
try:
    sh.send_literal("%s -W -U pwuser -b -n 1 >%s; echo rc=$?" % (BIN, out))
    sh.send("Enter")
    sh.wait_for(r"(?m)Password: *$", 10)
    sh.send_literal(PW)
    sh.send("Enter")
    scr = sh.wait_for(r"rc=\d+", 30)
    with open(out) as f:
        frame = f.read()
    t.ok("rc=0" in scr and "=== attune-top frame" in frame, "-W: the prompted password is used",
         scr)
    t.ok(PW not in scr, "-W: the password is not echoed", scr)
    t.ok(tty_sane(sh), "-W: echo is back on after the prompt")
finally:
    sh.kill()
with open(hba, "w") as f:
    f.write(orig_hba)
c.value("SELECT pg_reload_conf()")

# ---------------------------------------------------------------- 7. Ctrl-Z / fg, SIGHUP


sh = shell()
try:
    sh.send_literal("%s -r 0.5" % BIN)
    sh.send("Enter")
    sh.wait_for(r"live, data", 20)
    t.ok(flags(sh) == (True, False), "Ctrl-Z: the dashboard owns the screen (alternate, no cursor)")
    sh.send("C-z")
    scr = sh.wait_for(r"(?m)Stopped.*\n(.*\n)?PROMPT\$ ?$", 5)
    alt, cur = flags(sh)
    t.ok(not alt and cur and "Workers (" not in scr and "─" not in scr,
         "Ctrl-Z: the shell prompt is back on a restored screen", scr)
    t.ok(tty_sane(sh), "Ctrl-Z: the terminal is back in cooked mode with echo")
    sh.send_literal("fg")
    sh.send("Enter")
    scr = sh.wait_for(r"live, data", 10)
    t.ok(has_data(scr) and flags(sh)[0], "fg: the dashboard redraws in full", scr)
    time.sleep(1.5)
    t.ok(re.search(r"live, data (0|1|0\.\d|1\.\d)s old", sh.capture()) is not None,
         "fg: refreshing resumed", sh.capture().splitlines()[0])
    sh.send("q")
    sh.wait_for(r"(?m)^PROMPT\$ ?$", 5)
    t.ok(flags(sh) == (False, True), "q after fg: screen restored")

    # ---- SIGHUP (an SSH drop) to a plain dashboard
    sh.send("C-l")
    sh.send_literal("%s -r 0.5; echo rc=$?" % BIN)
    sh.send("Enter")
    sh.wait_for(r"live, data", 20)
    pid = child_pid(sh)
    t.ok(pid is not None, "SIGHUP: found the dashboard's pid")
    if pid:
        os.kill(pid, signal.SIGHUP)
    scr = sh.wait_for(r"(?m)^rc=\d+\s*\nPROMPT\$ ?$", 5)
    t.ok("rc=129" in scr, "SIGHUP: exits with status 129", scr)
    alt, cur = flags(sh)
    t.ok(not alt and cur and "Workers (" not in scr, "SIGHUP: the screen is restored", scr)
    t.ok(tty_sane(sh), "SIGHUP: the terminal is back in cooked mode with echo")
    t.ok(wait_until(lambda: app_backends() == 0, 3), "SIGHUP: the session is closed")
finally:
    sh.kill()

t.done()
