"""Entity timelines on a real terminal: open from the overview and with
':', Esc back, the state at a selected row, and a 10,000-row worker
timeline scrolled to its end with bounded memory."""

import json
import re
import time
import unicodedata

from attune_test import BIN, TAP, Cluster, Tmux, asan_build
from json_time import convert, local_text
from tl_oracle import disp, history, state_at

t = TAP()
c = Cluster()
env = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8")


def peak_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def from_column(line, col):
    """The part of a screen line from display column `col` on."""
    w = 0
    for i, ch in enumerate(line):
        if w >= col:
            return line[i:]
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return ""


def screen_state(scr):
    """key = value lines of the state pane (from column 97 at 160 columns)."""
    out = {}
    for line in scr.splitlines():
        m = re.match(r"([a-z_]+) = (.*?)\s*$", from_column(line, 97))
        if m:
            out[m.group(1)] = m.group(2)
    return out


# ---- open an execution with ':' and read the state at the 1st and 3rd rows
eid = int(c.value("SELECT x.id FROM attune.execution x WHERE x.status = 'completed'"
                  " ORDER BY x.id DESC LIMIT 1"))
rows = list(reversed(history(c, "execution_history", eid)))  # newest first
tm = Tmux("%s -r 30" % BIN, 160, 45, env)
try:
    tm.wait_for(r"Workers \(\d+\)")
    tm.send(":")
    tm.wait_for(r"open \(execution")
    tm.send_literal("execution:%d" % eid)
    tm.send("Enter")
    for idx in (0, 2):
        if idx:
            tm.send("j", "j")
        iso = rows[idx]["iso"].replace("T", " ").rstrip("Z")
        scr = tm.wait_for(r"State at " + re.escape(iso), 10)
        # local time (u not pressed yet): times in JSON too
        want = convert(state_at(list(reversed(rows)), len(rows) - 1 - idx), local_text)
        got = screen_state(scr)
        ok = set(got) == set(want)
        for k, v in want.items():
            d = disp(v)
            ok &= (got.get(k) == d) if d is not None else json.loads(got.get(k, "null")) == v
        t.ok(ok, "state at row %d equals the folded raw rows" % (idx + 1), (got, want))
    # Filters: 'o' cycles the operation, '/' takes a changed field.
    tm.send("o")
    scr = tm.wait_for(r"op INSERT, field any", 10)
    t.ok(re.search(r"History: rows 1-1 of 1,", scr) is not None, "o: only the INSERT row", scr)
    tm.send("o")
    scr = tm.wait_for(r"op UPDATE, field any", 10)
    n_upd = sum(1 for r in rows if r["op"] == "UPDATE")
    t.ok(re.search(r"History: rows 1-%d of %d," % (n_upd, n_upd), scr) is not None and
         " INSERT " not in scr, "o: only the %d UPDATE rows" % n_upd)
    tm.send("/")
    tm.wait_for(r"changed field")
    tm.send_literal("started_at")
    tm.send("Enter")
    scr = tm.wait_for(r"op UPDATE, field started_at", 10)
    n_sa = sum(1 for r in rows if r["op"] == "UPDATE" and "started_at" in r["fields"])
    t.ok(re.search(r"History: rows 1-%d of %d," % (n_sa, n_sa), scr) is not None,
         "/ started_at: only the rows that changed it (%d)" % n_sa, scr)
    tm.send("o", "o")  # DELETE, then all
    tm.wait_for(r"op all, field started_at", 10)
    tm.send("u")
    t.ok(tm.wait_for(r"TIME \(UTC\)", 5) is not None, "u shows times in UTC")
    tm.send("Escape")
    t.ok(tm.wait_for(r"Top actions", 5) is not None, "Esc returns to the overview")
    # Enter on a worker row opens that worker's timeline.
    tm.send("Tab")
    tm.send("Enter")
    scr = tm.wait_for(r"── worker:\d+ ", 10)
    t.ok("History: rows" in scr, "Enter on a worker opens its timeline")
    tm.send("Escape")
    tm.wait_for(r"Top actions", 5)
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()

# ---- Attune's NOTIFY: an open execution timeline updates at once, long
# before its 60 s refresh interval.
c.psql("CREATE FUNCTION attune.notify_status() RETURNS trigger LANGUAGE plpgsql AS $$"
       " BEGIN PERFORM pg_notify('execution_status_changed', NEW.id::text); RETURN NEW; END $$;"
       " CREATE TRIGGER execution_status_notify AFTER UPDATE ON attune.execution"
       " FOR EACH ROW EXECUTE FUNCTION attune.notify_status()")
rid = c.value("SELECT id FROM attune.execution WHERE status IN ('running', 'scheduled', 'requested')"
              " ORDER BY id LIMIT 1")
tm = Tmux("%s -r 60 --entity execution:%s" % (BIN, rid), 160, 45, env)
try:
    tm.wait_for(r"History: rows 1-\d+", 10)
    time.sleep(0.5)
    c.psql("UPDATE attune.execution SET status = 'cancelled' WHERE id = %s" % rid)
    started = time.time()
    scr = tm.wait_for(r"UPDATE status: \w+ → cancelled", 10)
    t.ok(time.time() - started < 10, "a NOTIFY refreshes the open timeline (%.1fs)"
         % (time.time() - started))
    tm.send("q")
    tm.wait_dead(5)
finally:
    tm.kill()

# ---- a 10,000-row worker timeline, scrolled to its end
wid = int(c.value("SELECT id FROM attune.worker WHERE name = 'worker-action-01'"))
c.psql("INSERT INTO attune.worker_history (time, operation, entity_id, entity_ref, changed_fields,"
       " old_values, new_values) SELECT now() - interval '30 days' + g * interval '1 minute',"
       " 'UPDATE', %d, 'worker-action-01', '{meta}', jsonb_build_object('meta',"
       " jsonb_build_object('seq', g - 1)), jsonb_build_object('meta', jsonb_build_object('seq', g))"
       " FROM generate_series(1, 10000) g" % wid)
total = int(c.value("SELECT count(*) FROM attune.worker_history WHERE entity_id = %d" % wid))
oldest = history(c, "worker_history", wid)[0]

small_wid = int(c.value("SELECT id FROM attune.worker WHERE name = 'worker-sensor-01'"))
tm = Tmux("%s -r 30 --entity worker:%d" % (BIN, small_wid), 160, 45, env)
try:
    tm.wait_for(r"History: rows 1-\d+ of \d+")
    tm.send("G")
    time.sleep(1)
    small_rss = peak_rss_kib(tm.pane_pid())
    tm.send("q")
    tm.wait_dead(5)
finally:
    tm.kill()

tm = Tmux("%s -r 30 --entity worker:%d" % (BIN, wid), 160, 45, env)
try:
    scr = tm.wait_for(r"History: rows 1-100 of %d," % total, 10)
    t.ok(True, "10,000-row timeline opens on its newest page (%d rows)" % total)
    # Page down through the first pages: the position advances page by page.
    for _ in range(8):
        tm.send("NPage")
    scr = tm.wait_for(r"History: rows (\d+)-(\d+) of %d" % total, 10)
    time.sleep(1)
    scr = tm.capture()
    m = re.search(r"History: rows (\d+)-(\d+) of %d" % total, scr)
    t.ok(m and int(m.group(1)) > 100, "PgDn crosses pages", m and m.group(0))
    tm.send("G")
    scr = tm.wait_for(r"History: rows %d-%d of %d" % (total - 99, total, total), 10)
    iso = oldest["iso"].replace("T", " ").rstrip("Z")
    t.ok(tm.wait_for(re.escape(iso) + r"\s+-\s+" + oldest["op"], 10) is not None,
         "End selects the oldest row (no gap before it)")
    # Walk up from the end across a page boundary and back down.
    for _ in range(120):
        tm.send("k")
    scr = tm.wait_for(r"History: rows \d+-\d+ of %d" % total, 10)
    time.sleep(1)
    big_rss = peak_rss_kib(tm.pane_pid())
    t.diag("peak RSS: %d KiB with a %d-row timeline scrolled end to end; %d KiB with a "
           "small one" % (big_rss, total, small_rss))
    if asan_build():
        t.diag("AddressSanitizer build: RSS includes its quarantine; the bound is checked "
               "in the plain build (make distcheck)")
    else:
        t.ok(big_rss <= small_rss + 4096,
             "memory does not grow with timeline length (%d KiB vs %d KiB)"
             % (big_rss, small_rss))
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()
t.done()
