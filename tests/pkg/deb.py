"""The Debian package, as an operator gets it: `dpkg-buildpackage -us -uc -b`
on the tracked files only (what a clean clone has), lintian with no error,
the contents (binary, man page, SQL files, completion), the dependencies
(libpq5, libcsv3, libncursesw6 from shlibs; PostgreSQL only suggested), and
the built package unpacked into a scratch root (`dpkg -x`): its
--version, a batch frame against a test server, its completion.

Not part of `make check` (it builds the whole tree again, about a minute):
scripts/check.sh runs it after distcheck, or `make check
TESTS=tests/pkg/deb.py`. Skips visibly without dpkg-buildpackage or dh."""

import os
import re
import shutil
import subprocess
import tempfile

from attune_test import SRCDIR, TAP, Cluster, parse_frames

t = TAP()
for tool in ("dpkg-buildpackage", "dh", "dpkg-deb"):
    if not shutil.which(tool):
        t.skip_all("%s not installed (Debian: dpkg-dev, debhelper)" % tool)

src = os.path.abspath(SRCDIR)
with open(os.path.join(src, "configure.ac")) as f:
    version = re.search(r"AC_INIT\(\[attune-top\], \[([^]]+)\]", f.read()).group(1)
with open(os.path.join(src, "debian", "changelog")) as f:
    deb_version = re.match(r"attune-top \(([^)]+)\)", f.readline()).group(1)
t.eq(deb_version, version, "debian/changelog has configure.ac's version")
arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                      text=True).stdout.strip()

work = tempfile.mkdtemp(prefix="attune-deb-")
tree = os.path.join(work, "attune-top-%s" % version)
try:
    # ---- a clean tree: the tracked files (with their working-tree contents)
    if shutil.which("git") and subprocess.run(
            ["git", "-C", src, "rev-parse", "--is-inside-work-tree"],
            capture_output=True).returncode == 0:
        files = subprocess.run(["git", "-C", src, "ls-files", "-z"], capture_output=True,
                               check=True).stdout.split(b"\0")
        how = "tracked files"
    else:  # a release tarball or an exported tree: all of it is source
        files = None
        how = "the unpacked tarball"
    if files is not None:
        os.mkdir(tree)
        for rel in filter(None, (p.decode() for p in files)):
            s = os.path.join(src, rel)
            if not os.path.lexists(s):
                continue  # deleted in the working tree
            d = os.path.join(tree, rel)
            os.makedirs(os.path.dirname(d), exist_ok=True)
            shutil.copy2(s, d, follow_symlinks=False)
    else:
        shutil.copytree(src, tree, symlinks=True,
                        ignore=shutil.ignore_patterns("_build*", "node_modules"))
        subprocess.run(["chmod", "-R", "u+w", tree], check=True)

    # ---- build; nothing of an outer make (flags, jobserver) leaks in
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "GNUMAKEFLAGS")}
    env["DEB_BUILD_OPTIONS"] = "parallel=%d" % (os.cpu_count() or 1)
    env.setdefault("LC_ALL", "C.UTF-8")
    # lintian leaves its ELF caches (mldbm-elf-*) in $TMPDIR: keep them in work.
    env["TMPDIR"] = os.path.join(work, "tmp")
    os.mkdir(env["TMPDIR"])
    r = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree, env=env,
                       capture_output=True, text=True, timeout=900)
    deb = os.path.join(work, "attune-top_%s_%s.deb" % (version, arch))
    t.ok(r.returncode == 0 and os.path.exists(deb),
         "dpkg-buildpackage -us -uc -b on %s builds %s" % (how, os.path.basename(deb)),
         (r.stdout + r.stderr)[-3000:])
    if not os.path.exists(deb):
        t.done()

    # ---- lintian
    changes = os.path.join(work, "attune-top_%s_%s.changes" % (version, arch))
    if shutil.which("lintian"):
        r = subprocess.run(["lintian", "--pedantic", "-I", changes], capture_output=True,
                           text=True, timeout=600, env=env)
        tags = [ln for ln in r.stdout.splitlines() if re.match(r"^[EWIPX]: ", ln)]
        errors = [ln for ln in tags if ln.startswith("E: ")]
        t.ok(r.returncode == 0 and not errors, "lintian: no errors (%d tags)" % len(tags),
             r.stdout + r.stderr)
        for ln in tags:
            t.diag("lintian " + ln)
    else:
        print("ok %d - lintian # SKIP lintian not installed" % (t.n + 1))
        t.n += 1

    # ---- contents and relations
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True,
                             check=True).stdout
    paths = {ln.split()[-1].lstrip(".") for ln in listing.splitlines()}
    for p in ["/usr/bin/attune-top", "/usr/share/man/man1/attune-top.1.gz",
              "/usr/share/attune-top/attune-plain.sql",
              "/usr/share/attune-top/attune-timescale.sql",
              "/usr/share/attune-top/attune-native.sql",
              "/usr/share/attune-top/demo-workload.sql",
              "/usr/share/bash-completion/completions/attune-top",
              "/usr/share/zsh/vendor-completions/_attune-top",
              "/usr/share/doc/attune-top/copyright"]:
        t.ok(p in paths, "the package holds " + p, listing)

    def field(name):
        return subprocess.run(["dpkg-deb", "-f", deb, name], capture_output=True,
                              text=True).stdout.strip()
    depends = field("Depends")
    for lib in ("libpq5", "libcsv3", "libncursesw6"):
        t.ok(re.search(r"(^|, )%s\b" % lib, depends), "Depends: %s (from shlibs)" % lib,
             depends)
    t.ok("postgresql" not in depends, "no PostgreSQL server in Depends", depends)
    t.ok(re.search(r"\bpostgresql\b", field("Suggests")), "Suggests: postgresql (for --demo)",
         field("Suggests"))

    # ---- unpacked into a scratch root
    root = os.path.join(work, "root")
    subprocess.run(["dpkg", "-x", deb, root], check=True)
    binary = os.path.join(root, "usr/bin/attune-top")
    r = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    t.eq((r.returncode, r.stdout), (0, "attune-top %s\n" % version),
         "the packaged binary: --version")
    for name in ("attune-plain.sql", "attune-timescale.sql", "attune-native.sql",
                 "demo-workload.sql"):
        with open(os.path.join(root, "usr/share/attune-top", name), "rb") as a, \
                open(os.path.join(src, "sql", name), "rb") as b:
            t.ok(a.read() == b.read(), "packaged %s is the source's" % name)

    c = Cluster()
    try:
        e = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8")
        r = subprocess.run([binary, "-b", "-n", "1", "-R", "6h"], env=e, capture_output=True,
                           text=True, timeout=120)
        frames = parse_frames(r.stdout)
        t.ok(r.returncode == 0 and len(frames) == 1 and frames[0].get("WORKERS")
             and any(ln.startswith("range: 6h") for ln in frames[0]["HEADER"]),
             "the packaged binary: a batch frame from the test server",
             "rc=%d stderr=%r\n%s" % (r.returncode, r.stderr, r.stdout[:1500]))
    finally:
        c.stop()

    # ---- --demo without the (suggested) server packages says what to install:
    # as root, hide /usr/lib/postgresql in a private mount namespace.
    empty = os.path.join(work, "empty")
    os.mkdir(empty)
    if os.geteuid() == 0 and shutil.which("unshare") and os.path.isdir("/usr/lib/postgresql"):
        r = subprocess.run(
            ["unshare", "-m", "sh", "-c",
             'mount --bind "$1" /usr/lib/postgresql && exec "$2" --demo -b -n 1',
             "sh", empty, binary],
            env=dict(os.environ, PATH="/usr/bin:/bin"), capture_output=True, text=True,
            timeout=60)
        lines = r.stderr.splitlines()
        # unshare or mount refusing (in a container, or a chroot whose / is
        # no mount point) is no verdict on the program.
        if r.returncode != 0 and r.stderr.startswith(("unshare:", "mount:")):
            print("ok %d - --demo without a server # SKIP no mount namespace: %s"
                  % (t.n + 1, r.stderr.strip()[:100]))
            t.n += 1
        else:
            t.ok(r.returncode == 1 and len(lines) == 1
                 and "install the Debian package postgresql" in lines[0],
                 "--demo without the PostgreSQL server says which package to install",
                 "rc=%d stderr=%r" % (r.returncode, r.stderr))
    else:
        print("ok %d - --demo without a server # SKIP needs root and unshare" % (t.n + 1))
        t.n += 1

    # ---- the packaged completion, through the completion test
    test = os.path.join(src, "tests", "completion", "bash.sh")
    r = subprocess.run(["bash", test], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, ATTUNE_TOP_BIN=binary,
                                COMPLETION=os.path.join(
                                    root, "usr/share/bash-completion/completions/attune-top"),
                                ZSH_COMPLETION=os.path.join(
                                    root, "usr/share/zsh/vendor-completions/_attune-top")))
    skipped = r.stdout.startswith("1..0 # SKIP")
    t.ok(r.returncode == 0 and ("not ok" not in r.stdout),
         "the packaged completion passes tests/completion/bash.sh"
         + (" # SKIP bash-completion not installed" if skipped else ""), r.stdout[-2000:])
finally:
    shutil.rmtree(work, ignore_errors=True)
t.done()
