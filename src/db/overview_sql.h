/* The overview's queries: one descriptor per query (the relation it needs,
 * the panel it feeds, bucketed or not, its SQL, how its rows are taken),
 * with its result columns named next to it. Adding a query is one entry. */
#ifndef ATTUNE_OVERVIEW_SQL_H
#define ATTUNE_OVERVIEW_SQL_H

#include <stdbool.h>

#include "db/db.h"
#include "model/model.h"
#include "model/rowset.h"

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

/* Result columns, in SELECT order. */
enum { C_NOW_US };
enum { C_SER_BUCKET, C_SER_KEY, C_SER_COUNT }; /* bucket, action or status, count */
enum { C_VOL_BUCKET, C_VOL_COUNT };            /* events, enforcements */
enum { C_SA_ACTION, C_SA_COMPLETED, C_SA_FAILED, C_SA_TIMEOUT };
enum {
	C_WK_ID,
	C_WK_NAME,
	C_WK_TYPE,
	C_WK_ROLE,
	C_WK_STATUS,
	C_WK_HOST,
	C_WK_PORT,
	C_WK_HEARTBEAT_AGE, /* seconds, NULL when never */
	C_WK_TRANSITIONS,   /* NULL when worker_status_hourly is missing */
	C_WK_RECENT,        /* transitions in the current and previous hour */
};
enum { C_CH_TIME_US, C_CH_EXECUTION, C_CH_ACTION, C_CH_OLD, C_CH_NEW };
enum { C_IF_STATUS, C_IF_COUNT };
enum { C_WM_THROUGH };

struct overview_def {
	const char *name;
	enum rel_id needs;                  /* REL_COUNT: none */
	enum panel_id panel;                /* what it feeds; PANEL_COUNT: the header */
	bool bucketed;                      /* reads hourly buckets: split into settled and live */
	char *(*sql)(const struct caps *c); /* malloc'd, or NULL when it cannot run */
	void (*take)(struct snapshot *s, const struct rowset *r);
	/* Its data is unavailable (NULL: the panel's note says why). */
	void (*lost)(struct snapshot *s, bool missing, const char *why);
};

extern const struct overview_def overview_defs[OQ_COUNT];

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

/* Marks an index in idx[] as the settled part of a bucketed query. */
#define OQ_SETTLED 0x100
/* Most queries one overview batch holds. */
#define OQ_BATCH_MAX (2 * OQ_COUNT)

/* Fill q[] (room for OQ_BATCH_MAX) with the overview batch; idx[i] says
 * which overview_query q[i] is, OR'ed with OQ_SETTLED for settled parts.
 * Returns the count. */
int queries_overview(const struct query_set *qs, const struct overview_params *p,
                     struct db_query *q, int *idx);

/* Take the rows of query q into s (a failed query marks what it feeds). */
void overview_take(struct snapshot *s, int q, const struct rowset *r);
/* Mark what query q feeds as unavailable: its relation is missing (not
 * sent) or the query failed. Series become SPARK_NODATA. */
void overview_unavailable(struct snapshot *s, int q, bool missing, const char *why);

#endif
