"""The zsh completion (completions/_attune-top) in a real interactive zsh
in a private tmux server: options, --export names, --range examples,
--entity prefixes, files after -o, service names after service=. Skips
visibly without zsh or tmux."""

import os
import re
import shutil
import tempfile
import time

from attune_test import BIN, SRCDIR, TAP, Tmux

t = TAP()
for tool in ("zsh", "tmux"):
    if not shutil.which(tool):
        t.skip_all("%s not installed" % tool)

home = tempfile.mkdtemp(prefix="attune-zsh-")
try:
    fn = os.path.join(home, "fn")
    os.mkdir(fn)
    shutil.copy(os.path.join(SRCDIR, "completions", "_attune-top"), fn)
    with open(os.path.join(home, ".pg_service.conf"), "w") as f:
        f.write("# services\n[prod]\nhost=db\n[staging]\n")
    os.mkdir(os.path.join(home, "out"))
    open(os.path.join(home, "out", "status.csv"), "w").close()
    with open(os.path.join(home, ".zshrc"), "w") as f:
        f.write("fpath=(%s $fpath)\n"
                "autoload -U compinit && compinit -u -d %s/.zcompdump\n"
                "PS1='%%%% '\n"
                "path=(%s $path)\n" % (fn, home, os.path.dirname(os.path.abspath(BIN))))
    env = dict(os.environ, HOME=home, ZDOTDIR=home, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    for k in ("PGSERVICEFILE", "PGSYSCONFDIR"):
        env.pop(k, None)
    tm = Tmux("zsh -i", 150, 30, env)
    try:
        tm.wait_for(r"(?m)^%", 15)

        def complete(line, want, what):
            tm.send("C-u")
            tm.send_literal(line)
            tm.send("Tab")
            want = "(?m)" + want
            try:
                scr = tm.wait_for(want, 5)
            except TimeoutError as ex:
                scr = str(ex)
            t.ok(re.search(want, scr), what, scr[-1200:])

        complete("attune-top --exp", r"^% attune-top --export=$", "--exp → --export=")
        complete("attune-top --export=", "(?s)" + "".join("(?=.*\\b%s\\b)" % n for n in (
                     "execution_status_hourly", "execution_throughput_hourly",
                     "event_volume_hourly", "worker_status_hourly", "enforcement_volume_hourly",
                     "execution_volume_hourly", "workers", "storage", "execution_history",
                     "worker_history")),
                 "--export= lists the export names")
        complete("attune-top --export=worker_s", r"^% attune-top --export=worker_status_hourly",
                 "--export=worker_s → worker_status_hourly")
        complete("attune-top -R ", r"7d", "-R lists range examples")
        complete("attune-top --entity=w", r"^% attune-top --entity=worker:$",
                 "--entity=w → worker:")
        complete("attune-top service=", r"prod\s+staging", "service= lists the services")
        complete("attune-top -d service=st", r"^% attune-top -d service=staging",
                 "-d service=st → staging")
        complete("attune-top --export=workers -o ~/out/st",
                 r"^% attune-top --export=workers -o ~/out/status\.csv",
                 "-o completes file names")
        tm.send("C-u")
        tm.send_literal("exit")
        tm.send("Enter")
    finally:
        tm.kill()
finally:
    shutil.rmtree(home, ignore_errors=True)
t.done()
