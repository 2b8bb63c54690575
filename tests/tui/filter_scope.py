"""A panel that cannot apply the filter says so: under an action filter the
events and enforcements (which have no action) show n/a with the reason,
in the throughput panel and the header, instead of a zero. A ref that is a
trigger still filters the events row."""

from attune_test import BIN, TAP, Cluster, Tmux

t = TAP()
c = Cluster()
env = c.env(LANG="C.UTF-8", LC_ALL="C.UTF-8")


def seen(tm, pattern, timeout=10):
    try:
        return tm.wait_for(pattern, timeout)
    except TimeoutError:
        return None


action = c.value("SELECT entity_ref FROM attune.execution_history WHERE operation = 'INSERT'"
                 " AND time >= now() - interval '20 hours' AND entity_ref NOT IN"
                 " (SELECT trigger_ref FROM attune.event WHERE trigger_ref IS NOT NULL)"
                 " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
trigger = c.value("SELECT trigger_ref FROM attune.event WHERE created >= now() - interval"
                  " '20 hours' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
tm = Tmux("%s -r 30" % BIN, 160, 50, env)
try:
    tm.wait_for(r"Workers \(\d+\)")
    tm.send("f")
    tm.wait_for("filter \\(exact")
    tm.send_literal(action)
    tm.send("Enter")
    scr = seen(tm, r"Top actions \(1\)")
    t.ok(scr and "events n/a" in scr and "enforcements n/a" in scr,
         "header: events and enforcements n/a under an action filter", scr)
    t.ok(scr and all(
        any(l.strip().startswith(row) and "n/a: not filtered by action" in l
            for l in scr.splitlines()) for row in ("events ", "enforcements ")),
         "throughput: events and enforcements say they are not filtered by action", scr)
    tm.send("Escape")
    tm.wait_for(r"filter cleared", 5)
    tm.send("f")
    tm.wait_for("filter \\(exact")
    tm.send_literal(trigger)
    tm.send("Enter")
    n = int(c.value("SELECT count(*) FROM attune.event WHERE trigger_ref = '%s'"
                    " AND created >= date_trunc('hour', now() - interval '24 hours')"
                    % trigger.replace("'", "''")))
    scr = seen(tm, r"events %d\b" % n)
    t.ok(scr is not None and not any(l.strip().startswith("events ") and "n/a" in l
                                     for l in scr.splitlines()),
         "a trigger ref still filters the events row (%d events)" % n, scr)
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits 0")
finally:
    tm.kill()
t.done()
