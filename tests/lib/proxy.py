"""Network faults for the resilience tests, on 127.0.0.1 (ports below 32768):

Proxy     a TCP proxy to the test cluster's Unix socket that a test can kill
          (every connection drops at once, new ones are refused) and restore
          on the same port; or freeze (connections stay open, nothing is
          forwarded: a server that went silent).
Blackhole a listener that accepts connections and never answers.

Threads and the standard library only."""

import errno
import random
import socket
import threading


def _listen(port=None):
    """A listening socket on 127.0.0.1: `port`, else a free one in 20000..32767."""
    for _ in range(200):
        p = port or random.randint(20000, 32767)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", p))
        except OSError as e:
            s.close()
            if e.errno == errno.EADDRINUSE and port is None:
                continue
            raise
        s.listen(64)
        s.settimeout(0.1)
        return s, p
    raise RuntimeError("no free port on 127.0.0.1")


def _drop(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class _Listener:
    def __init__(self, port=None):
        self.port = port
        self.accepted = 0
        self._lock = threading.Lock()
        self._socks = []
        self._lsock = None
        self._thread = None
        self._stop = False

    def start(self):
        self._lsock, self.port = _listen(self.port)
        self._stop = False
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()
        return self

    def _accept_loop(self):
        lsock = self._lsock
        while not self._stop:
            try:
                conn, _ = lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            conn.settimeout(None)
            with self._lock:
                self.accepted += 1
                if self._stop:
                    _drop(conn)
                    break
                self._socks.append(conn)
            self.on_accept(conn)
        _drop(lsock)

    def on_accept(self, conn):
        pass

    def kill(self):
        """Stop listening and drop every connection."""
        self._stop = True
        if self._thread:
            self._thread.join(5)
            self._thread = None
        with self._lock:
            socks, self._socks = self._socks, []
        for s in socks:
            _drop(s)

    def close(self):
        self.kill()


class Blackhole(_Listener):
    """Accepts and holds connections, never reads or writes a byte."""


class Proxy(_Listener):
    """127.0.0.1:port → the Unix socket at `unix_path`."""

    def __init__(self, unix_path, port=None):
        super().__init__(port)
        self.unix_path = unix_path
        self.frozen = False

    @classmethod
    def for_cluster(cls, cluster, port=None):
        return cls("%s/.s.PGSQL.%s" % (cluster.info["PGHOST"], cluster.info["PGPORT"]), port)

    def freeze(self, on=True):
        """Keep connections open but forward nothing (a silent server)."""
        self.frozen = on

    def on_accept(self, conn):
        up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            up.connect(self.unix_path)
        except OSError:
            _drop(up)
            _drop(conn)
            return
        with self._lock:
            self._socks.append(up)
        for a, b in ((conn, up), (up, conn)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                while self.frozen and not self._stop:
                    threading.Event().wait(0.05)
                dst.sendall(data)
        except OSError:
            pass
        _drop(src)
        _drop(dst)
