/* Non-blocking libpq connection and pipelined batches. */
#include "db/db.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/session.h"
#include "util/err.h"

double db_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* libpq messages end with a newline and may span lines: keep the first. */
static void set_error(struct db *db, const char *prefix, const char *msg)
{
	err_set(db->error, sizeof db->error, "%s%s", prefix, msg && *msg ? msg : "unknown error");
}

void db_conn_params(const struct settings *s, const char *password, char timeout[24],
                    const char **keys, const char **vals)
{
	int n = 0;
	snprintf(timeout, 24, "%ld", s->connect_timeout_s);
	/* Order matters: values after dbname override the conninfo's, values
	 * before it are only defaults — and PGCONNECT_TIMEOUT wins over ours. */
	const char *env_timeout = getenv("PGCONNECT_TIMEOUT");
	keys[n] = "connect_timeout", vals[n++] = env_timeout && *env_timeout ? NULL : timeout;
	keys[n] = "dbname", vals[n++] = s->conninfo;
	keys[n] = "host", vals[n++] = s->host;
	keys[n] = "port", vals[n++] = s->port;
	keys[n] = "user", vals[n++] = s->user;
	keys[n] = "password", vals[n++] = password;
	keys[n] = "application_name", vals[n++] = "attune-top";
	keys[n] = "client_encoding", vals[n++] = "UTF8";
	keys[n] = NULL, vals[n] = NULL;
}

int db_connect_start(struct db *db, const struct settings *s, const char *password)
{
	char timeout[24];
	const char *keys[DB_CONN_PARAMS], *vals[DB_CONN_PARAMS];

	db_close(db);
	db_conn_params(s, password, timeout, keys, vals);
	db->conn = PQconnectStartParams(keys, vals, 1);
	if (!db->conn) {
		set_error(db, "", "out of memory");
		return -1;
	}
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		set_error(db, "", PQerrorMessage(db->conn));
		db_close(db);
		return -1;
	}
	session_quiet(db->conn);
	db->state = DB_CONNECTING;
	db->want_write = true; /* PQconnectPoll starts as if WRITING */
	/* libpq ignores connect_timeout under PQconnectPoll: apply the value in
	 * effect (a conninfo's overrides ours), with libpq's 2 s minimum. */
	long secs = s->connect_timeout_s;
	PQconninfoOption *opts = PQconninfo(db->conn);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "connect_timeout") == 0 && o->val && *o->val)
			secs = strtol(o->val, NULL, 10);
	PQconninfoFree(opts);
	if (secs > 0 && secs < 2)
		secs = 2;
	db->connect_deadline = secs > 0 ? db_now() + (double)secs : 0;
	return 0;
}

int db_fd(const struct db *db)
{
	return db->conn ? PQsocket(db->conn) : -1;
}

short db_poll_events(const struct db *db)
{
	if (!db->conn || db->state == DB_CLOSED)
		return 0;
	if (db->state == DB_CONNECTING)
		return db->want_write ? POLLOUT : POLLIN;
	return (short)(POLLIN | (db->want_write ? POLLOUT : 0));
}

static enum db_event fail(struct db *db, const char *prefix, const char *msg)
{
	set_error(db, prefix, msg);
	db_close(db);
	return DB_EV_FAILED;
}

/* Who and where, for the header: no host is "local"; a socket directory has no port. */
static void set_label(struct db *db)
{
	const char *host = PQhost(db->conn);
	bool sock = host && host[0] == '/';
	snprintf(db->label, sizeof db->label, "%s@%s%s%s/%s", PQuser(db->conn),
	         host && *host ? host : "local", sock ? "" : ":", sock ? "" : PQport(db->conn),
	         PQdb(db->conn));
}

static enum db_event step_connect(struct db *db, double now)
{
	switch (PQconnectPoll(db->conn)) {
	case PGRES_POLLING_READING:
		db->want_write = false;
		break;
	case PGRES_POLLING_WRITING:
		db->want_write = true;
		break;
	case PGRES_POLLING_OK:
		if (PQsetnonblocking(db->conn, 1) != 0)
			return fail(db, "", PQerrorMessage(db->conn));
		db->state = DB_IDLE;
		db->want_write = false;
		db->server_version = PQserverVersion(db->conn);
		db->facts = (struct db_facts){.connected_pid = PQbackendPID(db->conn)};
		set_label(db);
		return DB_EV_CONNECTED;
	default:
		return fail(db, "", PQerrorMessage(db->conn));
	}
	if (db->connect_deadline > 0 && now > db->connect_deadline)
		return fail(db, "", "connection timed out");
	return DB_EV_NONE;
}

/* Deliver every result that is complete without blocking. */
static enum db_event drain_results(struct db *db)
{
	int nulls = 0;
	while (db->nsynced < db->nqueries && !PQisBusy(db->conn)) {
		PGresult *res = PQgetResult(db->conn);
		if (!res) {
			/* End of one query's results; its Sync follows. Two in a
			 * row would mean libpq has nothing pending at all. */
			if (++nulls > 1)
				return fail(db, "protocol error: ", "results ended early");
			continue;
		}
		nulls = 0;
		bool kept = false;
		if (PQresultStatus(res) == PGRES_PIPELINE_SYNC)
			db->nsynced++;
		else if (db->on_result)
			kept = db->on_result(db->ctx, db->nsynced, res);
		if (!kept)
			PQclear(res);
		if (PQstatus(db->conn) == CONNECTION_BAD)
			return fail(db, "connection lost: ", PQerrorMessage(db->conn));
	}
	if (db->nsynced < db->nqueries)
		return DB_EV_NONE;
	if (PQexitPipelineMode(db->conn) != 1)
		return fail(db, "", PQerrorMessage(db->conn));
	db->state = DB_IDLE;
	db->on_result = NULL;
	return DB_EV_BATCH_DONE;
}

/* Only the arrival of a notification matters (it triggers a refresh). */
static void count_notifications(struct db *db)
{
	PGnotify *n;
	while ((n = PQnotifies(db->conn)) != NULL) {
		db->notifications++;
		PQfreemem(n);
	}
}

enum db_event db_step(struct db *db, double now)
{
	if (!db->conn)
		return DB_EV_NONE;
	if (db->state == DB_CONNECTING)
		return step_connect(db, now);
	if (db->want_write) {
		int r = PQflush(db->conn);
		if (r < 0)
			return fail(db, "connection lost: ", PQerrorMessage(db->conn));
		db->want_write = r == 1;
	}
	if (!PQconsumeInput(db->conn))
		return fail(db, "connection lost: ", PQerrorMessage(db->conn));
	count_notifications(db);
	if (db->state == DB_BUSY)
		return drain_results(db);
	if (PQstatus(db->conn) == CONNECTION_BAD)
		return fail(db, "connection lost: ", PQerrorMessage(db->conn));
	return DB_EV_NONE;
}

int db_send_batch(struct db *db, const struct db_query *q, int n, db_result_fn fn, void *ctx)
{
	if (db->state != DB_IDLE) {
		set_error(db, "", "internal error: batch sent while busy");
		return -1;
	}
	if (PQenterPipelineMode(db->conn) != 1)
		goto broken;
	for (int i = 0; i < n; i++) {
		if (!PQsendQueryParams(db->conn, q[i].sql, q[i].nparams, NULL, q[i].params, NULL,
		                       NULL, 0))
			goto broken;
		if (!PQpipelineSync(db->conn))
			goto broken;
	}
	int r = PQflush(db->conn);
	if (r < 0)
		goto broken;
	db->want_write = r == 1;
	db->nqueries = n;
	db->nsynced = 0;
	db->on_result = fn;
	db->ctx = ctx;
	db->state = DB_BUSY;
	return 0;
broken:
	fail(db, "", PQerrorMessage(db->conn));
	return -1;
}

/* PQcancel (libpq < 17) waits, without a timeout, for the server to close
 * the cancel connection: a silent server would hang the quit. It runs in a
 * thread that is waited for at most CANCEL_WAIT_NS; after that the caller
 * goes on (and exits) without it. Whoever finishes last frees the job. */
#define CANCEL_WAIT_NS 700000000L

struct cancel_job {
	PGcancel *cancel;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done, abandoned;
};

static void cancel_job_free(struct cancel_job *j)
{
	PQfreeCancel(j->cancel);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

static void *cancel_main(void *arg)
{
	struct cancel_job *j = arg;
	char buf[256];
	PQcancel(j->cancel, buf, sizeof buf);
	pthread_mutex_lock(&j->mu);
	j->done = true;
	bool abandoned = j->abandoned;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	if (abandoned)
		cancel_job_free(j);
	return NULL;
}

void db_cancel(struct db *db)
{
	if (!db->conn || db->state != DB_BUSY)
		return;
	struct cancel_job *j = calloc(1, sizeof *j);
	if (!j || !(j->cancel = PQgetCancel(db->conn))) {
		free(j);
		return;
	}
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	/* Signals stay with the main thread (the thread inherits this mask). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_t th;
	int rc = pthread_create(&th, NULL, cancel_main, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		cancel_job_free(j);
		return;
	}
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += CANCEL_WAIT_NS;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->mu);
	while (!j->done && pthread_cond_timedwait(&j->cv, &j->mu, &until) != ETIMEDOUT)
		;
	bool done = j->done;
	j->abandoned = !done;
	pthread_mutex_unlock(&j->mu);
	if (done) {
		pthread_join(th, NULL);
		cancel_job_free(j);
	} else {
		pthread_detach(th);
	}
}

void db_close(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	db->state = DB_CLOSED;
	db->nqueries = db->nsynced = 0;
	db->on_result = NULL;
	db->want_write = false;
}

static const char *pg_cell(const void *impl, int row, int col)
{
	const PGresult *res = impl;
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

void db_rowset(const PGresult *res, struct rowset *rs)
{
	const char *msg = PQresultErrorMessage(res);
	rs->ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	rs->error = *msg ? msg : PQresStatus(PQresultStatus(res));
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	rs->sqlstate = state ? state : "";
	rs->nrows = rs->ok ? PQntuples(res) : 0;
	rs->ncols = rs->ok ? PQnfields(res) : 0;
	rs->impl = res;
	rs->cell = pg_cell;
}

void db_result_free(PGresult *res)
{
	PQclear(res);
}

static bool cells_same(const PGresult *a, const PGresult *b)
{
	int rows = PQntuples(a), cols = PQnfields(a);
	if (rows != PQntuples(b) || cols != PQnfields(b))
		return false;
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++) {
			int len = PQgetlength(a, r, c);
			if (len != PQgetlength(b, r, c))
				return false;
			/* Only an empty cell may be NULL. */
			if (len ? memcmp(PQgetvalue(a, r, c), PQgetvalue(b, r, c), (size_t)len) != 0
			        : PQgetisnull(a, r, c) != PQgetisnull(b, r, c))
				return false;
		}
	return true;
}

bool db_results_same(const PGresult *a, const PGresult *b)
{
	if (!a || !b)
		return a == b;
	return PQresultStatus(a) == PQresultStatus(b) &&
	       strcmp(PQresultErrorMessage(a), PQresultErrorMessage(b)) == 0 && cells_same(a, b);
}
