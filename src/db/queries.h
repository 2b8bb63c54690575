/* Session and catalog-probe SQL, and what every query shares: the schema
 * qualification and the live tails of aggregates, built once per
 * connection for the resolved schema. Every value travels as a parameter;
 * the schema is quoted with PQescapeIdentifier. */
#ifndef ATTUNE_QUERIES_H
#define ATTUNE_QUERIES_H

#include <stdbool.h>

#include "db/db.h"
#include "model/model.h"

/* Connection setup, phase 1: resolve the schema. Nothing is set in the
 * session: every batch is a transaction with its own settings (db/txn.h). */
enum setup_query {
	SQ_IDENTITY = 0, /* schema, TimescaleDB version, now(), server version */
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
	CQ_NATIVE,        /* hourly summaries, ledger and what this role may read */
	CQ_COUNT,
};

/* Fill q[] for phase 1; `schema` (NULL = resolve) must outlive the batch.
 * Returns the count. */
int queries_setup(struct db_query *q, const char *schema);

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

/* Live tail: whether aggregate r is a materialized-only continuous aggregate
 * whose newest buckets are computed from raw rows; whether some watermark
 * could not be read (then the last 2 h come from raw rows); the SQL source
 * to read r from (the qualified relation, or a subquery merging both;
 * malloc'd). */
bool queries_has_tail(const struct caps *c, enum rel_id r);
bool queries_tail_fallback(const struct caps *c);
char *queries_source(const struct caps *c, enum rel_id r, const char *lo, const char *hi);

/* Plain views: whether hourly relation r is a plain view read from its
 * source instead (the view's computed bucket is never filtered: a source
 * is read with bounds lo/hi, SQL timestamptz expressions or NULL, on its
 * own time column); whether any is. */
bool queries_reads_raw(const struct caps *c, enum rel_id r);
bool queries_any_raw(const struct caps *c);
/* Whether every hourly relation is read from its source rows (plain views,
 * native installs), whose time bounds may fall within an hour; a bucketed
 * relation (materialized, continuous aggregate) is read by whole hours. */
bool queries_minute_bounds(const struct caps *c);

/* Native installs: whether r's built, clean hours come from its summary
 * table (the rest from its source, as above); whether any does; the
 * relation summary kind k (< SUMMARY_KINDS) stands for, and the index of
 * a kind's name (-1 when unknown). */
bool queries_reads_summary(const struct caps *c, enum rel_id r);
bool queries_any_summary(const struct caps *c);
enum rel_id queries_summary_rel(int k);
int queries_summary_index(const char *kind);
/* Clean hours per summary kind in [$1, $3) ($2 unused), and a signature of
 * the ledger and queue over [$1, $2): NULL when there are no summaries. */
char *queries_summary_hours_sql(const struct caps *c);
char *queries_kept_signature_sql(const struct caps *c);
/* Whether a failed query's SQLSTATE says the ledger cannot be read (a
 * relation or type missing, no privilege): read raw instead. */
bool queries_ledger_unreadable(const char *sqlstate);

/* Terminal execution statuses as an array literal (same list as in-flight). */
const char *queries_terminal_array(void);

/* A query template with "S." qualified by the schema, every aggregate with
 * a live tail replaced by its merging source and every plain view by its
 * grouped source rows in [lo, hi) (NULL: unbounded; hour-aligned), malloc'd.
 * The template's own bucket filter must stay within [lo, hi): a plain view's
 * rows outside it are never read. */
char *queries_build_ranged(const struct caps *caps, const char *tmpl, const char *lo,
                           const char *hi);
char *queries_build_sql(const struct caps *caps, const char *tmpl);
/* The earliest watermark over the aggregates that have a tail, or NULL. */
char *queries_watermark_sql(const struct caps *c);

#include "db/overview_sql.h"

#endif
