"""Batch mode under valgrind: no invalid access, no definite leak."""

import os
import shutil
import subprocess

from attune_test import BIN, TAP, Cluster, asan_build

t = TAP()
if not shutil.which("valgrind"):
    t.skip_all("valgrind is not installed")
if asan_build():
    t.skip_all("this build uses AddressSanitizer, which valgrind cannot run "
               "(the sanitizer itself checks memory in this build)")
c = Cluster()
for args in (["-b", "-n", "2", "-r", "0.2"], ["-b", "-n", "1", "-R", "7d", "-f", "core.echo"],
             ["--help"], ["--bogus"]):
    r = subprocess.run(["valgrind", "--error-exitcode=99", "--leak-check=full",
                        "--errors-for-leak-kinds=definite", "--track-fds=no", "-q", BIN] + args,
                       env=c.env(LANG="C.UTF-8"), capture_output=True, text=True, timeout=300)
    t.ok(r.returncode in (0, 2) and "Invalid" not in r.stderr and
         "definitely lost" not in r.stderr,
         "valgrind clean: attune-top %s (exit %d)" % (" ".join(args), r.returncode),
         r.stderr[-3000:])
t.done()
