/* Storage and freshness view ('t'): how big the history is and how fresh
 * the aggregates are. TimescaleDB: per hypertable size, chunks, compressed
 * chunks, compression ratio, retention, chunk range; per continuous
 * aggregate watermark, lag, refresh job health, pending invalidations.
 * Plain PostgreSQL: table and index sizes (a partitioned table counts all
 * its partitions), native partitions with bounds and sizes, and the
 * aggregates as views. Native Attune (day partitions and hourly summaries):
 * per managed parent the day partitions, the DEFAULT backlog and the future
 * days covered; per summary kind the hours built, dirty and missing in the
 * range; the maintenance schedule; and what needs action, first. A catalog
 * shape we do not know becomes a note in the table, never a failure of the
 * rest. The same tables feed --export=storage. No curses here. */
#ifndef ATTUNE_STORAGE_H
#define ATTUNE_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"
#include "db/db.h"
#include "model/model.h"

enum st_kind {
	STK_TEXT = 0,
	STK_INT,    /* exact integer */
	STK_BYTES,  /* size in bytes */
	STK_TIME,   /* epoch seconds */
	STK_AGE,    /* seconds */
	STK_RATIO,  /* a ratio (before/after), two decimals */
	STK_CAPPED, /* a count probed with LIMIT ST_PROBE_CAP: the cap means "more than" */
	STK_FLAG,   /* what an operator must act on; NULL when nothing */
};

/* DEFAULT partitions are counted up to this many rows: reaching it means
 * "more than ST_PROBE_CAP - 1", shown as "1000+". */
#define ST_PROBE_CAP 1001

/* A maintenance job whose next_due lies further back than this is overdue. */
#define ST_OVERDUE_GRACE_S 300

/* Dirty hours are flagged once queued longer than the summary interval
 * (runtime_retention_config.native_maintenance->>'summary_interval_seconds'),
 * this when the configuration does not say. */
#define ST_SUMMARY_INTERVAL_S 300

#define ST_MAX_COLS 12
#define ST_TABLES   8

/* Fields of --export=storage, in header order. */
enum st_csv_field {
	SC_RELATION = 0,
	SC_KIND,
	SC_TOTAL_BYTES,
	SC_PARTITIONS,
	SC_OLDEST_BOUND,
	SC_NEWEST_BOUND,
	SC_DEFAULT_ROWS,
	SC_FUTURE_DAYS,
	SC_HOURS_BUILT,
	SC_HOURS_DIRTY,
	SC_WATERMARK,
	SC_HOURS_MISSING,
	SC_OLDEST_REFRESH,
	SC_LATEST_REFRESH,
	SC_RETENTION,
	SC_LAST_SUCCESS,
	SC_NEXT_DUE,
	SC_NEEDS_ACTION,
	SC_COUNT,
};

extern const char *const storage_csv_heads[SC_COUNT];
extern const bool storage_csv_text[SC_COUNT]; /* free text: gets the formula guard */

/* Which catalog shape the batch reads. */
enum st_shape {
	ST_SHAPE_UNKNOWN = 0, /* not probed yet: read as plain, probe native */
	ST_SHAPE_PLAIN,       /* ordinary and partitioned tables, views */
	ST_SHAPE_NATIVE,      /* native Attune: day partitions, hourly summaries */
	ST_SHAPE_TSDB,        /* TimescaleDB */
};

struct st_def; /* a table's columns, SQL and CSV mapping (storage.c) */

struct st_table {
	const struct st_def *def; /* NULL for the derived "Needs action" table */
	const char *title;
	int ncols; /* columns in cells */
	int nshow; /* columns drawn (the rest feed the CSV) */
	const char *heads[ST_MAX_COLS];
	enum st_kind kinds[ST_MAX_COLS];
	int nrows;
	const char **cells; /* nrows * ncols values, NULL = SQL NULL */
	char note[320];     /* why it is empty (query failed), or "" */
};

struct st_snapshot {
	struct arena arena;
	enum st_shape shape;
	int ntables;
	struct st_table tables[ST_TABLES];
};

struct storage {
	struct st_snapshot *snap, *building;
	enum st_shape shape;    /* what the next batch reads */
	enum st_shape detected; /* what the last probe said (UNKNOWN: no probe) */
	char *sql[ST_TABLES];
	int qtable[ST_TABLES]; /* table of each query of the batch, -1: the probe */
	char range_start[24];  /* epoch seconds, the batch's $2 */
	int top;               /* first visible line */
};

/* The batch for one refresh of the view: `range_start` (epoch seconds) is
 * where the range's first hourly bucket starts (model_range_start). Returns
 * the query count. */
int storage_batch(struct storage *st, const struct caps *caps, int64_t range_start,
                  struct db_query *q);
void storage_take(struct storage *st, int index, const struct rowset *res);
/* Publishes the batch's snapshot and returns false; or, when the batch
 * found the catalog to be of another shape than it read, drops it and
 * returns true: send the next batch at once. */
bool storage_finish(struct storage *st);
void storage_free(struct storage *st);

/* A cell as text for display: sizes as "12.3 MiB" (human) or exact bytes. */
void storage_cell(const struct st_table *t, int row, int col, bool human, bool utc, char *buf,
                  size_t len);

/* True when the cell's row has something to act on (a non-NULL flag). */
bool storage_row_flagged(const struct st_table *t, int row);

/* The CSV rows of a snapshot, one per relation (the first table that names
 * it wins): `row` gets SC_COUNT cells (NULL = does not apply) and returns
 * 0, or non-zero to stop. Returns 0 or what `row` returned. */
int storage_csv_rows(const struct st_snapshot *s, int (*row)(void *ctx, const char *const *cells),
                     void *ctx);

#endif
