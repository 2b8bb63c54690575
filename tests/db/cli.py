"""Command line: version, help, usage errors (exit 2, one line), runtime
failures (exit 1, one line). No database needed."""

import os
import tempfile

from attune_test import TAP, run_top

t = TAP()
env = dict(os.environ, LANG="C.UTF-8")
for k in ("ATTUNE__DATABASE__URL", "PGHOST", "PGPORT", "PGDATABASE", "PGSERVICE"):
    env.pop(k, None)

r = run_top(["--version"], env=env)
t.ok(r.returncode == 0 and r.stdout.startswith("attune-top "), "--version", r)

r = run_top(["--help"], env=env)
t.eq(r.returncode, 0, "--help exits 0")
for opt in ["--dbname", "--host", "--port", "--username", "--password", "--schema",
            "--refresh", "--range", "--filter", "--entity", "--batch", "--iterations",
            "--export", "--output", "--force", "--csv-raw", "--demo", "--ascii",
            "--no-color", "--version", "--help", "-?"]:
    t.ok(opt in r.stdout, "--help documents " + opt)
r2 = run_top(["-?"], env=env)
t.eq(r2.stdout, r.stdout, "-? is --help")

usage_cases = [
    (["--bogus"], "unknown option '--bogus'"),
    (["-x"], "unknown option"),
    (["--range=0h"], "invalid range '0h'"),
    (["--range=6x"], "invalid range"),
    (["-R", "1y"], "invalid range"),
    (["--refresh=0"], "invalid refresh"),
    (["--refresh=abc"], "invalid refresh"),
    (["-n", "0"], "invalid iteration"),
    (["--entity=execution:abc"], "invalid entity"),
    (["--entity=job:1"], "invalid entity"),
    (["--entity=worker:"], "invalid entity"),
    (["--export=nope"], "unknown export name 'nope'"),
    (["--export=execution_history"], "needs --entity"),
    (["-o", "x.csv"], "need --export"),
    (["--demo", "-h", "localhost"], "cannot be combined"),
    (["a", "b"], "unexpected argument 'b'"),
    (["--range"], "needs a value"),
]
for args, msg in usage_cases:
    r = run_top(args, env=env)
    lines = r.stderr.splitlines()
    t.ok(r.returncode == 2 and len(lines) == 1 and msg in lines[0] and "usage:" in lines[0]
         and r.stdout == "", "usage error %s → exit 2, one line" % " ".join(args),
         "rc=%d stderr=%r stdout=%r" % (r.returncode, r.stderr, r.stdout))

# A socket directory with no server: runtime failure, exit 1, one line.
with tempfile.TemporaryDirectory() as d:
    r = run_top(["-b", "-n", "1", "-h", d, "-p", "5999", "-U", "x", "-d", "x"], env=env)
    lines = r.stderr.splitlines()
    t.ok(r.returncode == 1 and len(lines) == 1 and lines[0].startswith("attune-top: "),
         "no server → exit 1 with one line", "rc=%d stderr=%r" % (r.returncode, r.stderr))
    # The same through ATTUNE__DATABASE__URL (used when -d is absent).
    e2 = dict(env, ATTUNE__DATABASE__URL="postgresql:///x?host=%s&port=5998" % d)
    r = run_top(["-b", "-n", "1"], env=e2)
    t.ok(r.returncode == 1 and "5998" in r.stderr, "ATTUNE__DATABASE__URL is used",
         r.stderr)
    # -d wins over ATTUNE__DATABASE__URL.
    r = run_top(["-b", "-n", "1", "-d", "host=%s port=5997 dbname=x" % d], env=e2)
    t.ok(r.returncode == 1 and "5997" in r.stderr and "5998" not in r.stderr,
         "-d overrides ATTUNE__DATABASE__URL", r.stderr)

t.done()
