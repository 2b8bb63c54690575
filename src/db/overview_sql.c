/* The overview's queries: SQL, result columns and takers, one table row each. */
#include "db/overview_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/queries.h"
#include "db/txn.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/spark.h"

/* The queries, in batch order. */
enum overview_query {
	OQ_NOW = 0,
	OQ_EXEC_SERIES,   /* bucket × action: executions created */
	OQ_STATUSES,      /* bucket × status: transitions; action: outcomes */
	OQ_EVENTS,        /* bucket: events */
	OQ_ENFORCEMENTS,  /* bucket: enforcements */
	OQ_WORKERS,       /* the workers as they are now */
	OQ_WORKER_STATUS, /* worker: status transitions in range */
	OQ_CHANGES,       /* recent execution status changes */
	OQ_INFLIGHT,      /* live executions in non-terminal statuses */
	OQ_WATERMARK,     /* earliest watermark of the aggregates with a tail */
	OQ_SUMMARY_HOURS, /* native: clean hours each summary kind served */
	OQ_KEPT,          /* native: signature of the kept hours' ledger and queue */
	OQ_FAILURES,      /* the newest executions that ended in failure */
	OQ_OLDEST,        /* the oldest execution in flight */
	OQ_COUNT,
};

/* Result columns, in SELECT order. */
enum { C_NOW_US };
enum { C_SER_BUCKET, C_SER_KEY, C_SER_COUNT }; /* bucket, action or status, count */
enum { C_VOL_BUCKET, C_VOL_COUNT };            /* events, enforcements */
/* per action (1) or per bucket and status (0), bucket, status or action,
 * transitions, and into completed / failed / timeout */
enum {
	C_ST_PER_ACTION,
	C_ST_BUCKET,
	C_ST_KEY,
	C_ST_COUNT,
	C_ST_COMPLETED,
	C_ST_FAILED,
	C_ST_TIMEOUT
};
enum {
	C_WK_ID,
	C_WK_NAME,
	C_WK_TYPE,
	C_WK_ROLE,
	C_WK_STATUS,
	C_WK_HOST,
	C_WK_PORT,
	C_WK_HEARTBEAT_US, /* epoch microseconds, NULL when never */
};
/* worker, transitions, those from the hour before the one the part ends in */
enum { C_WT_WORKER, C_WT_COUNT, C_WT_LAST_HOUR };
enum { C_CH_TIME_US, C_CH_EXECUTION, C_CH_ACTION, C_CH_OLD, C_CH_NEW };
enum { C_IF_STATUS, C_IF_COUNT };
enum { C_WM_THROUGH };
enum { C_SH_KIND, C_SH_HOURS };
enum { C_KEPT_SIGNATURE };
enum { C_FL_TIME_US, C_FL_EXECUTION, C_FL_ACTION, C_FL_STATUS, C_FL_WORKER, C_FL_ERROR };
enum { C_OLD_EXECUTION, C_OLD_CREATED_US };

/* Bucketed queries read [$1, $3): the whole range once, or only the buckets
 * that can still change (the current hour), see queries_overview. They group
 * by bucket, not by its epoch, and take the epoch with date_part (float8,
 * exact for whole seconds) rather than extract (numeric, slower since
 * PostgreSQL 14). */
#define RANGE_LO "to_timestamp($1::float8)"
#define RANGE_HI "to_timestamp($3::float8)"
/* A part may begin within an hour (see queries_minute_bounds): its rows
 * are bounded to the minute on their source, and its first bucket is the
 * hour that minute is in. */
#define RANGE_AND_FILTER(col)                                                                      \
	" WHERE bucket >= date_trunc('hour', " RANGE_LO ", 'UTC') AND bucket < " RANGE_HI          \
	" AND ($2::text IS NULL OR " col " = $2::text)"

/* ------------------------------------------------------------ SQL */

/* A filter that names a worker selects the executions it ran (their
 * current executor); any other filter is an action (trigger, rule) ref.
 * Only the SQL of a filtered refresh carries the worker's branch. */
#define IS_WORKER "EXISTS (SELECT 1 FROM S.worker fw WHERE fw.name = $2::text)"
#define WORKER_ID "(SELECT fw.id FROM S.worker fw WHERE fw.name = $2::text)"
#define BY_ACTION "($2::text IS NULL OR action_ref = $2::text)"
#define BY_ENTITY "($2::text IS NULL OR entity_ref = $2::text)"
/* execution rows */
#define BY_WORKER_OR_ACTION                                                                        \
	"(CASE WHEN " IS_WORKER " THEN executor = " WORKER_ID " ELSE action_ref = $2::text END)"
/* execution_history rows */
#define BY_WORKER_OR_ENTITY                                                                        \
	"(CASE WHEN " IS_WORKER " THEN EXISTS (SELECT 1 FROM S.execution fe WHERE fe.id ="         \
	" entity_id AND fe.executor = " WORKER_ID ") ELSE entity_ref = $2::text END)"

/* tmpl with every `from` replaced by `to` (malloc'd). */
static char *replaced(const char *tmpl, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = strlen(tmpl) + 1;
	for (const char *p = tmpl; (p = strstr(p, from)) != NULL; p += fl)
		n += tl;
	char *out = xmalloc(n), *o = out;
	for (const char *p = tmpl; *p;) {
		if (strncmp(p, from, fl) == 0) {
			memcpy(o, to, tl);
			o += tl;
			p += fl;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

/* The SQL of tmpl with its action (entity) filter reaching a worker's
 * executions too. */
static char *by_worker(const struct caps *c, const char *tmpl)
{
	char *a = replaced(tmpl, BY_ACTION, BY_WORKER_OR_ACTION);
	char *b = replaced(a, BY_ENTITY, BY_WORKER_OR_ENTITY);
	char *sql = queries_build_sql(c, b);
	free(a);
	free(b);
	return sql;
}

static char *sql_now(const struct caps *c)
{
	(void)c;
	return xstrdup("SELECT (extract(epoch FROM " TXN_NOW ") * 1000000)::int8");
}

/* Executions per action and hour, or (under a filter naming a worker) the
 * executions that worker ran, by the hour they were created, from the
 * execution rows: the hourly relations know no worker. */
#define EXEC_SERIES                                                                                \
	"SELECT date_part('epoch', bucket)::int8, action_ref, sum(execution_count)::int8"          \
	" FROM S.execution_throughput_hourly" RANGE_AND_FILTER("action_ref")
#define EXEC_SERIES_GROUP " GROUP BY bucket, 2"
#define WORKER_EXEC_SERIES                                                                         \
	" SELECT date_part('epoch', date_trunc('hour', fe.created, 'UTC'))::int8,"                 \
	" fe.action_ref, count(*)::int8 FROM S.execution fe"                                       \
	" WHERE fe.created >= " RANGE_LO " AND fe.created < " RANGE_HI                             \
	" AND fe.executor = " WORKER_ID " AND " IS_WORKER " GROUP BY 1, 2"

static char *sql_exec_series(const struct caps *c)
{
	return queries_build_ranged(c, EXEC_SERIES EXEC_SERIES_GROUP, RANGE_LO, RANGE_HI);
}

static char *worker_exec_series(const struct caps *c)
{
	return queries_build_ranged(
	    c, EXEC_SERIES " AND NOT " IS_WORKER EXEC_SERIES_GROUP " UNION ALL" WORKER_EXEC_SERIES,
	    RANGE_LO, RANGE_HI);
}

/* The status chart and the outcomes per action come from the same rows:
 * one pass over them, grouped both ways. Under a filter naming a worker,
 * from the history rows of the executions it ran. */
#define OUTCOMES(n, st)                                                                            \
	" coalesce(sum(" n ") FILTER (WHERE " st " = 'completed'), 0)::int8,"                      \
	" coalesce(sum(" n ") FILTER (WHERE " st " = 'failed'), 0)::int8,"                         \
	" coalesce(sum(" n ") FILTER (WHERE " st " = 'timeout'), 0)::int8"
#define STATUSES                                                                                   \
	"SELECT GROUPING(bucket), date_part('epoch', bucket)::int8,"                               \
	" CASE WHEN GROUPING(bucket) = 0 THEN new_status ELSE action_ref END,"                     \
	" sum(transition_count)::int8," OUTCOMES(                                                  \
	    "transition_count",                                                                    \
	    "new_status") " FROM S.execution_status_hourly" RANGE_AND_FILTER("action_ref")
#define STATUSES_GROUP " GROUP BY GROUPING SETS ((bucket, new_status), (action_ref))"
#define WORKER_STATUSES                                                                            \
	" SELECT GROUPING(b), date_part('epoch', b)::int8,"                                        \
	" CASE WHEN GROUPING(b) = 0 THEN st ELSE ar END, count(*)::int8," OUTCOMES(                \
	    "1", "st") " FROM (SELECT date_trunc('hour', h.time, 'UTC') AS b, "                    \
	               "h.new_values->>'status' AS st,"                                            \
	               " h.entity_ref AS ar FROM S.execution_history h WHERE 'status' = "          \
	               "ANY(h.changed_fields)"                                                     \
	               " AND h.time >= " RANGE_LO " AND h.time < " RANGE_HI " AND " IS_WORKER      \
	               " AND EXISTS (SELECT 1 FROM S.execution fe WHERE fe.id = h.entity_id"       \
	               " AND fe.executor = " WORKER_ID                                             \
	               ")) x GROUP BY GROUPING SETS ((b, st), (ar))"

static char *sql_statuses(const struct caps *c)
{
	return queries_build_ranged(c, STATUSES STATUSES_GROUP, RANGE_LO, RANGE_HI);
}

static char *worker_statuses(const struct caps *c)
{
	return queries_build_ranged(
	    c, STATUSES " AND NOT " IS_WORKER STATUSES_GROUP " UNION ALL" WORKER_STATUSES, RANGE_LO,
	    RANGE_HI);
}

static char *sql_events(const struct caps *c)
{
	return queries_build_ranged(
	    c,
	    "SELECT date_part('epoch', bucket)::int8,"
	    " sum(event_count)::int8 FROM S.event_volume_hourly" RANGE_AND_FILTER(
	        "trigger_ref") " GROUP BY bucket",
	    RANGE_LO, RANGE_HI);
}

static char *sql_enforcements(const struct caps *c)
{
	return queries_build_ranged(
	    c,
	    "SELECT date_part('epoch', bucket)::int8,"
	    " sum(enforcement_count)::int8 FROM "
	    "S.enforcement_volume_hourly" RANGE_AND_FILTER("rule_ref") " GROUP BY bucket",
	    RANGE_LO, RANGE_HI);
}

static char *sql_workers(const struct caps *c)
{
	return queries_build_sql(
	    c, "SELECT w.id, w.name, w.worker_type::text, w.worker_role::text,"
	       " w.status::text, w.host, w.port,"
	       " (extract(epoch FROM w.last_heartbeat) * 1000000)::int8 FROM S.worker w"
	       " WHERE $1::float8 IS NOT NULL AND ($2::text IS NULL OR w.name = $2::text)"
	       " ORDER BY w.name, w.id");
}

/* Bucketed like the charts, so that only the newest minutes are read again
 * on a steady refresh. A kept part's transitions from the hour before the
 * one it ends in on are recent while that is the previous hour
 * (snapshot_add_settled). */
static char *sql_worker_status(const struct caps *c)
{
	return queries_build_ranged(
	    c,
	    "SELECT worker_name, sum(transition_count)::int8,"
	    " coalesce(sum(transition_count) FILTER (WHERE bucket >= date_trunc('hour', " RANGE_HI
	    ", 'UTC') - interval '1 hour'), 0)::int8"
	    " FROM S.worker_status_hourly" RANGE_AND_FILTER("worker_name") " GROUP BY 1",
	    RANGE_LO, RANGE_HI);
}

/* The newest 200 times first, in time order alone, which the partial time
 * index (per partition, merged) gives without a sort; then the rows from
 * the oldest of them on, tie-broken by execution. A busy range is never
 * sorted whole. */
#define CHANGES_WHERE                                                                              \
	" FROM S.execution_history WHERE 'status' = ANY(changed_fields)"                           \
	" AND time >= to_timestamp($1::float8) AND time < to_timestamp($3::float8)"                \
	" AND " BY_ENTITY
static const char changes_tmpl[] =
    "WITH newest AS MATERIALIZED (SELECT time" CHANGES_WHERE " ORDER BY time DESC LIMIT 200)"
    " SELECT (extract(epoch FROM time) * 1000000)::int8, entity_id,"
    " entity_ref, old_values->>'status', new_values->>'status'" CHANGES_WHERE
    " AND time >= (SELECT min(time) FROM newest)"
    " ORDER BY time DESC, entity_id DESC LIMIT 200";
#undef CHANGES_WHERE

static char *sql_changes(const struct caps *c)
{
	return queries_build_sql(c, changes_tmpl);
}

static char *worker_changes(const struct caps *c)
{
	return by_worker(c, changes_tmpl);
}

static void inflight_tmpl(const struct caps *c, char *fmt, size_t len)
{
	if (c->status_type[0])
		snprintf(fmt, len,
		         "SELECT status::text, count(*)::int8 FROM S.execution"
		         " WHERE status = ANY($1::%s[]) AND " BY_ACTION " GROUP BY 1 ORDER BY 1",
		         c->status_type);
	else
		snprintf(fmt, len,
		         "SELECT status::text, count(*)::int8 FROM S.execution"
		         " WHERE status::text <> ALL('%s'::text[])"
		         " AND $1::text IS NOT NULL AND " BY_ACTION " GROUP BY 1 ORDER BY 1",
		         queries_terminal_array());
}

static char *sql_inflight(const struct caps *c)
{
	char fmt[1024];
	inflight_tmpl(c, fmt, sizeof fmt);
	return queries_build_sql(c, fmt);
}

static char *worker_inflight(const struct caps *c)
{
	char fmt[1024];
	inflight_tmpl(c, fmt, sizeof fmt);
	return by_worker(c, fmt);
}

/* The newest executions (by creation, in the range) of one failed status:
 * a scan of the (status, created) index that stops after 50 rows, however
 * rare failures are. */
#define FAILED_OF(st)                                                                              \
	"(SELECT id, created, updated, action_ref, status, executor, result FROM S.execution"      \
	" WHERE status = '" st "' AND created >= to_timestamp($1::float8)"                         \
	" AND " BY_ACTION " ORDER BY created DESC, id DESC LIMIT 50)"

/* The 50 newest of them over failed, timeout and abandoned, shown by when
 * they ended (updated: a terminal execution no longer changes). The error
 * summary is the first line of the result's error (or message, stderr),
 * cut short on the server so a big result never crosses the wire. */
static const char failures_tmpl[] =
    "SELECT (extract(epoch FROM e.updated) * 1000000)::int8, e.id, e.action_ref,"
    " e.status::text, w.name,"
    " left(split_part(btrim(coalesce(e.result->>'error', e.result->>'message',"
    " e.result->>'stderr')), E'\\n', 1), 200)"
    " FROM (" FAILED_OF("failed") " UNION ALL " FAILED_OF("timeout") " UNION ALL " FAILED_OF(
        "abandoned") " ORDER BY created DESC, id DESC LIMIT 50) e"
                     " LEFT JOIN S.worker w ON w.id = e.executor"
                     " ORDER BY e.updated DESC, e.id DESC";

static char *sql_failures(const struct caps *c)
{
	return queries_build_sql(c, failures_tmpl);
}

static char *worker_failures(const struct caps *c)
{
	return by_worker(c, failures_tmpl);
}

/* The oldest execution in flight. The in-flight rows are taken first, as
 * the in-flight counts take them (the status index; as many rows as are in
 * flight), then ordered: asked for the oldest of a status directly, the
 * planner may walk the created index from the oldest execution of all and
 * filter, reading the whole table when a status has no row. */
static void oldest_tmpl(const struct caps *c, char *fmt, size_t len)
{
	if (c->status_type[0])
		snprintf(fmt, len,
		         "WITH f AS MATERIALIZED (SELECT id, created FROM S.execution"
		         " WHERE status = ANY($1::%s[]) AND " BY_ACTION ")"
		         " SELECT id, (extract(epoch FROM created) * 1000000)::int8 FROM f"
		         " ORDER BY created, id LIMIT 1",
		         c->status_type);
	else
		snprintf(fmt, len,
		         "WITH f AS MATERIALIZED (SELECT id, created FROM S.execution"
		         " WHERE status::text <> ALL('%s'::text[]) AND $1::text IS NOT NULL"
		         " AND " BY_ACTION ")"
		         " SELECT id, (extract(epoch FROM created) * 1000000)::int8 FROM f"
		         " ORDER BY created, id LIMIT 1",
		         queries_terminal_array());
}

static char *sql_oldest(const struct caps *c)
{
	char fmt[1024];
	oldest_tmpl(c, fmt, sizeof fmt);
	return queries_build_sql(c, fmt);
}

static char *worker_oldest(const struct caps *c)
{
	char fmt[1024];
	oldest_tmpl(c, fmt, sizeof fmt);
	return by_worker(c, fmt);
}

/* ------------------------------------------------------------ takers */

static void take_now(struct snapshot *s, const struct rowset *r)
{
	if (r->nrows == 1)
		snapshot_set_now(s, rowset_i64(r, 0, C_NOW_US));
}

/* Count n into bucket b of a series, unless a failed part of the refresh
 * marked it unavailable: the parts of a refresh may arrive in any order
 * (the first refresh is read on two connections). */
static void add_known(int64_t *series, int b, int64_t n)
{
	if (series[b] != SPARK_NODATA)
		series[b] += n;
}

bool overview_read_now(int q, const struct rowset *r, int64_t *now_us)
{
	if (q != OQ_NOW || !r->ok || r->nrows != 1)
		return false;
	*now_us = rowset_i64(r, 0, C_NOW_US);
	return true;
}

static void take_exec_series(struct snapshot *s, const struct rowset *r)
{
	for (int i = 0; i < r->nrows; i++) {
		int b = snapshot_bucket(s, rowset_i64(r, i, C_SER_BUCKET));
		int64_t n = rowset_i64(r, i, C_SER_COUNT);
		struct action_row *a = snapshot_action(s, rowset_str(r, i, C_SER_KEY));
		a->executions += n;
		if (b >= 0) {
			a->buckets[b] += n;
			add_known(s->exec_created, b, n);
		}
	}
}

static void take_status_bucket(struct snapshot *s, const struct rowset *r, int i)
{
	int b = snapshot_bucket(s, rowset_i64(r, i, C_ST_BUCKET));
	const char *status = rowset_text(r, i, C_ST_KEY);
	if (!status)
		status = "(null)";
	int64_t n = rowset_i64(r, i, C_ST_COUNT);
	struct status_series *st = snapshot_status(s, status);
	st->total += n;
	s->total_transitions += n;
	if (b < 0)
		return;
	st->buckets[b] += n;
	if (strcmp(status, "completed") == 0)
		add_known(s->completed, b, n);
	else if (strcmp(status, "failed") == 0)
		add_known(s->failed, b, n);
}

static void take_statuses(struct snapshot *s, const struct rowset *r)
{
	for (int i = 0; i < r->nrows; i++) {
		if (rowset_i64(r, i, C_ST_PER_ACTION) == 0) {
			take_status_bucket(s, r, i);
			continue;
		}
		struct action_row *a = snapshot_action(s, rowset_str(r, i, C_ST_KEY));
		a->completed += rowset_i64(r, i, C_ST_COMPLETED);
		a->failed += rowset_i64(r, i, C_ST_FAILED);
		a->timeout += rowset_i64(r, i, C_ST_TIMEOUT);
	}
}

static void take_volume(const struct snapshot *s, const struct rowset *r, int64_t *series)
{
	for (int i = 0; i < r->nrows; i++) {
		int b = snapshot_bucket(s, rowset_i64(r, i, C_VOL_BUCKET));
		if (b >= 0)
			add_known(series, b, rowset_i64(r, i, C_VOL_COUNT));
	}
}

static void take_events(struct snapshot *s, const struct rowset *r)
{
	take_volume(s, r, s->events);
}

static void take_enforcements(struct snapshot *s, const struct rowset *r)
{
	take_volume(s, r, s->enforcements);
}

static void take_workers(struct snapshot *s, const struct rowset *r)
{
	/* The list is filtered by name: a row means the filter is a worker. */
	s->filter_worker = s->filter && r->nrows > 0;
	s->nworkers = r->nrows;
	s->workers = arena_calloc(&s->arena, (size_t)s->nworkers, sizeof *s->workers);
	for (int i = 0; i < s->nworkers; i++) {
		struct worker_row *w = &s->workers[i];
		w->id = rowset_i64(r, i, C_WK_ID);
		w->name = snapshot_text(s, rowset_text(r, i, C_WK_NAME));
		w->type = snapshot_text(s, rowset_text(r, i, C_WK_TYPE));
		w->role = snapshot_text(s, rowset_text(r, i, C_WK_ROLE));
		w->status = snapshot_text(s, rowset_text(r, i, C_WK_STATUS));
		w->host = snapshot_text(s, rowset_text(r, i, C_WK_HOST));
		w->port = (int)rowset_i64(r, i, C_WK_PORT);
		w->has_heartbeat = !rowset_null(r, i, C_WK_HEARTBEAT_US);
		w->heartbeat_us = rowset_i64(r, i, C_WK_HEARTBEAT_US);
	}
}

static void take_worker_status(struct snapshot *s, const struct rowset *r)
{
	s->worker_status_read = true;
	for (int i = 0; i < r->nrows; i++)
		snapshot_worker_status(s, rowset_text(r, i, C_WT_WORKER),
		                       rowset_i64(r, i, C_WT_COUNT),
		                       rowset_i64(r, i, C_WT_LAST_HOUR));
}

static void take_changes(struct snapshot *s, const struct rowset *r)
{
	s->nchanges = r->nrows;
	s->changes = arena_calloc(&s->arena, (size_t)s->nchanges, sizeof *s->changes);
	for (int i = 0; i < s->nchanges; i++) {
		struct change_row *c = &s->changes[i];
		c->time_us = rowset_i64(r, i, C_CH_TIME_US);
		c->id = rowset_i64(r, i, C_CH_EXECUTION);
		c->ref = snapshot_text(s, rowset_text(r, i, C_CH_ACTION));
		c->old_status = snapshot_text(s, rowset_text(r, i, C_CH_OLD));
		c->new_status = snapshot_text(s, rowset_text(r, i, C_CH_NEW));
	}
}

static void take_inflight(struct snapshot *s, const struct rowset *r)
{
	s->ninflight = r->nrows;
	s->inflight = arena_calloc(&s->arena, (size_t)s->ninflight, sizeof *s->inflight);
	for (int i = 0; i < s->ninflight; i++) {
		s->inflight[i].name = snapshot_text(s, rowset_text(r, i, C_IF_STATUS));
		s->inflight[i].count = rowset_i64(r, i, C_IF_COUNT);
		s->total_inflight += s->inflight[i].count;
	}
}

static void take_watermark(struct snapshot *s, const struct rowset *r)
{
	if (r->nrows == 1)
		s->materialized_through = rowset_i64(r, 0, C_WM_THROUGH);
}

static void take_summary_hours(struct snapshot *s, const struct rowset *r)
{
	s->summary_read = true;
	for (int i = 0; i < r->nrows; i++) {
		int k = queries_summary_index(rowset_text(r, i, C_SH_KIND));
		if (k >= 0)
			s->summary_hours[k] += rowset_i64(r, i, C_SH_HOURS);
	}
}

static void take_kept(struct snapshot *s, const struct rowset *r)
{
	if (r->nrows == 1)
		s->kept_signature = snapshot_text(s, rowset_text(r, 0, C_KEPT_SIGNATURE));
}

static void take_failures(struct snapshot *s, const struct rowset *r)
{
	s->nfailures = r->nrows;
	s->failures = arena_calloc(&s->arena, (size_t)s->nfailures, sizeof *s->failures);
	for (int i = 0; i < s->nfailures; i++) {
		struct failure_row *f = &s->failures[i];
		f->time_us = rowset_i64(r, i, C_FL_TIME_US);
		f->id = rowset_i64(r, i, C_FL_EXECUTION);
		f->ref = snapshot_text(s, rowset_text(r, i, C_FL_ACTION));
		f->status = snapshot_text(s, rowset_text(r, i, C_FL_STATUS));
		f->worker = snapshot_text(s, rowset_text(r, i, C_FL_WORKER));
		f->error = snapshot_text(s, rowset_text(r, i, C_FL_ERROR));
	}
}

static void take_oldest(struct snapshot *s, const struct rowset *r)
{
	if (r->nrows != 1)
		return;
	s->oldest_inflight_id = rowset_i64(r, 0, C_OLD_EXECUTION);
	s->oldest_inflight_us = rowset_i64(r, 0, C_OLD_CREATED_US);
}

/* ------------------------------------------------------------ unavailable */

static void lost_exec_series(struct snapshot *s, bool missing, const char *why)
{
	snapshot_series_unavailable(s, s->exec_created, "executions", why);
	snapshot_panel_unavailable(s, PANEL_ACTIONS, missing, why);
}

static void lost_statuses(struct snapshot *s, bool missing, const char *why)
{
	snapshot_series_unavailable(s, s->completed, "completed", why);
	snapshot_series_unavailable(s, s->failed, "failed", why);
	snapshot_panel_unavailable(s, PANEL_STATUS, missing, why);
	snapshot_panel_unavailable(s, PANEL_ACTIONS, missing, why);
}

static void lost_events(struct snapshot *s, bool missing, const char *why)
{
	(void)missing;
	snapshot_series_unavailable(s, s->events, "events", why);
}

static void lost_enforcements(struct snapshot *s, bool missing, const char *why)
{
	(void)missing;
	snapshot_series_unavailable(s, s->enforcements, "enforcements", why);
}

static void lost_inflight(struct snapshot *s, bool missing, const char *why)
{
	(void)missing;
	(void)why;
	s->inflight_failed = true;
}

static void lost_oldest(struct snapshot *s, bool missing, const char *why)
{
	(void)missing;
	(void)why;
	s->oldest_inflight_id = -1;
}

static void lost_nothing(struct snapshot *s, bool missing, const char *why)
{
	(void)s;
	(void)missing;
	(void)why;
}

/* ------------------------------------------------------------ the table */

const struct overview_def overview_defs[] = {
    [OQ_NOW] = {"now", REL_COUNT, PANEL_COUNT, OQP_NONE, sql_now, take_now, lost_nothing},
    [OQ_EXEC_SERIES] = {"executions", REL_EXECUTION_THROUGHPUT_HOURLY, PANEL_THROUGHPUT, OQP_RANGE,
                        sql_exec_series, take_exec_series, lost_exec_series, worker_exec_series},
    [OQ_STATUSES] = {"statuses", REL_EXECUTION_STATUS_HOURLY, PANEL_STATUS, OQP_RANGE, sql_statuses,
                     take_statuses, lost_statuses, worker_statuses},
    [OQ_EVENTS] = {"events", REL_EVENT_VOLUME_HOURLY, PANEL_THROUGHPUT, OQP_RANGE, sql_events,
                   take_events, lost_events},
    [OQ_ENFORCEMENTS] = {"enforcements", REL_ENFORCEMENT_VOLUME_HOURLY, PANEL_THROUGHPUT, OQP_RANGE,
                         sql_enforcements, take_enforcements, lost_enforcements},
    [OQ_WORKERS] = {"workers", REL_WORKER, PANEL_WORKERS, OQP_SINCE, sql_workers, take_workers,
                    NULL},
    [OQ_WORKER_STATUS] = {"worker transitions", REL_WORKER_STATUS_HOURLY, PANEL_WORKERS, OQP_RANGE,
                          sql_worker_status, take_worker_status, NULL},
    [OQ_CHANGES] = {"changes", REL_EXECUTION_HISTORY, PANEL_CHANGES, OQP_NEWEST, sql_changes,
                    take_changes, NULL, worker_changes},
    [OQ_INFLIGHT] = {"in flight", REL_EXECUTION, PANEL_COUNT, OQP_INFLIGHT, sql_inflight,
                     take_inflight, lost_inflight, worker_inflight},
    [OQ_WATERMARK] = {"watermark", REL_COUNT, PANEL_COUNT, OQP_NONE, queries_watermark_sql,
                      take_watermark, lost_nothing},
    [OQ_SUMMARY_HOURS] = {"summary hours", REL_COUNT, PANEL_COUNT, OQP_RANGE,
                          queries_summary_hours_sql, take_summary_hours, lost_nothing},
    [OQ_KEPT] = {"kept hours", REL_COUNT, PANEL_COUNT, OQP_KEPT, queries_kept_signature_sql,
                 take_kept, lost_nothing},
    [OQ_FAILURES] = {"failures", REL_EXECUTION, PANEL_FAILURES, OQP_SINCE, sql_failures,
                     take_failures, NULL, worker_failures},
    [OQ_OLDEST] = {"oldest in flight", REL_EXECUTION, PANEL_COUNT, OQP_INFLIGHT, sql_oldest,
                   take_oldest, lost_oldest, worker_oldest},
};

const int overview_count = OQ_COUNT;
_Static_assert(OQ_COUNT <= OQ_MAX, "OQ_MAX holds every overview query");

int overview_query(const char *name)
{
	for (int i = 0; i < OQ_COUNT; i++)
		if (strcmp(overview_defs[i].name, name) == 0)
			return i;
	return -1;
}

void queries_build(struct query_set *qs, const struct caps *caps)
{
	memset(qs, 0, sizeof *qs);
	/* The same install as read without its summaries (pointers shared,
	 * nothing freed through it). */
	struct caps raw = *caps;
	memset(raw.summary, 0, sizeof raw.summary);
	bool native = queries_any_summary(caps);
	for (int i = 0; i < OQ_COUNT; i++) {
		const struct overview_def *d = &overview_defs[i];
		if (d->needs != REL_COUNT && caps->kind[d->needs] == RELK_MISSING)
			continue;
		qs->sql[i] = d->sql(caps);
		if (qs->sql[i] && d->worker_sql)
			qs->worker_sql[i] = d->worker_sql(caps);
		if (native && qs->sql[i] && d->params == OQP_RANGE) {
			qs->live_sql[i] = d->sql(&raw);
			qs->live_skip[i] = qs->live_sql[i] == NULL;
		}
	}
}

void queries_free(struct query_set *qs)
{
	for (int i = 0; i < OQ_COUNT; i++) {
		free(qs->sql[i]);
		free(qs->live_sql[i]);
		free(qs->worker_sql[i]);
	}
	memset(qs, 0, sizeof *qs);
}

/* One query of the batch (the transaction around it is db/txn.h's). */
static int add_query(struct db_query *q, int *idx, int n, int which, struct db_query d)
{
	idx[n] = which;
	q[n++] = d;
	return n;
}

int queries_overview(const struct query_set *qs, const struct overview_params *p,
                     struct db_query *q, int *idx)
{
	int n = 0;
	for (int i = 0; i < OQ_COUNT; i++) {
		const char *wsql = p->filter ? qs->worker_sql[i] : NULL;
		if (!qs->sql[i] || (qs->live_skip[i] && !wsql))
			continue;
		struct db_query d = {wsql              ? wsql
		                     : qs->live_sql[i] ? qs->live_sql[i]
		                                       : qs->sql[i],
		                     2,
		                     {p->range_start, p->filter}};
		if (overview_defs[i].params == OQP_NONE) {
			d.nparams = 0;
		} else if (overview_defs[i].params == OQP_INFLIGHT) {
			d.params[0] = p->inflight;
		} else if (overview_defs[i].params == OQP_RANGE) {
			d.nparams = 3;
			d.params[0] = p->hot_start;
			d.params[2] = p->live_end;
		} else if (overview_defs[i].params == OQP_NEWEST) {
			d.nparams = 3;
			d.params[2] = p->live_end;
		} else if (overview_defs[i].params == OQP_KEPT) {
			d.params[1] = p->live_start;
		}
		n = add_query(q, idx, n, i, d);
	}
	/* The warm part: the live hours' SQL up to hot_start. */
	for (int i = 0; p->warm && i < OQ_COUNT; i++) {
		const char *wsql = p->filter ? qs->worker_sql[i] : NULL;
		if (!qs->sql[i] || overview_defs[i].params != OQP_RANGE ||
		    (qs->live_skip[i] && !wsql))
			continue;
		n = add_query(q, idx, n, i | OQ_WARM,
		              (struct db_query){wsql              ? wsql
		                                : qs->live_sql[i] ? qs->live_sql[i]
		                                                  : qs->sql[i],
		                                3,
		                                {p->live_start, p->filter, p->hot_start}});
	}
	/* After the live results, so that a failure here marks a whole series. */
	for (int i = 0; p->settled && i < OQ_COUNT; i++) {
		if (!qs->sql[i] || overview_defs[i].params != OQP_RANGE)
			continue;
		const char *wsql = p->filter ? qs->worker_sql[i] : NULL;
		n = add_query(q, idx, n, i | OQ_SETTLED,
		              (struct db_query){wsql ? wsql : qs->sql[i],
		                                3,
		                                {p->range_start, p->filter, p->live_start}});
	}
	return n;
}

void overview_unavailable(struct snapshot *s, int q, bool missing, const char *why)
{
	const struct overview_def *d = &overview_defs[q];
	if (d->lost)
		d->lost(s, missing, why);
	else
		snapshot_panel_unavailable(s, d->panel, missing, why);
}

void overview_take(struct snapshot *s, int q, const struct rowset *r)
{
	if (!r->ok) {
		char why[320];
		err_set(why, sizeof why, "query failed: %s", r->error);
		overview_unavailable(s, q, false, why);
		return;
	}
	overview_defs[q].take(s, r);
}
