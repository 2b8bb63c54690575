/* Chart arithmetic shared by the overview's charts and batch frames: how
 * buckets map to columns, how a column's cells are shared out, and the
 * current hour's rate. Pure logic. */
#ifndef ATTUNE_CHART_H
#define ATTUNE_CHART_H

#include <stdbool.h>
#include <stdint.h>

/* Buckets per column for n buckets in a chart `width` columns wide, the
 * same for every chart of that width. *stats (may be NULL) says whether a
 * side column of stats_w columns fits without making the columns coarser:
 * the rule never trades chart resolution for figures, so a wider screen
 * never gets a coarser chart. */
int chart_group(int n, int width, int stats_w, bool *stats);

/* Share `cells` out over the n values v[] in proportion (largest
 * remainder): every value gets the floor of its quota, and the cells left
 * go to the largest remainders, ties to the earlier value. A value gets a
 * cell only when its share earns one. Negative values count as 0. */
void chart_shares(const int64_t *v, int n, int cells, int *out);

/* Cells a column of total `tot` gets in a chart `height` cells high whose
 * tallest column is `max`: at least one for any positive total. */
int chart_cells(int64_t tot, int64_t max, int height);

/* Per-hour rate of `count` seen in the first `elapsed_s` seconds of an
 * hour, over its whole minutes, rounded; -1 for the first minute, which is
 * too short to say. */
int64_t chart_hour_rate(int64_t count, int64_t elapsed_s);

#endif
