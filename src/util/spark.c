/* Sparkline scaling: bucket series -> terminal columns -> glyphs.
 * Any negative value is treated as SPARK_NODATA: counts are never negative,
 * so a stray negative is safer shown as unknown than scaled. */
#include "util/spark.h"

#include <string.h>

static const char *const utf8_levels[9] = {" ",
                                           "\xe2\x96\x81",
                                           "\xe2\x96\x82",
                                           "\xe2\x96\x83",
                                           "\xe2\x96\x84",
                                           "\xe2\x96\x85",
                                           "\xe2\x96\x86",
                                           "\xe2\x96\x87",
                                           "\xe2\x96\x88"};

/* '.' is the no-data mark, so level 2 uses ',' to keep them distinct. */
static const char *const ascii_levels[9] = {" ", "_", ",", "-", ":", "=", "+", "*", "#"};

static bool known(int64_t v)
{
	return v >= 0;
}

/* Sum of counts, saturating instead of overflowing. */
static int64_t add_sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

int spark_group(int n, int cols)
{
	if (n <= 0)
		return 1;
	if (cols <= 0)
		return n;
	return n / cols + (n % cols != 0);
}

/* When outcap is short, the newest columns are the ones kept. */
int spark_reduce(const int64_t *in, int n, int group, int64_t *out, int outcap)
{
	int ncols, skip, first;

	if (!in || !out || n <= 0 || outcap <= 0)
		return 0;
	if (group < 1)
		group = 1;
	ncols = n / group + (n % group != 0);
	first = n - (ncols - 1) * group; /* buckets in column 0 */
	skip = ncols > outcap ? ncols - outcap : 0;

	for (int col = skip; col < ncols; col++) {
		int lo = col == 0 ? 0 : first + (col - 1) * group;
		int hi = first + col * group;
		int64_t sum = SPARK_NODATA;

		for (int i = lo; i < hi; i++) {
			if (known(in[i]))
				sum = add_sat(known(sum) ? sum : 0, in[i]);
		}
		out[col - skip] = sum;
	}
	return ncols - skip;
}

/* ceil(8 * v / max) without overflow: the smallest L with
 * 8 * v <= L * max, i.e. v <= floor(L * max / 8), split into
 * L * (max / 8) + L * (max % 8) / 8 so no product exceeds int64. */
int spark_level(int64_t v, int64_t max)
{
	if (!known(v))
		return -1;
	if (v == 0)
		return 0;
	if (v >= max)
		return 8;
	for (int l = 1; l < 8; l++) {
		if (v <= l * (max / 8) + l * (max % 8) / 8)
			return l;
	}
	return 8;
}

const char *spark_glyph(int level, bool ascii)
{
	if (level < 0)
		return ascii ? "." : "\xc2\xb7";
	if (level > 8)
		level = 8;
	return ascii ? ascii_levels[level] : utf8_levels[level];
}

char *spark_render(char *dst, const int64_t *vals, int n, bool ascii)
{
	int64_t max = 0;
	char *p = dst;

	spark_stats(vals, n, NULL, &max, NULL, NULL);
	for (int i = 0; i < n; i++) {
		const char *g = spark_glyph(spark_level(vals[i], max), ascii);
		size_t len = strlen(g);

		memcpy(p, g, len);
		p += len;
	}
	*p = '\0';
	return dst;
}

/* Output pointers may be NULL when the caller does not need them. */
int spark_stats(const int64_t *vals, int n, int64_t *min, int64_t *max, int64_t *last,
                int64_t *total)
{
	int64_t lo = 0, hi = 0, end = 0, sum = 0;
	int count = 0;

	for (int i = 0; vals && i < n; i++) {
		int64_t v = vals[i];

		if (!known(v))
			continue;
		if (count == 0 || v < lo)
			lo = v;
		if (count == 0 || v > hi)
			hi = v;
		end = v;
		sum = add_sat(sum, v);
		count++;
	}
	if (min)
		*min = lo;
	if (max)
		*max = hi;
	if (last)
		*last = end;
	if (total)
		*total = sum;
	return count;
}
