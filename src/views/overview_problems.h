/* What needs attention on the overview: the health line above the panels
 * and the recent failures table (views/overview_problems.c). */
#ifndef ATTUNE_OVERVIEW_PROBLEMS_H
#define ATTUNE_OVERVIEW_PROBLEMS_H

#include <stdbool.h>

#include "term/draw.h"

struct app;
struct snapshot;

/* The health line: workers by state, failure rate, oldest in flight. */
void problems_draw_health(struct app *a, int y, int width);
void problems_print_health(const struct app *a, const struct snapshot *s);

/* The recent failures table. */
void problems_draw_failures(struct app *a, struct rect r);
void problems_print_failures(const struct app *a, const struct snapshot *s);
int problems_failure_rows(const struct snapshot *s);
void problems_enter_failure(struct app *a, int i);
/* Same displayed ages (failures, oldest in flight) in both snapshots. */
bool problems_same(const struct snapshot *a, const struct snapshot *b);

#endif
