"""Oracles for --export: every CSV export recomputed from raw rows
(execution_history, worker_history, event, enforcement, execution, worker)
in Python, and the export read back with libcsv's parser (tests/csvparse).

The oracle groups, filters, orders, formats timestamps, compacts JSON and
applies the formula guard itself; only raw column values come from psql."""

import datetime
import decimal
import json
import os
import subprocess
from collections import Counter

from attune_test import PGCLUSTER
from json_time import utc_text

CSVPARSE = os.environ.get("CSVPARSE_BIN",
                          os.path.join(os.path.dirname(PGCLUSTER) or ".", "csvparse"))

AGGREGATES = ("execution_status_hourly", "execution_throughput_hourly", "event_volume_hourly",
              "worker_status_hourly", "enforcement_volume_hourly", "execution_volume_hourly")
HEADERS = {
    "execution_status_hourly": ["bucket", "action_ref", "new_status", "transition_count"],
    "execution_throughput_hourly": ["bucket", "action_ref", "execution_count"],
    "event_volume_hourly": ["bucket", "trigger_ref", "event_count"],
    "worker_status_hourly": ["bucket", "worker_name", "new_status", "transition_count"],
    "enforcement_volume_hourly": ["bucket", "rule_ref", "enforcement_count"],
    "execution_volume_hourly": ["bucket", "action_ref", "initial_status", "execution_count"],
    "workers": ["id", "name", "worker_type", "worker_role", "status", "host", "port",
                "last_heartbeat", "heartbeat_age_s", "status_transitions"],
    "execution_history": ["time", "operation", "entity_id", "entity_ref", "changed_fields",
                          "old_values", "new_values"],
    "worker_history": ["time", "operation", "entity_id", "entity_ref", "changed_fields",
                       "old_values", "new_values"],
}
# Columns of free text (the formula guard applies); everything else is a
# number, a timestamp or JSON.
TEXT = {
    "execution_status_hourly": (1, 2), "execution_throughput_hourly": (1,),
    "event_volume_hourly": (1,), "worker_status_hourly": (1, 2),
    "enforcement_volume_hourly": (1,), "execution_volume_hourly": (1, 2),
    "workers": (1, 2, 3, 4, 5), "execution_history": (1, 3), "worker_history": (1, 3),
}

SEP = "\x1d"  # joins array elements in oracle queries; never in fixture text


def parse_csv(path):
    """Records of a CSV file via libcsv (strict): lists of str, None for an
    empty unquoted field."""
    r = subprocess.run([CSVPARSE, path], capture_output=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError("csvparse failed: " + r.stderr.decode(errors="replace"))
    return [json.loads(line) for line in r.stdout.decode("utf-8").splitlines()]


def q(s):
    return "'" + s.replace("'", "''") + "'"


def psql(c, sql):
    """Like Cluster.psql, but bytes-exact: a carriage return inside a value
    stays a carriage return (text mode would turn it into a newline)."""
    r = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                        "-F", "\x1f", "-R", "\x1e", "-P", "null=\x01", "-c", sql],
                       env=c.env(PGTZ="UTC"), capture_output=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError("psql failed: %s\n%s" % (r.stderr.decode(errors="replace"), sql))
    out = r.stdout.decode("utf-8")
    if out.endswith("\n"):
        out = out[:-1]
    return [[None if f == "\x01" else f for f in rec.split("\x1f")]
            for rec in out.split("\x1e") if rec != ""]


# ---------------------------------------------------------------- formats

def iso_hour(epoch):
    t = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_micros(epoch_text):
    """Exact: epoch seconds as decimal text with up to 6 decimals."""
    d = decimal.Decimal(epoch_text)
    secs = int(d.to_integral_value(rounding=decimal.ROUND_FLOOR))
    us = int((d - secs) * 1000000)
    t = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % us


class _Raw(str):
    """A JSON number kept as the server printed it."""


class _Obj(list):
    """A JSON object as ordered (key, value) pairs."""


def compact_json(text):
    """The server's canonical jsonb text → compact JSON (no whitespace
    outside strings), keys and numbers exactly as printed, times in UTC
    (json_time)."""
    if text is None:
        return None
    v = json.loads(text, object_pairs_hook=_Obj, parse_float=_Raw, parse_int=_Raw,
                   parse_constant=_Raw)
    return _dump(v)


def _dump(v):
    if isinstance(v, _Raw):
        return str(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return json.dumps(utc_text(v), ensure_ascii=False)
    if isinstance(v, _Obj):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _dump(x)
                              for k, x in v) + "}"
    return "[" + ",".join(_dump(x) for x in v) + "]"


def guard(cell):
    if cell and cell[0] in "=+-@\t\r":
        return "'" + cell
    return cell


def apply_guard(name, rows, raw):
    if raw:
        return rows
    cols = TEXT[name]
    return [[guard(c) if i in cols else c for i, c in enumerate(r)] for r in rows]


def _key(v):
    """Sort key: numbers as numbers, text bytewise (COLLATE "C"), NULL last."""
    if v is None:
        return (1, b"")
    if isinstance(v, int):
        return (0, v)
    return (0, v.encode("utf-8"))


# ---------------------------------------------------------------- range

def server_now(c):
    return decimal.Decimal(c.value("SELECT extract(epoch FROM now())"))


def bounds(now, hours):
    """SPEC: from the start of the UTC hour containing now - R through the
    current hour."""
    now = int(now.to_integral_value(rounding=decimal.ROUND_FLOOR))
    lo = (now - hours * 3600) // 3600 * 3600
    hi = now // 3600 * 3600 + 3600
    return lo, hi


# ---------------------------------------------------------------- oracles

def _hour(epoch_text):
    return int(decimal.Decimal(epoch_text).to_integral_value(
        rounding=decimal.ROUND_FLOOR)) // 3600 * 3600


def aggregate(c, name, now, hours, filt=None, schema="attune"):
    """Rows of an aggregate export, grouped in Python from raw rows."""
    S = '"%s"' % schema
    if name == "execution_status_hourly":
        src = psql(c, "SELECT extract(epoch FROM time), entity_ref, new_values->>'status'"
                     " FROM %s.execution_history WHERE 'status' = ANY(changed_fields)" % S)
    elif name == "execution_throughput_hourly":
        src = psql(c, "SELECT extract(epoch FROM time), entity_ref FROM %s.execution_history"
                     " WHERE operation = 'INSERT'" % S)
    elif name == "event_volume_hourly":
        src = psql(c, "SELECT extract(epoch FROM created), trigger_ref FROM %s.event" % S)
    elif name == "worker_status_hourly":
        src = psql(c, "SELECT extract(epoch FROM time), entity_ref, new_values->>'status'"
                     " FROM %s.worker_history WHERE 'status' = ANY(changed_fields)" % S)
    elif name == "enforcement_volume_hourly":
        src = psql(c, "SELECT extract(epoch FROM created), rule_ref FROM %s.enforcement" % S)
    elif name == "execution_volume_hourly":
        src = psql(c, "SELECT extract(epoch FROM created), action_ref, status::text"
                     " FROM %s.execution" % S)
    else:
        raise ValueError(name)
    lo, hi = bounds(now, hours)
    counts = Counter()
    for r in src:
        b = _hour(r[0])
        if lo <= b < hi and (filt is None or r[1] == filt):
            counts[(b,) + tuple(r[1:])] += 1
    keys = sorted(counts, key=lambda k: tuple(_key(x) for x in k))
    return [[iso_hour(k[0])] + list(k[1:]) + [str(counts[k])] for k in keys]


def workers(c, now, hours, filt=None, schema="attune"):
    """Rows of the workers export; heartbeat_age_s is returned as the
    heartbeat's epoch (text) for a range check against the run's clock."""
    S = '"%s"' % schema
    lo, hi = bounds(now, hours)
    trans = Counter()
    for r in psql(c, "SELECT extract(epoch FROM time), entity_ref FROM %s.worker_history"
                    " WHERE 'status' = ANY(changed_fields)" % S):
        if lo <= _hour(r[0]) < hi:
            trans[r[1]] += 1
    rows = []
    for r in psql(c, "SELECT id, name, worker_type::text, worker_role::text, status::text,"
                    " host, port, extract(epoch FROM last_heartbeat) FROM %s.worker" % S):
        if filt is not None and r[1] != filt:
            continue
        hb = r[7]
        rows.append([r[0], r[1], r[2], r[3], r[4], r[5], r[6],
                     None if hb is None else iso_micros(hb), hb, str(trans[r[1]])])
    rows.sort(key=lambda x: int(x[0]))
    return rows


def history(c, name, entity_pred, now, hours, filt=None, schema="attune"):
    """Rows of a history export for the rows matching entity_pred (SQL)."""
    S = '"%s"' % schema
    lo, _ = bounds(now, hours)
    src = psql(c, 
        "SELECT extract(epoch FROM time), operation, entity_id, entity_ref,"
        " CASE WHEN changed_fields IS NULL THEN NULL ELSE cardinality(changed_fields) END,"
        " array_to_string(changed_fields, %s), old_values::text, new_values::text"
        " FROM %s.%s WHERE %s" % (q(SEP), S, name, entity_pred))
    rows = []
    for r in src:
        if decimal.Decimal(r[0]) < lo or (filt is not None and r[3] != filt):
            continue
        if r[4] is None:
            cf = None
        else:
            items = r[5].split(SEP) if int(r[4]) else []
            cf = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        rows.append((decimal.Decimal(r[0]), [iso_micros(r[0]), r[1], r[2], r[3], cf,
                                             compact_json(r[6]), compact_json(r[7])]))
    rows.sort(key=lambda x: (x[0], int(x[1][2])) + tuple(_key(v) for v in
                                                         (x[1][1], x[1][3], x[1][4],
                                                          x[1][5], x[1][6])))
    return [r for _, r in rows]
