/* Session setup shared by the dashboard's batches and the blocking export path. */
#include "db/session.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/txn.h"
#include "util/arena.h"
#include "util/err.h"

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

void session_quiet(PGconn *conn)
{
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
}

char *session_quote(PGconn *conn, const char *name, char *err, size_t errlen)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name));
	if (!q) {
		err_set(err, errlen, "%s", PQerrorMessage(conn));
		return NULL;
	}
	char *copy = xstrdup(q);
	PQfreemem(q);
	return copy;
}

int session_settings(struct session *ss, const struct settings *s, struct db_query *q)
{
	snprintf(ss->timeout, sizeof ss->timeout, "%ld", s->statement_timeout_ms);
	return queries_setup(q, s->schema);
}

int session_take_settings(struct caps *caps, int index, const PGresult *res, char *err,
                          size_t errlen)
{
	return queries_take_setup(caps, index, res, err, errlen);
}

int session_probe(struct session *ss, PGconn *conn, struct caps *caps, struct db_query *q,
                  char *err, size_t errlen)
{
	free(caps->qschema);
	caps->qschema = session_quote(conn, caps->schema, err, errlen);
	if (!caps->qschema)
		return -1;
	return queries_caps(caps, q, ss->probe_index, ss->rel_names, sizeof ss->rel_names);
}

int session_take_probe(const struct session *ss, struct caps *caps, int index, const PGresult *res,
                       char *err, size_t errlen)
{
	return queries_take_caps(caps, ss->probe_index[index], res, err, errlen);
}

int session_done(PGconn *conn, struct caps *caps, char *err, size_t errlen)
{
	queries_caps_done(caps);
	if (!caps->ts_schema[0])
		return 0;
	free(caps->q_ts_schema);
	caps->q_ts_schema = session_quote(conn, caps->ts_schema, err, errlen);
	return caps->q_ts_schema ? 0 : -1;
}

PGresult *session_exec(PGconn *conn, const struct db_query *q)
{
	PGresult *res = PQexecParams(conn, q->sql, q->nparams, NULL, q->params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK &&
	    PQtransactionStatus(conn) == PQTRANS_INERROR)
		PQclear(PQexec(conn, "ROLLBACK TO SAVEPOINT attune_top"));
	return res;
}

/* Run n queries one at a time, each result handed to take (0 or -1). */
static int run_each(PGconn *conn, const struct db_query *q, int n,
                    int (*take)(const struct session *, struct caps *, int, const PGresult *,
                                char *, size_t),
                    const struct session *ss, struct caps *caps, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		PGresult *res = session_exec(conn, &q[i]);
		int rc = res ? take(ss, caps, i, res, err, errlen)
		             : err_set(err, errlen, "%s", PQerrorMessage(conn));
		PQclear(res);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int take_settings(const struct session *ss, struct caps *caps, int index,
                         const PGresult *res, char *err, size_t errlen)
{
	(void)ss;
	return session_take_settings(caps, index, res, err, errlen);
}

/* The transaction's opening statements (txn_wrap's, without the queries). */
static int begin_blocking(PGconn *conn, struct session *ss, char *err, size_t errlen)
{
	struct db_query q[TXN_MAX];
	int map[TXN_MAX];
	int n = txn_wrap(ss->timeout, NULL, 0, 0, q, map) - 1; /* not its COMMIT */
	for (int i = 0; i < n; i++) {
		PGresult *res =
		    PQexecParams(conn, q[i].sql, q[i].nparams, NULL, q[i].params, NULL, NULL, 0);
		ExecStatusType st = PQresultStatus(res);
		int rc = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK
		             ? 0
		             : err_set(err, errlen, "session setup failed: %s",
		                       res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
		PQclear(res);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int session_setup_blocking(PGconn *conn, const struct settings *s, struct caps *caps, char *err,
                           size_t errlen)
{
	struct session ss;
	struct db_query q[(int)SQ_COUNT + (int)CQ_COUNT]; /* room for either phase */
	int n = session_settings(&ss, s, q);
	if (begin_blocking(conn, &ss, err, errlen) != 0)
		return -1;
	if (run_each(conn, q, n, take_settings, &ss, caps, err, errlen) != 0)
		return -1;
	n = session_probe(&ss, conn, caps, q, err, errlen);
	if (n < 0 || run_each(conn, q, n, session_take_probe, &ss, caps, err, errlen) != 0)
		return -1;
	return session_done(conn, caps, err, errlen);
}

void session_end_blocking(PGconn *conn)
{
	/* A statement still streaming (a write failed) ends with the
	 * connection instead: its rows are not waited for. */
	PGTransactionStatusType ts = PQtransactionStatus(conn);
	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
		PQclear(PQexec(conn, "COMMIT"));
}
