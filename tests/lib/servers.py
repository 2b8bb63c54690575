"""Servers beside the test cluster, with real parts: Debian's PgBouncer in
front of it, a streaming standby of it (pg_basebackup -R over its Unix
socket), a PostgreSQL with TLS on 127.0.0.1. Each runs as the account that
owns the cluster (the cluster runs as postgres or nobody when the suite is
root), in a private directory removed at exit."""

import atexit
import glob
import os
import shutil
import signal
import subprocess
import time

from attune_test import private_dir
from proxy import _listen


def _owner(path):
    st = os.stat(path)
    return st.st_uid, st.st_gid


def _as(uid, gid):
    """preexec_fn running the child as uid/gid (nothing to do when already)."""
    if os.geteuid() != 0 or uid == 0:
        return None

    def drop():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    return drop


def owned_dir(c, prefix):
    """A private directory owned by the cluster's account."""
    d = private_dir(prefix)
    uid, gid = _owner(c.dir)
    if os.geteuid() == 0:
        os.chown(d, uid, gid)
    os.chmod(d, 0o700)
    return d


def free_port():
    """A free TCP port on 127.0.0.1 below 32768."""
    s, p = _listen()
    s.close()
    return p


def bindir():
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "postgres")):
            return d
    raise RuntimeError("no PostgreSQL server binaries")


def _run(c, argv, **kw):
    uid, gid = _owner(c.dir)
    return subprocess.run(argv, preexec_fn=_as(uid, gid), capture_output=True, text=True,
                          timeout=180, **kw)


def _wait_socket(path, proc, what, log=None):
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(path):
            return
        if proc.poll() is not None:
            tail = open(log).read()[-2000:] if log and os.path.exists(log) else ""
            raise RuntimeError("%s exited: %s" % (what, tail))
        time.sleep(0.05)
    raise RuntimeError("%s did not start" % what)


class _Proc:
    def __init__(self, c, argv, ready, what, log=None):
        uid, gid = _owner(c.dir)
        self.proc = subprocess.Popen(argv, preexec_fn=_as(uid, gid),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(self.stop)
        _wait_socket(ready, self.proc, what, log)

    def stop(self, sig=signal.SIGINT):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class PgBouncer(_Proc):
    """PgBouncer on a private Unix socket in front of cluster c."""

    PORT = 6432

    def __init__(self, c, pool_mode="transaction", pool_size=1, port=None):
        self.dir = owned_dir(c, "pgbouncer.")
        self.log = os.path.join(self.dir, "pgbouncer.log")
        user = c.info["PGUSER"]
        conf = os.path.join(self.dir, "pgbouncer.ini")
        with open(os.path.join(self.dir, "users.txt"), "w") as f:
            f.write('"%s" ""\n' % user)
        self.port = port or self.PORT
        with open(conf, "w") as f:
            f.write("[databases]\n%s = host=%s port=%s dbname=%s user=%s\n"
                    "[pgbouncer]\nlisten_addr =\nunix_socket_dir = %s\nlisten_port = %d\n"
                    "auth_type = trust\nauth_file = %s/users.txt\npool_mode = %s\n"
                    "default_pool_size = %d\nmin_pool_size = 0\nreserve_pool_size = 0\n"
                    "max_client_conn = 200\nmax_db_connections = %d\n"
                    "logfile = %s\nadmin_users = %s\nserver_check_delay = 0\n"
                    % (c.info["PGDATABASE"], c.info["PGHOST"], c.info["PGPORT"],
                       c.info["PGDATABASE"], user, self.dir, self.port, self.dir, pool_mode,
                       pool_size, pool_size, self.log, user))
        uid, gid = _owner(c.dir)
        if os.geteuid() == 0:
            for n in ("pgbouncer.ini", "users.txt"):
                os.chown(os.path.join(self.dir, n), uid, gid)
        super().__init__(c, ["pgbouncer", "-q", conf],
                         os.path.join(self.dir, ".s.PGSQL.%d" % self.port), "pgbouncer",
                         self.log)
        self.cluster = c

    def env(self, **extra):
        return self.cluster.env(PGHOST=self.dir, PGPORT=str(self.port), **extra)

    def psql(self, sql):
        r = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-c", sql], env=self.env(),
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("psql through pgbouncer failed: " + r.stderr.strip())
        return r.stdout.strip()


class Postgres(_Proc):
    """A postgres server on data directory `data`, its socket in `sockdir`."""

    def __init__(self, c, data, sockdir, port, extra=()):
        self.data, self.sockdir, self.port = data, sockdir, port
        self.log = os.path.join(sockdir, "server.log")
        argv = [os.path.join(bindir(), "postgres"), "-D", data,
                "-c", "unix_socket_directories=" + sockdir, "-c", "port=%d" % port,
                "-c", "fsync=off", "-c", "logging_collector=off",
                "-c", "log_timezone=UTC"] + list(extra)
        uid, gid = _owner(c.dir)
        logf = open(self.log, "a")
        if os.geteuid() == 0:
            os.chown(self.log, uid, gid)
        self.proc = subprocess.Popen(argv, preexec_fn=_as(uid, gid), stdout=logf,
                                     stderr=subprocess.STDOUT)
        logf.close()
        atexit.register(self.stop)
        _wait_socket(os.path.join(sockdir, ".s.PGSQL.%d" % port), self.proc, "postgres",
                     self.log)
        self.cluster = c
        self.wait_ready()

    def env(self, **extra):
        return self.cluster.env(PGHOST=self.sockdir, PGPORT=str(self.port), **extra)

    def wait_ready(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            r = subprocess.run(["pg_isready", "-q"], env=self.env())
            if r.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def psql(self, sql):
        r = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           env=self.env(), capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("psql failed: " + r.stderr.strip())
        return r.stdout.strip()

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()


def standby(c, extra=()):
    """A streaming hot standby of cluster c: pg_basebackup -R over its Unix
    socket into a new data directory, started on a private socket."""
    d = owned_dir(c, "standby.")
    data = os.path.join(d, "data")
    r = _run(c, ["pg_basebackup", "-h", c.info["PGHOST"], "-p", c.info["PGPORT"],
                 "-U", c.info["PGUSER"], "-D", data, "-R", "-X", "stream", "-c", "fast"])
    if r.returncode != 0:
        raise RuntimeError("pg_basebackup failed: " + r.stderr.strip())
    return Postgres(c, data, d, int(c.info["PGPORT"]),
                    ["-c", "hot_standby=on", "-c", "log_statement=all",
                     "-c", "listen_addresses="] + list(extra))


def tls_certs(d, host):
    """A CA, and a server certificate it signs for `host` (CN and SAN); a
    second CA that signed nothing. Returns a dict of paths."""
    p = {k: os.path.join(d, k) for k in ("ca.key", "ca.crt", "other.key", "other.crt",
                                         "server.key", "server.csr", "server.crt", "ext")}

    def ossl(*args):
        r = subprocess.run(["openssl"] + list(args), capture_output=True, text=True,
                           timeout=120)
        if r.returncode != 0:
            raise RuntimeError("openssl failed: " + r.stderr.strip())

    for ca, cn in (("ca", "attune-top test CA"), ("other", "another CA")):
        ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", p[ca + ".key"], "-out", p[ca + ".crt"], "-subj", "/CN=" + cn)
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p["server.key"],
         "-out", p["server.csr"], "-subj", "/CN=" + host)
    with open(p["ext"], "w") as f:
        f.write("subjectAltName = IP:%s\n" % host if host[0].isdigit()
                else "subjectAltName = DNS:%s\n" % host)
    ossl("x509", "-req", "-in", p["server.csr"], "-CA", p["ca.crt"], "-CAkey", p["ca.key"],
         "-CAcreateserial", "-days", "2", "-out", p["server.crt"], "-extfile", p["ext"])
    return p


def tls_server(c, host="127.0.0.1"):
    """A copy of cluster c's data (pg_basebackup, promoted by not being a
    standby) serving TLS on host:port over TCP. Returns (server, certs)."""
    d = owned_dir(c, "tls.")
    data = os.path.join(d, "data")
    r = _run(c, ["pg_basebackup", "-h", c.info["PGHOST"], "-p", c.info["PGPORT"],
                 "-U", c.info["PGUSER"], "-D", data, "-X", "stream", "-c", "fast"])
    if r.returncode != 0:
        raise RuntimeError("pg_basebackup failed: " + r.stderr.strip())
    certs = tls_certs(d, host)
    uid, gid = _owner(c.dir)
    for k in ("server.key", "server.crt"):
        if os.geteuid() == 0:
            os.chown(certs[k], uid, gid)
        os.chmod(certs[k], 0o600)
    with open(os.path.join(data, "pg_hba.conf"), "a") as f:
        f.write("hostssl all all 127.0.0.1/32 trust\n")
    port = free_port()
    srv = Postgres(c, data, d, port,
                   ["-c", "listen_addresses=" + host, "-c", "ssl=on",
                    "-c", "ssl_cert_file=" + certs["server.crt"],
                    "-c", "ssl_key_file=" + certs["server.key"]])
    return srv, certs


def rmtree_owned(d):
    shutil.rmtree(d, True)
