/* Unit tests for src/util/chart.c: grouping, shares, cells and rates. */
#include "util/chart.h"
#include "tap.h"

static void test_shares(void)
{
	int out[4];
	/* 98 completed, 2 failed in 5 cells: failures earn no cell */
	int64_t v[] = {98, 2, 0, 0};
	chart_shares(v, 4, 5, out);
	ok(out[0] == 5 && out[1] == 0 && out[2] == 0 && out[3] == 0,
	   "2 percent failures in 5 cells: all completed");
	int64_t w[] = {80, 20, 0, 0};
	chart_shares(w, 4, 5, out);
	ok(out[0] == 4 && out[1] == 1, "20 percent failures in 5 cells: one failure cell");
	int64_t x[] = {1, 1, 1, 0};
	chart_shares(x, 4, 2, out);
	ok(out[0] == 1 && out[1] == 1 && out[2] == 0, "ties go to the earlier value");
	int64_t y[] = {10, 0, 0, 3};
	chart_shares(y, 4, 4, out);
	ok(out[0] == 3 && out[3] == 1, "10:3 in 4 cells: 3 and 1");
	int sum = 0;
	int64_t z[] = {7, 5, 3, 1};
	chart_shares(z, 4, 7, out);
	for (int i = 0; i < 4; i++)
		sum += out[i];
	is_int(sum, 7, "the shares add up to the cells");
	int64_t none[] = {0, 0, 0, 0};
	chart_shares(none, 4, 3, out);
	ok(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0, "nothing to share");
	int64_t neg[] = {-1, 4, 0, 0};
	chart_shares(neg, 4, 2, out);
	ok(out[0] == 0 && out[1] == 2, "no data counts as 0");
}

static void test_group(void)
{
	bool stats;
	/* 25 buckets: the old rule gave 1 h at 59 columns, 4 h at 60 */
	int g59 = chart_group(25, 59 - 13, 40, &stats);
	int g60 = chart_group(25, 60 - 13, 40, &stats);
	is_int(g59, 1, "59 columns: 1 h per column");
	is_int(g60, 1, "60 columns: still 1 h per column");
	ok(!stats, "60 columns: no room for the stats beside 25 columns");
	chart_group(25, 80 - 13, 40, &stats);
	ok(stats, "80 columns: the stats fit beside 25 columns");
	int prev = 1 << 30, bad = 0;
	for (int w = 1; w < 400; w++) {
		int g = chart_group(169, w, 40, NULL);
		bad += g > prev;
		prev = g;
	}
	is_int(bad, 0, "a wider chart is never coarser (169 buckets)");
	is_int(chart_group(169, 200 - 13, 40, &stats), 1, "200 columns: 169 buckets, 1 h");
	ok(!stats, "200 columns: stats would coarsen 169 buckets, left out");
	is_int(chart_group(0, 10, 0, &stats), 1, "no buckets: 1");
}

static void test_cells_rate(void)
{
	is_int(chart_cells(0, 10, 5), 0, "zero: no cell");
	is_int(chart_cells(10, 10, 5), 5, "the tallest fills the height");
	is_int(chart_cells(1, 1000, 5), 1, "any positive total shows");
	is_int(chart_cells(5, 10, 4), 2, "half of 4 cells");
	is_int(chart_cells(6, 10, 4), 3, "rounded up");
	is_int((int)chart_hour_rate(10, 30), -1, "first minute: no rate");
	is_int((int)chart_hour_rate(10, 600), 60, "10 in 10 min: 60/h");
	is_int((int)chart_hour_rate(7, 3600), 7, "a whole hour: its count");
	is_int((int)chart_hour_rate(0, 900), 0, "none so far: 0/h");
	is_int((int)chart_hour_rate(5, 127), 150, "5 in 2 whole minutes: 150/h, as the note says");
	is_int((int)chart_hour_rate(5, 179), 150, "and the same until the third minute");
}

int main(void)
{
	test_shares();
	test_group();
	test_cells_rate();
	return done_testing();
}
