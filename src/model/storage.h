/* Storage and freshness view ('t'): how big the history is and how fresh
 * the aggregates are. TimescaleDB: per hypertable size, chunks, compressed
 * chunks, compression ratio, retention; per continuous aggregate watermark,
 * lag, refresh job health, pending invalidations. Plain PostgreSQL: table
 * and index sizes, native partitions with bounds and sizes, and the
 * aggregates as views. A catalog shape we do not know becomes a note in the
 * table, never a failure of the rest. No curses here. */
#ifndef ATTUNE_STORAGE_H
#define ATTUNE_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"
#include "db/db.h"
#include "model/model.h"

enum st_kind {
	STK_TEXT = 0,
	STK_INT,   /* exact integer */
	STK_BYTES, /* size in bytes */
	STK_TIME,  /* epoch seconds */
	STK_AGE,   /* seconds */
	STK_RATIO, /* a ratio (before/after), two decimals */
};

#define ST_MAX_COLS 10
#define ST_TABLES   3

struct st_table {
	const char *title;
	int ncols;
	const char *heads[ST_MAX_COLS];
	enum st_kind kinds[ST_MAX_COLS];
	int nrows;
	const char **cells; /* nrows * ncols values, NULL = SQL NULL */
	char note[320];     /* why it is empty (query failed), or "" */
};

struct st_snapshot {
	struct arena arena;
	int ntables;
	struct st_table tables[ST_TABLES];
};

struct storage {
	struct st_snapshot *snap, *building;
	char *sql[ST_TABLES];
	int top; /* first visible line */
};

/* The batch for one refresh of the view. Returns the query count. */
int storage_batch(struct storage *st, const struct caps *caps, struct db_query *q);
void storage_take(struct storage *st, int index, const struct rowset *res);
void storage_finish(struct storage *st);
void storage_free(struct storage *st);

/* A cell as text for display: sizes as "12.3 MiB" (human) or exact bytes. */
void storage_cell(const struct st_table *t, int row, int col, bool human, bool utc, char *buf,
                  size_t len);

#endif
