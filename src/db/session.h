/* Session setup, once for every connection: the schema (phase 1),
 * the catalog probe (phase 2), identifier quoting and notice handling. The
 * dashboard sends the phases as non-blocking batches; exports run them one
 * statement at a time (session_setup_blocking). */
#ifndef ATTUNE_SESSION_H
#define ATTUNE_SESSION_H

#include <stddef.h>

#include "db/db.h"
#include "db/queries.h"
#include "settings.h"

/* Parameters of the phases in flight (they must outlive the batches). */
struct session {
	char timeout[24];          /* statement_timeout, milliseconds */
	char rel_names[512];       /* the probe's relation names, an array literal */
	int probe_index[CQ_COUNT]; /* which probe each result answers */
};

/* Notices are never printed: curses may own the terminal, and an export's
 * stderr carries one line per failure. */
void session_quiet(PGconn *conn);

/* `name` quoted as an SQL identifier (malloc'd), or NULL with the reason
 * in err. */
char *session_quote(PGconn *conn, const char *name, char *err, size_t errlen);

/* Phase 1 into q[]: session settings and the schema. Returns the count. */
int session_settings(struct session *ss, const struct settings *s, struct db_query *q);
/* One phase-1 result: 0, or -1 with the reason in err. */
int session_take_settings(struct caps *caps, int index, const PGresult *res, char *err,
                          size_t errlen);

/* Phase 2 into q[]: the catalog probe of the resolved schema (quoted
 * here). Returns the count, or -1 with the reason in err. */
int session_probe(struct session *ss, PGconn *conn, struct caps *caps, struct db_query *q,
                  char *err, size_t errlen);
int session_take_probe(const struct session *ss, struct caps *caps, int index, const PGresult *res,
                       char *err, size_t errlen);

/* After the probe: derived capabilities, TimescaleDB's schema quoted.
 * 0, or -1 with the reason in err. */
int session_done(PGconn *conn, struct caps *caps, char *err, size_t errlen);

/* On a blocking connection: open the read-only transaction that carries
 * the settings (db/txn.h), then both phases one statement at a time. The
 * transaction stays open for the caller's statements (session_exec) until
 * session_end_blocking. */
int session_setup_blocking(PGconn *conn, const struct settings *s, struct caps *caps, char *err,
                           size_t errlen);
/* One statement inside it; a failed one returns to the transaction's
 * savepoint, so the next still runs. */
PGresult *session_exec(PGconn *conn, const struct db_query *q);
void session_end_blocking(PGconn *conn);

#endif
