"""The native PostgreSQL shape (sql/attune-native.sql) in a test cluster started with
--no-attune, with the demo workload's history, for tests of the program against it."""

import os
import subprocess

from attune_test import SRCDIR


def nq(c, sql, schema="attune"):
    """Rows of `sql` run with search_path = schema (the shape's functions rely on it)."""
    return c.psql("SET search_path = %s; SET client_min_messages = warning; %s" % (schema, sql))


def nv(c, sql, schema="attune"):
    rows = nq(c, sql, schema)
    return rows[0][0] if rows else None


def load_native(c, schema="attune", populate=True):
    """Create `schema`, load the native shape and the demo workload into it, fill an
    8-day history (populate) and build every ended hour's summaries."""
    c.psql("CREATE SCHEMA " + schema)
    env = c.env(PGOPTIONS="-c search_path=%s -c client_min_messages=warning" % schema)
    for name in ("attune-native.sql", "demo-workload.sql"):
        r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f",
                            os.path.join(SRCDIR, "sql", name)],
                           env=env, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError("loading %s failed: %s" % (name, r.stderr.strip()))
    if populate:
        nq(c, "SELECT attune_demo.populate()", schema)
        nq(c, "SELECT * FROM native_summary_build(now())", schema)
