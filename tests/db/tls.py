"""TLS with sslmode=verify-full against a server with its own CA (made with
the openssl CLI, a certificate for 127.0.0.1): attune-top connects and its
frame is whole; a wrong CA or a wrong host name fails with one line on
stderr and exit 1."""

import shutil

from attune_test import TAP, Cluster, run_top, parse_frames
from servers import tls_server

t = TAP()
if not shutil.which("openssl"):
    t.skip_all("openssl is not installed (scripts/deps.sh --test)")
c = Cluster()
srv, certs = tls_server(c, "127.0.0.1")
env = c.env(LANG="C.UTF-8")
for k in ("PGHOST", "PGPORT"):
    env.pop(k)


def conninfo(host, ca, extra=""):
    return ("host=%s port=%d user=%s dbname=%s sslmode=verify-full sslrootcert=%s "
            "connect_timeout=10%s" % (host, srv.port, c.info["PGUSER"], c.info["PGDATABASE"],
                                      certs[ca], extra))


r = run_top(["-b", "-n", "1", conninfo("127.0.0.1", "ca.crt")], env=env)
fr = parse_frames(r.stdout)
t.ok(r.returncode == 0 and len(fr) == 1 and any(l.startswith("totals:") for l in fr[0]["HEADER"]),
     "verify-full with the server's CA: connects, one whole frame", r.stderr)
r = run_top(["--export=execution_status_hourly", "-o", "-", conninfo("127.0.0.1", "ca.crt")],
            env=env)
t.ok(r.returncode == 0 and r.stdout.count("\n") >= 1, "an export over verify-full", r.stderr)

for label, info in (("a wrong CA", conninfo("127.0.0.1", "other.crt")),
                    ("a wrong host name", conninfo("localhost", "ca.crt",
                                                   " hostaddr=127.0.0.1"))):
    for mode in (["-b", "-n", "1"], ["--export=execution_status_hourly", "-o", "-"]):
        r = run_top(mode + [info], env=env)
        lines = r.stderr.splitlines()
        t.ok(r.returncode == 1 and len(lines) == 1 and r.stdout == "",
             "%s, %s: exit 1 with one line" % (label, mode[0]),
             "rc=%d stderr=%r" % (r.returncode, r.stderr))
        t.ok(lines and ("certificate" in lines[0] or "verify" in lines[0]),
             "%s, %s: the line says why" % (label, mode[0]), r.stderr)
t.done()
