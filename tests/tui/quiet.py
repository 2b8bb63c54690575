"""An unchanged screen is not written again: while nothing in the database
changes, refreshes send nothing to the terminal; a change is drawn at the
next refresh, and a background export's result is shown."""

import os
import re
import tempfile
import time

from attune_test import BIN, TAP, Cluster, Tmux

t = TAP()
# A small database, so that a refresh stays far below the quarter second
# after which the header would show the data's age ticking even on a
# loaded machine.
c = Cluster("--no-workload")
# Heartbeat ages are the one figure that moves by itself; without a
# heartbeat ("-") the screen depends on the data alone.
c.psql("INSERT INTO attune.worker (name, worker_type, worker_role, status)"
       " VALUES ('worker-quiet', 'local', 'action', 'active')")
c.psql("INSERT INTO attune.execution (action, action_ref, status)"
       " SELECT 1, 'core.echo', 'requested' FROM generate_series(1, 5)")
c.psql("UPDATE attune.execution SET status = 'completed'")

pipe = tempfile.mktemp(prefix="attune-quiet-")
tm = Tmux("%s -r 1" % BIN, 200, 50, c.env(LANG="C.UTF-8"))
try:
    tm.wait_for(r"Workers \(\d+\)", 30)
    time.sleep(1.5)
    quiet = None
    for _ in range(3):  # an hour boundary in between changes the range
        # The current hour's note counts its minutes: keep the five
        # seconds within one minute.
        while not 2 <= int(c.value("SELECT extract(second FROM now())::int")) <= 50:
            time.sleep(1)
        hour0 = c.value("SELECT date_trunc('hour', now())")
        tm.pipe(pipe)
        time.sleep(5)  # five refreshes
        tm.pipe(None)
        time.sleep(0.2)
        quiet = os.path.getsize(pipe) if os.path.exists(pipe) else 0
        if c.value("SELECT date_trunc('hour', now())") == hour0:
            break
        os.unlink(pipe)
    t.eq(quiet, 0, "five refreshes of unchanged data write nothing to the terminal")
    # The current hour's minutes and rate move with the clock alone: the
    # note is drawn again when its minute turns, nothing else changing.
    note0 = re.search(r"this hour [^─]*", tm.capture())
    note0 = note0.group(0).strip() if note0 else None
    turned = None
    deadline = time.time() + 75
    while note0 and time.time() < deadline:
        m = re.search(r"this hour [^─]*", tm.capture())
        if m and m.group(0).strip() != note0:
            turned = m.group(0).strip()
            break
        time.sleep(0.5)
    t.ok(turned is not None, "the current hour's note follows the clock (%r -> %r)"
         % (note0, turned))
    before = tm.capture()
    tm.pipe(pipe)
    c.psql("INSERT INTO attune.execution (action, action_ref, status)"
           " SELECT 1, 'core.echo', 'requested' FROM generate_series(1, 3)")
    scr = tm.wait_for(r"in flight \d+", 10)
    deadline = time.time() + 10
    while time.time() < deadline and tm.capture() == before:
        time.sleep(0.2)
    tm.pipe(None)
    time.sleep(0.2)
    t.ok(tm.capture() != before, "new executions are drawn at the next refresh")
    t.ok(os.path.getsize(pipe) > quiet, "and that draw reaches the terminal")
    # A background export ends while nothing else changes: its result is
    # still shown (the screen is drawn while it runs).
    time.sleep(2)
    tm.send("Tab")  # the worker panel
    tm.send("e")
    try:
        tm.wait_for(r"exported \d+ rows to \S+\.csv", 10)
        shown = True
    except TimeoutError:
        shown = False
    t.ok(shown, "an export's result is shown on a quiet screen")
    # A heartbeat age on screen ticks although nothing else changes.
    c.psql("UPDATE attune.worker SET last_heartbeat = now() WHERE name = 'worker-quiet'")
    ages = []
    for _ in range(2):
        scr = tm.wait_for(r"worker-quiet .* (\d+)s ", 10)
        ages.append(re.search(r"worker-quiet .* (\d+)s ", scr).group(1))
        time.sleep(3)
    t.ok(ages[0] != ages[1], "a heartbeat age on screen ticks (%s)" % ages)
finally:
    tm.kill()
    if os.path.exists(pipe):
        os.unlink(pipe)
t.done()
