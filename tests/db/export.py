"""--export round trip: every NAME, two ranges and a filter, guarded and
--csv-raw, parsed back with libcsv (tests/csvparse) and compared cell by
cell with oracles over raw rows (tests/lib/csv_oracle.py). The fixture's
hostile refs (quotes, commas, multibyte, formula-looking) are joined here by
JSON with newlines, quotes, commas, ": " and backslashes, a leading CR and
tab, and a negative heartbeat age (a number: never guarded)."""

import csv
import decimal
import os
import re
import subprocess
import tempfile

from attune_test import BIN, TAP, Cluster, run_top
import csv_oracle as co

t = TAP()
c = Cluster()
tmp = tempfile.TemporaryDirectory()

# ---------------------------------------------------------------- hostile data
HOSTILE_META = ('{"note": "line1\\nline2, \\"q\\": x", "=f": "=1+2", "k\\\\": "\\\\",'
                ' "数据": ["a, b", {"c": null}], "n": -1.50, "t": "tab\\there", "e": ""}')
c.psql("UPDATE attune.worker SET meta = %s::jsonb WHERE id = 9" % co.q(HOSTILE_META))
c.psql("UPDATE attune.worker SET capabilities = '{\"cpu\": 4, \"tags\": [\"x, y\", \"@z\"]}'"
       " WHERE id = 9")
c.psql("UPDATE attune.worker SET host = '-host.example', status = 'busy' WHERE id = 3")
c.psql("UPDATE attune.worker SET host = E'\\tTAB-host' WHERE id = 5")
c.psql("UPDATE attune.worker SET last_heartbeat = now() + interval '1 hour' WHERE id = 2")
exec_id = c.value("SELECT max(id) FROM attune.execution WHERE action_ref = '=cmd.exec'")
c.psql("INSERT INTO attune.execution_history (time, operation, entity_id, entity_ref,"
       " changed_fields, old_values, new_values) VALUES"
       " (now() - interval '50 minutes', 'UPDATE', %s, '=cmd.exec',"
       "  '{status,\"we,ird \\\"f\\\"\",数据}',"
       "  '{\"status\": \"running\", \"we,ird \\\"f\\\"\": \"a\\nb, c: d\"}',"
       "  '{\"status\": \"failed\", \"数据\": {\"k\\\\\\\\\": [1, 2.50, null, true]}}'),"
       " (now() - interval '40 minutes', 'UPDATE', 424242, E'\\r=cr.ref', '{status}',"
       "  '{\"status\": \"running\"}', '{\"status\": \"failed\"}')" % exec_id)

raw_meta = c.value("SELECT new_values->'meta'->>'note' FROM attune.worker_history"
                   " WHERE entity_id = 9 AND 'meta' = ANY(changed_fields)"
                   " ORDER BY time DESC LIMIT 1")
t.ok(raw_meta and "\n" in raw_meta and '"' in raw_meta,
     "fixture: worker history holds JSON text with a newline and quotes", raw_meta)

FILTERS = {
    "execution_status_hourly": 'ops."quoted",action',
    "execution_throughput_hourly": "数据.同步",
    "event_volume_hourly": "core.intervaltimer",
    "worker_status_hourly": 'edge-"west",東京-01',
    "enforcement_volume_hourly": 'ops.rule,"quoted"',
    "execution_volume_hourly": "=cmd.exec",
    "workers": 'edge-"west",東京-01',
}


# ---------------------------------------------------------------- helpers

def run_export(args, out=None):
    path = out or os.path.join(tmp.name, "x%d.csv" % t.n)
    r = run_top(args + ["-o", path], env=c.env(LANG="C.UTF-8"), timeout=300)
    return r, path


def first_difference(got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return "row %d:\n  got  %r\n  want %r" % (i, g, w)
    return "lengths %d vs %d; extra: %r" % (len(got), len(want),
                                            (got[len(want):] or want[len(got):])[:3])


def python_csv(path):
    """A second, independent RFC 4180 reader (Python's csv module)."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f, strict=True))


def compare(label, args, expect, header):
    """Run the export and the oracle within one server hour (retried when
    an hour boundary passes in between). Returns (got, want, context)."""
    for _ in range(3):
        before = co.server_now(c)
        r, path = run_export(args)
        after = co.server_now(c)
        if co.bounds(before, 1) == co.bounds(after, 1):
            break
    if not t.ok(r.returncode == 0 and r.stderr == "", label + ": exit 0, quiet",
                "rc=%d stderr=%r" % (r.returncode, r.stderr)):
        return None, None, None
    return co.parse_csv(path), [header] + expect(before), (before, after, path)


def check(label, args, expect, header, fixup=None):
    got, want, ctx = compare(label, args, expect, header)
    if got is None:
        return None
    before, after, path = ctx
    py = python_csv(path)
    t.ok(py == [[x if x is not None else "" for x in row] for row in got],
         label + ": Python's csv reader agrees with libcsv's")
    if fixup:
        got, want = fixup([list(x) for x in got], want, before, after)
    t.ok(got == want, "%s: %d rows equal the oracle, cell by cell" % (label, len(want) - 1),
         first_difference(got, want))
    with open(path, "rb") as f:
        data = f.read()
    t.ok(data.startswith(('"' + '","'.join(header) + '"\r\n').encode())
         and data.endswith(b"\r\n"), label + ": quoted header, CRLF records")
    return got


# ---------------------------------------------------------------- aggregates

for name in co.AGGREGATES:
    h = co.HEADERS[name]
    f = FILTERS[name]
    cases = [
        ("24h", [], 24, None, False),
        ("7d", ["-R", "7d"], 168, None, False),
        ("2d filter", ["-R", "2d", "--filter", f], 48, f, False),
        ("24h --csv-raw", ["--csv-raw"], 24, None, True),
    ]
    for label, args, hours, filt, raw in cases:
        got = check("%s %s" % (name, label), ["--export=" + name] + args,
                    lambda now, n=name, hr=hours, fl=filt, rw=raw:
                    co.apply_guard(n, co.aggregate(c, n, now, hr, fl), rw), h)
        if got is not None and label == "7d":
            t.ok(len(got) > 20, name + ": fixture gives rows", len(got))
        if got is not None and filt:
            t.ok(len(got) > 1, name + ": filter matches rows", len(got))

# Guarded and raw spot checks on known hostile refs.
r, path = run_export(["--export=execution_status_hourly", "-R", "7d"])
cells = [row[1] for row in co.parse_csv(path)[1:]]
t.ok("'=cmd.exec" in cells and "'@at.ref" in cells and "'-neg.test" in cells
     and "'+sum.calc" in cells and "'\r=cr.ref" in cells, "formula-looking refs guarded",
     sorted(set(x for x in cells if x and x[0] in "'=+-@")))
t.ok('ops."quoted",action' in cells and "数据.同步" in cells, "quotes, commas, multibyte verbatim")
t.ok("=cmd.exec" not in cells, "no unguarded formula")
r, path = run_export(["--export=execution_status_hourly", "-R", "7d", "--csv-raw"])
cells = [row[1] for row in co.parse_csv(path)[1:]]
t.ok("=cmd.exec" in cells and "\r=cr.ref" in cells and "'=cmd.exec" not in cells,
     "--csv-raw leaves them as they are")

# ---------------------------------------------------------------- workers


def workers_fixup(got, want, before, after):
    """heartbeat_age_s depends on the export's own now(): check it lies
    between the ages at the clocks read before and after the run, then
    compare the rest."""
    bad = []
    for g, w in zip(got[1:], want[1:]):
        if w[8] is None:
            if g[8] is not None:
                bad.append((g[0], g[8]))
            continue
        hb = decimal.Decimal(w[8])
        lo, hi = before - hb - decimal.Decimal("0.001"), after - hb + decimal.Decimal("0.001")
        if not (g[8] and re.fullmatch(r"-?\d+\.\d{3}", g[8]) and lo <= decimal.Decimal(g[8]) <= hi):
            bad.append((g[0], g[8], str(lo), str(hi)))
        g[8] = w[8] = "age"
    t.ok(not bad, "workers: heartbeat_age_s is the age in seconds, 3 decimals", bad)
    return got, want


for label, args, hours, filt, raw in [
        ("24h", [], 24, None, False),
        ("7d", ["-R", "7d"], 168, None, False),
        ("2d filter", ["-R", "2d", "-f", FILTERS["workers"]], 48, FILTERS["workers"], False),
        ("24h --csv-raw", ["--csv-raw"], 24, None, True)]:
    got = check("workers " + label, ["--export=workers"] + args,
                lambda now, hr=hours, fl=filt, rw=raw:
                co.apply_guard("workers", co.workers(c, now, hr, fl), rw),
                co.HEADERS["workers"], workers_fixup)

r, path = run_export(["--export=workers"])
rows = {row[0]: row for row in co.parse_csv(path)[1:]}
t.ok(rows["2"][8].startswith("-") and not rows["2"][8].startswith("'"),
     "negative heartbeat age stays a number (-… unguarded)", rows["2"][8])
t.eq(rows["3"][5], "'-host.example", "text starting with '-' is guarded")
t.eq(rows["5"][5], "'\tTAB-host", "text starting with a tab is guarded")
t.ok(rows["5"][6] is None, "NULL port is an empty unquoted field", rows["5"][6])
t.ok(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", rows["1"][7] or ""),
     "last_heartbeat is UTC ISO 8601 with microseconds", rows["1"][7])

# ---------------------------------------------------------------- history


def hist_cases(name, entity, pred):
    return [
        ("%s %s 24h" % (name, entity), ["--entity=" + entity], 24, None, False, pred),
        ("%s %s 7d" % (name, entity), ["--entity=" + entity, "-R", "7d"], 168, None, False,
         pred),
        ("%s %s 7d --csv-raw" % (name, entity), ["--entity=" + entity, "-R", "7d",
                                                 "--csv-raw"], 168, None, True, pred),
    ]


cases = hist_cases("execution_history", "execution:%s" % exec_id, "entity_id = %s" % exec_id)
cases.append(("execution_history filter", ["--entity=execution:%s" % exec_id, "-R", "7d",
                                          "-f", "=cmd.exec"], 168, "=cmd.exec", False,
              "entity_id = %s" % exec_id))
cases.append(("execution_history filter other ref", ["--entity=execution:%s" % exec_id, "-R",
                                                    "7d", "-f", "other"], 168, "other",
              False, "entity_id = %s" % exec_id))
cases += hist_cases("worker_history", "worker:9", "entity_id = 9")
cases += hist_cases("worker_history", 'worker:edge-"west",東京-01', "entity_id = 9")
cases.append(("worker_history renamed worker by name", ["--entity=worker:worker-remote-eu-01",
                                                       "-R", "1w"], 168, None, False,
              "entity_id = 4"))
cases.append(("worker_history deleted worker by name", ["--entity=worker:worker-decom-05",
                                                       "-R", "2w"], 336, None, False,
              "entity_ref = 'worker-decom-05'"))
cases.append(("worker_history filter", ["--entity=worker:9", "-R", "7d", "-f",
                                        'edge-"west",東京-01'], 168, 'edge-"west",東京-01',
              False, "entity_id = 9"))
results = {}
for label, args, hours, filt, raw, pred in cases:
    name = label.split()[0]
    results[label] = check(label, ["--export=" + name] + args,
                           lambda now, n=name, p=pred, hr=hours, fl=filt, rw=raw:
                           co.apply_guard(n, co.history(c, n, p, now, hr, fl), rw),
                           co.HEADERS[name])

got = results.get("worker_history worker:9 7d") or []
meta = [r for r in got[1:] if r[4] == '["meta"]']
t.ok(meta and "\\n" in meta[-1][6] and ", \\\"q\\\": x" in meta[-1][6]
     and '"=f":"=1+2"' in meta[-1][6], "worker meta JSON: compact, string contents kept",
     meta[-1:] if meta else got[-3:])
t.ok(all(": " not in (r[5] or "").replace(", \\\"q\\\": x", "") for r in got[1:]),
     "no space after ':' outside strings")
got = results.get("execution_history execution:%s 7d" % exec_id) or []
t.ok(any(r[4] == '["status","we,ird \\"f\\"","数据"]' for r in got[1:]),
     "changed_fields is a JSON array, elements escaped", [r[4] for r in got[1:]])
t.ok(any(r[6] == '{"status":"failed","数据":{"k\\\\\\\\":[1,2.50,null,true]}}' for r in got[1:]),
     "nested JSON compact, numbers as stored", [r[6] for r in got[1:]])
t.ok(len(results.get("worker_history renamed worker by name") or []) > 15
     and any(r[3] == "remote-eu-1" for r in results["worker_history renamed worker by name"]),
     "worker:NAME follows the worker's id across a rename")
t.ok(any(r[1] == "DELETE" for r in results.get("worker_history deleted worker by name") or []),
     "worker:NAME of a deleted worker matches its recorded name")
t.eq(len(results.get("execution_history filter other ref") or []), 1,
     "a filter on another ref leaves only the header")

# ---------------------------------------------------------------- stdout
def stdout_bytes(args):
    r = subprocess.run([BIN] + args, env=c.env(), capture_output=True, timeout=120)
    return r.returncode, r.stdout


rc1, out1 = stdout_bytes(["--export=event_volume_hourly", "-R", "7d"])
r2, path = run_export(["--export=event_volume_hourly", "-R", "7d"])
with open(path, "rb") as f:
    t.ok(rc1 == 0 and out1 == f.read() and len(out1) > 1000, "standard output = file content")
rc3, out3 = stdout_bytes(["--export=event_volume_hourly", "-R", "7d", "-o", "-"])
t.ok(rc3 == 0 and out3 == out1, "-o - is standard output")
t.done()
