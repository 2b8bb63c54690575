/* Every batch as one read-only transaction whose own first statement sets
 * what the queries need (statement timeout, UTC, ISO dates, ...) with
 * set_config(..., true): nothing outlives the transaction, so behind a
 * transaction pooler nothing leaks to the pool's other clients and
 * nothing is lost when the next batch lands on another server connection.
 * Each query runs after a savepoint and is followed by a return to it, so
 * one that fails (a missing relation, a timeout) fails alone. The same
 * statement reports the server session: its backend, whether it is a
 * standby and how far its replay lags. Still one round trip. */
#ifndef ATTUNE_TXN_H
#define ATTUNE_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Most queries one batch may wrap, and the statements that makes. */
#define TXN_QUERIES 48
#define TXN_MAX     (2 * TXN_QUERIES + 4)

/* The prologue's statement and its one parameter, statement_timeout in
 * milliseconds (text). Its columns are read by txn_take_facts. */
extern const char txn_prologue_sql[];
/* "now" as the queries see it: the server's clock, or the standby's last
 * replayed transaction while replay lags behind received WAL. */
#define TXN_NOW "current_setting('attune.now')::timestamptz"

/* Fill facts from a prologue result. Returns 0, or -1 when it failed. */
int txn_take_facts(struct db_facts *f, const PGresult *res);

/* A batch read on two connections as one transaction: the first exports
 * its snapshot, the second imports it and reads the rest. The exporter's
 * transaction is left open (no COMMIT in its batch) until the caller knows
 * the import ran (on_import), then closed with txn_commit: the snapshot is
 * never gone when the import runs, however the two are scheduled. Used
 * only on a stable session (no pooler, no standby). */
struct txn_share {
	bool export_snapshot; /* the exporter: its snapshot goes to on_export */
	const char *import;   /* the importer: the exported snapshot's id */
	/* The exported snapshot's id, NULL when exporting failed. */
	void (*on_export)(void *ctx, const char *snapshot);
	/* The import ran: failed (why) or not (NULL). After a failed one no
	 * query's result is passed on. */
	void (*on_import)(void *ctx, const char *failed);
};

/* What a wrapped batch keeps while in flight. */
struct txn {
	int map[TXN_MAX]; /* the caller's index of each statement, -1: the wrapper's own */
	char timeout[24];
	db_result_fn fn;
	void *ctx;
	struct db *db;
	struct txn_share share;
	char import_sql[96]; /* the importer's SET TRANSACTION SNAPSHOT */
	bool import_failed;  /* the import failed: no result is passed on */
};

/* Send q[0..n) as one transaction; the last `ntail` of them (LISTEN) go
 * after its COMMIT, outside it. fn sees the caller's indices only.
 * Returns 0, or -1 with db.error set. */
int txn_send(struct db *db, struct txn *t, long timeout_ms, const struct db_query *q, int n,
             int ntail, db_result_fn fn, void *ctx);

/* txn_send for one side of a shared batch (txn_share). Returns 0, or -1
 * with db.error set (and -1 without sending when the snapshot id is not
 * one PostgreSQL makes). */
int txn_send_shared(struct db *db, struct txn *t, long timeout_ms, const struct db_query *q, int n,
                    const struct txn_share *share, db_result_fn fn, void *ctx);

/* Close the exporter's transaction (txn_share) once its batch is done. */
int txn_commit(struct db *db, struct txn *t);

/* Fill out[] (room for TXN_MAX) with the wrapped statements and map[];
 * returns the count. Exposed for the blocking path and the tests. */
int txn_wrap(const char *timeout, const struct db_query *q, int n, int ntail, struct db_query *out,
             int *map);
/* The same for one side of a shared batch; t holds the statements' text
 * (t->share and t->import_sql set as txn_send_shared does). */
int txn_wrap_shared(struct txn *t, const struct db_query *q, int n, struct db_query *out, int *map);

#endif
