"""SQL oracles over raw rows (execution_history, worker_history, event,
enforcement, execution, worker) for the overview's figures, and the batch
frame parsed into the same shape, so tests compare the two."""

import time

from attune_test import (header_inflight, header_totals, parse_frames, run_top,
                         table_rows)

TERMINAL = ("completed", "succeeded", "failed", "timeout", "timed_out", "cancelled",
            "canceled", "abandoned", "skipped")


def q(s):
    return "'" + s.replace("'", "''") + "'"


def oracle(c, hours, filt=None, schema="attune"):
    """Every overview figure computed from raw rows."""
    lo = "date_trunc('hour', now() - interval '%d hours')" % hours
    f_exec = "" if filt is None else " AND entity_ref = %s" % q(filt)
    S = '"%s"' % schema
    o = {}
    # A filter that names a worker selects the executions it ran (their
    # executor), by creation for the executions and by history row for
    # everything else.
    worker = filt is not None and int(c.value(
        "SELECT count(*) FROM %s.worker WHERE name = %s" % (S, q(filt)))) > 0
    if worker:
        wid = "(SELECT id FROM %s.worker WHERE name = %s)" % (S, q(filt))
        f_exec = " AND entity_id IN (SELECT id FROM %s.execution WHERE executor = %s)" % (S, wid)
        created = c.psql("SELECT action_ref, count(*) FROM %s.execution WHERE executor = %s"
                         " AND created >= %s GROUP BY 1" % (S, wid, lo))
        created = {r[0]: int(r[1]) for r in created}
        o["executions"] = sum(created.values())
    else:
        o["executions"] = int(c.value(
            "SELECT count(*) FROM %s.execution_history WHERE operation = 'INSERT' AND time >= %s%s"
            % (S, lo, f_exec)))
    o["events"] = int(c.value(
        "SELECT count(*) FROM %s.event WHERE created >= %s%s"
        % (S, lo, "" if filt is None else " AND trigger_ref = %s" % q(filt))))
    o["enforcements"] = int(c.value(
        "SELECT count(*) FROM %s.enforcement WHERE created >= %s%s"
        % (S, lo, "" if filt is None else " AND rule_ref = %s" % q(filt))))
    # A filter that names no trigger (rule) in range does not reach events
    # (enforcements): the screen shows n/a, not 0.
    for k in ("events", "enforcements"):
        if filt is not None and (o[k] == 0 or worker):
            o[k] = None
    rows = c.psql(
        "SELECT coalesce(new_values->>'status', '(null)'), count(*) FROM %s.execution_history"
        " WHERE 'status' = ANY(changed_fields) AND time >= %s%s GROUP BY 1" % (S, lo, f_exec))
    o["statuses"] = {r[0]: int(r[1]) for r in rows}
    rows = c.psql(
        "SELECT entity_ref,"
        " count(*) FILTER (WHERE operation = 'INSERT'),"
        " count(*) FILTER (WHERE 'status' = ANY(changed_fields) AND new_values->>'status' = 'completed'),"
        " count(*) FILTER (WHERE 'status' = ANY(changed_fields) AND new_values->>'status' = 'failed'),"
        " count(*) FILTER (WHERE 'status' = ANY(changed_fields) AND new_values->>'status' = 'timeout')"
        " FROM %s.execution_history WHERE time >= %s%s"
        " AND (operation = 'INSERT' OR 'status' = ANY(changed_fields)) GROUP BY 1" % (S, lo, f_exec))
    o["actions"] = {r[0]: tuple(int(x) for x in r[1:]) for r in rows}
    if worker:
        o["actions"] = {a: (created.get(a, 0),) + o["actions"].get(a, (0, 0, 0, 0))[1:]
                        for a in set(created) | set(o["actions"])}
    rows = c.psql(
        "SELECT w.name, (SELECT count(*) FROM %s.worker_history h WHERE h.entity_ref = w.name"
        " AND 'status' = ANY(h.changed_fields) AND h.time >= %s) FROM %s.worker w%s"
        % (S, lo, S, "" if filt is None else " WHERE w.name = %s" % q(filt)))
    o["workers"] = {r[0]: int(r[1]) for r in rows}
    f_row = ("" if filt is None else " AND executor = %s" % wid if worker
             else " AND action_ref = %s" % q(filt))
    rows = c.psql(
        "SELECT status::text, count(*) FROM %s.execution WHERE status::text NOT IN (%s)%s"
        " GROUP BY 1" % (S, ",".join(q(x) for x in TERMINAL), f_row))
    o["inflight"] = {r[0]: int(r[1]) for r in rows}
    rows = c.psql(
        "SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), entity_id,"
        " coalesce(old_values->>'status', '-'), coalesce(new_values->>'status', '-'), entity_ref"
        " FROM %s.execution_history WHERE 'status' = ANY(changed_fields) AND time >= %s%s"
        " ORDER BY time DESC, entity_id DESC LIMIT 20" % (S, lo, f_exec))
    o["changes"] = [tuple(r) for r in rows]
    o["failures"] = failures(c, lo, f_row.replace(" executor", " e.executor")
                             .replace(" action_ref", " e.action_ref"), S)
    num = sum(o["statuses"].get(s, 0) for s in ("failed", "timeout"))
    den = num + o["statuses"].get("completed", 0)
    o["failure"] = (num, den)
    return o


FAILED = ("failed", "timeout", "abandoned")


def error_line(text):
    """The error summary: the first line, spaces trimmed, 200 characters."""
    if text is None:
        return "-"
    line = text.strip(" ").split("\n")[0][:200]
    return line or "-"


def failures(c, lo, f_row, S):
    """Of the 50 newest executions created since lo that ended in failure
    (and match the condition f_row on e), newest failure (updated) first,
    from the execution and worker rows; the error summary cut here, not in
    SQL."""
    rows = c.psql(
        "SELECT to_char(e.updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), e.id,"
        " e.status::text, coalesce(w.name, '-'), e.action_ref,"
        " coalesce(e.result->>'error', e.result->>'message', e.result->>'stderr'),"
        " to_char(e.created AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),"
        " to_char(e.updated AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
        " FROM %s.execution e LEFT JOIN %s.worker w ON w.id = e.executor"
        " WHERE e.status::text IN (%s) AND e.created >= %s%s"
        % (S, S, ",".join(q(x) for x in FAILED), lo, f_row or ""))
    # Fixed-width UTC text orders as the instants do.
    newest = sorted(rows, key=lambda r: (r[6], int(r[1])), reverse=True)[:50]
    newest.sort(key=lambda r: (r[7], int(r[1])), reverse=True)
    return [tuple(r[:5]) + (error_line(r[5]),) for r in newest]


def health(c, schema="attune"):
    """Workers by state (one each, most severe first: error, stale,
    flapping, busy, ok, down) and the oldest execution in flight, from the
    worker, worker_history and execution rows."""
    S = '"%s"' % schema
    rows = c.psql(
        "SELECT CASE WHEN w.status::text = 'error' THEN 'error'"
        " WHEN w.status::text IN ('inactive', 'offline', 'stopped') THEN 'down'"
        " WHEN w.last_heartbeat IS NULL OR now() - w.last_heartbeat > interval '60 seconds'"
        " THEN 'stale'"
        " WHEN (SELECT count(*) FROM %s.worker_history h WHERE h.entity_ref = w.name"
        " AND 'status' = ANY(h.changed_fields)"
        " AND h.time >= date_trunc('hour', now()) - interval '1 hour') >= 4 THEN 'flapping'"
        " WHEN w.status::text = 'busy' THEN 'busy' ELSE 'ok' END, w.name"
        " FROM %s.worker w" % (S, S))
    classes = {k: 0 for k in ("ok", "error", "stale", "flapping", "busy", "down")}
    names = {}
    for cls, name in rows:
        classes[cls] += 1
        names.setdefault(cls, []).append(name)
    old = c.psql(
        "SELECT id, to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        " FROM %s.execution WHERE status::text NOT IN (%s) ORDER BY created, id LIMIT 1"
        % (S, ",".join(q(x) for x in TERMINAL)))
    return {"classes": classes, "names": names,
            "oldest": (int(old[0][0]), old[0][1]) if old else None}


def health_from_frame(fr):
    """The health line of a batch frame: ({class: count}, (id, created))."""
    import re
    for line in fr["HEADER"]:
        if line.startswith("health:"):
            classes = {k: int(v) for k, v in
                       re.findall(r"\b(ok|error|stale|flapping|busy|down) (\d+)", line)}
            m = re.search(r"oldest in flight: (\d+) created (\S+)", line)
            return classes, (int(m.group(1)), m.group(2)) if m else None
    return None, None


def from_frame(fr):
    """The same figures read from one batch frame."""
    p = {}
    tot = header_totals(fr)
    p["executions"], p["events"], p["enforcements"] = (
        tot.get("executions"), tot.get("events"), tot.get("enforcements"))
    p["statuses"] = {r[2]: int(r[0]) for r in table_rows(fr, "STATUS BREAKDOWN", 3)}
    p["actions"] = {r[5]: (int(r[0]), int(r[1]), int(r[2]), int(r[3]))
                    for r in table_rows(fr, "TOP ACTIONS", 6)}
    p["workers"] = {r[8]: (None if r[5] == "-" else int(r[5]))
                    for r in table_rows(fr, "WORKERS", 9)}
    total, per = header_inflight(fr)
    p["inflight"] = per
    p["inflight_total"] = total
    p["changes"] = [tuple(r) for r in table_rows(fr, "RECENT STATUS CHANGES", 5)]
    p["failures"] = [tuple(r) for r in table_rows(fr, "RECENT FAILURES", 6)]
    import re
    m = re.search(r"\((\d+)/(\d+)\)", fr.get("STATUS BREAKDOWN:title", ""))
    p["failure"] = (int(m.group(1)), int(m.group(2))) if m else None
    return p


def batch_and_oracle(c, args, hours, filt=None, env=None, schema="attune"):
    """Run one batch frame and the oracle in the same server hour (retried
    once if an hour boundary passes in between)."""
    for _ in range(3):
        h0 = c.value("SELECT date_trunc('hour', now())")
        r = run_top(["-b", "-n", "1"] + args, env=env or c.env(LANG="C.UTF-8"))
        o = oracle(c, hours, filt, schema)
        h1 = c.value("SELECT date_trunc('hour', now())")
        if h0 == h1:
            frames = parse_frames(r.stdout)
            return r, frames, o
        time.sleep(1)
    raise RuntimeError("hour boundary kept moving")


def compare_overview(t, c, label, args, hours, filt=None, env=None):
    """One batch frame against the oracle, figure by figure, as TAP
    checks. Returns (frame figures or None, oracle)."""
    r, frames, o = batch_and_oracle(c, args, hours, filt, env=env)
    if not t.ok(r.returncode == 0 and len(frames) == 1, label + ": one frame, exit 0",
                "rc=%d stderr=%s" % (r.returncode, r.stderr)):
        return None, o
    p = from_frame(frames[0])
    for k in ("executions", "events", "enforcements"):
        t.eq(p[k], o[k], "%s: total %s" % (label, k))
    t.eq(p["statuses"], o["statuses"], label + ": per-status totals")
    t.eq(p["failure"], o["failure"], label + ": failure rate numerator/denominator")
    t.eq(p["actions"], o["actions"], label + ": per-action executions/completed/failed/timeout")
    t.eq(p["workers"], o["workers"], label + ": worker transitions in range")
    t.eq(p["inflight"], o["inflight"], label + ": in-flight executions by status")
    t.eq(p["inflight_total"], sum(o["inflight"].values()), label + ": in-flight total")
    t.eq(p["changes"], o["changes"], label + ": recent status changes")
    t.eq(p["failures"], o["failures"], label + ": recent failures")
    return p, o


def overview_suite(t, c, env=None):
    """The overview against the oracle for 24 h, 7 d, 6 h, a filter on the
    busiest action, on the hostile ref with quotes and a comma, and on a
    worker; multibyte refs displayed verbatim. Returns a compare function
    bound to the same cluster and environment, for further cases."""
    def compare(label, args, hours, filt=None):
        return compare_overview(t, c, label, args, hours, filt, env=env)

    p, o = compare("24h", [], 24)
    t.ok(o["executions"] > 100 and len(o["actions"]) >= 30 and len(o["workers"]) >= 10,
         "fixture is rich enough (executions, ≥30 actions, ≥10 workers)",
         (o["executions"], len(o["actions"]), len(o["workers"])))
    compare("7d", ["--range=7d"], 168)
    compare("6h", ["-R", "6h"], 6)
    # A filter on a busy action, and on the hostile ref with quotes and a comma.
    top = max(o["actions"].items(), key=lambda kv: kv[1][0])[0]
    compare("filter " + top, ["--filter=" + top, "-R", "2d"], 48, top)
    hostile = [a for a in o["actions"] if '"' in a and "," in a]
    t.ok(hostile, "fixture has an action ref with a quote and a comma")
    if hostile:
        compare("filter hostile", ["-f", hostile[0]], 24, hostile[0])
        t.ok(p is not None and hostile[0] in p["actions"], "hostile ref displayed verbatim")
    mb = [a for a in o["actions"] if any(ord(ch) > 127 for ch in a)]
    t.ok(p is not None and mb and all(a in p["actions"] for a in mb),
         "multibyte refs displayed verbatim", mb)
    # A worker filter narrows the worker panel to that worker, and the
    # execution panels to the executions it ran (the busiest worker of the
    # range; an idle one too, whose panels are then empty).
    busy = c.value("SELECT w.name FROM attune.worker w JOIN attune.execution e"
                   " ON e.executor = w.id WHERE e.created >= now() - interval '24 hours'"
                   " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    t.ok(busy is not None, "fixture has a worker that ran executions in range")
    if busy:
        pw, ow = compare("filter worker " + busy, ["--filter=" + busy, "-R", "2d"], 48, busy)
        t.ok(ow["executions"] > 0 and ow["events"] is None,
             "the worker ran executions; events are not filtered by worker", ow["executions"])
    wname = sorted(o["workers"])[0]
    compare("filter worker", ["--filter=" + wname], 24, wname)
    return compare
