/* Unit tests for src/spark.c. */
#include "util/spark.h"
#include "tap.h"

#define N SPARK_NODATA

static void test_group(void)
{
	is_int(spark_group(169, 80), 3, "169 buckets in 80 columns: group 3");
	is_int(spark_group(80, 80), 1, "n == cols: group 1");
	is_int(spark_group(81, 80), 2, "one too many: group 2");
	is_int(spark_group(160, 80), 2, "exact multiple: group 2");
	is_int(spark_group(5, 80), 1, "fewer buckets than columns");
	is_int(spark_group(1, 1), 1, "one in one");
	is_int(spark_group(0, 80), 1, "no buckets: group 1");
	is_int(spark_group(10, 0), 10, "no columns: everything in one");
}

static void test_reduce(void)
{
	int64_t in[169], out[200];
	int n, bad;

	for (int i = 0; i < 169; i++)
		in[i] = i;
	n = spark_reduce(in, 169, 3, out, 200);
	is_int(n, 57, "169 buckets, group 3 -> 57 columns");
	is_int(out[0], 0, "first column holds only bucket 0");
	is_int(out[1], 1 + 2 + 3, "second column holds buckets 1..3");
	is_int(out[56], 166 + 167 + 168, "last column ends with the newest bucket");
	bad = 0;
	for (int c = 1; c < 57; c++)
		bad += out[c] != 3 * (3 * c - 1);
	is_int(bad, 0, "every later column sums three buckets");
	n = spark_reduce(in, 169, spark_group(169, 80), out, 200);
	ok(n <= 80, "reduced series fits the columns");

	n = spark_reduce(in, 6, 1, out, 200);
	ok(n == 6 && out[0] == 0 && out[5] == 5, "group 1 copies");
	n = spark_reduce(in, 6, 0, out, 200);
	ok(n == 6 && out[5] == 5, "group 0 treated as 1");
	n = spark_reduce(in, 6, 6, out, 200);
	ok(n == 1 && out[0] == 15, "one column sums everything");
	n = spark_reduce(in, 6, 10, out, 200);
	ok(n == 1 && out[0] == 15, "group larger than n");

	/* Newest columns are kept when out is short. */
	n = spark_reduce(in, 10, 2, out, 3);
	is_int(n, 3, "short out: capacity columns");
	ok(out[0] == 4 + 5 && out[1] == 6 + 7 && out[2] == 8 + 9, "short out keeps the newest");
	is_int(spark_reduce(in, 0, 2, out, 3), 0, "n 0 gives no columns");
	is_int(spark_reduce(in, 5, 2, out, 0), 0, "outcap 0 gives no columns");
}

static void test_reduce_nodata(void)
{
	int64_t in[] = {N, N, N, 5, 7, N, 0, N, N};
	int64_t out[8];
	int n;

	/* 9 buckets, group 2: [N] [N N] [5 7] [N 0] [N N] */
	n = spark_reduce(in, 9, 2, out, 8);
	is_int(n, 5, "9 buckets, group 2 -> 5 columns");
	is_int(out[0], N, "all-NODATA first column is NODATA");
	is_int(out[1], N, "all-NODATA column is NODATA");
	is_int(out[2], 12, "known buckets sum");
	is_int(out[3], 0, "NODATA beside a zero counts as absent: zero, not NODATA");
	is_int(out[4], N, "trailing NODATA column");

	{
		int64_t mixed[] = {N, 4, N, 3};

		n = spark_reduce(mixed, 4, 2, out, 8);
		ok(n == 2 && out[0] == 4 && out[1] == 3, "NODATA inside a column is skipped");
	}
	{
		int64_t big[] = {INT64_MAX, 1, 5};

		n = spark_reduce(big, 3, 3, out, 8);
		ok(n == 1 && out[0] == INT64_MAX, "sum saturates instead of overflowing");
	}
}

static void test_level(void)
{
	is_int(spark_level(N, 10), -1, "NODATA level");
	is_int(spark_level(-5, 10), -1, "negative treated as NODATA");
	is_int(spark_level(0, 10), 0, "zero level");
	is_int(spark_level(0, 0), 0, "zero against zero max");
	is_int(spark_level(10, 10), 8, "max gets 8");
	is_int(spark_level(1, 1), 8, "max 1 gets 8");
	is_int(spark_level(1, 1000000), 1, "tiny positive gets 1");
	is_int(spark_level(1, 8), 1, "1/8 -> 1");
	is_int(spark_level(2, 8), 2, "2/8 -> 2");
	is_int(spark_level(7, 8), 7, "7/8 -> 7");
	is_int(spark_level(5, 10), 4, "half -> 4");
	is_int(spark_level(6, 10), 5, "ceil(4.8) -> 5");
	is_int(spark_level(9, 10), 8, "ceil(7.2) -> 8");
	is_int(spark_level(1, 3), 3, "ceil(8/3) -> 3");
	is_int(spark_level(2, 3), 6, "ceil(16/3) -> 6");
	is_int(spark_level(20, 10), 8, "above max clamps to 8");
	is_int(spark_level(5, 0), 8, "positive against zero max -> 8");
	is_int(spark_level(INT64_MAX, INT64_MAX), 8, "INT64_MAX is the max");
	is_int(spark_level(INT64_MAX / 2, INT64_MAX), 4, "half of INT64_MAX -> 4");
	is_int(spark_level(INT64_MAX / 2 + 1, INT64_MAX), 5, "just over half of INT64_MAX -> 5");
	is_int(spark_level(1, INT64_MAX), 1, "1 against INT64_MAX -> 1");

	{
		int bad = 0;

		/* Exhaustive check against the definition for small maxima. */
		for (int64_t max = 1; max <= 100; max++) {
			for (int64_t v = 1; v <= max; v++) {
				int64_t want = (8 * v + max - 1) / max;

				bad += spark_level(v, max) != want;
			}
		}
		is_int(bad, 0, "level = ceil(8v/max) for max 1..100");
	}
}

static void test_glyph(void)
{
	static const char *const utf8[] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
	                                   "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
	                                   "\xe2\x96\x87", "\xe2\x96\x88"};
	static const char ascii[] = "_,-:=+*#";
	int bad_len = 0, bad_utf8 = 0, dup = 0;

	is_str(spark_glyph(0, true), " ", "ASCII zero is a space");
	is_str(spark_glyph(0, false), " ", "UTF-8 zero is a space");
	is_str(spark_glyph(-1, true), ".", "ASCII no data is a dot");
	is_str(spark_glyph(-1, false), "\xc2\xb7", "UTF-8 no data is a middle dot");
	is_str(spark_glyph(1, false), "\xe2\x96\x81", "UTF-8 level 1 is lower eighth");
	is_str(spark_glyph(8, false), "\xe2\x96\x88", "UTF-8 level 8 is full block");
	is_str(spark_glyph(1, true), "_", "ASCII level 1");
	is_str(spark_glyph(8, true), "#", "ASCII level 8");
	is_str(spark_glyph(9, true), "#", "level above 8 clamps");
	for (int l = 1; l <= 8; l++) {
		bad_len +=
		    strlen(spark_glyph(l, true)) != 1 || spark_glyph(l, true)[0] != ascii[l - 1];
		bad_utf8 += strcmp(spark_glyph(l, false), utf8[l - 1]) != 0;
	}
	is_int(bad_len, 0, "ASCII ramp is _,-:=+*#");
	is_int(bad_utf8, 0, "UTF-8 ramp is the eight block elements");
	for (int a = -1; a <= 8; a++) {
		for (int b = a + 1; b <= 8; b++) {
			dup += strcmp(spark_glyph(a, true), spark_glyph(b, true)) == 0;
			dup += strcmp(spark_glyph(a, false), spark_glyph(b, false)) == 0;
		}
	}
	is_int(dup, 0, "no data, zero and every level are distinct");
}

static void test_render(void)
{
	int64_t vals[] = {0, 1, 4, 8, N, 7};
	int64_t nodata[] = {N, N, N};
	int64_t zeros[] = {0, 0};
	char buf[4 * 8 + 1];

	is_str(spark_render(buf, vals, 6, true), " _:#.*", "ASCII line scaled to its max");
	is_str(spark_render(buf, vals, 6, false),
	       " \xe2\x96\x81\xe2\x96\x84\xe2\x96\x88\xc2\xb7\xe2\x96\x87",
	       "UTF-8 line scaled to its max");
	is_str(spark_render(buf, nodata, 3, true), "...", "all NODATA");
	is_str(spark_render(buf, zeros, 2, false), "  ", "all zero");
	is_str(spark_render(buf, vals, 0, false), "", "empty series");
	ok(spark_render(buf, vals, 1, true) == buf, "returns dst");
	{
		int64_t full[8] = {9, 9, 9, 9, 9, 9, 9, 9};

		spark_render(buf, full, 8, false);
		is_int(strlen(buf), 24, "8 full blocks in 4*8+1 bytes");
	}
}

static void test_stats(void)
{
	int64_t vals[] = {N, 3, 0, N, 7, 2, N};
	int64_t mn = 9, mx = 9, last = 9, total = 9;

	is_int(spark_stats(vals, 7, &mn, &mx, &last, &total), 4, "four known values");
	is_int(mn, 0, "min over known values");
	is_int(mx, 7, "max over known values");
	is_int(last, 2, "last known value (trailing NODATA skipped)");
	is_int(total, 12, "total over known values");

	is_int(spark_stats(vals, 1, &mn, &mx, &last, &total), 0, "only NODATA: count 0");
	ok(mn == 0 && mx == 0 && last == 0 && total == 0, "only NODATA: outputs 0");
	is_int(spark_stats(vals, 0, &mn, &mx, &last, &total), 0, "empty: count 0");
	is_int(spark_stats(vals, 7, NULL, NULL, NULL, NULL), 4, "NULL outputs allowed");

	{
		int64_t one[] = {5};

		spark_stats(one, 1, &mn, &mx, &last, &total);
		ok(mn == 5 && mx == 5 && last == 5 && total == 5, "single value");
	}
	{
		int64_t big[] = {INT64_MAX, INT64_MAX};

		spark_stats(big, 2, &mn, &mx, &last, &total);
		is_int(total, INT64_MAX, "total saturates");
	}
}

int main(void)
{
	test_group();
	test_reduce();
	test_reduce_nodata();
	test_level();
	test_glyph();
	test_render();
	test_stats();
	return done_testing();
}
