/* CSV export: connect, pin the session, resolve the schema, stream one
 * query into libcsv. Every value is formatted by the server (UTC ISO 8601
 * timestamps, compact JSON), so the client only copies text. */
#include "export/export.h"

#include <errno.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "export/atomicfile.h"
#include "export/csvout.h"
#include "db/db.h"
#include "db/json_utc.h"
#include "model/model.h"
#include "db/queries.h"
#include "db/session.h"
#include "model/storage.h"
#include "util/err.h"

#define EXPORT_MAX_COLS 10

enum export_shape {
	SHAPE_AGGREGATE, /* bucket, key columns, count */
	SHAPE_WORKERS,   /* live worker rows + transitions in range */
	SHAPE_HISTORY,   /* one entity's change log */
	SHAPE_STORAGE,   /* the storage view's tables, one row per relation */
};

struct export_def {
	const char *name;
	enum rel_id rel;
	enum export_shape shape;
	int ncols;
	const char *cols[EXPORT_MAX_COLS]; /* header: the relation's names, SPEC order */
	bool text[EXPORT_MAX_COLS];        /* free text: gets the formula guard */
};

static const struct export_def export_defs[] = {
    {"execution_status_hourly",
     REL_EXECUTION_STATUS_HOURLY,
     SHAPE_AGGREGATE,
     4,
     {"bucket", "action_ref", "new_status", "transition_count"},
     {false, true, true, false}},
    {"execution_throughput_hourly",
     REL_EXECUTION_THROUGHPUT_HOURLY,
     SHAPE_AGGREGATE,
     3,
     {"bucket", "action_ref", "execution_count"},
     {false, true, false}},
    {"event_volume_hourly",
     REL_EVENT_VOLUME_HOURLY,
     SHAPE_AGGREGATE,
     3,
     {"bucket", "trigger_ref", "event_count"},
     {false, true, false}},
    {"worker_status_hourly",
     REL_WORKER_STATUS_HOURLY,
     SHAPE_AGGREGATE,
     4,
     {"bucket", "worker_name", "new_status", "transition_count"},
     {false, true, true, false}},
    {"enforcement_volume_hourly",
     REL_ENFORCEMENT_VOLUME_HOURLY,
     SHAPE_AGGREGATE,
     3,
     {"bucket", "rule_ref", "enforcement_count"},
     {false, true, false}},
    {"execution_volume_hourly",
     REL_EXECUTION_VOLUME_HOURLY,
     SHAPE_AGGREGATE,
     4,
     {"bucket", "action_ref", "initial_status", "execution_count"},
     {false, true, true, false}},
    {"workers",
     REL_WORKER,
     SHAPE_WORKERS,
     10,
     {"id", "name", "worker_type", "worker_role", "status", "host", "port", "last_heartbeat",
      "heartbeat_age_s", "status_transitions"},
     {false, true, true, true, true, true, false, false, false, false}},
    {"execution_history",
     REL_EXECUTION_HISTORY,
     SHAPE_HISTORY,
     7,
     {"time", "operation", "entity_id", "entity_ref", "changed_fields", "old_values", "new_values"},
     {false, true, false, true, false, false, false}},
    {"worker_history",
     REL_WORKER_HISTORY,
     SHAPE_HISTORY,
     7,
     {"time", "operation", "entity_id", "entity_ref", "changed_fields", "old_values", "new_values"},
     {false, true, false, true, false, false, false}},
    /* its columns are storage_csv_heads */
    {"storage", REL_COUNT, SHAPE_STORAGE, 0, {NULL}, {false}},
};

/* Range bounds per SPEC, computed by the server in the pinned UTC session:
 * from the start of the hour containing now() - R through the current hour. */
#define RANGE_LO   "date_trunc('hour', now() - make_interval(hours => $1::int))"
#define RANGE_HI   "(date_trunc('hour', now()) + interval '1 hour')"
#define ISO_HOUR   "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"
#define ISO_MICROS "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'"

/* Compact JSON from the server. jsonb prints ": " and ", " between tokens
 * and no other whitespace outside strings. Fast path: drop every ": " and
 * ", " and keep the result if it still parses to the same value (so no
 * string lost a space). Otherwise a regular expression that consumes whole
 * string tokens (escapes included) as group 1 and otherwise a separator and
 * its space as group 2; replacing with \1\2 drops exactly the insignificant
 * spaces. It is exact but ~4x slower, hence the fast path. Both travel as
 * parameters: no backslash ever sits in the SQL text. */
static const char compact_re[] = "(\"(?:[^\"\\\\]|\\\\.)*\")|([:,]) ";
static const char compact_sub[] = "\\1\\2";

/* What one export needs to run. */
struct export_req {
	const struct settings *s; /* connection, schema, timeouts */
	const char *password;
	const struct export_def *def;
	long range_hours;
	const char *filter;               /* NULL = none */
	const struct entity_spec *entity; /* history only */
	const char *op_filter;            /* history: one operation, NULL = all */
	const char *field_filter;         /* history: rows that changed it, NULL = all */
	bool raw;                         /* --csv-raw */
	bool progress;                    /* may print progress on stderr */
	bool warn;                        /* may say on stderr what was left out */
};

__attribute__((format(printf, 1, 2))) static char *sql_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *out = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

static const struct export_def *find_def(const char *name)
{
	for (size_t i = 0; i < sizeof export_defs / sizeof *export_defs; i++)
		if (strcmp(export_defs[i].name, name) == 0)
			return &export_defs[i];
	return NULL;
}

/* ------------------------------------------------------------ connection */

/* Same keywords, in the same order, as the dashboard's connection. */
static PGconn *connect_db(const struct settings *s, const char *password, char *err, size_t errlen)
{
	char timeout[24];
	const char *keys[DB_CONN_PARAMS], *vals[DB_CONN_PARAMS];

	db_conn_params(s, password, timeout, keys, vals);
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	if (!conn) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		err_set(err, errlen, "%s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	session_quiet(conn);
	return conn;
}

/* The server's own words (without "ERROR:  "), else libpq's. */
static const char *error_text(const PGresult *res, PGconn *conn)
{
	const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!m || !*m)
		m = res ? PQresultErrorMessage(res) : "";
	return *m ? m : PQerrorMessage(conn);
}

/* Inside the export's one transaction (session_setup_blocking). */
static PGresult *exec_query(PGconn *conn, const struct db_query *q)
{
	return session_exec(conn, q);
}

/* Run a statement that must succeed; its result is returned to the caller. */
static PGresult *exec_checked(PGconn *conn, const struct db_query *q, const char *what, char *err,
                              size_t errlen)
{
	PGresult *res = exec_query(conn, q);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	err_set(err, errlen, "%s: %s", what, error_text(res, conn));
	PQclear(res);
	return NULL;
}

/* ------------------------------------------------------------ SQL */

static char *aggregate_sql(const struct export_def *d, const struct caps *caps)
{
	char keys[256] = "", order[256] = "";
	size_t ko = 0, oo = 0;
	for (int i = 1; i < d->ncols - 1; i++) {
		ko += (size_t)snprintf(keys + ko, sizeof keys - ko, ", %s::text", d->cols[i]);
		oo += (size_t)snprintf(order + oo, sizeof order - oo, ", %s::text COLLATE \"C\"",
		                       d->cols[i]);
	}
	/* the same newest buckets as the screen (live tail) */
	char *src = queries_source(caps, d->rel, RANGE_LO, RANGE_HI);
	char *sql = sql_printf("SELECT to_char(bucket AT TIME ZONE 'UTC', " ISO_HOUR ")%s, %s"
	                       " FROM %s WHERE bucket >= " RANGE_LO " AND bucket < " RANGE_HI
	                       " AND ($2::text IS NULL OR %s = $2::text) ORDER BY bucket%s",
	                       keys, d->cols[d->ncols - 1], src, d->cols[1], order);
	free(src);
	return sql;
}

static char *workers_sql(const struct caps *caps)
{
	bool have_wsh = caps->kind[REL_WORKER_STATUS_HOURLY] != RELK_MISSING;
	char *src = have_wsh ? queries_source(caps, REL_WORKER_STATUS_HOURLY, RANGE_LO, RANGE_HI)
	                     : xstrdup("");
	char *join = have_wsh ? sql_printf(" LEFT JOIN (SELECT worker_name, sum(transition_count)"
	                                   " AS n FROM %s WHERE bucket >= " RANGE_LO
	                                   " AND bucket < " RANGE_HI " GROUP BY 1) t"
	                                   " ON t.worker_name = w.name",
	                                   src)
	                      : xstrdup("");
	char *sql = sql_printf(
	    "SELECT w.id, w.name, w.worker_type::text, w.worker_role::text, w.status::text,"
	    " w.host, w.port, to_char(w.last_heartbeat AT TIME ZONE 'UTC', " ISO_MICROS "),"
	    " round(extract(epoch FROM now() - w.last_heartbeat)::numeric, 3), %s"
	    " FROM %s.worker w%s WHERE ($2::text IS NULL OR w.name = $2::text)%s ORDER BY w.id",
	    have_wsh ? "coalesce(t.n, 0)" : "NULL::numeric", caps->qschema, join,
	    have_wsh ? "" : " AND $1::int IS NOT NULL");
	free(src);
	free(join);
	return sql;
}

/* One entity's change log, oldest first; %s: schema, relation, the two
 * JSON columns with their times in UTC (json_utc_sql), entity predicate.
 * o.c and n.c are the fast-path compact JSON texts (OFFSET 0 keeps the
 * planner from computing each twice). */
static const char history_fmt[] =
    "SELECT t, op, id, ref, cf, ov, nv FROM (SELECT h.time AS ts,"
    " to_char(h.time AT TIME ZONE 'UTC', " ISO_MICROS ") AS t,"
    " h.operation::text AS op, h.entity_id AS id, h.entity_ref::text AS ref,"
    " array_to_json(h.changed_fields)::text AS cf,"
    " CASE WHEN o.c::jsonb = u.ov THEN o.c"
    " ELSE regexp_replace(u.ov::text, $4, $5, 'g') END AS ov,"
    " CASE WHEN n.c::jsonb = u.nv THEN n.c"
    " ELSE regexp_replace(u.nv::text, $4, $5, 'g') END AS nv"
    " FROM %s.%s h"
    " CROSS JOIN LATERAL (SELECT (%s)::jsonb AS ov, (%s)::jsonb AS nv OFFSET 0) u"
    " CROSS JOIN LATERAL (SELECT replace(replace(u.ov::text,"
    " ': ', ':'), ', ', ',') AS c OFFSET 0) o"
    " CROSS JOIN LATERAL (SELECT replace(replace(u.nv::text,"
    " ': ', ':'), ', ', ',') AS c OFFSET 0) n"
    " WHERE %s AND h.time >= " RANGE_LO " AND ($2::text IS NULL OR h.entity_ref = $2::text)"
    " AND ($6::text IS NULL OR h.operation = $6::text)"
    " AND ($7::text IS NULL OR $7::text = ANY(h.changed_fields))) x"
    " ORDER BY ts, id, op COLLATE \"C\", ref COLLATE \"C\", cf COLLATE \"C\","
    " ov COLLATE \"C\", nv COLLATE \"C\"";

/* `by_ref`: the entity is a worker name with no live row; match entity_ref. */
static char *history_sql(const struct export_def *d, const struct caps *caps, bool by_ref)
{
	char *ov = json_utc_sql("h.old_values::text", false),
	     *nv = json_utc_sql("h.new_values::text", false);
	char *sql = sql_printf(history_fmt, caps->qschema, model_rel_name(d->rel), ov, nv,
	                       by_ref ? "h.entity_ref = $3::text" : "h.entity_id = $3::int8");
	free(ov);
	free(nv);
	return sql;
}

/* worker:NAME means the worker's id while its row exists (it may have been
 * renamed), else the name recorded in the history. */
static int resolve_entity(PGconn *conn, const struct export_req *r, const struct caps *caps,
                          char *key, size_t keylen, bool *by_ref, char *err, size_t errlen)
{
	const struct entity_spec *e = r->entity;
	*by_ref = false;
	if (!e->by_name) {
		snprintf(key, keylen, "%lld", (long long)e->id);
		return 0;
	}
	snprintf(key, keylen, "%s", e->name);
	*by_ref = true;
	if (caps->kind[REL_WORKER] == RELK_MISSING)
		return 0;
	char *sql = sql_printf("SELECT id FROM %s.worker WHERE name = $1", caps->qschema);
	struct db_query q = {sql, 1, {e->name}};
	PGresult *res = exec_checked(conn, &q, "looking up the worker failed", err, errlen);
	free(sql);
	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		snprintf(key, keylen, "%s", PQgetvalue(res, 0, 0));
		*by_ref = false;
	}
	PQclear(res);
	return 0;
}

/* ------------------------------------------------------------ streaming */

struct progress {
	bool enabled;
	bool shown;
	double start, last;
};

static void progress_tick(struct progress *p, long long rows)
{
	if (!p->enabled || rows % 256 != 0)
		return;
	double now = db_now();
	if (now - p->start < 1.0 || now - p->last < 0.2)
		return;
	p->last = now;
	p->shown = true;
	fprintf(stderr, "\rattune-top: %lld rows written", rows);
	fflush(stderr);
}

static void progress_end(struct progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r%50s\r", "");
}

static int write_row(struct csvout *w, const struct export_def *d, const PGresult *res)
{
	const char *cells[EXPORT_MAX_COLS];
	for (int i = 0; i < d->ncols; i++)
		cells[i] = PQgetisnull(res, 0, i) ? NULL : PQgetvalue(res, 0, i);
	return csvout_row(w, cells, d->text, d->ncols);
}

/* Write every row as it arrives; memory stays at one row. On a write error
 * stop reading at once: the caller closes the connection, which ends the
 * statement on the server. */
static int stream_rows(PGconn *conn, const struct export_req *r, struct csvout *w, long long *rows,
                       char *err, size_t errlen)
{
	struct progress p = {.enabled = r->progress, .start = db_now()};
	int rc = -1;
	bool done = false, failed = false;
	PGresult *res;
	while (!failed && (res = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_SINGLE_TUPLE && PQnfields(res) != r->def->ncols) {
			failed = err_set(err, errlen, "internal error: %d columns", PQnfields(res));
		} else if (st == PGRES_SINGLE_TUPLE) {
			if (write_row(w, r->def, res) != 0)
				failed = err_set(err, errlen, "writing the CSV failed: %s",
				                 strerror(errno));
			progress_tick(&p, ++*rows);
		} else if (st == PGRES_TUPLES_OK) {
			done = true;
		} else {
			failed =
			    err_set(err, errlen, "export query failed: %s", error_text(res, conn));
		}
		PQclear(res);
	}
	progress_end(&p);
	if (!failed && !done)
		err_set(err, errlen, "export query failed: %s", PQerrorMessage(conn));
	else if (!failed)
		rc = 0;
	return rc;
}

/* Build the statement, send it in single-row mode, write header and rows. */
static int run_query(PGconn *conn, const struct export_req *r, const struct caps *caps, FILE *out,
                     long long *rows, char *err, size_t errlen)
{
	char hours[24], key[512], tmo[24];
	bool by_ref = false;
	char *sql;
	snprintf(hours, sizeof hours, "%ld", r->range_hours);
	if (r->def->shape == SHAPE_HISTORY &&
	    resolve_entity(conn, r, caps, key, sizeof key, &by_ref, err, errlen) != 0)
		return -1;
	snprintf(tmo, sizeof tmo, "%ld", EXPORT_STATEMENT_TIMEOUT_MS);
	struct db_query q = {"SELECT set_config('statement_timeout', $1, true)", 1, {tmo}};
	PGresult *res = exec_checked(conn, &q, "session setup failed", err, errlen);
	if (!res)
		return -1;
	PQclear(res);

	const char *params[7] = {hours,        r->filter,      key, compact_re, compact_sub,
	                         r->op_filter, r->field_filter};
	int nparams = 2;
	if (r->def->shape == SHAPE_AGGREGATE)
		sql = aggregate_sql(r->def, caps);
	else if (r->def->shape == SHAPE_WORKERS)
		sql = workers_sql(caps);
	else
		sql = history_sql(r->def, caps, by_ref), nparams = 7;
	int sent = PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	free(sql);
	if (!sent || !PQsetSingleRowMode(conn))
		return err_set(err, errlen, "export query failed: %s", PQerrorMessage(conn));

	struct csvout w;
	csvout_init(&w, out, r->raw);
	int rc = csvout_row(&w, r->def->cols, NULL, r->def->ncols);
	if (rc != 0)
		err_set(err, errlen, "writing the CSV failed: %s", strerror(errno));
	else
		rc = stream_rows(conn, r, &w, rows, err, errlen);
	csvout_free(&w);
	return rc;
}

/* ------------------------------------------------------------ storage */

struct storage_sink {
	struct csvout *w;
	long long *rows;
};

static int storage_record(void *ctx, const char *const *cells)
{
	struct storage_sink *k = ctx;
	if (csvout_row(k->w, cells, storage_csv_text, SC_COUNT) != 0)
		return -1;
	++*k->rows;
	return 0;
}

/* Read the storage view's tables one statement at a time, as the view
 * does: a statement that fails (a relation missing or not readable) leaves
 * its table out with a warning on stderr, and the rest is written. A batch
 * that finds another catalog shape than it read is read again. */
static void read_storage(PGconn *conn, struct storage *st, const struct caps *caps, int64_t start)
{
	struct db_query q[ST_TABLES];
	bool again = true;
	for (int pass = 0; pass < 3 && again; pass++) {
		int n = storage_batch(st, caps, start, q);
		for (int i = 0; i < n; i++) {
			struct rowset rs;
			PGresult *res = exec_query(conn, &q[i]);
			db_rowset(res, &rs);
			storage_take(st, i, &rs);
			PQclear(res);
		}
		again = storage_finish(st);
	}
}

static int run_storage(PGconn *conn, const struct export_req *r, const struct caps *caps, FILE *out,
                       long long *rows, char *err, size_t errlen)
{
	char hours[24];
	snprintf(hours, sizeof hours, "%ld", r->range_hours);
	struct db_query q = {"SELECT extract(epoch FROM " RANGE_LO ")::int8", 1, {hours}};
	PGresult *res = exec_checked(conn, &q, "reading the range failed", err, errlen);
	if (!res)
		return -1;
	int64_t start = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);

	struct storage st;
	memset(&st, 0, sizeof st);
	read_storage(conn, &st, caps, start);
	int rc = st.snap ? 0 : err_set(err, errlen, "reading the storage tables failed");
	for (int i = 0; rc == 0 && r->warn && i < st.snap->ntables; i++)
		if (st.snap->tables[i].note[0])
			fprintf(stderr, "attune-top: storage: %s: %s\n", st.snap->tables[i].title,
			        st.snap->tables[i].note);
	struct csvout w;
	csvout_init(&w, out, r->raw);
	struct storage_sink sink = {&w, rows};
	if (rc == 0 && (csvout_row(&w, storage_csv_heads, NULL, SC_COUNT) != 0 ||
	                storage_csv_rows(st.snap, storage_record, &sink) != 0))
		rc = err_set(err, errlen, "writing the CSV failed: %s", strerror(errno));
	csvout_free(&w);
	storage_free(&st);
	return rc;
}

/* Connect, pin, probe, stream into `out`. */
static int export_run(const struct export_req *r, FILE *out, long long *rows, char *err,
                      size_t errlen)
{
	struct caps caps;
	memset(&caps, 0, sizeof caps);
	*rows = 0;
	PGconn *conn = connect_db(r->s, r->password, err, errlen);
	if (!conn)
		return -1;
	int rc = session_setup_blocking(conn, r->s, &caps, err, errlen);
	if (rc == 0 && r->def->rel < REL_COUNT && caps.kind[r->def->rel] == RELK_MISSING)
		rc = err_set(err, errlen, "%s.%s does not exist", caps.schema,
		             model_rel_name(r->def->rel));
	if (rc == 0 && r->def->shape == SHAPE_STORAGE)
		rc = run_storage(conn, r, &caps, out, rows, err, errlen);
	else if (rc == 0)
		rc = run_query(conn, r, &caps, out, rows, err, errlen);
	session_end_blocking(conn);
	PQfinish(conn);
	caps_clear(&caps);
	return rc;
}

/* ------------------------------------------------------------ targets */

/* The temporary file to remove when a fatal signal ends the program. */
static struct atomicfile *volatile pending_file;

static void on_fatal_signal(int sig)
{
	struct atomicfile *af = pending_file;
	if (af)
		atomicfile_unlink_tmp(af);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(bool on, struct sigaction *saved)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		if (on)
			sigaction(sigs[i], &sa, &saved[i]);
		else
			sigaction(sigs[i], &saved[i], NULL);
	}
}

static int export_to_file(const struct export_req *r, const char *path, bool force, bool signals,
                          long long *rows, char *err, size_t errlen)
{
	struct atomicfile af;
	struct sigaction saved[4];
	if (signals)
		catch_signals(true, saved);
	int rc = atomicfile_open(&af, path, force, err, errlen);
	if (rc == 0) {
		pending_file = &af;
		rc = export_run(r, af.f, rows, err, errlen);
		if (rc == 0)
			rc = atomicfile_commit(&af, err, errlen);
		else
			atomicfile_abort(&af);
		pending_file = NULL;
	}
	if (signals)
		catch_signals(false, saved);
	return rc;
}

static int export_to_stdout(const struct export_req *r, long long *rows, char *err, size_t errlen)
{
	int rc = export_run(r, stdout, rows, err, errlen);
	if (fflush(stdout) != 0 && rc == 0)
		rc = err_set(err, errlen, "writing to standard output failed: %s", strerror(errno));
	return rc;
}

int export_main(const struct settings *s, const char *password)
{
	char err[1024];
	long long rows = 0;
	bool to_stdout = !s->output || strcmp(s->output, "-") == 0;
	struct export_req r = {
	    .s = s,
	    .password = password,
	    .def = find_def(s->export_name),
	    .range_hours = s->range_hours,
	    .filter = s->filter,
	    .entity = &s->entity,
	    .raw = s->csv_raw,
	    /* A progress line between CSV lines on the same terminal would
	     * garble both. */
	    .progress = isatty(STDERR_FILENO) && !(to_stdout && isatty(STDOUT_FILENO)),
	    .warn = true,
	};
	int rc;
	if (!r.def)
		rc = err_set(err, sizeof err, "unknown export name '%s'", s->export_name);
	else if (to_stdout)
		rc = export_to_stdout(&r, &rows, err, sizeof err);
	else
		rc = export_to_file(&r, s->output, s->force, true, &rows, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "attune-top: %s\n", err);
		return 1;
	}
	return 0;
}

int export_demo_run(const char *conninfo, const char *schema, void *arg)
{
	struct settings s = *(const struct settings *)arg;
	if (conninfo)
		s.conninfo = conninfo;
	if (schema)
		s.schema = schema;
	return export_main(&s, NULL);
}

/* ------------------------------------------------------------ dashboard */

/* dir/attune-top-NAME-STAMP.csv with dir made absolute, so the status
 * line says where the file is whatever the current directory. */
static int panel_path(const char *dir, const char *name, char *path, size_t len, char *err,
                      size_t errlen)
{
	char stamp[32], cwd[4096];
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) || strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) == 0)
		return err_set(err, errlen, "cannot read the clock");
	const char *base = "", *sep = "";
	if (dir[0] != '/' && getcwd(cwd, sizeof cwd)) {
		base = cwd;
		sep = "/";
		if (strcmp(dir, ".") == 0)
			dir = "", sep = "";
	}
	int n = snprintf(path, len, "%s%s%s/attune-top-%s-%s.csv", base, sep, dir, name, stamp);
	if (n < 0 || (size_t)n >= len)
		return err_set(err, errlen, "export path too long");
	return 0;
}

/* $ATTUNE_TOP_EXPORT_DIR, else the configuration file's, else ".". */
static const char *panel_dir(const struct settings *s)
{
	const char *dir = getenv("ATTUNE_TOP_EXPORT_DIR");
	if (!dir || !*dir)
		dir = s->export_dir ? s->export_dir : ".";
	return dir;
}

int export_rows(const struct settings *s, const char *label, const struct export_table *t,
                char *path_out, size_t path_len, long long *rows_out, char *err, size_t errlen)
{
	struct atomicfile af;
	struct csvout w;
	const char *cells[EXPORT_TABLE_MAX_COLS];
	char buf[EXPORT_TABLE_MAX_COLS][512];
	*rows_out = 0;
	if (t->ncols > EXPORT_TABLE_MAX_COLS)
		return err_set(err, errlen, "too many columns");
	if (panel_path(panel_dir(s), label, path_out, path_len, err, errlen) != 0 ||
	    atomicfile_open(&af, path_out, false, err, errlen) != 0)
		return -1;
	csvout_init(&w, af.f, s->csv_raw);
	int rc = csvout_row(&w, t->heads, NULL, t->ncols);
	for (int i = 0; rc == 0 && i < t->nrows; i++) {
		for (int c = 0; c < t->ncols; c++) {
			buf[c][0] = '\0';
			cells[c] = buf[c];
		}
		t->row(t->ctx, i, cells, buf, sizeof buf[0]);
		rc = csvout_row(&w, cells, t->text, t->ncols);
	}
	csvout_free(&w);
	if (rc != 0) {
		atomicfile_abort(&af);
		return err_set(err, errlen, "writing the CSV failed: %s", strerror(errno));
	}
	if (atomicfile_commit(&af, err, errlen) != 0)
		return -1;
	*rows_out = t->nrows;
	return 0;
}

int export_panel(const struct settings *s, const char *password, const char *name, long range_hours,
                 const char *filter, const struct entity_spec *entity, const char *dir,
                 char *path_out, size_t path_len, long long *rows_out, char *err, size_t errlen)
{
	return export_panel_view(s, password, name, range_hours, filter, entity, NULL, dir,
	                         path_out, path_len, rows_out, err, errlen);
}

int export_panel_view(const struct settings *s, const char *password, const char *name,
                      long range_hours, const char *filter, const struct entity_spec *entity,
                      const struct export_view *view, const char *dir, char *path_out,
                      size_t path_len, long long *rows_out, char *err, size_t errlen)
{
	const struct export_def *def = find_def(name ? name : "");
	*rows_out = 0;
	if (path_len)
		path_out[0] = '\0';
	if (!def)
		return err_set(err, errlen, "unknown export name '%s'", name ? name : "");
	if (def->shape == SHAPE_HISTORY &&
	    (!entity || (entity->type == ENTITY_EXECUTION) != (def->rel == REL_EXECUTION_HISTORY)))
		return err_set(err, errlen, "%s needs a matching entity", name);
	if (!dir)
		dir = panel_dir(s);
	if (panel_path(dir, view && view->label ? view->label : name, path_out, path_len, err,
	               errlen) != 0)
		return -1;
	struct export_req r = {
	    .s = s,
	    .password = password,
	    .def = def,
	    .range_hours = range_hours,
	    .filter = filter,
	    .entity = entity,
	    .op_filter = view ? view->op_filter : NULL,
	    .field_filter = view ? view->field_filter : NULL,
	    .raw = s->csv_raw,
	    .progress = false, /* curses owns the terminal */
	    .warn = false,
	};
	return export_to_file(&r, path_out, false, false, rows_out, err, errlen) == 0 ? 0 : -1;
}
