"""Oracle for entity timelines, computed in Python from raw history rows
fetched with psql (the folding, durations and gaps are computed here, not
by the program's SQL)."""

import json
from decimal import Decimal

from json_time import convert

TERMINAL = {"completed", "succeeded", "failed", "timeout", "timed_out", "cancelled",
            "canceled", "abandoned", "skipped"}
RANK = {"INSERT": 0, "UPDATE": 1, "DELETE": 2}


def history(c, table, entity_id):
    """Raw rows in timeline order (oldest first): dicts with time (Decimal
    epoch seconds), iso, op, fields, old, new (parsed JSON, times in UTC as
    the program shows them: json_time), and jsonb text of each value for
    display."""
    rows = c.psql(
        "SELECT extract(epoch FROM time)::numeric(20,6)::text,"
        " to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), operation,"
        " array_to_string(changed_fields, ','), old_values::text, new_values::text,"
        " md5(changed_fields::text || coalesce(old_values::text, '') ||"
        " coalesce(new_values::text, ''))"
        " FROM attune.%s WHERE entity_id = %d" % (table, entity_id))
    out = []
    for t, iso, op, fields, old, new, tb in rows:
        out.append({"time": Decimal(t), "iso": iso, "op": op,
                    "fields": fields.split(",") if fields else [],
                    "old": convert(json.loads(old)) if old else None,
                    "new": convert(json.loads(new)) if new else None, "tb": tb})
    out.sort(key=lambda r: (r["time"], RANK[r["op"]], r["tb"]))
    return out


def disp(v, present=True):
    """A value as the program shows it: strings bare, result digests as
    'digest sizeB type', anything else as JSON text."""
    if not present:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, dict) and {"digest", "size", "type"} <= set(v):
        return "%s %sB %s" % (v["digest"], v["size"], v["type"])
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    return None  # objects/arrays: compared by parsing the displayed JSON


def status_times(rows):
    """[(status, seconds or None when final, ongoing)] in order of first
    entry; ongoing statuses get None seconds (they run until now)."""
    st = [r for r in rows if r["op"] != "UPDATE" or "status" in r["fields"]]
    acc = {}
    order = []
    for i, r in enumerate(st):
        if r["op"] == "DELETE":
            continue
        s = (r["new"] or {}).get("status")
        if s is None:
            continue
        if s not in acc:
            acc[s] = [Decimal(0), 0, False, False]
            order.append(s)
        acc[s][1] += 1
        nxt = st[i + 1]["time"] if i + 1 < len(st) else None
        if s in TERMINAL:
            acc[s][3] = True
        elif nxt is None:
            acc[s][2] = True
        else:
            acc[s][0] += nxt - r["time"]
    return [(s, acc[s][0], acc[s][1], acc[s][2], acc[s][3]) for s in order]


def state_at(rows, upto):
    """State folded from the INSERT through row index `upto` (inclusive)."""
    state = {}
    for r in rows[:upto + 1]:
        if r["new"]:
            state.update(r["new"])
    return state


def gaps(rows):
    return [None if i == 0 else rows[i]["time"] - rows[i - 1]["time"] for i in range(len(rows))]
