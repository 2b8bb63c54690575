/* The overview's queries: one descriptor per query (the relation it needs,
 * the panel it feeds, bucketed or not, its SQL, how its rows are taken);
 * their result columns are named next to the SQL in overview_sql.c.
 * Adding a query is one entry there, and nothing here. */
#ifndef ATTUNE_OVERVIEW_SQL_H
#define ATTUNE_OVERVIEW_SQL_H

#include <stdbool.h>

#include "db/db.h"
#include "model/model.h"
#include "model/rowset.h"

/* What a query's parameters are (see queries_overview). */
enum oq_params {
	OQP_NONE = 0, /* none */
	OQP_RANGE,    /* hourly buckets in [$1, $3), filter $2: read as settled + live */
	OQP_SINCE,    /* $1 range start, $2 filter */
	OQP_NEWEST,   /* $1 range start, $2 filter, $3 the live part's end */
	OQP_INFLIGHT, /* $1 the in-flight statuses, $2 filter */
	OQP_KEPT,     /* $1 range start, $2 live start: the kept hours */
};

struct overview_def {
	const char *name;
	enum rel_id needs;                  /* REL_COUNT: none */
	enum panel_id panel;                /* what it feeds; PANEL_COUNT: the header */
	enum oq_params params;              /* what its parameters are */
	char *(*sql)(const struct caps *c); /* malloc'd, or NULL when it cannot run */
	void (*take)(struct snapshot *s, const struct rowset *r);
	/* Its data is unavailable (NULL: the panel's note says why). */
	void (*lost)(struct snapshot *s, bool missing, const char *why);
	/* Under a filter, when the filter may name a worker whose executions
	 * it then reads (NULL: sql serves every filter). */
	char *(*worker_sql)(const struct caps *c);
};

/* The queries in batch order (the server's clock first). */
extern const struct overview_def overview_defs[];
extern const int overview_count;
/* Most queries the table may hold. */
#define OQ_MAX 16

/* A query's index by its name, -1 when there is none. */
int overview_query(const char *name);

/* The overview's SQL for this connection (built by queries_build). */
struct query_set {
	char *sql[OQ_MAX]; /* NULL when a relation it needs is missing */
	/* The live part of a bucketed query on a native install: the current
	 * hour (and the previous one's first minutes) is never summarised, so
	 * it is read raw without the ledger (NULL: as sql[]); a live part that
	 * has nothing to read is skipped. */
	char *live_sql[OQ_MAX];
	bool live_skip[OQ_MAX];
	char *worker_sql[OQ_MAX]; /* a filtered refresh's, NULL: as sql[] */
};
void queries_build(struct query_set *qs, const struct caps *caps);
void queries_free(struct query_set *qs);

/* Per-refresh parameters. Buckets before live_start are settled: they are
 * read only when `settled` is set (the app keeps them between refreshes).
 * The live hours are read in two parts: [live_start, hot_start), the warm
 * part, only when `warm` is set (kept, and read again when hot_start
 * moves on, once a minute), and [hot_start, live_end) every refresh. */
struct overview_params {
	char range_start[24]; /* epoch seconds */
	char live_start[24];  /* epoch seconds, >= range_start */
	char hot_start[24];   /* epoch seconds, >= live_start */
	char live_end[24];    /* epoch seconds: the live part's upper bound */
	const char *filter;   /* NULL = none */
	const char *inflight; /* array literal */
	bool settled;         /* also read [range_start, live_start) */
	bool warm;            /* also read [live_start, hot_start) */
};

/* Marks an index in idx[] as the settled part of a bucketed query. */
#define OQ_SETTLED 0x100
/* Marks an index in idx[] as the warm part of a bucketed query. */
#define OQ_WARM 0x200
/* Most queries one overview batch holds: the hot, warm and settled parts. */
#define OQ_BATCH_MAX (3 * OQ_MAX)

/* Fill q[] (room for OQ_BATCH_MAX) with the overview batch, sent as one
 * read-only REPEATABLE READ transaction (db/txn.h: every figure of a
 * refresh from one snapshot, and a failing query fails alone); idx[i]
 * says which overview_query q[i] is, OR'ed with OQ_SETTLED for settled
 * parts. Returns the count. */
int queries_overview(const struct query_set *qs, const struct overview_params *p,
                     struct db_query *q, int *idx);

/* The server's now (epoch microseconds) when q is the query that reads it
 * and r holds it; false otherwise. */
bool overview_read_now(int q, const struct rowset *r, int64_t *now_us);

/* Take the rows of query q into s (a failed query marks what it feeds). */
void overview_take(struct snapshot *s, int q, const struct rowset *r);
/* Mark what query q feeds as unavailable: its relation is missing (not
 * sent) or the query failed. Series become SPARK_NODATA. */
void overview_unavailable(struct snapshot *s, int q, bool missing, const char *why);

#endif
