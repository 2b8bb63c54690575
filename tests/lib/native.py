"""Queries against the native PostgreSQL shape (sql/attune-native.sql) of a test cluster
started with --native (the demo history loaded, every ended hour summarised)."""


def nq(c, sql, schema="attune"):
    """Rows of `sql` run with search_path = schema (the shape's functions rely on it)."""
    return c.psql("SET search_path = %s; SET client_min_messages = warning; %s" % (schema, sql))


def nv(c, sql, schema="attune"):
    rows = nq(c, sql, schema)
    return rows[0][0] if rows else None
