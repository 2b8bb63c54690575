/* One non-blocking libpq connection: asynchronous connect, and batches of
 * queries sent as one pipeline so that a whole batch costs one round trip.
 * Each query is followed by its own Sync, so an error in one query (missing
 * relation, timeout, privilege) fails that query alone. No curses here. */
#ifndef ATTUNE_DB_H
#define ATTUNE_DB_H

#include <stdbool.h>

#include "model/rowset.h"
#include "settings.h"

/* libpq's handles, declared as libpq-fe.h does: only the database layer
 * includes libpq itself. */
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

enum db_state {
	DB_CLOSED = 0, /* no connection */
	DB_CONNECTING, /* PQconnectPoll in progress */
	DB_IDLE,       /* connected, nothing in flight */
	DB_BUSY,       /* a batch is in flight */
};

/* What db_step reports. */
enum db_event {
	DB_EV_NONE = 0,
	DB_EV_CONNECTED,  /* connection established (state now DB_IDLE) */
	DB_EV_BATCH_DONE, /* every result of the batch was delivered */
	DB_EV_FAILED,     /* connection failed or lost; see db.error */
};

#define DB_MAX_PARAMS 8

struct db_query {
	const char *sql;
	int nparams;
	const char *params[DB_MAX_PARAMS]; /* text format; NULL = SQL NULL */
};

/* Called once per query with its result (which may be an error result).
 * The result is cleared after the call returns, unless the call returns
 * true: then it keeps the result and frees it with db_result_free. */
typedef bool (*db_result_fn)(void *ctx, int index, PGresult *res);

/* The server session as each transaction's first statement finds it
 * (db/txn.h), kept per connection. */
struct db_facts {
	bool known;          /* a transaction reported it */
	int connected_pid;   /* the backend key the connection was given */
	int backend_pid;     /* pg_backend_pid() of the last transaction */
	bool pooled;         /* a pooler in between: the session is not stable */
	bool standby;        /* pg_is_in_recovery() */
	bool replay_lags;    /* received WAL not replayed yet */
	double replay_lag_s; /* seconds behind (standby), -1 when unknown */
};

struct db {
	PGconn *conn;
	enum db_state state;
	char error[512];         /* last failure, one line */
	double connect_deadline; /* monotonic seconds; 0 = none */
	int nqueries;            /* queries in the batch in flight */
	int nsynced;             /* queries whose Sync came back */
	db_result_fn on_result;
	void *ctx;
	bool want_write;    /* output still buffered in libpq */
	int server_version; /* PQserverVersion once connected */
	long notifications; /* NOTIFY messages received (LISTEN) */
	char label[512];    /* "user@host:port/dbname" of the last connection, kept after it */
	struct db_facts facts;
};

/* libpq keywords and values for these settings, NULL-terminated (arrays
 * of DB_CONN_PARAMS): the conninfo, then -h/-p/-U/password over it, the
 * program's name and UTF-8. `timeout` holds connect_timeout's text. */
#define DB_CONN_PARAMS 12
void db_conn_params(const struct settings *s, const char *password, char timeout[24],
                    const char **keys, const char **vals);

/* Begin connecting with settings (and an optional password from a prompt).
 * The session is named attune-top and pinned to UTF-8; nothing else is
 * set in the session: each batch sets what it needs in its own
 * transaction (db/txn.h). Returns 0 or -1. */
int db_connect_start(struct db *db, const struct settings *s, const char *password);

/* The socket to poll (-1 when none) and the poll events it needs. */
int db_fd(const struct db *db);
short db_poll_events(const struct db *db);

/* Drive the connection after poll() (also safe to call spuriously). */
enum db_event db_step(struct db *db, double now);

/* Send a batch (only when DB_IDLE). Returns 0, or -1 with db.error set
 * (the connection is then closed). */
int db_send_batch(struct db *db, const struct db_query *q, int n, db_result_fn fn, void *ctx);

/* Ask the server to cancel what is running; waits for that at most 0.7 s. */
void db_cancel(struct db *db);

void db_close(struct db *db);

/* Monotonic clock in seconds. */
double db_now(void);

/* A query result as the model reads it; valid while `res` is. */
void db_rowset(const PGresult *res, struct rowset *rs);

/* Free a result a db_result_fn kept (NULL: nothing). */
void db_result_free(PGresult *res);

/* Whether two results (or NULLs) say the same: status, error, rows and
 * every cell, byte for byte. */
bool db_results_same(const PGresult *a, const PGresult *b);

#endif
