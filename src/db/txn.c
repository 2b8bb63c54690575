/* Batches as transactions that carry their own settings (see txn.h). */
#include "db/txn.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* set_config(..., true) holds until the transaction ends. The standby's
 * figures: it lags while WAL it received is not replayed yet (a caught-up
 * standby of a quiet primary has an old last transaction but no lag). */
const char txn_prologue_sql[] =
    "SELECT set_config('statement_timeout', $1, true),"
    " set_config('TimeZone', 'UTC', true),"
    " set_config('DateStyle', 'ISO, YMD', true),"
    " set_config('IntervalStyle', 'postgres', true),"
    " set_config('extra_float_digits', '3', true),"
    /* PostgreSQL 14+: a backend whose client went away stops waiting
     * (e.g. on a lock) instead of running the rest of a pipeline. */
    " CASE WHEN current_setting('server_version_num')::int >= 140000"
    "  THEN set_config('client_connection_check_interval', '1000', true) END,"
    " pg_backend_pid(), r.standby, r.lags,"
    " CASE WHEN r.lags THEN extract(epoch FROM now() - r.replayed)::float8"
    "  WHEN r.standby THEN 0 END,"
    " set_config('attune.now', to_char(CASE WHEN r.lags THEN r.replayed ELSE now() END"
    "  AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), true)"
    " FROM (SELECT s.standby, s.replayed,"
    "  s.standby AND s.replayed IS NOT NULL"
    "  AND coalesce(pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn(), false) AS lags"
    "  FROM (SELECT pg_is_in_recovery() AS standby,"
    "   pg_last_xact_replay_timestamp() AS replayed) s) r";

int txn_take_facts(struct db_facts *f, const PGresult *res)
{
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) < 11)
		return -1;
	int pid = atoi(PQgetvalue(res, 0, 6));
	/* A pooler answers with its own backend key, and a transaction pooler
	 * may hand the next transaction to another backend. */
	if ((f->known && pid != f->backend_pid) || pid != f->connected_pid)
		f->pooled = true;
	f->known = true;
	f->backend_pid = pid;
	f->standby = PQgetvalue(res, 0, 7)[0] == 't';
	f->replay_lags = PQgetvalue(res, 0, 8)[0] == 't';
	f->replay_lag_s = PQgetisnull(res, 0, 9) ? -1 : strtod(PQgetvalue(res, 0, 9), NULL);
	return 0;
}

/* Wrapper statements: map[] values below 0. */
enum { W_CONTROL = -1, W_PROLOGUE = -2, W_EXPORT = -3, W_IMPORT = -4 };

static int wrap(const char *timeout, const struct db_query *q, int n, int ntail,
                const struct txn *shared, struct db_query *out, int *map)
{
	int k = 0;
	if (n > TXN_QUERIES)
		n = TXN_QUERIES;
	if (ntail > n)
		ntail = n;
	map[k] = W_CONTROL;
	out[k++] = (struct db_query){"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, {NULL}};
	if (shared && shared->share.import) {
		/* Before anything else in the transaction, as PostgreSQL requires. */
		map[k] = W_IMPORT;
		out[k++] = (struct db_query){shared->import_sql, 0, {NULL}};
	}
	if (shared && shared->share.export_snapshot) {
		/* Not from a subtransaction: before the savepoint. */
		map[k] = W_EXPORT;
		out[k++] = (struct db_query){"SELECT pg_export_snapshot()", 0, {NULL}};
	}
	map[k] = W_PROLOGUE;
	out[k++] = (struct db_query){txn_prologue_sql, 1, {timeout}};
	map[k] = W_CONTROL;
	out[k++] = (struct db_query){"SAVEPOINT attune_top", 0, {NULL}};
	for (int i = 0; i < n - ntail; i++) {
		map[k] = i;
		out[k++] = q[i];
		map[k] = W_CONTROL;
		out[k++] = (struct db_query){"ROLLBACK TO SAVEPOINT attune_top", 0, {NULL}};
	}
	if (!(shared && shared->share.export_snapshot)) { /* the exporter's: txn_commit */
		map[k] = W_CONTROL;
		out[k++] = (struct db_query){"COMMIT", 0, {NULL}};
	}
	for (int i = n - ntail; i < n; i++) {
		map[k] = i;
		out[k++] = q[i];
	}
	return k;
}

int txn_wrap(const char *timeout, const struct db_query *q, int n, int ntail, struct db_query *out,
             int *map)
{
	return wrap(timeout, q, n, ntail, NULL, out, map);
}

int txn_wrap_shared(struct txn *t, const struct db_query *q, int n, struct db_query *out, int *map)
{
	return wrap(t->timeout, q, n, 0, t, out, map);
}

/* pg_export_snapshot's ids are hexadecimal words joined by dashes. */
static bool snapshot_id_ok(const char *id)
{
	size_t n = strlen(id);
	return n > 0 && n < 64 && strspn(id, "0123456789ABCDEFabcdef-") == n;
}

/* The exported snapshot's id, or NULL when the export failed. */
static const char *exported(const PGresult *res)
{
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != 1)
		return NULL;
	return PQgetvalue(res, 0, 0);
}

static bool on_result(void *ctx, int index, PGresult *res)
{
	struct txn *t = ctx;
	if (index < 0 || index >= TXN_MAX)
		return false;
	int m = t->map[index];
	if (m == W_PROLOGUE) {
		txn_take_facts(&t->db->facts, res);
	} else if (m == W_EXPORT && t->share.on_export) {
		t->share.on_export(t->ctx, exported(res));
	} else if (m == W_IMPORT) {
		/* A failed import: nothing after it can run (their results are
		 * dropped); on_import says why. */
		t->import_failed = PQresultStatus(res) != PGRES_COMMAND_OK;
		if (t->share.on_import)
			t->share.on_import(t->ctx,
			                   t->import_failed ? PQresultErrorMessage(res) : NULL);
	} else if (m >= 0 && t->fn && !t->import_failed) {
		return t->fn(t->ctx, m, res);
	}
	return false;
}

static void txn_init(struct txn *t, struct db *db, long timeout_ms, db_result_fn fn, void *ctx)
{
	snprintf(t->timeout, sizeof t->timeout, "%ld", timeout_ms);
	t->fn = fn;
	t->ctx = ctx;
	t->db = db;
	t->share = (struct txn_share){0};
	t->import_failed = false;
}

int txn_send(struct db *db, struct txn *t, long timeout_ms, const struct db_query *q, int n,
             int ntail, db_result_fn fn, void *ctx)
{
	struct db_query out[TXN_MAX];
	txn_init(t, db, timeout_ms, fn, ctx);
	int k = txn_wrap(t->timeout, q, n, ntail, out, t->map);
	return db_send_batch(db, out, k, on_result, t);
}

int txn_commit(struct db *db, struct txn *t)
{
	struct db_query q = {"COMMIT", 0, {NULL}};
	t->map[0] = W_CONTROL;
	t->fn = NULL;
	t->share = (struct txn_share){0};
	return db_send_batch(db, &q, 1, on_result, t);
}

int txn_send_shared(struct db *db, struct txn *t, long timeout_ms, const struct db_query *q, int n,
                    const struct txn_share *share, db_result_fn fn, void *ctx)
{
	struct db_query out[TXN_MAX];
	txn_init(t, db, timeout_ms, fn, ctx);
	t->share = *share;
	if (share->import) {
		if (!snapshot_id_ok(share->import)) {
			snprintf(db->error, sizeof db->error, "not a snapshot id: %.60s",
			         share->import);
			return -1;
		}
		snprintf(t->import_sql, sizeof t->import_sql, "SET TRANSACTION SNAPSHOT '%s'",
		         share->import);
		t->share.import = t->import_sql; /* the caller's id need not outlive the call */
	}
	int k = txn_wrap_shared(t, q, n, out, t->map);
	return db_send_batch(db, out, k, on_result, t);
}
