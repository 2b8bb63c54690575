/* Storage and freshness: SQL per backend and the generic tables it fills. */
#include "model/storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/fmt.h"

const char *const storage_csv_heads[SC_COUNT] = {
    "relation",     "kind",          "total_bytes",    "partitions",     "oldest_bound",
    "newest_bound", "default_rows",  "future_days",    "hours_built",    "hours_dirty",
    "watermark",    "hours_missing", "oldest_refresh", "latest_refresh", "retention",
    "last_success", "next_due",      "needs_action",
};

const bool storage_csv_text[SC_COUNT] = {
    [SC_RELATION] = true,
    [SC_KIND] = true,
    [SC_RETENTION] = true,
    [SC_NEEDS_ACTION] = true,
};

/* One table of the view: its columns, its SQL, how its rows become CSV. */
struct st_def {
	const char *title;
	int ncols, nshow; /* nshow 0: all columns are drawn */
	const char *heads[ST_MAX_COLS];
	enum st_kind kinds[ST_MAX_COLS];
	char *(*sql)(const struct caps *c);
	int nparams;               /* $1 schema, $2 range start (epoch seconds) */
	const char *item;          /* how "Needs action" names a row: item + column 0 */
	const char *csv_kind;      /* the CSV kind, NULL: column csv[SC_KIND] - 1 */
	signed char csv[SC_COUNT]; /* source column + 1 of each CSV field, 0: empty */
};

/* Guarded reads of optional relations. Naming a relation in the statement
 * would fail the whole statement when it is missing or not readable (a
 * monitoring role without grants); query_to_xml reads it only when it
 * exists and may be read, and the value is taken out of the XML text.
 * rel: the relation; inner: the statement as a format() call ($1 is the
 * schema) selecting one column "v"; pat: what the value looks like (digits
 * and letters: nothing XML escapes). NULL when not readable. For
 * xasprintf formats, hence the doubled percent signs. */
#define GUARD(rel, inner, pat)                                                                     \
	"(CASE WHEN has_table_privilege(to_regclass(format('%%I." rel "', $1::text)), 'SELECT')"   \
	" THEN substring(query_to_xml(" inner ", false, true, '')::text FROM '<v>(" pat ")</v>')"  \
	" END)"

/* A number from the supervisor's settings (runtime_retention_config.native_maintenance). */
#define CONFIG_SETTING(key)                                                                        \
	GUARD("runtime_retention_config",                                                          \
	      "format('SELECT native_maintenance->>%%L AS v FROM %%I.runtime_retention_config', "  \
	      "'" key "', $1::text)",                                                              \
	      "[0-9]+")

/* ------------------------------------------------------------ TimescaleDB */

#define REG "format('%%I.%%I', h.hypertable_schema, h.hypertable_name)::regclass"
#define CHUNKS_OF_H                                                                                \
	" FROM timescaledb_information.chunks k WHERE k.hypertable_schema = h.hypertable_schema"   \
	" AND k.hypertable_name = h.hypertable_name"

static char *ts_hypertables_sql(const struct caps *c)
{
	const char *ts = c->q_ts_schema;
	return xasprintf(
	    "SELECT h.hypertable_name::text, %s.hypertable_size(" REG ")::int8,"
	    " h.num_chunks::int8, (SELECT count(*)" CHUNKS_OF_H " AND k.is_compressed)::int8,"
	    " (SELECT sum(before_compression_total_bytes)::int8"
	    " FROM %s.hypertable_compression_stats(" REG ")),"
	    " (SELECT sum(after_compression_total_bytes)::int8"
	    " FROM %s.hypertable_compression_stats(" REG ")), NULL::text,"
	    " (SELECT j.config->>'drop_after' FROM timescaledb_information.jobs j"
	    " WHERE j.proc_name = 'policy_retention'"
	    " AND j.hypertable_schema = h.hypertable_schema"
	    " AND j.hypertable_name = h.hypertable_name LIMIT 1),"
	    " (SELECT floor(extract(epoch FROM min(k.range_start)))::int8" CHUNKS_OF_H "),"
	    " (SELECT floor(extract(epoch FROM max(k.range_end)))::int8" CHUNKS_OF_H ")"
	    " FROM timescaledb_information.hypertables h WHERE h.hypertable_schema = $1"
	    " ORDER BY 1",
	    ts, ts, ts);
}

static char *ts_aggregates_sql(const struct caps *c)
{
	char wm[512];
	if (c->ts_func_schema[0])
		snprintf(wm, sizeof wm,
		         "(SELECT floor(extract(epoch FROM %s.to_timestamp(%s.cagg_watermark("
		         "g.mat_hypertable_id))))::int8 FROM _timescaledb_catalog.continuous_agg g"
		         " WHERE g.user_view_schema = ca.view_schema"
		         " AND g.user_view_name = ca.view_name)",
		         c->ts_func_schema, c->ts_func_schema);
	else
		snprintf(wm, sizeof wm, "NULL::int8");
	return xasprintf(
	    "SELECT ca.view_name::text, ca.materialized_only::text, %s AS wm,"
	    " NULL::int8, floor(extract(epoch FROM js.last_run_started_at))::int8,"
	    " js.last_run_status::text, floor(extract(epoch FROM js.next_start))::int8,"
	    " (SELECT count(*) FROM _timescaledb_catalog.continuous_aggs_materialization_"
	    "invalidation_log l JOIN _timescaledb_catalog.continuous_agg g"
	    " ON g.mat_hypertable_id = l.materialization_id"
	    " WHERE g.user_view_schema = ca.view_schema"
	    " AND g.user_view_name = ca.view_name)::int8, j.job_id::int8"
	    " FROM timescaledb_information.continuous_aggregates ca"
	    " LEFT JOIN timescaledb_information.jobs j"
	    " ON j.proc_name = 'policy_refresh_continuous_aggregate'"
	    " AND j.hypertable_schema = ca.materialization_hypertable_schema"
	    " AND j.hypertable_name = ca.materialization_hypertable_name"
	    " LEFT JOIN timescaledb_information.job_stats js ON js.job_id = j.job_id"
	    " WHERE ca.view_schema = $1 ORDER BY 1",
	    wm);
}

/* ------------------------------------------------------------ plain PostgreSQL */

/* Every table of the schema; a partitioned table's sizes and row estimate
 * are the sums over its partition tree (the parent itself has no storage).
 * On TimescaleDB the hypertables are listed with their own figures. */
static char *pg_tables_sql(const struct caps *c)
{
	return xasprintf(
	    "SELECT c.relname::text, s.total, s.heap, s.idx, s.est,"
	    " CASE WHEN c.relkind = 'p' THEN (SELECT count(*) FROM pg_catalog.pg_inherits i"
	    " WHERE i.inhparent = c.oid) END,"
	    " CASE c.relkind WHEN 'p' THEN 'partitioned table' ELSE 'table' END"
	    " FROM pg_catalog.pg_class c"
	    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " CROSS JOIN LATERAL (SELECT sum(pg_total_relation_size(t.relid))::int8 AS total,"
	    " sum(pg_relation_size(t.relid))::int8 AS heap,"
	    " sum(pg_indexes_size(t.relid))::int8 AS idx,"
	    " sum(greatest(k.reltuples, 0))::int8 AS est"
	    " FROM (SELECT c.oid AS relid UNION SELECT relid FROM pg_partition_tree(c.oid)) t"
	    " JOIN pg_catalog.pg_class k ON k.oid = t.relid) s"
	    " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition%s"
	    " ORDER BY s.total DESC, 1",
	    c->tsdb_version[0]
	        ? " AND NOT EXISTS (SELECT 1 FROM timescaledb_information.hypertables"
	          " h WHERE h.hypertable_schema = n.nspname"
	          " AND h.hypertable_name = c.relname)"
	        : "");
}

static char *pg_partitions_sql(const struct caps *c)
{
	(void)c;
	return xstrdup("SELECT p.relname::text, c.relname::text,"
	               " pg_get_expr(c.relpartbound, c.oid), pg_total_relation_size(c.oid)"
	               " FROM pg_catalog.pg_inherits i"
	               " JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid"
	               " JOIN pg_catalog.pg_class p ON p.oid = i.inhparent"
	               " JOIN pg_catalog.pg_namespace n ON n.oid = p.relnamespace"
	               " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1, 2");
}

/* The hourly relations that are views (continuous aggregates have their own table). */
static char *pg_aggregates_sql(const struct caps *c)
{
	return xasprintf(
	    "SELECT c.relname::text, CASE c.relkind WHEN 'v' THEN 'view (always current)'"
	    " WHEN 'm' THEN 'materialized view' ELSE c.relkind::text END,"
	    " CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'"
	    " ELSE c.relkind::text END"
	    " FROM pg_catalog.pg_class c"
	    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE n.nspname = $1 AND c.relname = ANY('{execution_status_hourly,"
	    "execution_throughput_hourly,event_volume_hourly,worker_status_hourly,"
	    "enforcement_volume_hourly,execution_volume_hourly}'::text[])%s ORDER BY 1",
	    c->tsdb_version[0]
	        ? " AND NOT EXISTS (SELECT 1 FROM timescaledb_information.continuous_aggregates ca"
	          " WHERE ca.view_schema = n.nspname AND ca.view_name = c.relname)"
	        : "");
}

/* ------------------------------------------------------------ native Attune */

/* Native when both the partition registry and the summary ledger exist. */
static const char native_probe_sql[] =
    "SELECT to_regclass(format('%I.native_partition_registry', $1::text)) IS NOT NULL"
    " AND to_regclass(format('%I.native_summary_hour', $1::text)) IS NOT NULL";

/* Per managed parent (the enum of the registry): size summed over the
 * partition tree; registered day leaves that are attached, their bounds and
 * the future days (leaves from tomorrow, UTC, on); the DEFAULT partition's
 * rows (probed up to ST_PROBE_CAP) and oldest day; lookahead and retention
 * from the supervisor's configuration. */
static char *native_parents_sql(const struct caps *c)
{
	return xasprintf(
	    "WITH p AS (SELECT k::text AS parent,"
	    " to_regclass(format('%%I.%%I', $1::text, k::text)) AS rel,"
	    " date_trunc('day', now(), 'UTC') + interval '1 day' AS tomorrow,"
	    " CASE k::text WHEN 'event' THEN 'events' WHEN 'audit_event' THEN 'audit_events'"
	    " ELSE k::text END AS target"
	    " FROM unnest(enum_range(NULL::%s.native_partition_parent)) k),"
	    " x AS (SELECT p.*, pt.partdefid AS def,"
	    " (SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = p.rel"
	    " AND a.attnum = pt.partattrs[0]) AS key,"
	    " (SELECT sum(pg_total_relation_size(t.relid))::int8"
	    " FROM pg_partition_tree(p.rel) t) AS bytes, r.*"
	    " FROM p LEFT JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = p.rel"
	    " LEFT JOIN LATERAL (SELECT count(*) AS days, min(g.lower_bound) AS lo,"
	    " max(g.upper_bound) AS hi, count(*) FILTER (WHERE g.lower_bound >= p.tomorrow)"
	    " AS future, coalesce(bool_or(g.lower_bound = p.tomorrow), false) AS has_tomorrow"
	    " FROM %s.native_partition_registry g JOIN pg_catalog.pg_inherits i"
	    " ON i.inhparent = p.rel"
	    " AND i.inhrelid = to_regclass(format('%%I.%%I', $1::text, g.partition_name))"
	    " WHERE g.parent::text = p.parent) r ON true),"
	    " d AS (SELECT x.*, CASE WHEN x.def <> 0 AND has_table_privilege(x.def, 'SELECT')"
	    " THEN query_to_xml(format('SELECT (SELECT count(*) FROM (SELECT 1 FROM ONLY %%s"
	    " LIMIT %d) s) AS n, (SELECT floor(extract(epoch FROM date_trunc(''day'', min(%%I),"
	    " ''UTC'')))::int8 FROM ONLY %%s) AS o', x.def::regclass, x.key, x.def::regclass),"
	    " false, true, '')::text END AS probe,"
	    " " GUARD(
	        "runtime_retention_target_config",
	        "format('SELECT coalesce(max_age_seconds::text, %%L) AS v"
	        " FROM %%I.runtime_retention_target_config WHERE target = %%L',"
	        " 'forever', $1::text, x.target)",
	        "[0-9a-z]+") " AS keep"
	                     " FROM x),"
	                     " e AS (SELECT d.*, substring(d.probe FROM '<n>([0-9]+)</n>')::int8 "
	                     "AS drows,"
	                     " substring(d.probe FROM '<o>(-?[0-9]+)</o>')::int8 AS doldest,"
	                     " coalesce(" CONFIG_SETTING(
	                         "partition_lookahead_days") "::int8, 7) AS lookahead"
	                                                     " FROM d),"
	                                                     " f AS (SELECT e.*, "
	                                                     "nullif(concat_ws('; ',"
	                                                     " CASE WHEN e.rel IS NOT NULL AND NOT "
	                                                     "coalesce(e.has_tomorrow, false)"
	                                                     " THEN 'no partition for tomorrow' "
	                                                     "END,"
	                                                     " CASE WHEN e.drows > 0 THEN 'rows "
	                                                     "waiting in the DEFAULT partition' "
	                                                     "END), '')"
	                                                     " AS needs FROM e)"
	                                                     " SELECT f.parent, f.bytes, f.days, "
	                                                     "floor(extract(epoch FROM "
	                                                     "f.lo))::int8,"
	                                                     " floor(extract(epoch FROM "
	                                                     "f.hi))::int8, f.drows, f.doldest, "
	                                                     "f.future, f.lookahead,"
	                                                     " CASE WHEN f.keep = 'forever' THEN "
	                                                     "'forever' WHEN f.keep IS NOT NULL"
	                                                     " THEN "
	                                                     "justify_hours(make_interval(secs => "
	                                                     "f.keep::float8))::text END, f.needs"
	                                                     " FROM f ORDER BY f.needs IS NULL, "
	                                                     "f.parent",
	    c->qschema, c->qschema, ST_PROBE_CAP);
}

/* Per summary kind, over the ended hours of the range [$2, this hour):
 * ledger hours (built), queued hours (dirty), hours with no ledger row
 * (missing), the oldest and newest build; the end of the newest built hour
 * (watermark); hours queued for longer than the summary interval. */
static char *native_summaries_sql(const struct caps *c)
{
	return xasprintf(
	    "WITH b AS (SELECT to_timestamp($2::float8) AS lo,"
	    " date_trunc('hour', now(), 'UTC') AS hi, make_interval(secs => "
	    "coalesce(" CONFIG_SETTING(
	        "summary_interval_seconds") "::float8, %d)) AS iv),"
	                                    " k AS (SELECT k, k::text || '_hourly_summary' AS tbl"
	                                    " FROM "
	                                    "unnest(enum_range(NULL::%s.native_summary_kind)) k),"
	                                    " x AS (SELECT k.k::text AS kind, k.tbl,"
	                                    " pg_total_relation_size(to_regclass(format('%%I.%%I', "
	                                    "$1::text, k.tbl)))::int8 AS bytes,"
	                                    " h.built, greatest(floor(extract(epoch FROM b.hi - "
	                                    "b.lo) / 3600)::int8, 0) AS hours,"
	                                    " h.oldest, h.latest,"
	                                    " (SELECT count(DISTINCT i.bucket) FROM "
	                                    "%s.native_summary_invalidation i"
	                                    " WHERE i.kind = k.k AND i.bucket >= b.lo AND i.bucket "
	                                    "< b.hi) AS dirty,"
	                                    " (SELECT count(DISTINCT i.bucket) FROM "
	                                    "%s.native_summary_invalidation i"
	                                    " WHERE i.kind = k.k AND i.created < now() - b.iv"
	                                    " AND i.bucket + interval '1 hour' < now() - b.iv) AS "
	                                    "stale,"
	                                    " (SELECT max(w.bucket) + interval '1 hour' FROM "
	                                    "%s.native_summary_hour w"
	                                    " WHERE w.kind = k.k) AS wm"
	                                    " FROM k CROSS JOIN b CROSS JOIN LATERAL (SELECT "
	                                    "count(*) AS built,"
	                                    " min(h.refreshed_at) AS oldest, max(h.refreshed_at) "
	                                    "AS latest"
	                                    " FROM %s.native_summary_hour h"
	                                    " WHERE h.kind = k.k AND h.bucket >= b.lo AND h.bucket "
	                                    "< b.hi) h),"
	                                    " f AS (SELECT x.*, CASE WHEN x.stale > 0 THEN x.stale"
	                                    " || ' dirty hour(s) not rebuilt within the summary "
	                                    "interval' END AS needs FROM x)"
	                                    " SELECT f.kind, f.tbl, f.bytes, f.built, f.dirty, "
	                                    "f.hours - f.built,"
	                                    " floor(extract(epoch FROM f.oldest))::int8, "
	                                    "floor(extract(epoch FROM f.latest))::int8,"
	                                    " floor(extract(epoch FROM f.wm))::int8, f.needs FROM "
	                                    "f ORDER BY f.needs IS NULL, f.kind",
	    ST_SUMMARY_INTERVAL_S, c->qschema, c->qschema, c->qschema, c->qschema, c->qschema);
}

static char *native_schedule_sql(const struct caps *c)
{
	return xasprintf(
	    "SELECT * FROM (SELECT s.job::text, floor(extract(epoch FROM s.next_due))::int8,"
	    " floor(extract(epoch FROM s.last_success))::int8,"
	    " CASE WHEN s.next_due < now()"
	    " THEN floor(extract(epoch FROM now() - s.next_due))::int8 END,"
	    " CASE WHEN s.next_due < now() - interval '%d seconds'"
	    " THEN 'overdue' END AS needs"
	    " FROM %s.native_maintenance_schedule s) j ORDER BY j.needs IS NULL, 1",
	    ST_OVERDUE_GRACE_S, c->qschema);
}

/* ------------------------------------------------------------ tables */

static const struct st_def ts_hypertables = {
    "Hypertables",
    10,
    0,
    {"hypertable", "total bytes", "chunks", "compressed", "before", "after", "ratio", "retention",
     "oldest chunk", "newest chunk"},
    {STK_TEXT, STK_BYTES, STK_INT, STK_INT, STK_BYTES, STK_BYTES, STK_RATIO, STK_TEXT, STK_TIME,
     STK_TIME},
    ts_hypertables_sql,
    1,
    NULL,
    "hypertable",
    {[SC_RELATION] = 1,
     [SC_TOTAL_BYTES] = 2,
     [SC_PARTITIONS] = 3,
     [SC_OLDEST_BOUND] = 9,
     [SC_NEWEST_BOUND] = 10,
     [SC_RETENTION] = 8},
};
static const struct st_def ts_aggregates = {
    "Continuous aggregates",
    9,
    0,
    {"aggregate", "materialized only", "watermark", "lag", "last run", "status", "next start",
     "invalidations", "job"},
    {STK_TEXT, STK_TEXT, STK_TIME, STK_AGE, STK_TIME, STK_TEXT, STK_TIME, STK_INT, STK_INT},
    ts_aggregates_sql,
    1,
    NULL,
    "continuous aggregate",
    {[SC_RELATION] = 1, [SC_WATERMARK] = 3},
};
static const struct st_def pg_tables = {
    "Tables",
    7,
    6,
    {"table", "total bytes", "table bytes", "index bytes", "rows (estimate)", "partitions", "kind"},
    {STK_TEXT, STK_BYTES, STK_BYTES, STK_BYTES, STK_INT, STK_INT, STK_TEXT},
    pg_tables_sql,
    1,
    NULL,
    NULL,
    {[SC_RELATION] = 1, [SC_KIND] = 7, [SC_TOTAL_BYTES] = 2, [SC_PARTITIONS] = 6},
};
static const struct st_def pg_partitions = {
    "Partitions",
    4,
    0,
    {"parent", "partition", "bounds", "total bytes"},
    {STK_TEXT, STK_TEXT, STK_TEXT, STK_BYTES},
    pg_partitions_sql,
    1,
    NULL,
    NULL,
    {0}, /* the parents' rows count them */
};
static const struct st_def pg_aggregates = {
    "Aggregates",
    3,
    2,
    {"aggregate", "kind", "relkind"},
    {STK_TEXT, STK_TEXT, STK_TEXT},
    pg_aggregates_sql,
    1,
    NULL,
    NULL,
    {[SC_RELATION] = 1, [SC_KIND] = 3},
};
static const struct st_def native_parents = {
    "Day-partitioned tables",
    11,
    0,
    {"table", "total bytes", "days", "oldest", "newest", "default rows", "default since",
     "future days", "lookahead", "retention", "needs action"},
    {STK_TEXT, STK_BYTES, STK_INT, STK_TIME, STK_TIME, STK_CAPPED, STK_TIME, STK_INT, STK_INT,
     STK_TEXT, STK_FLAG},
    native_parents_sql,
    1,
    "table",
    "partitioned table",
    {[SC_RELATION] = 1,
     [SC_TOTAL_BYTES] = 2,
     [SC_PARTITIONS] = 3,
     [SC_OLDEST_BOUND] = 4,
     [SC_NEWEST_BOUND] = 5,
     [SC_DEFAULT_ROWS] = 6,
     [SC_FUTURE_DAYS] = 8,
     [SC_RETENTION] = 10,
     [SC_NEEDS_ACTION] = 11},
};
static const struct st_def native_summaries = {
    "Hourly summaries (hours of the range)",
    10,
    0,
    {"kind", "summary table", "total bytes", "built", "dirty", "missing", "oldest build",
     "latest build", "built through", "needs action"},
    {STK_TEXT, STK_TEXT, STK_BYTES, STK_INT, STK_INT, STK_INT, STK_TIME, STK_TIME, STK_TIME,
     STK_FLAG},
    native_summaries_sql,
    2,
    "summary",
    "summary table",
    {[SC_RELATION] = 2,
     [SC_TOTAL_BYTES] = 3,
     [SC_HOURS_BUILT] = 4,
     [SC_HOURS_DIRTY] = 5,
     [SC_HOURS_MISSING] = 6,
     [SC_OLDEST_REFRESH] = 7,
     [SC_LATEST_REFRESH] = 8,
     [SC_WATERMARK] = 9,
     [SC_NEEDS_ACTION] = 10},
};
static const struct st_def native_schedule = {
    "Maintenance schedule",
    5,
    0,
    {"job", "next due", "last success", "overdue", "needs action"},
    {STK_TEXT, STK_TIME, STK_TIME, STK_AGE, STK_FLAG},
    native_schedule_sql,
    0,
    "job",
    "maintenance job",
    {[SC_RELATION] = 1, [SC_NEXT_DUE] = 2, [SC_LAST_SUCCESS] = 3, [SC_NEEDS_ACTION] = 5},
};

/* The derived table of flagged rows, drawn first. */
static const char *const flags_heads[] = {"what", "needs action"};

static void free_sql(struct storage *st)
{
	for (int i = 0; i < ST_TABLES; i++) {
		free(st->sql[i]);
		st->sql[i] = NULL;
	}
}

static void snapshot_free_(struct st_snapshot *s)
{
	if (!s)
		return;
	arena_free(&s->arena);
	free(s);
}

/* The tables each shape reads, in drawing order. */
static int shape_defs(enum st_shape shape, const struct st_def **defs)
{
	int n = 0;
	switch (shape) {
	case ST_SHAPE_TSDB:
		defs[n++] = &ts_hypertables, defs[n++] = &ts_aggregates;
		defs[n++] = &pg_tables, defs[n++] = &pg_aggregates;
		break;
	case ST_SHAPE_NATIVE:
		defs[n++] = &native_parents, defs[n++] = &native_summaries;
		defs[n++] = &native_schedule, defs[n++] = &pg_tables;
		defs[n++] = &pg_aggregates, defs[n++] = &pg_partitions;
		break;
	case ST_SHAPE_UNKNOWN:
	case ST_SHAPE_PLAIN:
		defs[n++] = &pg_tables, defs[n++] = &pg_partitions, defs[n++] = &pg_aggregates;
		break;
	}
	return n;
}

static void table_init(struct st_table *t, const struct st_def *d)
{
	t->def = d;
	t->title = d->title;
	t->ncols = d->ncols;
	t->nshow = d->nshow ? d->nshow : d->ncols;
	memcpy(t->heads, d->heads, sizeof t->heads);
	memcpy(t->kinds, d->kinds, sizeof t->kinds);
}

int storage_batch(struct storage *st, const struct caps *caps, int64_t range_start,
                  struct db_query *q)
{
	const struct st_def *defs[ST_TABLES];
	free_sql(st);
	snapshot_free_(st->building);
	st->building = xcalloc(1, sizeof *st->building);
	st->detected = ST_SHAPE_UNKNOWN;
	if (caps->tsdb_version[0] && caps->q_ts_schema)
		st->shape = ST_SHAPE_TSDB;
	else if (st->shape == ST_SHAPE_TSDB)
		st->shape = ST_SHAPE_UNKNOWN;
	snprintf(st->range_start, sizeof st->range_start, "%lld", (long long)range_start);
	struct st_snapshot *s = st->building;
	s->shape = st->shape;
	int n = 0, nt = shape_defs(st->shape, defs);
	/* Without TimescaleDB every batch probes the shape, so a schema that
	 * becomes native (or stops being so) is followed. */
	if (st->shape != ST_SHAPE_TSDB) {
		st->qtable[n] = -1;
		q[n++] = (struct db_query){native_probe_sql, 1, {caps->schema}};
	}
	/* Native installs get the derived "Needs action" table first. */
	int first = st->shape == ST_SHAPE_NATIVE ? 1 : 0;
	s->ntables = nt + first;
	if (first) {
		struct st_table *f = &s->tables[0];
		f->title = "Needs action";
		f->ncols = f->nshow = 2;
		f->heads[0] = flags_heads[0], f->heads[1] = flags_heads[1];
		f->kinds[0] = STK_TEXT, f->kinds[1] = STK_FLAG;
	}
	for (int i = 0; i < nt; i++) {
		table_init(&s->tables[first + i], defs[i]);
		st->sql[n] = defs[i]->sql(caps);
		st->qtable[n] = first + i;
		q[n] = (struct db_query){
		    st->sql[n], defs[i]->nparams, {caps->schema, st->range_start}};
		n++;
	}
	return n;
}

static void take_probe(struct storage *st, const struct rowset *res)
{
	/* A failed probe (a timeout) says nothing: the shape stays as it was. */
	if (!res->ok || res->nrows != 1)
		return;
	bool native = !rowset_null(res, 0, 0) && strcmp(rowset_text(res, 0, 0), "t") == 0;
	st->detected = native ? ST_SHAPE_NATIVE : ST_SHAPE_PLAIN;
}

void storage_take(struct storage *st, int index, const struct rowset *res)
{
	struct st_snapshot *s = st->building;
	if (!s || index < 0 || index >= ST_TABLES)
		return;
	if (st->qtable[index] < 0) {
		take_probe(st, res);
		return;
	}
	if (st->qtable[index] >= s->ntables)
		return;
	struct st_table *t = &s->tables[st->qtable[index]];
	if (!res->ok) {
		snprintf(t->note, sizeof t->note, "not available: %s", res->error);
		t->note[strcspn(t->note, "\n")] = '\0';
		return;
	}
	int nf = res->ncols < t->ncols ? res->ncols : t->ncols;
	t->nrows = res->nrows;
	t->cells = arena_calloc(&s->arena, (size_t)(t->nrows * t->ncols), sizeof *t->cells);
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < nf; c++)
			if (!rowset_null(res, r, c))
				t->cells[r * t->ncols + c] =
				    arena_strdup(&s->arena, rowset_text(res, r, c));
}

/* Derived columns: compression ratio, and the lag behind the watermark. */
static void derive(struct st_snapshot *s, int64_t now)
{
	for (int i = 0; i < s->ntables; i++) {
		struct st_table *t = &s->tables[i];
		if (t->def != &ts_hypertables && t->def != &ts_aggregates)
			continue;
		for (int r = 0; r < t->nrows; r++) {
			const char **row = &t->cells[r * t->ncols];
			char buf[48];
			if (t->def == &ts_hypertables && row[4] && row[5] && atoll(row[5]) > 0) {
				snprintf(buf, sizeof buf, "%.2f",
				         (double)atoll(row[4]) / (double)atoll(row[5]));
				row[6] = arena_strdup(&s->arena, buf);
			}
			if (t->def == &ts_aggregates && row[2]) {
				snprintf(buf, sizeof buf, "%lld", (long long)(now - atoll(row[2])));
				row[3] = arena_strdup(&s->arena, buf);
			}
		}
	}
}

static int flag_col(const struct st_table *t)
{
	for (int c = 0; c < t->ncols; c++)
		if (t->kinds[c] == STK_FLAG)
			return c;
	return -1;
}

bool storage_row_flagged(const struct st_table *t, int row)
{
	int c = flag_col(t);
	return c >= 0 && t->cells && t->cells[row * t->ncols + c] != NULL;
}

/* The "Needs action" table: every flagged row of the other tables, in
 * their order (each already lists its flagged rows first). */
static void collect_flags(struct st_snapshot *s)
{
	struct st_table *f = &s->tables[0];
	int n = 0;
	if (f->def || s->ntables == 0)
		return;
	for (int i = 1; i < s->ntables; i++)
		for (int r = 0; r < s->tables[i].nrows; r++)
			n += storage_row_flagged(&s->tables[i], r);
	f->nrows = n;
	f->cells = arena_calloc(&s->arena, (size_t)n * 2 + 1, sizeof *f->cells);
	n = 0;
	for (int i = 1; i < s->ntables; i++) {
		const struct st_table *t = &s->tables[i];
		int c = flag_col(t);
		for (int r = 0; r < t->nrows; r++) {
			if (!storage_row_flagged(t, r))
				continue;
			const char *name = t->cells[r * t->ncols];
			char what[256];
			snprintf(what, sizeof what, "%s %s", t->def->item ? t->def->item : "",
			         name ? name : "?");
			f->cells[n * 2] = arena_strdup(&s->arena, what);
			f->cells[n * 2 + 1] = t->cells[r * t->ncols + c];
			n++;
		}
	}
}

bool storage_finish(struct storage *st)
{
	if (!st->building)
		return false;
	if (st->shape != ST_SHAPE_TSDB && st->detected != ST_SHAPE_UNKNOWN &&
	    st->detected != st->shape &&
	    (st->detected == ST_SHAPE_NATIVE || st->shape == ST_SHAPE_NATIVE)) {
		/* The batch read another shape than the catalog has. */
		st->shape = st->detected;
		snapshot_free_(st->building);
		st->building = NULL;
		return true;
	}
	if (st->shape == ST_SHAPE_UNKNOWN && st->detected != ST_SHAPE_UNKNOWN)
		st->shape = st->detected;
	derive(st->building, (int64_t)time(NULL));
	collect_flags(st->building);
	snapshot_free_(st->snap);
	st->snap = st->building;
	st->building = NULL;
	return false;
}

void storage_free(struct storage *st)
{
	free_sql(st);
	snapshot_free_(st->snap);
	snapshot_free_(st->building);
	memset(st, 0, sizeof *st);
}

static void human_bytes(int64_t v, char *buf, size_t len)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	int u = 0;
	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lld B", (long long)v);
	else
		snprintf(buf, len, "%.1f %s", d, unit[u]);
}

void storage_cell(const struct st_table *t, int row, int col, bool human, bool utc, char *buf,
                  size_t len)
{
	const char *v = t->cells[row * t->ncols + col];
	if (!v) {
		snprintf(buf, len, "%s", human ? "-" : "");
		return;
	}
	switch (t->kinds[col]) {
	case STK_BYTES:
		if (human)
			human_bytes(atoll(v), buf, len);
		else
			snprintf(buf, len, "%s", v);
		return;
	case STK_TIME:
		if (human)
			fmt_timestamp(buf, len, atoll(v) * 1000000, utc, false);
		else
			fmt_iso_utc(buf, len, atoll(v) * 1000000, false);
		return;
	case STK_AGE:
		if (human)
			fmt_duration(buf, len, (double)atoll(v));
		else
			snprintf(buf, len, "%s", v);
		return;
	case STK_CAPPED:
		if (atoll(v) >= ST_PROBE_CAP)
			snprintf(buf, len, "%d+", ST_PROBE_CAP - 1);
		else
			snprintf(buf, len, "%s", v);
		return;
	case STK_TEXT:
	case STK_INT:
	case STK_RATIO:
	case STK_FLAG:
		snprintf(buf, len, "%s", v);
		return;
	}
}

static bool seen_relation(const struct st_snapshot *s, int upto_table, int upto_row,
                          const char *name)
{
	for (int i = 0; i <= upto_table; i++) {
		const struct st_table *t = &s->tables[i];
		int rc = t->def ? t->def->csv[SC_RELATION] - 1 : -1;
		if (rc < 0)
			continue;
		for (int r = 0; r < (i == upto_table ? upto_row : t->nrows); r++) {
			const char *v = t->cells[r * t->ncols + rc];
			if (v && strcmp(v, name) == 0)
				return true;
		}
	}
	return false;
}

/* One table's rows as CSV records. */
static int table_csv(const struct st_snapshot *s, int ti,
                     int (*row)(void *ctx, const char *const *cells), void *ctx)
{
	const struct st_table *t = &s->tables[ti];
	const struct st_def *d = t->def;
	char text[SC_COUNT][64];
	const char *cells[SC_COUNT];
	for (int r = 0; r < t->nrows; r++) {
		const char *name = t->cells[r * t->ncols + d->csv[SC_RELATION] - 1];
		if (!name || seen_relation(s, ti, r, name))
			continue;
		for (int f = 0; f < SC_COUNT; f++) {
			int c = d->csv[f] - 1;
			cells[f] = NULL;
			if (c < 0 || !t->cells[r * t->ncols + c])
				continue;
			storage_cell(t, r, c, false, true, text[f], sizeof text[f]);
			cells[f] = t->kinds[c] == STK_TEXT || t->kinds[c] == STK_FLAG
			               ? t->cells[r * t->ncols + c]
			               : text[f];
		}
		if (d->csv_kind)
			cells[SC_KIND] = d->csv_kind;
		int rc = row(ctx, cells);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int storage_csv_rows(const struct st_snapshot *s, int (*row)(void *ctx, const char *const *cells),
                     void *ctx)
{
	for (int i = 0; i < s->ntables; i++) {
		const struct st_table *t = &s->tables[i];
		if (!t->def || t->def->csv[SC_RELATION] == 0)
			continue;
		int rc = table_csv(s, i, row, ctx);
		if (rc != 0)
			return rc;
	}
	return 0;
}
