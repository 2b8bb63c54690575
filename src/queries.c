/* SQL text of every query, and the parsing of connection-setup results. */
#include "queries.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* Statuses after which an execution is no longer in flight. Value sets
 * differ between Attune versions: anything not listed counts as in flight. */
static const char *const terminal_statuses[] = {
    "completed", "succeeded", "failed",    "timeout", "timed_out",
    "cancelled", "canceled",  "abandoned", "skipped",
};

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
	snprintf(err, errlen, "%s: %s", what, *msg ? msg : PQresStatus(PQresultStatus(res)));
	err[strcspn(err, "\n")] = '\0';
	return -1;
}

int queries_setup(struct db_query *q, const char *timeout_ms, const char *schema)
{
	q[SQ_SESSION] = (struct db_query){
	    "SELECT set_config('default_transaction_read_only', 'on', false),"
	    " set_config('statement_timeout', $1, false),"
	    " set_config('TimeZone', 'UTC', false),"
	    " set_config('DateStyle', 'ISO, YMD', false),"
	    " set_config('IntervalStyle', 'postgres', false),"
	    " set_config('extra_float_digits', '3', false)",
	    1,
	    {timeout_ms},
	};
	q[SQ_IDENTITY] = (struct db_query){
	    "SELECT (SELECT nspname FROM pg_catalog.pg_namespace"
	    "        WHERE nspname = coalesce($1::text, CASE WHEN EXISTS ("
	    "          SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'attune')"
	    "          THEN 'attune' ELSE current_schema() END)),"
	    " coalesce($1::text, 'attune', current_schema()),"
	    " (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'timescaledb'),"
	    " (extract(epoch FROM now()) * 1000000)::int8,"
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
	if (which != SQ_IDENTITY)
		return 0;
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

int queries_caps(const struct caps *caps, struct db_query *q, int *idx, char *names,
                 size_t names_len)
{
	size_t off = 0;
	off += (size_t)snprintf(names + off, names_len - off, "{");
	for (int r = 0; r < REL_COUNT && off < names_len; r++)
		off += (size_t)snprintf(names + off, names_len - off, "%s%s", r ? "," : "",
		                        rel_names[r]);
	if (off < names_len)
		snprintf(names + off, names_len - off, "}");

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
	if (caps->tsdb_version[0]) {
		idx[n] = CQ_CAGGS;
		q[n++] = (struct db_query){
		    "SELECT view_name::text, materialized_only"
		    " FROM timescaledb_information.continuous_aggregates"
		    " WHERE view_schema = $1",
		    1,
		    {caps->schema},
		};
	}
	return n;
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

int queries_take_caps(struct caps *caps, int which, const PGresult *res, char *err, size_t errlen)
{
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (which == CQ_CAGGS)
			return 0; /* unknown catalog shape: treat aggregates as views */
		return result_error(res, err, errlen, "reading the catalog failed");
	}
	for (int i = 0; i < PQntuples(res) && which == CQ_RELATIONS; i++) {
		enum rel_id r = rel_by_name(PQgetvalue(res, i, 0));
		if (r < REL_COUNT)
			caps->kind[r] = kind_of_relkind(PQgetvalue(res, i, 1)[0]);
	}
	for (int i = 0; i < PQntuples(res) && which == CQ_CAGGS; i++) {
		enum rel_id r = rel_by_name(PQgetvalue(res, i, 0));
		if (r < REL_COUNT)
			caps->kind[r] = PQgetvalue(res, i, 1)[0] == 't' ? RELK_CAGG_MATONLY
			                                                : RELK_CAGG_REALTIME;
	}
	if (which == CQ_STATUS_ENUM)
		take_status_enum(caps, res);
	return 0;
}

void queries_caps_done(struct caps *caps)
{
	if (!caps->inflight_array)
		caps->inflight_array = xstrdup("{}");
}

/* printf into a fresh string, with every "S." replaced by the schema. */
static char *build(const struct caps *caps, const char *fmt)
{
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
	return out;
}

#define RANGE_AND_FILTER(col)                                                                      \
	" WHERE bucket >= to_timestamp($1::float8) AND ($2::text IS NULL OR " col " = $2::text)"

static bool have(const struct caps *c, enum rel_id r)
{
	return c->kind[r] != RELK_MISSING;
}

void queries_build(struct query_set *qs, const struct caps *caps)
{
	memset(qs, 0, sizeof *qs);
	qs->sql[OQ_NOW] = xstrdup("SELECT (extract(epoch FROM now()) * 1000000)::int8");
	if (have(caps, REL_EXECUTION_THROUGHPUT_HOURLY))
		qs->sql[OQ_EXEC_SERIES] =
		    build(caps, "SELECT extract(epoch FROM bucket)::int8, action_ref,"
		                " sum(execution_count)::int8 FROM "
		                "S.execution_throughput_hourly" RANGE_AND_FILTER(
		                    "action_ref") " GROUP BY 1, 2");
	if (have(caps, REL_EXECUTION_STATUS_HOURLY)) {
		qs->sql[OQ_STATUS_BUCKETS] = build(
		    caps,
		    "SELECT extract(epoch FROM bucket)::int8, new_status,"
		    " sum(transition_count)::int8 FROM S.execution_status_hourly" RANGE_AND_FILTER(
		        "action_ref") " GROUP BY 1, 2");
		qs->sql[OQ_STATUS_ACTIONS] = build(
		    caps,
		    "SELECT action_ref,"
		    " coalesce(sum(transition_count) FILTER (WHERE new_status = 'completed'), "
		    "0)::int8,"
		    " coalesce(sum(transition_count) FILTER (WHERE new_status = 'failed'), "
		    "0)::int8,"
		    " coalesce(sum(transition_count) FILTER (WHERE new_status = 'timeout'), "
		    "0)::int8"
		    " FROM S.execution_status_hourly" RANGE_AND_FILTER("action_ref") " GROUP BY 1");
	}
	if (have(caps, REL_EVENT_VOLUME_HOURLY))
		qs->sql[OQ_EVENTS] = build(
		    caps, "SELECT extract(epoch FROM bucket)::int8,"
		          " sum(event_count)::int8 FROM S.event_volume_hourly" RANGE_AND_FILTER(
		              "trigger_ref") " GROUP BY 1");
	if (have(caps, REL_ENFORCEMENT_VOLUME_HOURLY))
		qs->sql[OQ_ENFORCEMENTS] = build(
		    caps, "SELECT extract(epoch FROM bucket)::int8,"
		          " sum(enforcement_count)::int8 FROM "
		          "S.enforcement_volume_hourly" RANGE_AND_FILTER("rule_ref") " GROUP BY 1");
	if (have(caps, REL_WORKER))
		qs->sql[OQ_WORKERS] = build(
		    caps,
		    have(caps, REL_WORKER_STATUS_HOURLY)
		        ? "SELECT w.id, w.name, w.worker_type::text, w.worker_role::text,"
		          " w.status::text, w.host, w.port,"
		          " extract(epoch FROM now() - w.last_heartbeat)::float8,"
		          " coalesce(t.n, 0)::int8, coalesce(t.recent, 0)::int8"
		          " FROM S.worker w LEFT JOIN (SELECT worker_name,"
		          " sum(transition_count) AS n, sum(transition_count) FILTER"
		          " (WHERE bucket >= date_trunc('hour', now()) - interval '1 hour')"
		          " AS recent FROM S.worker_status_hourly"
		          " WHERE bucket >= to_timestamp($1::float8) GROUP BY 1) t"
		          " ON t.worker_name = w.name"
		          " WHERE ($2::text IS NULL OR w.name = $2::text) ORDER BY w.name, w.id"
		        : "SELECT w.id, w.name, w.worker_type::text, w.worker_role::text,"
		          " w.status::text, w.host, w.port,"
		          " extract(epoch FROM now() - w.last_heartbeat)::float8,"
		          " NULL::int8, NULL::int8 FROM S.worker w"
		          " WHERE $1::float8 IS NOT NULL AND ($2::text IS NULL OR"
		          " w.name = $2::text) ORDER BY w.name, w.id");
	if (have(caps, REL_EXECUTION_HISTORY))
		qs->sql[OQ_CHANGES] =
		    build(caps, "SELECT (extract(epoch FROM time) * 1000000)::int8, entity_id,"
		                " entity_ref, old_values->>'status', new_values->>'status'"
		                " FROM S.execution_history WHERE 'status' = ANY(changed_fields)"
		                " AND time >= to_timestamp($1::float8)"
		                " AND ($2::text IS NULL OR entity_ref = $2::text)"
		                " ORDER BY time DESC, entity_id DESC LIMIT 200");
	if (have(caps, REL_EXECUTION)) {
		char fmt[1024];
		if (caps->status_type[0])
			snprintf(fmt, sizeof fmt,
			         "SELECT status::text, count(*)::int8 FROM S.execution"
			         " WHERE status = ANY($1::%s[])"
			         " AND ($2::text IS NULL OR action_ref = $2::text)"
			         " GROUP BY 1 ORDER BY 1",
			         caps->status_type);
		else
			snprintf(fmt, sizeof fmt, "%s",
			         "SELECT status::text, count(*)::int8 FROM S.execution"
			         " WHERE status::text <> ALL('{completed,succeeded,failed,timeout,"
			         "timed_out,cancelled,canceled,abandoned,skipped}'::text[])"
			         " AND $1::text IS NOT NULL"
			         " AND ($2::text IS NULL OR action_ref = $2::text)"
			         " GROUP BY 1 ORDER BY 1");
		qs->sql[OQ_INFLIGHT] = build(caps, fmt);
	}
}

void queries_free(struct query_set *qs)
{
	for (int i = 0; i < OQ_COUNT; i++)
		free(qs->sql[i]);
	memset(qs, 0, sizeof *qs);
}

int queries_overview(const struct query_set *qs, const struct overview_params *p,
                     struct db_query *q, int *idx)
{
	int n = 0;
	for (int i = 0; i < OQ_COUNT; i++) {
		if (!qs->sql[i])
			continue;
		struct db_query d = {qs->sql[i], 2, {p->range_start, p->filter}};
		if (i == OQ_NOW)
			d.nparams = 0;
		else if (i == OQ_INFLIGHT)
			d.params[0] = p->inflight;
		idx[n] = i;
		q[n++] = d;
	}
	return n;
}

enum panel_id queries_panel_of(enum overview_query q)
{
	switch (q) {
	case OQ_EXEC_SERIES:
	case OQ_EVENTS:
	case OQ_ENFORCEMENTS:
		return PANEL_THROUGHPUT;
	case OQ_STATUS_BUCKETS:
		return PANEL_STATUS;
	case OQ_STATUS_ACTIONS:
		return PANEL_ACTIONS;
	case OQ_WORKERS:
		return PANEL_WORKERS;
	case OQ_CHANGES:
		return PANEL_CHANGES;
	default:
		return PANEL_COUNT;
	}
}
