/* Worker health: each worker's one state by severity, the counts the
 * header shows, and the default order of the workers table. No curses. */
#ifndef ATTUNE_HEALTH_H
#define ATTUNE_HEALTH_H

#include <stdbool.h>

#include "model/model.h"

/* Most severe first; a worker is counted in the first that applies. */
enum worker_class {
	WCLASS_ERROR = 0, /* status error */
	WCLASS_STALE,     /* claims to be up, no recent heartbeat */
	WCLASS_FLAPPING,  /* many status changes in the current and previous hour */
	WCLASS_BUSY,      /* status busy */
	WCLASS_OK,        /* the rest that are up */
	WCLASS_DOWN,      /* says it is down (inactive, offline, stopped) */
	WCLASS_COUNT,
};

bool health_worker_down(const struct worker_row *w);
bool health_worker_stale(const struct worker_row *w);
bool health_worker_flapping(const struct worker_row *w);
enum worker_class health_worker_class(const struct worker_row *w);
/* "error", "stale", "flapping", "busy", "ok", "down". */
const char *health_class_label(enum worker_class c);
/* Workers per class. */
void health_count(const struct snapshot *s, int counts[WCLASS_COUNT]);
/* The default order of two workers (qsort style), as health_sort_workers. */
int health_cmp_workers(const struct worker_row *a, const struct worker_row *b);
/* Error, stale, flapping, busy first; the rest (up or down) by name. */
void health_sort_workers(struct snapshot *s);
/* Rows of the workers table that need attention (error, stale, flapping). */
int health_problem_workers(const struct snapshot *s);

#endif
