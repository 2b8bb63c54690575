/* A second connection that reads part of the first refresh, in the first
 * connection's snapshot (db/txn.h: txn_share). The first refresh reads the
 * whole range; split over two backends it takes about half as long, and a
 * dashboard shows its first frame sooner. The helper is opened once the
 * main connection is up, is used only on a stable session (no pooler, no
 * standby), reads its part of one refresh and is closed: a running
 * dashboard holds one connection. Anything that goes
 * wrong closes it quietly; its unread queries are reported lost. */
#ifndef ATTUNE_HELPER_H
#define ATTUNE_HELPER_H

#include <stdbool.h>

#include "db/db.h"
#include "db/txn.h"

enum helper_state {
	HELPER_OFF = 0,    /* none */
	HELPER_CONNECTING, /* connecting */
	HELPER_READY,      /* connected: may take a part */
	HELPER_HELD,       /* has its part, waits for the exported snapshot */
	HELPER_BUSY,       /* reading its part */
};

/* A query the helper could not read: `why` says what happened. */
typedef void (*helper_lost_fn)(void *ctx, int index, const char *why);

struct helper {
	struct db db;
	struct txn txn;
	enum helper_state state;
	long timeout_ms;
	bool imported; /* its part's import ran (or failed) */
	/* The part held until the snapshot is known: its SQL and parameters
	 * are the caller's, alive until the part ends. */
	struct db_query q[TXN_QUERIES];
	bool delivered[TXN_QUERIES];
	int n, offset; /* its queries are the caller's offset.. offset+n-1 */
	db_result_fn fn;
	helper_lost_fn lost;
	void *ctx;
};

/* Start connecting alongside the main connection. */
void helper_start(struct helper *h, const struct settings *s, const char *password);
/* The main session's first transaction told what it is: any but a
 * stable one (a direct connection to a primary) closes the helper. */
void helper_session_known(struct helper *h, const struct db_facts *main);
/* Whether it may take a part of the next batch now. */
bool helper_ready(const struct helper *h);
/* Whether the exporter must still keep its snapshot: the import of the
 * part has not run yet. */
bool helper_importing(const struct helper *h);
/* Take q[0..n), the caller's queries offset.. onwards, to be read in the
 * snapshot given to helper_export. */
void helper_hold(struct helper *h, const struct db_query *q, int n, int offset, db_result_fn fn,
                 helper_lost_fn lost, void *ctx);
/* The exporter's snapshot (NULL: its export failed): read the part. */
void helper_export(struct helper *h, const char *snapshot);
/* It holds or reads a part whose results are still due. */
bool helper_busy(const struct helper *h);

int helper_fd(const struct helper *h);
short helper_poll_events(const struct helper *h);
/* Drive it after poll() (`ready`: its socket was); true when its part
 * has just ended (read, or lost). */
bool helper_step(struct helper *h, double now, bool ready);
/* Close it; a part still due is reported lost. */
void helper_close(struct helper *h);

#endif
