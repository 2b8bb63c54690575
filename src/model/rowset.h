/* Rows of one query result as the model reads them: text cells, NULLs and
 * the error of a failed query, with no libpq in sight (db_rowset fills one). */
#ifndef ATTUNE_ROWSET_H
#define ATTUNE_ROWSET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct rowset {
	bool ok;              /* the query returned rows (possibly none) */
	const char *error;    /* why it failed, when !ok */
	const char *sqlstate; /* its SQLSTATE, "" when none */
	int nrows;
	int ncols;
	const void *impl; /* what `cell` reads */
	/* The text of a cell, NULL for SQL NULL. */
	const char *(*cell)(const void *impl, int row, int col);
};

static inline const char *rowset_text(const struct rowset *r, int row, int col)
{
	return r->cell(r->impl, row, col);
}

/* A cell's text, "" for NULL. */
static inline const char *rowset_str(const struct rowset *r, int row, int col)
{
	const char *v = rowset_text(r, row, col);
	return v ? v : "";
}

static inline bool rowset_null(const struct rowset *r, int row, int col)
{
	return rowset_text(r, row, col) == NULL;
}

/* An integer cell; 0 for NULL. */
static inline int64_t rowset_i64(const struct rowset *r, int row, int col)
{
	const char *v = rowset_text(r, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

#endif
