"""The configuration file ($XDG_CONFIG_HOME/attune-top/config, else
~/.config/attune-top/config) against a real database: its defaults reach a
batch frame, the command line and the environment win over it, a bad value
is a usage error naming the file and line, an unknown key only warns, and
--no-config skips it. Every run gets a private HOME and XDG_CONFIG_HOME."""

import os
import re
import shutil
import tempfile

from attune_test import BIN, TAP, Cluster, Tmux, parse_frames, run_top

t = TAP()
c = Cluster()
home = tempfile.mkdtemp(prefix="attune-config-")
xdg = os.path.join(home, "xdg")
conf_dir = os.path.join(xdg, "attune-top")
conf = os.path.join(conf_dir, "config")
os.makedirs(conf_dir)
env = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=home, XDG_CONFIG_HOME=xdg)
env.pop("NO_COLOR", None)


def write(text, path=conf):
    with open(path, "w") as f:
        f.write(text)


def frame(args, e=None):
    r = run_top(["-b", "-n", "1"] + args, env=e or env)
    frames = parse_frames(r.stdout)
    return r, (frames[0] if frames else None)


def range_of(fr):
    """The header's range label and start (UTC text) of a batch frame."""
    for line in fr["HEADER"] if fr else []:
        m = re.match(r"range: (\S+) \((\d+) buckets from (\S+)\)", line)
        if m:
            return m.group(1), int(m.group(2)), m.group(3)
    return None, None, None


def want_start(hours):
    return c.value("SELECT to_char(date_trunc('hour', now() - interval '%d hours'),"
                   " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" % hours)


try:
    # ---- no file: the built-in 24h
    r, fr = frame([])
    t.ok(r.returncode == 0 and range_of(fr)[0] == "24h", "no file: built-in range 24h",
         r.stderr)
    t.eq(r.stderr, "", "no file: nothing on stderr")

    # ---- range = 7d: the frame covers 7 days
    write("# operator defaults\nrange = 7d   # a week\n")
    r, fr = frame([])
    label, nb, start = range_of(fr)
    t.ok(r.returncode == 0 and label == "7d", "range = 7d in the file: frame range 7d",
         "rc=%d label=%r stderr=%r" % (r.returncode, label, r.stderr))
    t.ok(nb in (169, 170) and start in (want_start(168), want_start(169)),
         "the frame's buckets start 7 d back (%s buckets from %s)" % (nb, start))

    r, fr = frame(["-R", "6h"])
    t.ok(r.returncode == 0 and range_of(fr)[0] == "6h", "-R 6h overrides the file", r.stderr)
    r, fr = frame(["--no-config"])
    t.ok(r.returncode == 0 and range_of(fr)[0] == "24h", "--no-config skips the file",
         r.stderr)

    # ---- ~/.config when XDG_CONFIG_HOME is unset
    e = dict(env)
    del e["XDG_CONFIG_HOME"]
    os.makedirs(os.path.join(home, ".config", "attune-top"))
    write("range = 2d\n", os.path.join(home, ".config", "attune-top", "config"))
    r, fr = frame([], e)
    t.ok(r.returncode == 0 and range_of(fr)[0] == "2d",
         "without XDG_CONFIG_HOME: ~/.config/attune-top/config", r.stderr)

    # ---- bad values: exit 2, one line naming the file and the line
    for text, line, what in [("range = 0h\n", 1, "invalid range '0h'"),
                             ("range = 7d\n\nrefresh = 0\n", 3, "invalid refresh interval"),
                             ("sort = fastest\n", 1, "invalid sort"),
                             ("ascii = perhaps\n", 1, "invalid ascii"),
                             ("range 7d\n", 1, "expected 'key = value'"),
                             ("colours = 256\nrange = 0h\n", 2, "invalid range '0h'")]:
        write(text)
        r = run_top(["-b", "-n", "1"], env=env)
        lines = r.stderr.splitlines()
        t.ok(r.returncode == 2 and len(lines) == 1 and conf in lines[0]
             and ("line %d" % line) in lines[0] and what in lines[0] and r.stdout == "",
             "%r: exit 2, one line naming %s, line %d" % (text.strip(), "the file", line),
             "rc=%d stderr=%r" % (r.returncode, r.stderr))
    write("range = 0h\n")
    r, fr = frame(["--no-config"])
    t.ok(r.returncode == 0 and range_of(fr)[0] == "24h", "--no-config: a bad file is not read",
         r.stderr)
    r = run_top(["--version"], env=env)
    t.ok(r.returncode == 0 and r.stderr == "", "--version does not read the file", r.stderr)

    # ---- an unknown key warns once and the rest applies
    write("colours = 256\nrange = 12h\n")
    r, fr = frame([])
    lines = r.stderr.splitlines()
    t.ok(r.returncode == 0 and range_of(fr)[0] == "12h", "unknown key: the rest applies",
         r.stderr)
    t.ok(len(lines) == 1 and "warning" in lines[0] and "unknown key 'colours'" in lines[0]
         and conf in lines[0] and "line 1" in lines[0],
         "unknown key: one warning line naming the file and line", r.stderr)

    # ---- sort, ascii, schema
    write("sort = name\nascii = yes\n")
    r, fr = frame([])
    title = fr.get("TOP ACTIONS:title", "") if fr else ""
    t.ok(r.returncode == 0 and "sort: name" in title, "sort = name: top actions by name",
         "title=%r stderr=%r" % (title, r.stderr))
    spark = "".join(fr.get("THROUGHPUT", [])) if fr else ""
    t.ok(spark != "" and not re.search("[\u2581-\u2588]", spark),
         "ascii = yes: no block characters in a UTF-8 locale", spark[:400])

    write("schema = no_such_schema\n")
    r = run_top(["-b", "-n", "1"], env=env)
    t.ok(r.returncode == 1 and "no_such_schema" in r.stderr, "schema from the file is used",
         "rc=%d stderr=%r" % (r.returncode, r.stderr))
    r, fr = frame([], dict(env, ATTUNE__DATABASE__SCHEMA="attune"))
    t.ok(r.returncode == 0 and fr is not None, "ATTUNE__DATABASE__SCHEMA wins over the file",
         r.stderr)
    r, fr = frame(["--schema=attune"])
    t.ok(r.returncode == 0 and fr is not None, "--schema wins over the file", r.stderr)

    # ---- export-dir: where 'e' writes, unless ATTUNE_TOP_EXPORT_DIR says otherwise
    def export_key(e):
        tm = Tmux("%s -r 30" % BIN, 200, 50, e)
        try:
            tm.wait_for(r"Workers \(\d+\)", 15)
            tm.send("Tab")  # the worker panel
            tm.send("e")
            m = re.search(r"exported \d+ rows to (\S+\.csv)",
                          tm.wait_for(r"exported \d+ rows to \S+\.csv", 20))
            tm.send("q")
            tm.wait_dead(5)
            return m.group(1)
        except Exception as ex:  # a timeout: report, do not crash the file
            t.diag(ex)
            return None
        finally:
            tm.kill()

    if shutil.which("tmux"):
        file_dir, env_dir = os.path.join(home, "from-file"), os.path.join(home, "from-env")
        os.mkdir(file_dir)
        os.mkdir(env_dir)
        write("export-dir = '%s'\n" % file_dir)
        path = export_key(dict(env, ATTUNE_TOP_EXPORT_DIR=""))
        t.ok(path and os.path.dirname(path) == file_dir and os.path.exists(path),
             "export-dir: 'e' writes into the file's directory", path)
        path = export_key(dict(env, ATTUNE_TOP_EXPORT_DIR=env_dir))
        t.ok(path and os.path.dirname(path) == env_dir and os.path.exists(path),
             "ATTUNE_TOP_EXPORT_DIR wins over export-dir", path)
    else:
        t.ok(True, "# SKIP tmux not installed")

    # ---- utc = yes: a timeline opens in UTC (curses only)
    wid = c.value("SELECT id FROM attune.worker ORDER BY id LIMIT 1")
    write("utc = yes\n")
    if shutil.which("tmux"):
        tm = Tmux("%s -r 30 --entity worker:%s" % (BIN, wid), 160, 45, env)
        try:
            scr = tm.wait_for(r"TIME \(UTC\)", 15)
            t.ok("TIME (UTC)" in scr, "utc = yes: the timeline starts in UTC")
            tm.send("q")
            tm.wait_dead(5)
        except Exception as ex:  # a timeout: report, do not crash the file
            t.ok(False, "utc = yes: the timeline starts in UTC", ex)
        finally:
            tm.kill()
    else:
        t.ok(True, "# SKIP tmux not installed")
finally:
    shutil.rmtree(home, ignore_errors=True)
    c.stop()
t.done()
