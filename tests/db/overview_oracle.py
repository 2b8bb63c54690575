"""Every number of the overview (batch mode) equals SQL over the raw rows:
totals, per-status counts, failure rate, per-action counts, worker
transitions, in-flight counts, recent changes — for two ranges and a filter."""

from attune_test import TAP, Cluster
from oracle import compare_overview

t = TAP()
c = Cluster()


def compare(label, args, hours, filt=None):
    return compare_overview(t, c, label, args, hours, filt)


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
    t.ok(hostile[0] in p["actions"], "hostile ref displayed verbatim")
mb = [a for a in o["actions"] if any(ord(ch) > 127 for ch in a)]
t.ok(mb and all(a in p["actions"] for a in mb), "multibyte refs displayed verbatim", mb)
# A worker filter narrows the worker panel to that worker.
wname = sorted(o["workers"])[0]
compare("filter worker", ["--filter=" + wname], 24, wname)
t.done()
