"""--export failure paths and guarantees: an existing file is never replaced
without --force; symlinks, directories and unwritable directories are
refused; usage errors write nothing; a lost connection, a failing query or
a fatal signal mid-export leave no file and no temporary file; a progress
line on a terminal; the session only ever sends SELECTs; the dashboard's
export_panel() (tests/exportpanel); valgrind-clean."""

import glob
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

from attune_test import BIN, PGCLUSTER, TAP, Cluster, run_top
import csv_oracle as co

t = TAP()
c = Cluster("--log-statement", "all", "--conf", "log_line_prefix = '%a| '")
ENV = c.env(LANG="C.UTF-8")
EXPORTPANEL = os.path.join(os.path.dirname(PGCLUSTER) or ".", "exportpanel")
root = tempfile.TemporaryDirectory()
BIG_ID = 777777
BIG_ROWS = 300000


def fresh_dir():
    return tempfile.mkdtemp(dir=root.name)


def listing(d):
    return sorted(os.listdir(d))


def temporaries(d):
    return glob.glob(os.path.join(d, ".attune-top-*"))


def one_line(r, rc, needle, label):
    lines = r.stderr.splitlines()
    return t.ok(r.returncode == rc and len(lines) == 1 and lines[0].startswith("attune-top: ")
                and needle in lines[0], label,
                "rc=%d stderr=%r" % (r.returncode, r.stderr))


def export(args, path):
    return run_top(["--export=event_volume_hourly", "-R", "7d", "-o", path] + args, env=ENV)


def export_stdout():
    return subprocess.run([BIN, "--export=event_volume_hourly", "-R", "7d"], env=ENV,
                          capture_output=True, timeout=120).stdout


reference = export_stdout()
t.ok(len(reference) > 1000, "reference export to standard output")


def is_reference(data):
    """The reference, or (when an hour boundary moved the 7 d window since
    it was taken) an export made now."""
    return data == reference or data == export_stdout()


# ---------------------------------------------------------------- existing files
d = fresh_dir()
target = os.path.join(d, "out.csv")
with open(target, "w") as f:
    f.write("precious\n")
os.chmod(target, 0o640)
r = export([], target)
one_line(r, 1, "exists", "existing file without --force: exit 1, one line")
with open(target) as f:
    t.eq(f.read(), "precious\n", "  file untouched")
t.eq(listing(d), ["out.csv"], "  nothing else written")
r = export(["--force"], target)
with open(target, "rb") as f:
    t.ok(r.returncode == 0 and is_reference(f.read()), "--force replaces it with the export",
         r.stderr)
t.eq(os.stat(target).st_mode & 0o777, 0o640, "  keeping its permissions")
t.eq(listing(d), ["out.csv"], "  no temporary file left")

d = fresh_dir()
r = export([], os.path.join(d, "new.csv"))
with open(os.path.join(d, "new.csv"), "rb") as f:
    t.ok(r.returncode == 0 and r.stderr == "" and is_reference(f.read()),
         "new file: exit 0, quiet, same bytes as standard output")
r = export([], os.path.join(d, "./new.csv"))
one_line(r, 1, "exists", "the same file through another path: refused")

# ---------------------------------------------------------------- refused targets
d = fresh_dir()
victim = os.path.join(d, "victim.txt")
with open(victim, "w") as f:
    f.write("keep\n")
os.symlink(victim, os.path.join(d, "link.csv"))
for extra in ([], ["--force"]):
    r = export(extra, os.path.join(d, "link.csv"))
    one_line(r, 1, "symbolic link", "symlink target %s: refused" % " ".join(extra))
with open(victim) as f:
    t.eq(f.read(), "keep\n", "  the link's target untouched")
os.symlink(os.path.join(d, "nowhere.csv"), os.path.join(d, "dangling.csv"))
r = export(["--force"], os.path.join(d, "dangling.csv"))
one_line(r, 1, "symbolic link", "dangling symlink: refused")
t.ok(not os.path.exists(os.path.join(d, "nowhere.csv")), "  nothing created through it")
os.mkdir(os.path.join(d, "sub"))
r = export(["--force"], os.path.join(d, "sub"))
one_line(r, 1, "is a directory", "directory target: refused")
t.eq(listing(d), ["dangling.csv", "link.csv", "sub", "victim.txt"], "  nothing written")
t.eq(listing(os.path.join(d, "sub")), [], "  nothing written inside it")

# ---------------------------------------------------------------- unwritable
if os.geteuid() == 0:
    # root ignores permission bits; /proc refuses new files to everyone.
    r = export([], "/proc/attune-top-export.csv")
    one_line(r, 1, "cannot create", "unwritable directory (/proc, as root): exit 1")
    t.ok(not os.path.exists("/proc/attune-top-export.csv"), "  nothing written")
else:
    d = fresh_dir()
    os.chmod(d, 0o555)
    r = export([], os.path.join(d, "x.csv"))
    one_line(r, 1, "cannot create", "unwritable directory: exit 1")
    t.eq(listing(d), [], "  nothing written")
    os.chmod(d, 0o755)
r = export([], os.path.join(root.name, "no", "such", "x.csv"))
one_line(r, 1, "cannot open directory", "missing directory: exit 1")

# ---------------------------------------------------------------- usage errors
d = fresh_dir()
for args, needle in ((["--export=nope"], "unknown export name 'nope'"),
                     (["--export=execution_history"], "needs --entity"),
                     (["--export=worker_history", "--entity=execution:1"], "does not match"),
                     (["--export=workers", "--range=0h"], "invalid range")):
    r = run_top(args + ["-o", os.path.join(d, "x.csv")], env=ENV)
    lines = r.stderr.splitlines()
    t.ok(r.returncode == 2 and len(lines) == 1 and needle in lines[0] and r.stdout == "",
         "usage error %s: exit 2, one line" % " ".join(args), r.stderr)
t.eq(listing(d), [], "usage errors write nothing")

# ---------------------------------------------------------------- runtime errors
d = fresh_dir()
with tempfile.TemporaryDirectory() as nosock:
    r = run_top(["--export=workers", "-h", nosock, "-p", "5999", "-o",
                 os.path.join(d, "x.csv")], env=ENV)
one_line(r, 1, "", "no server: exit 1, one line")
c.psql("CREATE SCHEMA old; CREATE VIEW old.execution_status_hourly AS"
       " SELECT * FROM attune.execution_status_hourly;"
       " CREATE VIEW old.worker AS SELECT * FROM attune.worker")
r = run_top(["--schema=old", "--export=execution_volume_hourly", "-o",
             os.path.join(d, "x.csv")], env=ENV)
one_line(r, 1, "old.execution_volume_hourly does not exist", "missing relation: exit 1")
r = run_top(["--schema=nosuch", "--export=workers", "-o", os.path.join(d, "x.csv")], env=ENV)
one_line(r, 1, 'schema "nosuch" does not exist', "missing schema: exit 1")
t.eq(listing(d), [], "runtime errors write nothing")
a = subprocess.run([BIN, "--export=execution_status_hourly"], env=ENV, capture_output=True)
b = subprocess.run([BIN, "--schema=old", "--export=execution_status_hourly"], env=ENV,
                   capture_output=True)
t.ok(a.returncode == 0 and a.stdout == b.stdout and len(a.stdout) > 1000,
     "--schema picks the relations' schema")
r = subprocess.run([BIN, "--schema=old", "--export=workers"], env=ENV, capture_output=True)
rows = [line.split(b",")[-1] for line in r.stdout.split(b"\r\n")[1:] if line]
t.ok(r.returncode == 0 and rows and all(x == b"" for x in rows),
     "workers without worker_status_hourly: status_transitions empty (unknown, not 0)",
     r.stdout[:300])

# ---------------------------------------------------------------- mid-export failures
c.psql("INSERT INTO attune.execution_history (time, operation, entity_id, entity_ref,"
       " changed_fields, old_values, new_values)"
       " SELECT now() - interval '2 days' + g * interval '1 ms' * 300, 'UPDATE', %d,"
       " 'big.action', '{status}', jsonb_build_object('status', 'running', 'n', g),"
       " jsonb_build_object('status', 'completed', 'note', 'row ' || g || ', done: ok')"
       " FROM generate_series(1, %d) g" % (BIG_ID, BIG_ROWS))
BIG = ["--export=execution_history", "--entity=execution:%d" % BIG_ID, "-R", "3d"]


def terminate_when(cond, proc, timeout=60):
    """Poll until cond() holds, then terminate attune-top's backend.
    Returns (terminated, how far the export had got)."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        got = cond()
        if got:
            n = c.value("SELECT count(*) FROM (SELECT pg_terminate_backend(pid)"
                        " FROM pg_stat_activity WHERE application_name = 'attune-top') x")
            return int(n) > 0, got
        time.sleep(0.005)
    return False, None


def temp_size(d):
    sizes = [os.path.getsize(p) for p in temporaries(d) if os.path.exists(p)]
    return max(sizes) if sizes and max(sizes) > 512 * 1024 else 0


d = fresh_dir()
out = os.path.join(d, "big.csv")
p = subprocess.Popen([BIN] + BIG + ["-o", out], env=ENV, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
done, size = terminate_when(lambda: temp_size(d), p)
_, err = p.communicate(timeout=60)
t.ok(done, "dropped connection: backend terminated mid-export (%s bytes written)" % size)
lines = err.splitlines()
t.ok(p.returncode == 1 and len(lines) == 1 and lines[0].startswith("attune-top: "),
     "dropped connection: exit 1, one line", "rc=%s stderr=%r" % (p.returncode, err))
t.eq(listing(d), [], "dropped connection: no file, no temporary file")

# The same to standard output: exit 1 (nothing to clean up).
p = subprocess.Popen([BIN] + BIG, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
first = p.stdout.read(1 << 20)
done, _ = terminate_when(lambda: True, p)
p.stdout.read()
err = p.stderr.read().decode()
p.wait(timeout=60)
t.ok(done and len(first) == 1 << 20 and p.returncode == 1 and len(err.splitlines()) == 1,
     "dropped connection on standard output: exit 1, one line",
     "done=%s rc=%s stderr=%r" % (done, p.returncode, err))

# A fatal signal mid-export removes the temporary file.
d = fresh_dir()
p = subprocess.Popen([BIN] + BIG + ["-o", os.path.join(d, "big.csv")], env=ENV,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
deadline = time.time() + 60
while time.time() < deadline and p.poll() is None and not temp_size(d):
    time.sleep(0.005)
p.send_signal(signal.SIGTERM)
p.communicate(timeout=60)
t.ok(p.returncode == -signal.SIGTERM, "SIGTERM mid-export ends the program by that signal",
     p.returncode)
t.eq(listing(d), [], "SIGTERM mid-export: no file, no temporary file")

# A complete big export: bounded memory is measured in the closing note;
# here the row count and the order.
d = fresh_dir()
out = os.path.join(d, "big.csv")
master, slave = pty.openpty()
start = time.time()
p = subprocess.Popen([BIN] + BIG + ["-o", out], env=ENV, stdout=subprocess.PIPE,
                     stderr=slave)
os.close(slave)
tty = b""
while True:
    rl, _, _ = select.select([master], [], [], 0.1)
    if rl:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            break
        tty += chunk
    elif p.poll() is not None:
        break
p.wait(timeout=120)
os.close(master)
elapsed = time.time() - start
t.ok(p.returncode == 0, "big export: exit 0", tty)
rows = co.parse_csv(out)
t.eq(len(rows), BIG_ROWS + 1, "big export: every row")
t.ok(all(rows[i][0] <= rows[i + 1][0] for i in range(1, len(rows) - 1)),
     "big export: ordered by time")
text = tty.decode(errors="replace")
if elapsed > 1.5:
    t.ok(re.search(r"\rattune-top: \d+ rows written", text) and text.endswith("\r"),
         "progress line on a terminal, cleared at the end (%.1f s)" % elapsed, repr(text[-200:]))
else:
    t.ok(True, "# SKIP export took %.1f s, too fast for a progress line" % elapsed)
t.ok(not re.search(r"[^\r ]", re.sub(r"\rattune-top: \d+ rows written", "", text)),
     "nothing else on the terminal", repr(text[:200]))

# ---------------------------------------------------------------- read-only
with open(c.info["LOGFILE"], encoding="utf-8", errors="replace") as f:
    log = f.read()
stmts = re.findall(r"^attune-top\| LOG:  (?:statement|execute [^:]*): (.*)$", log, re.M)
# Every statement is a SELECT inside a read-only transaction: BEGIN ... READ
# ONLY first, a savepoint each query goes back to, COMMIT.
CONTROL = ("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "SAVEPOINT attune_top",
           "ROLLBACK TO SAVEPOINT attune_top", "COMMIT")
t.ok(len(stmts) > 20 and all(s.lstrip().upper().startswith("SELECT") or s in CONTROL
                             for s in stmts),
     "the export session sends only SELECTs and transaction control (%d statements)" % len(stmts),
     [s for s in stmts if not s.lstrip().upper().startswith("SELECT") and s not in CONTROL][:5])
inside, outside = False, []
for s in stmts:
    if s == CONTROL[0]:
        inside = True
    elif s == "COMMIT":
        inside = False
    elif not inside:
        outside.append(s)
t.ok(stmts and stmts[0] == CONTROL[0] and not outside,
     "and runs every statement in a read-only transaction, like the dashboard", outside[:3])

# ---------------------------------------------------------------- export_panel
# --export just before and just after: an hour boundary may pass between the
# two (the 7 d window moves), but not both before and after export_panel runs.
d = fresh_dir()
before = export_stdout()
r = subprocess.run([EXPORTPANEL, "event_volume_hourly", "168", "-", "-", "-"],
                   env=dict(ENV, ATTUNE_TOP_EXPORT_DIR=d), capture_output=True, text=True)
after = export_stdout()
m = re.match(r"rc=0 rows=(\d+) path=(.*)$", r.stdout.strip())
t.ok(m and re.fullmatch(re.escape(d) + r"/attune-top-event_volume_hourly-\d{8}T\d{6}Z\.csv",
                        m.group(2)),
     "export_panel: attune-top-NAME-YYYYmmddTHHMMSSZ.csv in $ATTUNE_TOP_EXPORT_DIR", r)
if m:
    with open(m.group(2), "rb") as f:
        data = f.read()
    t.ok(len(data) > 1000 and data in (before, after), "export_panel: same bytes as --export")
    t.eq(int(m.group(1)), len(co.parse_csv(m.group(2))) - 1, "export_panel: row count")
t.eq(len(listing(d)), 1, "export_panel: one file, no temporary")
d2 = fresh_dir()
r = subprocess.run([EXPORTPANEL, "worker_history", "168", "worker-flaky-07", "worker:7", d2],
                   env=ENV, capture_output=True, text=True)
m = re.match(r"rc=0 rows=(\d+) path=(.*)$", r.stdout.strip())
t.ok(m and os.path.dirname(m.group(2)) == d2 and int(m.group(1)) > 100,
     "export_panel: explicit directory, entity and filter", r)
r = subprocess.run([EXPORTPANEL, "workers", "24", "-", "-", "/proc"], env=ENV,
                   capture_output=True, text=True)
t.ok(r.returncode == 1 and "err=cannot create" in r.stdout and r.stderr == "",
     "export_panel: failure reported in err, nothing printed", r)
r = subprocess.run([EXPORTPANEL, "nope", "24", "-", "-", d], env=ENV, capture_output=True,
                   text=True)
t.ok(r.returncode == 1 and "unknown export name" in r.stdout, "export_panel: unknown name", r)

# ---------------------------------------------------------------- valgrind
probe = subprocess.run(["ldd", BIN], capture_output=True, text=True).stdout
if shutil.which("valgrind") and "asan" not in probe:
    d = fresh_dir()
    for args in (["--export=workers", "-f", 'edge-"west",東京-01', "-o",
                  os.path.join(d, "w.csv")],
                 ["--export=worker_history", "--entity=worker:9", "-R", "7d"],
                 ["--export=execution_status_hourly", "-o", os.path.join(d, "s.csv")]):
        r = subprocess.run(["valgrind", "--error-exitcode=99", "--leak-check=full",
                            "--errors-for-leak-kinds=definite", "-q", BIN] + args, env=ENV,
                           capture_output=True, text=True, timeout=300)
        t.ok(r.returncode == 0 and "Invalid" not in r.stderr
             and "definitely lost" not in r.stderr,
             "valgrind clean: %s (exit %d)" % (" ".join(args[:2]), r.returncode),
             r.stderr[-2000:])
else:
    t.ok(True, "# SKIP valgrind unavailable or AddressSanitizer build")
t.done()
