/* A rowset over a table of strings held in memory, for unit tests that
 * feed query takers without a server: ncols per row, NULL cells allowed. */
#ifndef ATTUNE_TEST_TABLE_ROWSET_H
#define ATTUNE_TEST_TABLE_ROWSET_H

#include "model/rowset.h"

struct table {
	int ncols;
	const char *const *cells;
};

static inline const char *table_cell(const void *impl, int row, int col)
{
	const struct table *t = impl;
	return t->cells[row * t->ncols + col];
}

#endif
