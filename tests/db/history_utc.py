"""Times inside history JSON in UTC: rows written by sessions in +05:30 and
-08:00 and rows holding every kind of look-alike, exported to CSV and shown
by the batch timeline (always UTC, whatever TZ says), against oracles
computed here (json_time: the rule, datetime → UTC; and the values spelt
out)."""

import json
import os
import tempfile

import csv_oracle as co
from attune_test import TAP, Cluster, run_top, text_section
from json_time import CASES, EXPECT, convert, write_history
from tl_oracle import disp, history, state_at

t = TAP()
c = Cluster()
env = c.env(LANG="C.UTF-8", TZ="Asia/Kolkata")
eid, wid = write_history(c)
tmp = tempfile.TemporaryDirectory()

# ---------------------------------------------------------------- fixture
raw = c.psql("SELECT old_values->>'started_at', new_values->>'started_at'"
             " FROM attune.execution_history WHERE entity_id = %d AND operation <> 'DELETE'"
             " AND new_values ? 'started_at' ORDER BY time" % eid)
t.eq(raw, [[None, "2026-11-30T01:34:56.5+05:30"],
           ["2026-11-29T12:04:56.5-08:00", "2026-11-29T12:05:00-08:00"]],
     "fixture: started_at written in each writer's session zone")
t.eq(c.value("SELECT new_values->'meta'->>'seen' FROM attune.worker_history"
             " WHERE entity_id = %d AND 'meta' = ANY(changed_fields)"
             " ORDER BY time DESC LIMIT 1" % wid),
     "2026-11-29T12:04:56.123456-08:00", "fixture: worker meta written in -08:00")


def want_values():
    """CASES after the rule, from EXPECT: every other string as written."""
    w = dict(CASES)
    w.update(EXPECT)
    return w


# ---------------------------------------------------------------- CSV export
def export(name, entity):
    path = os.path.join(tmp.name, "%s.csv" % name)
    r = run_top(["--export=" + name, "--entity=" + entity, "-R", "7d", "-o", path, "--force"],
                env=env)
    if not t.ok(r.returncode == 0, "%s %s: exit 0" % (name, entity), r.stderr):
        return []
    return co.parse_csv(path)


for name, entity, ent_id in (("execution_history", "execution:%d" % eid, eid),
                             ("worker_history", "worker:%d" % wid, wid)):
    now = co.server_now(c)
    got = export(name, entity)
    want = [co.HEADERS[name]] + co.apply_guard(
        name, co.history(c, name, "entity_id = %d" % ent_id, now, 168), False)
    diff = [(g, w) for g, w in zip(got, want) if g != w][:2]
    t.ok(got == want, "%s: %d rows equal the oracle, cell by cell" % (name, len(want) - 1),
         diff or (len(got), len(want)))
    crafted = [json.loads(r[6]) for r in got[1:] if r[6] and '"nested"' in r[6]]
    t.eq(crafted[-1:], [want_values()], name + ": each kind of string as the rule says")
    t.ok(all(r[0].endswith("Z") for r in got[1:]), name + ": history time stays UTC")
    if name == "execution_history":
        sa = [(json.loads(r[5] or "{}").get("started_at"), json.loads(r[6] or "{}")
               .get("started_at")) for r in got[1:] if "started_at" in (r[4] or "")]
        t.eq(sa, [("2026-11-29T20:04:56.500000Z", "2026-11-29T20:05:00Z")],
             "started_at written in -08:00 exported in UTC")
    else:
        meta = [json.loads(r[6])["meta"] for r in got[1:] if r[4] == '["meta"]']
        t.eq(meta[-1:], [{"seen": "2026-11-29T20:04:56.123456Z",
                          "list": ["2026-11-29T20:04:56Z"]}],
             "nested worker meta exported in UTC")

# The oracle's own rule against the spelt-out values.
t.eq(convert(CASES), want_values(), "oracle rule agrees with the values spelt out")

# ---------------------------------------------------------------- batch timeline


def change_line(row):
    old, new = row["old"] or {}, row["new"] or {}
    parts = []
    for f in row["fields"]:
        o, n = disp(old.get(f), f in old), disp(new.get(f), f in new)
        parts.append((f, o, n))
    return parts


for label, entity, table, ent_id in (("execution", "execution:%d" % eid, "execution_history",
                                      eid),
                                     ("worker", "worker:%d" % wid, "worker_history", wid)):
    r = run_top(["-b", "-n", "1", "--entity", entity], env=env)
    if not t.ok(r.returncode == 0, label + " batch timeline: exit 0", r.stderr):
        continue
    rows = history(c, table, ent_id)
    newest = rows[-1]
    hist = text_section(r.stdout, "HISTORY")[1:]
    line = hist[0].split(None, 3)[3] if hist else ""
    # "field: old -> new; …"; objects are compared as parsed JSON.
    got = []
    for part in line.split("; "):
        f, rest = part.split(": ", 1)
        o, n = rest.split(" -> ", 1)
        got.append((f, o, n))
    want = change_line(newest)
    ok = len(got) == len(want)
    for g, w in zip(got, want):
        ok &= g[0] == w[0] and g[1] == w[1]
        ok &= g[2] == w[2] if w[2] is not None else json.loads(g[2]) == newest["new"][w[0]]
    t.ok(ok, label + ": newest row's changes in UTC as the oracle says", (got, want))
    t.ok("2026-11-29T20:04:56Z" in line and "+05:30\"" not in line.replace(
        '"2026-11-30T01:34:56+05:30"', ""), label + ": batch is UTC whatever TZ says", line)
    st = dict(l.split("=", 1) for l in text_section(r.stdout, "STATE AT"))
    want_st = state_at(rows, len(rows) - 1)
    ok = set(st) == set(want_st)
    for k, v in want_st.items():
        d = disp(v)
        ok &= st.get(k) == d if d is not None else json.loads(st.get(k, "null")) == v
    t.ok(ok, label + ": reconstructed state in UTC equals the oracle", (st, want_st))
    if label == "execution":
        t.eq(st.get("pst"), "2026-11-29T20:04:56Z", "state: -08:00 value shown in UTC")
        t.eq(st.get("feb30"), CASES["feb30"], "state: 2026-02-30 left as written")
        t.eq(st.get("nooff"), CASES["nooff"], "state: no offset left as written")
        t.eq(json.loads(st.get("nested", "null")), EXPECT["nested"], "state: nested in UTC")
    upd = [l for l in hist if "started_at:" in l]
    if label == "execution":
        t.ok(upd and "started_at: 2026-11-29T20:04:56.500000Z -> 2026-11-29T20:05:00Z" in upd[0],
             "trigger-written started_at change shown in UTC", upd)
t.done()
