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

int txn_wrap(const char *timeout, const struct db_query *q, int n, int ntail, struct db_query *out,
             int *map)
{
	int k = 0;
	if (n > TXN_QUERIES)
		n = TXN_QUERIES;
	if (ntail > n)
		ntail = n;
	map[k] = -1;
	out[k++] = (struct db_query){"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, {NULL}};
	map[k] = -2;
	out[k++] = (struct db_query){txn_prologue_sql, 1, {timeout}};
	map[k] = -1;
	out[k++] = (struct db_query){"SAVEPOINT attune_top", 0, {NULL}};
	for (int i = 0; i < n - ntail; i++) {
		map[k] = i;
		out[k++] = q[i];
		map[k] = -1;
		out[k++] = (struct db_query){"ROLLBACK TO SAVEPOINT attune_top", 0, {NULL}};
	}
	map[k] = -1;
	out[k++] = (struct db_query){"COMMIT", 0, {NULL}};
	for (int i = n - ntail; i < n; i++) {
		map[k] = i;
		out[k++] = q[i];
	}
	return k;
}

static bool on_result(void *ctx, int index, PGresult *res)
{
	struct txn *t = ctx;
	if (index < 0 || index >= TXN_MAX)
		return false;
	if (t->map[index] == -2)
		txn_take_facts(&t->db->facts, res);
	else if (t->map[index] >= 0 && t->fn)
		return t->fn(t->ctx, t->map[index], res);
	return false;
}

int txn_send(struct db *db, struct txn *t, long timeout_ms, const struct db_query *q, int n,
             int ntail, db_result_fn fn, void *ctx)
{
	struct db_query out[TXN_MAX];
	snprintf(t->timeout, sizeof t->timeout, "%ld", timeout_ms);
	int k = txn_wrap(t->timeout, q, n, ntail, out, t->map);
	t->fn = fn;
	t->ctx = ctx;
	t->db = db;
	return db_send_batch(db, out, k, on_result, t);
}
