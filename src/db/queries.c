/* SQL text of every query, and the parsing of connection-setup results. */
#include "db/queries.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/txn.h"
#include "util/arena.h"
#include "util/err.h"

/* Statuses after which an execution is no longer in flight. Value sets
 * differ between Attune versions: anything not listed counts as in flight. */
static const char *const terminal_statuses[] = {
    "completed", "succeeded", "failed",    "timeout", "timed_out",
    "cancelled", "canceled",  "abandoned", "skipped",
};

const char *queries_terminal_array(void)
{
	return "{completed,succeeded,failed,timeout,timed_out,cancelled,canceled,abandoned,"
	       "skipped}";
}

static const char *const rel_names[REL_COUNT] = {
    [REL_EXECUTION_STATUS_HOURLY] = "execution_status_hourly",
    [REL_EXECUTION_THROUGHPUT_HOURLY] = "execution_throughput_hourly",
    [REL_EVENT_VOLUME_HOURLY] = "event_volume_hourly",
    [REL_WORKER_STATUS_HOURLY] = "worker_status_hourly",
    [REL_ENFORCEMENT_VOLUME_HOURLY] = "enforcement_volume_hourly",
    [REL_EXECUTION_VOLUME_HOURLY] = "execution_volume_hourly",
    [REL_EXECUTION_HISTORY] = "execution_history",
    [REL_WORKER_HISTORY] = "worker_history",
    [REL_WORKER] = "worker",
    [REL_EXECUTION] = "execution",
    [REL_EVENT] = "event",
    [REL_ENFORCEMENT] = "enforcement",
};

const char *model_rel_name(enum rel_id r)
{
	return r < REL_COUNT ? rel_names[r] : "?";
}

const char *model_rel_kind_label(enum rel_kind k)
{
	switch (k) {
	case RELK_MISSING:
		return "missing";
	case RELK_TABLE:
		return "table";
	case RELK_VIEW:
		return "view";
	case RELK_MATVIEW:
		return "materialized view";
	case RELK_CAGG_MATONLY:
		return "continuous aggregate (materialized only)";
	case RELK_CAGG_REALTIME:
		return "continuous aggregate (real time)";
	}
	return "?";
}

void caps_clear(struct caps *c)
{
	free(c->q_ts_schema);
	free(c->qschema);
	free(c->inflight_array);
	memset(c, 0, sizeof *c);
}

static void copy_value(char *dst, size_t len, const PGresult *res, int row, int col)
{
	snprintf(dst, len, "%s", PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

static int result_error(const PGresult *res, char *err, size_t errlen, const char *what)
{
	const char *msg = PQresultErrorMessage(res);
	return err_set(err, errlen, "%s: %s", what, *msg ? msg : PQresStatus(PQresultStatus(res)));
}

int queries_setup(struct db_query *q, const char *schema)
{
	/* The settings are each transaction's own (db/txn.h). */
	q[SQ_IDENTITY] = (struct db_query){
	    "SELECT (SELECT nspname FROM pg_catalog.pg_namespace"
	    "        WHERE nspname = coalesce($1::text, CASE WHEN EXISTS ("
	    "          SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'attune')"
	    "          THEN 'attune' ELSE current_schema() END)),"
	    " coalesce($1::text, 'attune', current_schema()),"
	    " (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'timescaledb'),"
	    " (extract(epoch FROM " TXN_NOW ") * 1000000)::int8,"
	    " current_setting('server_version'), current_database()",
	    1,
	    {schema},
	};
	return SQ_COUNT;
}

int queries_take_setup(struct caps *caps, int which, const PGresult *res, char *err, size_t errlen)
{
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK)
		return result_error(res, err, errlen, "session setup failed");
	if (PQntuples(res) != 1)
		return result_error(res, err, errlen, "session setup failed");
	if (PQgetisnull(res, 0, 0)) {
		snprintf(err, errlen, "schema \"%s\" does not exist (see --schema)",
		         PQgetvalue(res, 0, 1));
		return -1;
	}
	copy_value(caps->schema, sizeof caps->schema, res, 0, 0);
	copy_value(caps->tsdb_version, sizeof caps->tsdb_version, res, 0, 2);
	caps->clock_offset_us = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	copy_value(caps->server_version, sizeof caps->server_version, res, 0, 4);
	copy_value(caps->database, sizeof caps->database, res, 0, 5);
	return 0;
}

/* The relation names as an array literal: {a,b,...}. */
static void rel_names_literal(char *names, size_t names_len)
{
	size_t off = 0;
	off += (size_t)snprintf(names + off, names_len - off, "{");
	for (int r = 0; r < REL_COUNT && off < names_len; r++)
		off += (size_t)snprintf(names + off, names_len - off, "%s%s", r ? "," : "",
		                        rel_names[r]);
	if (off < names_len)
		snprintf(names + off, names_len - off, "}");
}

/* TimescaleDB's continuous aggregates, its schemas, materialization ids. */
static int caps_tsdb(const struct caps *caps, struct db_query *q, int *idx, int n)
{
	idx[n] = CQ_CAGGS;
	q[n++] = (struct db_query){
	    "SELECT view_name::text, materialized_only"
	    " FROM timescaledb_information.continuous_aggregates"
	    " WHERE view_schema = $1",
	    1,
	    {caps->schema},
	};
	/* Where the watermark functions live moved in 2.12. */
	idx[n] = CQ_TSINFO;
	q[n++] = (struct db_query){
	    "SELECT (SELECT n.nspname FROM pg_catalog.pg_extension e"
	    " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
	    " WHERE e.extname = 'timescaledb'),"
	    " (SELECT n.nspname FROM pg_catalog.pg_proc p"
	    " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
	    " WHERE p.proname = 'cagg_watermark' AND n.nspname IN"
	    " ('_timescaledb_functions', '_timescaledb_internal')"
	    " AND EXISTS (SELECT 1 FROM pg_catalog.pg_proc t WHERE t.pronamespace = n.oid"
	    " AND t.proname = 'to_timestamp')"
	    " ORDER BY n.nspname = '_timescaledb_functions' DESC LIMIT 1)",
	    0,
	    {NULL},
	};
	idx[n] = CQ_MATIDS;
	q[n++] = (struct db_query){
	    "SELECT user_view_name::text, mat_hypertable_id"
	    " FROM _timescaledb_catalog.continuous_agg WHERE user_view_schema = $1",
	    1,
	    {caps->schema},
	};
	return n;
}

int queries_caps(const struct caps *caps, struct db_query *q, int *idx, char *names,
                 size_t names_len)
{
	rel_names_literal(names, names_len);
	int n = 0;
	idx[n] = CQ_RELATIONS;
	q[n++] = (struct db_query){
	    "SELECT c.relname::text, c.relkind::text FROM pg_catalog.pg_class c"
	    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE n.nspname = $1 AND c.relname = ANY($2::text[])",
	    2,
	    {caps->schema, names},
	};
	idx[n] = CQ_STATUS_ENUM;
	q[n++] = (struct db_query){
	    "SELECT format_type(a.atttypid, NULL), e.enumlabel::text"
	    " FROM pg_catalog.pg_attribute a"
	    " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid = a.atttypid"
	    " WHERE n.nspname = $1 AND c.relname = 'execution' AND a.attname = 'status'"
	    " AND NOT a.attisdropped ORDER BY e.enumsortorder",
	    1,
	    {caps->schema},
	};
	idx[n] = CQ_NOTIFY;
	q[n++] = (struct db_query){
	    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc"
	    " WHERE prosrc LIKE '%execution_status_changed%')",
	    0,
	    {NULL},
	};
	/* Current Attune's summaries: they count only with their ledger, and
	 * a monitoring role may lack the grants (then everything is raw). */
	idx[n] = CQ_NATIVE;
	q[n++] = (struct db_query){
	    "SELECT r.name, c.oid IS NOT NULL,"
	    " coalesce(has_table_privilege(c.oid, 'SELECT'), false)"
	    " AND coalesce((SELECT has_type_privilege(t.oid, 'USAGE') FROM pg_catalog.pg_type t"
	    " WHERE t.typnamespace = n.oid AND t.typname = 'native_summary_kind'), false)"
	    " FROM (VALUES ('native_partition_registry'), ('native_summary_hour'),"
	    " ('native_summary_invalidation'), ('native_summary_state'),"
	    " ('execution_status_hourly_summary'), ('execution_creation_hourly_summary'),"
	    " ('event_volume_hourly_summary'), ('worker_status_hourly_summary')) r (name)"
	    " LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = $1"
	    " LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = r.name",
	    1,
	    {caps->schema},
	};
	return caps->tsdb_version[0] ? caps_tsdb(caps, q, idx, n) : n;
}

static enum rel_id rel_by_name(const char *name)
{
	for (int r = 0; r < REL_COUNT; r++)
		if (strcmp(rel_names[r], name) == 0)
			return (enum rel_id)r;
	return REL_COUNT;
}

static enum rel_kind kind_of_relkind(char k)
{
	switch (k) {
	case 'r':
	case 'p':
		return RELK_TABLE;
	case 'v':
		return RELK_VIEW;
	case 'm':
		return RELK_MATVIEW;
	default:
		return RELK_MISSING;
	}
}

static bool is_terminal(const char *status)
{
	for (size_t i = 0; i < sizeof terminal_statuses / sizeof *terminal_statuses; i++)
		if (strcmp(status, terminal_statuses[i]) == 0)
			return true;
	return false;
}

/* Append one quoted element to an array literal: "a\"b" style. */
static void array_append(char **buf, size_t *len, size_t *cap, const char *v)
{
	size_t need = *len + 2 * strlen(v) + 4;
	if (need > *cap) {
		*cap = need * 2;
		*buf = xrealloc(*buf, *cap);
	}
	char *p = *buf + *len;
	if (*len > 1)
		*p++ = ',';
	*p++ = '"';
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			*p++ = '\\';
		*p++ = *v;
	}
	*p++ = '"';
	*p = '\0';
	*len = (size_t)(p - *buf);
}

static void take_status_enum(struct caps *caps, const PGresult *res)
{
	size_t len = 1, cap = 64;
	char *arr = xmalloc(cap);
	strcpy(arr, "{");
	caps->status_type[0] = '\0';
	for (int i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 1))
			continue; /* not an enum: fall back to text comparison */
		copy_value(caps->status_type, sizeof caps->status_type, res, i, 0);
		const char *label = PQgetvalue(res, i, 1);
		if (!is_terminal(label))
			array_append(&arr, &len, &cap, label);
	}
	arr = xrealloc(arr, len + 2);
	strcat(arr, "}");
	free(caps->inflight_array);
	caps->inflight_array = arr;
}

/* ------------------------------------------------------------ summaries */

/* Native installs' summary kinds, the hourly relation each stands for and
 * its table (the columns in the relation's order). Enforcement and
 * execution volumes have none: always read from their sources. */
static const struct {
	const char *kind;
	enum rel_id agg;
	const char *table;
} summaries[SUMMARY_KINDS] = {
    {"execution_status", REL_EXECUTION_STATUS_HOURLY, "execution_status_hourly_summary"},
    {"execution_creation", REL_EXECUTION_THROUGHPUT_HOURLY, "execution_creation_hourly_summary"},
    {"event_volume", REL_EVENT_VOLUME_HOURLY, "event_volume_hourly_summary"},
    {"worker_status", REL_WORKER_STATUS_HOURLY, "worker_status_hourly_summary"},
};

enum rel_id queries_summary_rel(int k)
{
	return k >= 0 && k < SUMMARY_KINDS ? summaries[k].agg : REL_COUNT;
}

int queries_summary_index(const char *kind)
{
	for (int k = 0; k < SUMMARY_KINDS; k++)
		if (kind && strcmp(summaries[k].kind, kind) == 0)
			return k;
	return -1;
}

static int summary_of(enum rel_id r)
{
	for (int k = 0; k < SUMMARY_KINDS; k++)
		if (summaries[k].agg == r)
			return k;
	return -1;
}

/* Rows of CQ_NATIVE: name, exists, readable (with the kind type). */
static void take_native(struct caps *caps, const PGresult *res)
{
	bool exists[2] = {false, false}, ledger = true, readable[SUMMARY_KINDS] = {false};
	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		bool there = PQgetvalue(res, i, 1)[0] == 't', may = PQgetvalue(res, i, 2)[0] == 't';
		if (strcmp(name, "native_partition_registry") == 0)
			exists[0] = there;
		else if (strcmp(name, "native_summary_hour") == 0)
			exists[1] = there, ledger = ledger && may;
		else if (strncmp(name, "native_summary_", 15) == 0)
			ledger = ledger && may;
		for (int k = 0; k < SUMMARY_KINDS; k++)
			if (strcmp(name, summaries[k].table) == 0)
				readable[k] = may;
	}
	caps->native = exists[0] && exists[1];
	caps->ledger = caps->native && ledger;
	for (int k = 0; k < SUMMARY_KINDS; k++)
		caps->summary[summaries[k].agg] = caps->ledger && readable[k];
}

bool queries_ledger_unreadable(const char *sqlstate)
{
	return sqlstate && (strcmp(sqlstate, "42P01") == 0 || strcmp(sqlstate, "42501") == 0 ||
	                    strcmp(sqlstate, "42704") == 0);
}

int queries_take_caps(struct caps *caps, int which, const PGresult *res, char *err, size_t errlen)
{
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (which == CQ_CAGGS || which == CQ_NOTIFY || which == CQ_TSINFO ||
		    which == CQ_MATIDS || which == CQ_NATIVE)
			return 0; /* unknown catalog shape: do without (see queries_tail) */
		return result_error(res, err, errlen, "reading the catalog failed");
	}
	for (int i = 0; i < PQntuples(res) && which == CQ_RELATIONS; i++) {
		enum rel_id r = rel_by_name(PQgetvalue(res, i, 0));
		if (r < REL_COUNT) {
			caps->kind[r] = kind_of_relkind(PQgetvalue(res, i, 1)[0]);
			caps->partitioned[r] = PQgetvalue(res, i, 1)[0] == 'p';
		}
	}
	if (which == CQ_NATIVE)
		take_native(caps, res);
	for (int i = 0; i < PQntuples(res) && which == CQ_CAGGS; i++) {
		enum rel_id r = rel_by_name(PQgetvalue(res, i, 0));
		if (r < REL_COUNT)
			caps->kind[r] = PQgetvalue(res, i, 1)[0] == 't' ? RELK_CAGG_MATONLY
			                                                : RELK_CAGG_REALTIME;
	}
	if (which == CQ_STATUS_ENUM)
		take_status_enum(caps, res);
	if (which == CQ_NOTIFY && PQntuples(res) == 1)
		caps->notify = PQgetvalue(res, 0, 0)[0] == 't';
	if (which == CQ_TSINFO && PQntuples(res) == 1) {
		copy_value(caps->ts_schema, sizeof caps->ts_schema, res, 0, 0);
		copy_value(caps->ts_func_schema, sizeof caps->ts_func_schema, res, 0, 1);
	}
	for (int i = 0; i < PQntuples(res) && which == CQ_MATIDS; i++) {
		enum rel_id r = rel_by_name(PQgetvalue(res, i, 0));
		if (r < REL_COUNT)
			caps->mat_id[r] = atoi(PQgetvalue(res, i, 1));
	}
	return 0;
}

void queries_caps_done(struct caps *caps)
{
	if (!caps->inflight_array)
		caps->inflight_array = xstrdup("{}");
}

/* The UTC hour of a time, as the SQL is written: date_trunc('hour', x,
 * 'UTC'). On PostgreSQL 14+ it is sent as date_bin('1 hour', x, origin):
 * the same hour, but plain arithmetic where date_trunc looks the zone up on
 * every call, and immutable, so that a bound such as the hour of $1 is
 * folded when the query is planned instead of being computed again for
 * every row it filters (half the cost of a 24 h raw read). The origin is an
 * hour of UTC before any time it meets. */
#define HOUR_PRE  "date_trunc('hour', "
#define HOUR_POST ", 'UTC')"
#define BIN_PRE   "date_bin('1 hour', "
#define BIN_POST  ", TIMESTAMPTZ '0001-01-01 00:00:00+00')"

static bool has_date_bin(const struct caps *caps)
{
	return atoi(caps->server_version) >= 14;
}

/* Where the argument list opened at p ends: its closing parenthesis, or
 * NULL. Quotes are skipped. */
static const char *closing_paren(const char *p)
{
	int depth = 0;
	for (; *p; p++) {
		if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');
			if (!q)
				return NULL;
			p = q;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && depth-- == 0) {
			return p;
		}
	}
	return NULL;
}

/* fmt with each UTC hour as date_bin (see HOUR_PRE); takes fmt. */
static char *hours_binned(const struct caps *caps, char *fmt)
{
	if (!has_date_bin(caps) || !strstr(fmt, HOUR_PRE))
		return fmt;
	size_t pre = strlen(HOUR_PRE), post = strlen(HOUR_POST);
	size_t n = strlen(fmt) + 1;
	for (const char *p = fmt; (p = strstr(p, HOUR_PRE)) != NULL; p += pre)
		n += strlen(BIN_PRE BIN_POST);
	char *out = xmalloc(n), *o = out;
	const char *p = fmt;
	for (const char *h; (h = strstr(p, HOUR_PRE)) != NULL;) {
		const char *end = closing_paren(h + pre);
		size_t arg = end ? (size_t)(end + 1 - (h + pre)) : 0;
		memcpy(o, p, (size_t)(h - p));
		o += h - p;
		if (arg < post || strncmp(h + pre + arg - post, HOUR_POST, post) != 0) {
			/* not a UTC hour: as written */
			memcpy(o, h, pre);
			o += pre;
			p = h + pre;
			continue;
		}
		o += sprintf(o, "%s%.*s%s", BIN_PRE, (int)(arg - post), h + pre, BIN_POST);
		p = h + pre + arg;
	}
	strcpy(o, p);
	free(fmt);
	return out;
}

/* Replace "S." (at the start or after a space) by the quoted schema, and
 * bin UTC hours (hours_binned); takes fmt and returns a new string. */
static char *qualify(const struct caps *caps, char *fmt)
{
	fmt = hours_binned(caps, fmt);
	size_t n = strlen(fmt) + 1, qs = strlen(caps->qschema);
	for (const char *p = fmt; (p = strstr(p, "S.")) != NULL; p += 2)
		n += qs;
	char *out = xmalloc(n), *o = out;
	for (const char *p = fmt; *p;) {
		if (p[0] == 'S' && p[1] == '.' && (p == fmt || p[-1] == ' ')) {
			memcpy(o, caps->qschema, qs);
			o += qs;
			*o++ = '.';
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	free(fmt);
	return out;
}

/* ------------------------------------------------------------ raw sources */

/* Each hourly relation's grouping over its source, as the seed's and
 * Attune's definitions have it: one definition serves both ways of reading
 * a relation from raw rows (raw_sql). A materialized-only continuous
 * aggregate lacks everything after its watermark (the newest 1-1.5 h with
 * the seed's policies): those buckets are computed from the raw hypertable
 * and merged with the materialized rows. A plain view is never read at all:
 * filtering its computed bucket defeats partition pruning and the time
 * index, so its whole range is read from the source, bounded on the
 * source's own time column. */
static const struct {
	enum rel_id agg;
	enum rel_id raw;
	const char *cols;  /* the relation's columns */
	const char *time;  /* the source's time column */
	const char *keys;  /* what follows the bucket, from the source */
	const char *where; /* the source rows it counts; "" all */
	const char *group;
} raws[] = {
    {REL_EXECUTION_STATUS_HOURLY, REL_EXECUTION_HISTORY,
     "bucket, action_ref, new_status, transition_count", "time",
     "entity_ref, new_values->>'status', count(*)", "'status' = ANY(changed_fields)", "1, 2, 3"},
    {REL_EXECUTION_THROUGHPUT_HOURLY, REL_EXECUTION_HISTORY, "bucket, action_ref, execution_count",
     "time", "entity_ref, count(*)", "operation = 'INSERT'", "1, 2"},
    {REL_EVENT_VOLUME_HOURLY, REL_EVENT, "bucket, trigger_ref, event_count", "created",
     "trigger_ref, count(*)", "", "1, 2"},
    {REL_WORKER_STATUS_HOURLY, REL_WORKER_HISTORY,
     "bucket, worker_name, new_status, transition_count", "time",
     "entity_ref, new_values->>'status', count(*)", "'status' = ANY(changed_fields)", "1, 2, 3"},
    {REL_ENFORCEMENT_VOLUME_HOURLY, REL_ENFORCEMENT, "bucket, rule_ref, enforcement_count",
     "created", "rule_ref, count(*)", "", "1, 2"},
    {REL_EXECUTION_VOLUME_HOURLY, REL_EXECUTION,
     "bucket, action_ref, initial_status, execution_count", "created",
     "action_ref, status, count(*)", "", "1, 2, 3"},
};

static int raw_index(enum rel_id r)
{
	for (size_t i = 0; i < sizeof raws / sizeof *raws; i++)
		if (raws[i].agg == r)
			return (int)i;
	return -1;
}

/* Append " AND <col> <op> <v>" (or " WHERE ...") to cond when v is set. */
static size_t add_bound(char *cond, size_t len, size_t off, const char *col, const char *op,
                        const char *v)
{
	if (!v || off >= len)
		return off;
	return off + (size_t)snprintf(cond + off, len - off, "%s%s %s %s",
	                              off ? " AND " : " WHERE ", col, op, v);
}

/* The grouped raw rows of raws[i] in [lo, hi) (either may be NULL: open),
 * bucketed by pre <time column> post. [plo, phi), when set, repeats the
 * bound with values known when the query is planned, so that only the
 * partitions in it are planned. */
static char *raw_sql_within(int i, const char *pre, const char *post, const char *lo,
                            const char *hi, const char *plo, const char *phi)
{
	char b[256], cond[1024] = "";
	size_t off = 0;
	snprintf(b, sizeof b, "%s%s%s", pre, raws[i].time, post);
	if (raws[i].where[0])
		off += (size_t)snprintf(cond, sizeof cond, " WHERE %s", raws[i].where);
	off = add_bound(cond, sizeof cond, off, raws[i].time, ">=", lo);
	off = add_bound(cond, sizeof cond, off, raws[i].time, "<", hi);
	off = add_bound(cond, sizeof cond, off, raws[i].time, ">=", plo);
	add_bound(cond, sizeof cond, off, raws[i].time, "<", phi);
	size_t n = strlen(b) + strlen(raws[i].keys) + strlen(cond) + strlen(raws[i].group) + 64;
	char *out = xmalloc(n);
	snprintf(out, n, "SELECT %s, %s FROM S.%s%s GROUP BY %s", b, raws[i].keys,
	         model_rel_name(raws[i].raw), cond, raws[i].group);
	return out;
}

static char *raw_sql(int i, const char *pre, const char *post, const char *lo, const char *hi)
{
	return raw_sql_within(i, pre, post, lo, hi, NULL, NULL);
}

bool queries_reads_raw(const struct caps *c, enum rel_id r)
{
	int i = raw_index(r);
	return i >= 0 && c->kind[r] == RELK_VIEW && c->kind[raws[i].raw] != RELK_MISSING;
}

bool queries_any_raw(const struct caps *c)
{
	for (size_t i = 0; i < sizeof raws / sizeof *raws; i++)
		if (queries_reads_raw(c, raws[i].agg))
			return true;
	return false;
}

bool queries_minute_bounds(const struct caps *c)
{
	for (size_t i = 0; i < sizeof raws / sizeof *raws; i++)
		if (c->kind[raws[i].agg] != RELK_MISSING && !queries_reads_raw(c, raws[i].agg))
			return false;
	return true;
}

bool queries_reads_summary(const struct caps *c, enum rel_id r)
{
	return queries_reads_raw(c, r) && c->summary[r];
}

bool queries_any_summary(const struct caps *c)
{
	for (int k = 0; k < SUMMARY_KINDS; k++)
		if (queries_reads_summary(c, summaries[k].agg))
			return true;
	return false;
}

/* The clean hours of summary kind k in [lo, hi): built (in the ledger),
 * ended, and not queued for a rebuild. Only these come from the summary.
 * The ledger only holds hours the builder saw end, so the server's own
 * clock bounds it even on a lagging standby; a setting there
 * (attune.now) hides the bound from the planner, and PostgreSQL 17 then
 * plans the raw stretches badly enough to take seconds. */
static char *clean_hours_sql(int k, const char *lo, const char *hi)
{
	return xasprintf(
	    "SELECT h.bucket FROM S.native_summary_hour h"
	    " WHERE h.kind = '%s' AND h.bucket >= %s"
	    " AND h.bucket + interval '1 hour' <= %s"
	    " AND h.bucket < date_trunc('hour', now(), 'UTC')"
	    " AND EXISTS (SELECT 1 FROM S.native_summary_state t WHERE t.kind = h.kind)"
	    " AND NOT EXISTS (SELECT 1 FROM S.native_summary_invalidation v"
	    " WHERE v.kind = h.kind AND v.bucket = h.bucket)",
	    summaries[k].kind, lo, hi);
}

/* A native relation in [lo, hi): clean hours from the summary, every other
 * stretch (never built, dirty, current, a partial first hour) from the
 * source, each stretch bounded on the source's time column so that only
 * its day partitions are scanned. Each hour is read exactly once. */
static char *summary_tmpl(int i, enum rel_id r, const char *lo, const char *hi)
{
	int k = summary_of(r);
	const char *from = lo ? lo : "'-infinity'::timestamptz";
	const char *to = hi ? hi : "'infinity'::timestamptz";
	char *clean = clean_hours_sql(k, from, to);
	char *raw = raw_sql_within(i, "date_trunc('hour', ", ", 'UTC')", "g.lo", "g.hi", lo, hi);
	char *out =
	    xasprintf("(WITH c AS MATERIALIZED (%s),"
	              " g AS (SELECT b.s AS lo, coalesce((SELECT min(n.bucket) FROM c n"
	              " WHERE n.bucket > b.s), %s) AS hi"
	              " FROM (SELECT %s UNION ALL SELECT c.bucket + interval '1 hour' FROM c) b (s)"
	              " WHERE b.s < %s AND NOT EXISTS (SELECT 1 FROM c x WHERE x.bucket = b.s))"
	              " SELECT %s FROM S.%s WHERE bucket >= %s AND bucket < %s"
	              " AND bucket IN (SELECT c.bucket FROM c)"
	              " UNION ALL SELECT w.* FROM g CROSS JOIN LATERAL (%s) w) AS %s (%s)",
	              clean, to, from, to, raws[i].cols, summaries[k].table, from, to, raw,
	              model_rel_name(r), raws[i].cols);
	free(clean);
	free(raw);
	return out;
}

char *queries_summary_hours_sql(const struct caps *c)
{
	if (!queries_any_summary(c))
		return NULL;
	char *arms = xstrdup("");
	for (int k = 0; k < SUMMARY_KINDS; k++) {
		if (!queries_reads_summary(c, summaries[k].agg))
			continue;
		char *clean =
		    clean_hours_sql(k, "to_timestamp($1::float8)", "to_timestamp($3::float8)");
		char *next = xasprintf("%s%sSELECT '%s', count(*)::int8 FROM (%s) h", arms,
		                       arms[0] ? " UNION ALL " : "", summaries[k].kind, clean);
		free(clean);
		free(arms);
		arms = next;
	}
	/* $2, the filter, does not apply to the ledger. */
	char *sql = xasprintf("SELECT * FROM (%s) a WHERE $2::text IS NULL OR true", arms);
	free(arms);
	return qualify(c, sql);
}

char *queries_kept_signature_sql(const struct caps *c)
{
	if (!queries_any_summary(c))
		return NULL;
	/* Any hour dirtied, rebuilt or forgotten in [$1, $2) changes one of
	 * these: the queue's ids (a late commit shows up when it commits), the
	 * ledger's newest refresh, or the number of built hours. */
	return qualify(c,
	               xstrdup("SELECT (SELECT count(*) || '/' || coalesce(sum(id), 0) || '/' ||"
	                       " coalesce(max(id), 0) FROM S.native_summary_invalidation"
	                       " WHERE bucket >= to_timestamp($1::float8)"
	                       " AND bucket < to_timestamp($2::float8)) || ' ' ||"
	                       " (SELECT count(*) || '/' || coalesce(max(refreshed_at)::text, '')"
	                       " FROM S.native_summary_hour"
	                       " WHERE bucket >= to_timestamp($1::float8)"
	                       " AND bucket < to_timestamp($2::float8))"));
}

bool queries_has_tail(const struct caps *c, enum rel_id r)
{
	int i = raw_index(r);
	return i >= 0 && c->kind[r] == RELK_CAGG_MATONLY && c->kind[raws[i].raw] != RELK_MISSING &&
	       c->q_ts_schema;
}

bool queries_tail_fallback(const struct caps *c)
{
	for (int r = 0; r < REL_COUNT; r++)
		if (queries_has_tail(c, (enum rel_id)r) && (!c->mat_id[r] || !c->ts_func_schema[0]))
			return true;
	return false;
}

/* The watermark of an aggregate as SQL; when it cannot be read, the last
 * two hours come from raw rows (the header says so). */
static void watermark_sql(const struct caps *c, enum rel_id r, char *buf, size_t len)
{
	if (c->mat_id[r] > 0 && c->ts_func_schema[0])
		snprintf(buf, len, "(SELECT %s.to_timestamp(%s.cagg_watermark(%d)))",
		         c->ts_func_schema, c->ts_func_schema, c->mat_id[r]);
	else
		snprintf(buf, len, "(SELECT date_trunc('hour', " TXN_NOW " - interval '2 hours'))");
}

/* The source of aggregate r with "S." standing for the schema: a plain
 * view's grouped source rows in [lo, hi), a merging live tail, or the
 * relation itself. */
static char *source_tmpl(const struct caps *c, enum rel_id r, const char *lo, const char *hi)
{
	int i = raw_index(r);
	if (i >= 0 && queries_reads_summary(c, r))
		return summary_tmpl(i, r, lo, hi);
	if (i >= 0 && queries_reads_raw(c, r)) {
		char *sel = raw_sql(i, "date_trunc('hour', ", ", 'UTC')", lo, hi);
		size_t n = strlen(sel) + strlen(raws[i].cols) + 64;
		char *out = xmalloc(n);
		snprintf(out, n, "(%s) AS %s (%s)", sel, model_rel_name(r), raws[i].cols);
		free(sel);
		return out;
	}
	if (i >= 0 && queries_has_tail(c, r)) {
		char wm[256], tb[160];
		watermark_sql(c, r, wm, sizeof wm);
		snprintf(tb, sizeof tb, "%s.time_bucket('1 hour', ", c->q_ts_schema);
		char *sel = raw_sql(i, tb, ")", wm, NULL);
		size_t n = strlen(sel) + strlen(raws[i].cols) + 2 * strlen(model_rel_name(r)) +
		           strlen(wm) + 64;
		char *out = xmalloc(n);
		snprintf(out, n, "(SELECT %s FROM S.%s WHERE bucket < %s UNION ALL %s) AS %s",
		         raws[i].cols, model_rel_name(r), wm, sel, model_rel_name(r));
		free(sel);
		return out;
	}
	char *plain = xmalloc(strlen(model_rel_name(r)) + 3);
	sprintf(plain, "S.%s", model_rel_name(r));
	return plain;
}

char *queries_source(const struct caps *c, enum rel_id r, const char *lo, const char *hi)
{
	return qualify(c, source_tmpl(c, r, lo, hi));
}

/* The earliest watermark over the aggregates that have a tail, or NULL. */
char *queries_watermark_sql(const struct caps *c)
{
	char wm[256], buf[2048] = "SELECT extract(epoch FROM least(";
	bool any = false;
	for (int r = 0; r < REL_COUNT; r++) {
		if (!queries_has_tail(c, (enum rel_id)r))
			continue;
		watermark_sql(c, (enum rel_id)r, wm, sizeof wm);
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", any ? ", " : "", wm);
		any = true;
	}
	if (!any)
		return NULL;
	snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "))::int8");
	return xstrdup(buf);
}

/* Replace "S.<aggregate>" (one left-to-right pass over the template, so
 * the inserted text is not rescanned) by its source (see source_tmpl). */
static char *with_sources(const struct caps *c, const char *fmt, const char *lo, const char *hi)
{
	size_t cap = strlen(fmt) + 1, len = 0;
	char *out = xmalloc(cap);
	for (const char *p = fmt; *p;) {
		char *src = NULL;
		size_t used = 0;
		for (size_t i = 0; i < sizeof raws / sizeof *raws && !src; i++) {
			const char *name = model_rel_name(raws[i].agg);
			size_t nl = strlen(name);
			if (strncmp(p, "S.", 2) == 0 && strncmp(p + 2, name, nl) == 0 &&
			    !(p[2 + nl] == '_' || (p[2 + nl] >= 'a' && p[2 + nl] <= 'z')) &&
			    (queries_has_tail(c, raws[i].agg) ||
			     queries_reads_raw(c, raws[i].agg))) {
				src = source_tmpl(c, raws[i].agg, lo, hi);
				used = 2 + nl;
			}
		}
		const char *piece = src ? src : p;
		size_t pl = src ? strlen(src) : 1;
		if (len + pl + 1 > cap) {
			cap = (len + pl + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, piece, pl);
		len += pl;
		p += src ? used : 1;
		free(src);
	}
	out[len] = '\0';
	return out;
}

char *queries_build_ranged(const struct caps *caps, const char *tmpl, const char *lo,
                           const char *hi)
{
	return qualify(caps, with_sources(caps, tmpl, lo, hi));
}

char *queries_build_sql(const struct caps *caps, const char *tmpl)
{
	return queries_build_ranged(caps, tmpl, NULL, NULL);
}
