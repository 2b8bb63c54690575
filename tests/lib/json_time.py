"""Oracle for times inside history JSON (src/db/json_utc.h), written from
the rule, not from the program's SQL: a string value that is an ISO 8601
timestamp with an explicit offset is shown and exported in UTC,
"2026-11-29T20:04:56Z", or with microseconds when it was written with a
fraction; in local time (the timeline's `u` off) as the same instant with
its offset. Anything else stays as written."""

import datetime
import re

SHAPE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?"
                   r"(Z|([+-])(\d{2})(?::(\d{2})(?::(\d{2}))?|(\d{2}))?)\Z")


def instant(s):
    """(aware UTC datetime, written with a fraction) or None."""
    m = SHAPE.match(s)
    if not m:
        return None
    y, mo, d, h, mi, se = (int(x) for x in m.group(1, 2, 3, 4, 5, 6))
    frac = m.group(7)
    if m.group(8) == "Z":
        off = 0
    else:
        oh = int(m.group(10))
        om = int(m.group(11) or m.group(13) or 0)
        os_ = int(m.group(12) or 0)
        if oh > 15 or om > 59 or os_ > 59:
            return None
        off = (oh * 3600 + om * 60 + os_) * (-1 if m.group(9) == "-" else 1)
    # Up to 6 digits are exact; more are rounded as the server rounds.
    us = round(float("0" + frac) * 1e6) if frac else 0
    try:
        local = datetime.datetime(y, mo, d, h, mi, se, tzinfo=datetime.timezone.utc)
        utc = local - datetime.timedelta(seconds=off) + datetime.timedelta(microseconds=us)
    except (ValueError, OverflowError):
        return None  # no such day, hour 24, year 0, or outside years 1-9999
    return utc, frac is not None


def utc_text(s):
    """s in the canonical UTC form, or s as written."""
    i = instant(s)
    if i is None:
        return s
    u = i[0]
    return "%04d-%02d-%02dT%02d:%02d:%02d%sZ" % (
        u.year, u.month, u.day, u.hour, u.minute, u.second,
        ".%06d" % u.microsecond if i[1] else "")


def local_text(s):
    """s as the same instant in this process's local time zone with its
    offset, or s as written."""
    i = instant(s)
    if i is None:
        return s
    return i[0].astimezone().isoformat(timespec="microseconds" if i[1] else "seconds")


def convert(v, fn=utc_text):
    """Every string value (not key) of parsed JSON passed through fn."""
    if isinstance(v, str):
        return fn(v)
    if isinstance(v, dict):
        return {k: convert(x, fn) for k, x in v.items()}
    if isinstance(v, list):
        return [convert(x, fn) for x in v]
    return v


# ---------------------------------------------------------------- fixture

# String values of every kind next to each other, as written by a client.
CASES = {
    "ist": "2026-11-30T01:34:56+05:30",
    "pst": "2026-11-29T12:04:56-08:00",
    "zulu": "2026-11-29T20:04:56Z",
    "frac": "2026-11-30T01:34:56.5+05:30",
    "micro": "2026-11-29T12:04:56.123456-08:00",
    "hhmm": "2026-11-30T01:34:56+0530",
    "hh": "2026-11-29T21:04:56+01",
    "space": "2026-11-30 01:34:56+05:30",
    "nooff": "2026-11-30T01:34:56",
    "feb30": "2026-02-30T10:00:00+01:00",
    "year0": "0000-01-01T00:00:00Z",
    "off25": "2026-01-01T10:00:00+25:00",
    "h24": "2026-01-01T24:00:00Z",
    "min60": "2026-01-01T10:60:00Z",
    "leap": "2024-02-29T10:00:00+01:00",
    "noleap": "2025-02-29T10:00:00+01:00",
    "lo": "0001-01-01T00:00:00+05:00",
    "hi": "9999-12-31T23:00:00-05:00",
    "text": "deploy at 2026-11-30T01:34:56+05:30",
    "quoted": "\"2026-11-30T01:34:56+05:30\"",
    "num": 5,
    "nil": None,
    "flag": True,
    "nested": {"at": "2026-11-30T01:34:56+05:30",
               "list": ["2026-11-29T12:04:56-08:00", 1, "x"]},
    "2026-11-30T01:34:56+05:30": "a key stays as written",
}

# What the rule makes of them, spelt out: the strings that change.
EXPECT = {
    "ist": "2026-11-29T20:04:56Z", "pst": "2026-11-29T20:04:56Z",
    "zulu": "2026-11-29T20:04:56Z", "frac": "2026-11-29T20:04:56.500000Z",
    "micro": "2026-11-29T20:04:56.123456Z", "hhmm": "2026-11-29T20:04:56Z",
    "hh": "2026-11-29T20:04:56Z", "space": "2026-11-29T20:04:56Z",
    "leap": "2024-02-29T09:00:00Z",
    "nested": {"at": "2026-11-29T20:04:56Z", "list": ["2026-11-29T20:04:56Z", 1, "x"]},
}


def write_history(c, schema="attune"):
    """History written by sessions in +05:30 and -08:00 (their triggers put
    started_at in their own zone) and rows holding CASES. Returns the
    execution id and the worker id."""
    import json
    lit = "'%s'::jsonb" % json.dumps(CASES).replace("'", "''")
    eid = c.value("SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE;"
                  " INSERT INTO %s.execution (action_ref, status, started_at)"
                  " VALUES ('tz.check', 'running', timestamptz '2026-11-29 20:04:56.5+00')"
                  " RETURNING id" % schema)
    c.psql("SET TIME ZONE 'America/Los_Angeles';"
           " UPDATE %s.execution SET started_at = timestamptz '2026-11-29 20:05:00+00'"
           " WHERE id = %s" % (schema, eid))
    c.psql("SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE;"
           " INSERT INTO %s.execution_history (time, operation, entity_id, entity_ref,"
           " changed_fields, old_values, new_values) SELECT now(), 'UPDATE', %s, 'tz.check',"
           " array(SELECT jsonb_object_keys(%s)), '{\"ist\": \"2026-11-29T12:04:56-08:00\"}',"
           " %s" % (schema, eid, lit, lit))
    wid = c.value("SELECT min(id) FROM %s.worker" % schema)
    c.psql("SET TIME ZONE INTERVAL '-08:00' HOUR TO MINUTE;"
           " UPDATE %s.worker SET meta = jsonb_build_object('seen',"
           " timestamptz '2026-11-29 20:04:56.123456+00', 'list',"
           " jsonb_build_array(timestamptz '2026-11-29 20:04:56+00')) WHERE id = %s"
           % (schema, wid))
    c.psql("INSERT INTO %s.worker_history (time, operation, entity_id, entity_ref,"
           " changed_fields, old_values, new_values) SELECT now(), 'UPDATE', w.id, w.name,"
           " array(SELECT jsonb_object_keys(%s)), NULL, %s FROM %s.worker w WHERE w.id = %s"
           % (schema, lit, lit, schema, wid))
    return int(eid), int(wid)
