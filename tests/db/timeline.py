"""Entity timelines in batch mode: order of statuses, every duration and
gap, the reconstructed state, deleted entities, hostile names, exit codes."""

import json
import re
from decimal import Decimal

from attune_test import TAP, Cluster, run_top, text_section
from tl_oracle import disp, gaps, history, state_at, status_times

t = TAP()
c = Cluster()
env = c.env(LANG="C.UTF-8")


def batch(entity):
    r = run_top(["-b", "-n", "1", "--entity", entity], env=env)
    return r, r.stdout


def check_entity(label, entity, table, eid):
    r, out = batch(entity)
    if not t.ok(r.returncode == 0, label + ": exit 0", r.stderr):
        return None
    rows = history(c, table, eid)
    # ---- time in status
    got = []
    for l in text_section(out, "TIME IN STATUS")[1:]:
        sec, entries, state, status = l.split(None, 3)
        got.append((status, None if sec == "-" else Decimal(sec), int(entries), state))
    want = status_times(rows)
    t.eq([g[0] for g in got], [w[0] for w in want], label + ": statuses in order of entry")
    ok = len(got) == len(want)
    for g, w in zip(got, want):
        status, secs, entries, ongoing, final = w
        if final:
            ok &= g[1] is None and g[3] == "final"
        elif ongoing:
            ok &= g[3] == "ongoing" and g[1] is not None and g[1] >= secs
        else:
            ok &= g[1] == secs and g[3] == "-"
        ok &= g[2] == entries
    t.ok(ok, label + ": every time-in-status duration equals the oracle", (got, want))
    # ---- history rows, newest first, with exact gaps
    hist = text_section(out, "HISTORY")[1:]
    newest = list(reversed(rows))
    gp = list(reversed(gaps(rows)))
    t.eq(len(hist), len(rows), label + ": every history row listed")
    bad = []
    for line, row, g in zip(hist, newest, gp):
        ts, gap, op, changes = line.split(None, 3)
        want_gap = "-" if g is None else "%d.%06d" % (int(g), int((g - int(g)) * 1000000))
        if ts != row["iso"] or gap != want_gap or op != row["op"]:
            bad.append((line, row["iso"], want_gap, row["op"]))
            continue
        if row["op"] == "UPDATE":
            parts = ["%s: %s -> %s" % (f, disp((row["old"] or {}).get(f), f in (row["old"] or {})),
                                       disp((row["new"] or {}).get(f), f in (row["new"] or {})))
                     for f in row["fields"]]
            if None not in [disp((row["new"] or {}).get(f)) for f in row["fields"]] and \
                    changes != "; ".join(parts):
                bad.append((changes, "; ".join(parts)))
    t.ok(not bad, label + ": times, gaps, operations and changes equal the raw rows", bad[:3])
    # ---- lifetime
    life = [l for l in out.splitlines() if l.startswith("lifetime: ")]
    born = rows[0]["time"]
    end = next((r["time"] for r in rows if (r["new"] or {}).get("status") in
                {"completed", "failed", "timeout", "cancelled", "abandoned"}), None)
    if end is None:
        end = next((r["time"] for r in rows if r["op"] == "DELETE"), None)
    if end is not None and life:
        t.eq(Decimal(life[0].split()[1].rstrip("s")), end - born, label + ": lifetime")
    # ---- state at the newest row
    st = text_section(out, "STATE AT")
    m = re.search(r"^STATE AT (\S+)$", out, re.M)
    t.ok(m and m.group(1) == newest[0]["iso"], label + ": state shown at the newest row")
    want_state = state_at(rows, len(rows) - 1)
    got_state = dict(l.split("=", 1) for l in st)
    ok = set(got_state) == set(want_state)
    for k, v in want_state.items():
        d = disp(v)
        if d is None:
            ok &= json.loads(got_state.get(k, "null")) == v
        else:
            ok &= got_state.get(k) == d
    t.ok(ok, label + ": reconstructed state equals the folded raw rows", (got_state, want_state))
    return out


# A completed execution with a full lifecycle.
eid = int(c.value("SELECT x.id FROM attune.execution x WHERE x.status = 'completed'"
                  " AND (SELECT count(*) FROM attune.execution_history h WHERE h.entity_id = x.id) >= 5"
                  " ORDER BY x.id DESC LIMIT 1"))
out = check_entity("execution:%d" % eid, "execution:%d" % eid, "execution_history", eid)
if out:
    t.ok(re.search(r"^live: .*status=completed", out, re.M) is not None, "live row shown")
    order = [l.split()[-1] for l in text_section(out, "TIME IN STATUS")[1:]]
    t.eq(order, ["requested", "scheduling", "scheduled", "running", "completed"],
         "lifecycle order requested → … → completed")
# A failed one and an in-flight one.
for st in ("failed", "running"):
    v = c.value("SELECT id FROM attune.execution WHERE status = '%s' ORDER BY id DESC LIMIT 1" % st)
    if v:
        check_entity("%s execution:%s" % (st, v), "execution:" + v, "execution_history", int(v))
# A deleted execution: history, no live row.
did = int(c.value("SELECT entity_id FROM attune.execution_history WHERE operation = 'DELETE'"
                  " ORDER BY time DESC LIMIT 1"))
out = check_entity("deleted execution:%d" % did, "execution:%d" % did, "execution_history", did)
t.ok(out and "live: no live row - deleted" in out, "deleted execution: no live row")
# Workers: the flapping one by id, the hostile name by name.
wid = int(c.value("SELECT id FROM attune.worker WHERE name = 'worker-flaky-07'"))
check_entity("worker:%d" % wid, "worker:%d" % wid, "worker_history", wid)
hostile = c.value("SELECT name FROM attune.worker WHERE name LIKE '%\"%' LIMIT 1")
hid = int(c.value("SELECT id FROM attune.worker WHERE name LIKE '%\"%' LIMIT 1"))
out = check_entity("worker by hostile name", "worker:" + hostile, "worker_history", hid)
t.ok(out and ("name=" + hostile) in out, "hostile worker name displayed verbatim")
# A deleted worker by name (resolved from its history).
dw = c.value("SELECT entity_ref FROM attune.worker_history WHERE operation = 'DELETE' LIMIT 1")
if dw:
    dwid = int(c.value("SELECT entity_id FROM attune.worker_history WHERE operation = 'DELETE' LIMIT 1"))
    out = check_entity("deleted worker " + dw, "worker:" + dw, "worker_history", dwid)

# ---- exit codes
for ent in ("execution:987654321", "worker:987654321", "worker:nobody-such"):
    r = run_top(["-b", "-n", "1", "--entity", ent], env=env)
    t.ok(r.returncode == 1 and r.stderr.strip() == "attune-top: no history for " + ent
         and r.stdout == "", "unknown %s: one line, exit 1" % ent, r.stderr)
for ent in ("execution:abc", "job:1", "worker:", "execution:-1", "execution"):
    r = run_top(["-b", "-n", "1", "--entity", ent], env=env)
    t.ok(r.returncode == 2 and len(r.stderr.splitlines()) == 1, "malformed %s: exit 2" % ent,
         r.stderr)
t.done()
