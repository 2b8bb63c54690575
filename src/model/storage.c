/* Storage and freshness: SQL per backend and the generic tables it fills. */
#include "model/storage.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/fmt.h"

struct table_def {
	const char *title;
	int ncols;
	const char *heads[ST_MAX_COLS];
	enum st_kind kinds[ST_MAX_COLS];
};

/* TimescaleDB: hypertables and continuous aggregates. */
static const struct table_def ts_hypertables = {
    "Hypertables",
    8,
    {"hypertable", "total bytes", "chunks", "compressed", "before", "after", "ratio", "retention"},
    {STK_TEXT, STK_BYTES, STK_INT, STK_INT, STK_BYTES, STK_BYTES, STK_RATIO, STK_TEXT},
};
static const struct table_def ts_aggregates = {
    "Continuous aggregates",
    9,
    {"aggregate", "materialized only", "watermark", "lag", "last run", "status", "next start",
     "invalidations", "job"},
    {STK_TEXT, STK_TEXT, STK_TIME, STK_AGE, STK_TIME, STK_TEXT, STK_TIME, STK_INT, STK_INT},
};
/* Plain PostgreSQL: tables, partitions, aggregate views. */
static const struct table_def pg_tables = {
    "Tables",
    6,
    {"table", "total bytes", "table bytes", "index bytes", "rows (estimate)", "partitions"},
    {STK_TEXT, STK_BYTES, STK_BYTES, STK_BYTES, STK_INT, STK_INT},
};
static const struct table_def pg_partitions = {
    "Partitions",
    4,
    {"parent", "partition", "bounds", "total bytes"},
    {STK_TEXT, STK_TEXT, STK_TEXT, STK_BYTES},
};
static const struct table_def pg_aggregates = {
    "Aggregates",
    2,
    {"aggregate", "kind"},
    {STK_TEXT, STK_TEXT},
};

#define REG "format('%%I.%%I', h.hypertable_schema, h.hypertable_name)::regclass"

static char *ts_hypertables_sql(const struct caps *c)
{
	const char *ts = c->q_ts_schema;
	return xasprintf(
	    "SELECT h.hypertable_name::text, %s.hypertable_size(" REG ")::int8,"
	    " h.num_chunks::int8, (SELECT count(*) FROM timescaledb_information.chunks k"
	    " WHERE k.hypertable_schema = h.hypertable_schema"
	    " AND k.hypertable_name = h.hypertable_name AND k.is_compressed)::int8,"
	    " (SELECT sum(before_compression_total_bytes)::int8"
	    " FROM %s.hypertable_compression_stats(" REG ")),"
	    " (SELECT sum(after_compression_total_bytes)::int8"
	    " FROM %s.hypertable_compression_stats(" REG ")), NULL::text,"
	    " (SELECT j.config->>'drop_after' FROM timescaledb_information.jobs j"
	    " WHERE j.proc_name = 'policy_retention'"
	    " AND j.hypertable_schema = h.hypertable_schema"
	    " AND j.hypertable_name = h.hypertable_name LIMIT 1)"
	    " FROM timescaledb_information.hypertables h WHERE h.hypertable_schema = $1"
	    " ORDER BY 1",
	    ts, ts, ts);
}

static char *ts_aggregates_sql(const struct caps *c)
{
	char wm[512];
	if (c->ts_func_schema[0])
		snprintf(wm, sizeof wm,
		         "(SELECT extract(epoch FROM %s.to_timestamp(%s.cagg_watermark("
		         "g.mat_hypertable_id)))::int8 FROM _timescaledb_catalog.continuous_agg g"
		         " WHERE g.user_view_schema = ca.view_schema"
		         " AND g.user_view_name = ca.view_name)",
		         c->ts_func_schema, c->ts_func_schema);
	else
		snprintf(wm, sizeof wm, "NULL::int8");
	return xasprintf(
	    "SELECT ca.view_name::text, ca.materialized_only::text, %s AS wm,"
	    " NULL::int8, extract(epoch FROM js.last_run_started_at)::int8,"
	    " js.last_run_status::text, extract(epoch FROM js.next_start)::int8,"
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

static char *pg_tables_sql(void)
{
	return xstrdup("SELECT c.relname::text, pg_total_relation_size(c.oid),"
	               " pg_relation_size(c.oid), pg_indexes_size(c.oid),"
	               " greatest(c.reltuples, 0)::int8,"
	               " (SELECT count(*) FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid)"
	               " FROM pg_catalog.pg_class c"
	               " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	               " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
	               " ORDER BY pg_total_relation_size(c.oid) DESC, 1");
}

static char *pg_partitions_sql(void)
{
	return xstrdup("SELECT p.relname::text, c.relname::text,"
	               " pg_get_expr(c.relpartbound, c.oid), pg_total_relation_size(c.oid)"
	               " FROM pg_catalog.pg_inherits i"
	               " JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid"
	               " JOIN pg_catalog.pg_class p ON p.oid = i.inhparent"
	               " JOIN pg_catalog.pg_namespace n ON n.oid = p.relnamespace"
	               " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1, 2");
}

static char *pg_aggregates_sql(void)
{
	return xstrdup(
	    "SELECT c.relname::text, CASE c.relkind WHEN 'v' THEN 'view (always current)'"
	    " WHEN 'm' THEN 'materialized view' ELSE c.relkind::text END"
	    " FROM pg_catalog.pg_class c"
	    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE n.nspname = $1 AND c.relname = ANY('{execution_status_hourly,"
	    "execution_throughput_hourly,event_volume_hourly,worker_status_hourly,"
	    "enforcement_volume_hourly,execution_volume_hourly}'::text[]) ORDER BY 1");
}

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

int storage_batch(struct storage *st, const struct caps *caps, struct db_query *q)
{
	const struct table_def *defs[ST_TABLES];
	int n;
	free_sql(st);
	snapshot_free_(st->building);
	st->building = xcalloc(1, sizeof *st->building);
	if (caps->tsdb_version[0] && caps->q_ts_schema) {
		st->sql[0] = ts_hypertables_sql(caps);
		st->sql[1] = ts_aggregates_sql(caps);
		defs[0] = &ts_hypertables, defs[1] = &ts_aggregates;
		n = 2;
	} else {
		st->sql[0] = pg_tables_sql();
		st->sql[1] = pg_partitions_sql();
		st->sql[2] = pg_aggregates_sql();
		defs[0] = &pg_tables, defs[1] = &pg_partitions, defs[2] = &pg_aggregates;
		n = 3;
	}
	struct st_snapshot *s = st->building;
	s->ntables = n;
	for (int i = 0; i < n; i++) {
		struct st_table *t = &s->tables[i];
		t->title = defs[i]->title;
		t->ncols = defs[i]->ncols;
		memcpy(t->heads, defs[i]->heads, sizeof t->heads);
		memcpy(t->kinds, defs[i]->kinds, sizeof t->kinds);
		q[i] = (struct db_query){st->sql[i], 1, {caps->schema}};
	}
	return n;
}

void storage_take(struct storage *st, int index, const struct rowset *res)
{
	struct st_snapshot *s = st->building;
	if (!s || index >= s->ntables)
		return;
	struct st_table *t = &s->tables[index];
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
		for (int r = 0; r < t->nrows; r++) {
			const char **row = &t->cells[r * t->ncols];
			char buf[48];
			if (t->kinds[6] == STK_RATIO && t->ncols > 6 && row[4] && row[5] &&
			    atoll(row[5]) > 0) {
				snprintf(buf, sizeof buf, "%.2f",
				         (double)atoll(row[4]) / (double)atoll(row[5]));
				row[6] = arena_strdup(&s->arena, buf);
			}
			if (t->ncols > 3 && t->kinds[3] == STK_AGE && row[2]) {
				snprintf(buf, sizeof buf, "%lld", (long long)(now - atoll(row[2])));
				row[3] = arena_strdup(&s->arena, buf);
			}
		}
	}
}

void storage_finish(struct storage *st)
{
	if (!st->building)
		return;
	derive(st->building, (int64_t)time(NULL));
	snapshot_free_(st->snap);
	st->snap = st->building;
	st->building = NULL;
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
		snprintf(buf, len, "-");
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
	case STK_TEXT:
	case STK_INT:
	case STK_RATIO:
		snprintf(buf, len, "%s", v);
		return;
	}
}
