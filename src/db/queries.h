/* The SQL attune-top sends, one named query per panel, built once per
 * connection for the resolved schema. Every value travels as a parameter;
 * the schema is quoted with PQescapeIdentifier. */
#ifndef ATTUNE_QUERIES_H
#define ATTUNE_QUERIES_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "db/db.h"
#include "model/model.h"

/* Connection setup, phase 1: pin the session, resolve the schema. */
enum setup_query {
	SQ_SESSION = 0, /* read-only, statement_timeout, UTC, ISO */
	SQ_IDENTITY,    /* schema, TimescaleDB version, now(), server version */
	SQ_COUNT,
};
/* Phase 2, once the schema is known. */
enum caps_query {
	CQ_RELATIONS = 0, /* which relations exist, and their kind */
	CQ_STATUS_ENUM,   /* type and labels of execution.status */
	CQ_NOTIFY,        /* does some function raise Attune's execution NOTIFYs? */
	CQ_CAGGS,         /* continuous aggregates (TimescaleDB only) */
	CQ_TSINFO,        /* TimescaleDB's schemas (TimescaleDB only) */
	CQ_MATIDS,        /* materialization hypertable ids (TimescaleDB only) */
	CQ_COUNT,
};

/* Overview refresh: one pipeline, one query per dataset. */
enum overview_query {
	OQ_NOW = 0,
	OQ_EXEC_SERIES,    /* bucket × action: executions created */
	OQ_STATUS_BUCKETS, /* bucket × status: transitions */
	OQ_STATUS_ACTIONS, /* action: completed / failed / timeout */
	OQ_EVENTS,         /* bucket: events */
	OQ_ENFORCEMENTS,   /* bucket: enforcements */
	OQ_WORKERS,        /* live workers + transitions in range */
	OQ_CHANGES,        /* recent execution status changes */
	OQ_INFLIGHT,       /* live executions in non-terminal statuses */
	OQ_WATERMARK,      /* earliest watermark of the aggregates with a tail */
	OQ_COUNT,
};

/* Fill q[] for phase 1; `timeout_ms` and `schema` (NULL = resolve) must
 * outlive the batch. Returns the count. */
int queries_setup(struct db_query *q, const char *timeout_ms, const char *schema);

/* Phase 2 for caps->schema; `names` receives the relation-name array
 * literal and must outlive the batch. Returns the count; idx[i] says
 * which caps_query q[i] is. */
int queries_caps(const struct caps *caps, struct db_query *q, int *idx, char *names,
                 size_t names_len);

/* Ingest setup and caps results. Return 0, or -1 with a one-line message. */
int queries_take_setup(struct caps *caps, int which, const PGresult *res, char *err, size_t errlen);
int queries_take_caps(struct caps *caps, int which, const PGresult *res, char *err, size_t errlen);
/* After phase 2: derive what the queries need (in-flight status set). */
void queries_caps_done(struct caps *caps);

/* The overview's SQL for this connection (built by queries_build). */
struct query_set {
	char *sql[OQ_COUNT]; /* NULL when a relation it needs is missing */
};
void queries_build(struct query_set *qs, const struct caps *caps);
void queries_free(struct query_set *qs);

/* Per-refresh parameters. Buckets before live_start are settled: they are
 * read only when `settled` is set (the app keeps them between refreshes);
 * the bucketed queries otherwise read from live_start on. */
struct overview_params {
	char range_start[24]; /* epoch seconds */
	char live_start[24];  /* epoch seconds, >= range_start */
	const char *filter;   /* NULL = none */
	const char *inflight; /* array literal */
	bool settled;         /* also read [range_start, live_start) */
};

/* Whether an overview query reads hourly buckets (and so can be split into
 * settled and live parts). */
bool queries_bucketed(enum overview_query q);

/* Marks an index in idx[] as the settled part of a bucketed query. */
#define OQ_SETTLED 0x100
/* Most queries one overview batch holds. */
#define OQ_BATCH_MAX (2 * OQ_COUNT)

/* Fill q[] (room for OQ_BATCH_MAX) with the overview batch; idx[i] says
 * which overview_query q[i] is, OR'ed with OQ_SETTLED for settled parts.
 * Returns the count. */
int queries_overview(const struct query_set *qs, const struct overview_params *p,
                     struct db_query *q, int *idx);

/* Live tail: whether aggregate r is a materialized-only continuous aggregate
 * whose newest buckets are computed from raw rows; whether some watermark
 * could not be read (then the last 2 h come from raw rows); the SQL source
 * to read r from (the qualified relation, or a subquery merging both;
 * malloc'd). */
bool queries_has_tail(const struct caps *c, enum rel_id r);
bool queries_tail_fallback(const struct caps *c);
char *queries_source(const struct caps *c, enum rel_id r);

/* Terminal execution statuses as an array literal (same list as in-flight). */
const char *queries_terminal_array(void);

/* The panel an overview query feeds. */
enum panel_id queries_panel_of(enum overview_query q);

#endif
