/* Sort orders of the workers, recent changes and recent failures tables:
 * one column each (0: the table's own order), reversed on request. The top
 * actions keep their own (snapshot_sort_actions). No curses. */
#ifndef ATTUNE_TABLESORT_H
#define ATTUNE_TABLESORT_H

#include <stdbool.h>

#include "model/model.h"

/* Workers: by severity (health_sort_workers), then by a column. */
enum {
	WSORT_SEVERITY = 0,
	WSORT_NAME,
	WSORT_STATUS,
	WSORT_ROLE,
	WSORT_TYPE,
	WSORT_HOST,
	WSORT_HEARTBEAT,
	WSORT_TRANSITIONS,
	WSORT_N
};
/* Recent status changes: newest first, then by a column. */
enum { CSORT_TIME = 0, CSORT_EXECUTION, CSORT_ACTION, CSORT_OLD, CSORT_NEW, CSORT_N };
/* Recent failures: newest end first, then by a column. */
enum {
	FSORT_TIME = 0,
	FSORT_EXECUTION,
	FSORT_STATUS,
	FSORT_ACTION,
	FSORT_WORKER,
	FSORT_ERROR,
	FSORT_N
};

/* How many sort columns panel p's table has (0: none sorted here). */
int tablesort_columns(enum panel_id p);
/* "severity", "name", "heartbeat", ... ("?" when out of range). */
const char *tablesort_label(enum panel_id p, int col);
/* Sort panel p's rows of s by column col: texts A to Z, counts and ids
 * largest first, times and heartbeat ages oldest news first (newest
 * change, longest silence); ties in the table's own order. reverse turns
 * the whole order around. */
void tablesort_apply(struct snapshot *s, enum panel_id p, int col, bool reverse);

#endif
