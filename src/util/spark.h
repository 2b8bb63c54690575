/* Sparkline scaling: bucket series → terminal columns → glyphs. Pure logic. */
#ifndef ATTUNE_SPARK_H
#define ATTUNE_SPARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bucket value that is unknown (not the same as zero). */
#define SPARK_NODATA INT64_C(-1)

/* How many adjacent buckets one column holds so n buckets fit in cols. */
int spark_group(int n, int cols);

/* Sum n buckets into ceil(n/group) columns. Groups are aligned to the end so
 * the last column always ends with the newest bucket; the first column may
 * hold fewer buckets. A column is SPARK_NODATA only when every bucket in it
 * is; otherwise NODATA buckets count as absent. Returns the column count. */
int spark_reduce(const int64_t *in, int n, int group, int64_t *out, int outcap);

/* Level 0..8 for v against max: 0 for zero, 1..8 for positive values (any
 * positive value gets at least 1), -1 for SPARK_NODATA. */
int spark_level(int64_t v, int64_t max);

/* Glyph for a level: UTF-8 block elements "▁".."█" or an ASCII ramp; zero is
 * a blank space, no data a dot ("·" / "."), distinct from every level. */
const char *spark_glyph(int level, bool ascii);

/* Render the whole line (levels scaled to the max of vals) into dst; returns
 * dst. dst must hold 4*n+1 bytes. */
char *spark_render(char *dst, const int64_t *vals, int n, bool ascii);

/* Statistics over the known values: min, max, last known, total. Returns the
 * count of known values (0 when all are NODATA; outputs then 0). */
int spark_stats(const int64_t *vals, int n, int64_t *min, int64_t *max, int64_t *last,
                int64_t *total);

#endif
