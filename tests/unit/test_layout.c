/* Unit tests for src/term/layout.c: the overview's row allocator. */
#include "term/layout.h"
#include "tap.h"

/* The overview's panels: throughput, status and three tables. */
static const struct layout_need overview[5] = {
    {2, 7, 0}, {2, 5, 0}, {3, 0, 0}, {3, 0, 0}, {3, 0, 0}};

static void split(int avail, int h[5])
{
	layout_split_rows(avail, overview, 5, h);
}

static void test_sizes(void)
{
	int h[5];
	split(21, h); /* 80x24: header 2, footer 1 */
	is_int(h[0], 7, "80x24: throughput gets its wanted 7 rows");
	is_int(h[1], 5, "80x24: status gets 5");
	is_int(h[2] + h[3] + h[4], 9, "80x24: the tables share the other 9");
	is_int(h[2], 3, "80x24: three rows for each table");
	split(47, h); /* 160x50 in the narrow layout */
	is_int(h[2], 11, "47 rows: actions 11");
	is_int(h[3], 12, "47 rows: workers 12");
	is_int(h[4], 12, "47 rows: changes 12 (the rest)");
	split(13, h);
	ok(h[0] == 2 && h[1] == 2 && h[2] == 3 && h[3] == 3 && h[4] == 3,
	   "13 rows: every panel at its minimum");
	split(5, h);
	ok(h[0] == 3 && h[1] == 2 && h[2] == 0 && h[3] == 0 && h[4] == 0,
	   "5 rows: the tables are hidden, throughput takes the spare row");
	split(0, h);
	ok(!h[0] && !h[1] && !h[2] && !h[3] && !h[4], "no rows: nothing shown");
}

static void test_properties(void)
{
	int fits = 1, fills = 1, order = 1;
	for (int avail = 0; avail <= 200; avail++) {
		int h[5], sum = 0;
		split(avail, h);
		for (int i = 0; i < 5; i++) {
			sum += h[i];
			if (h[i] && h[i] < overview[i].min)
				order = 0;
		}
		if (sum > avail)
			fits = 0;
		if (avail >= 13 && sum != avail)
			fills = 0;
	}
	ok(fits, "never more rows than available");
	ok(fills, "every row used once all minimums fit");
	ok(order, "a shown panel has at least its minimum");
}

/* Problems first: a table's problem rows come before the charts grow. */
static void test_first(void)
{
	/* throughput, status, actions, workers (3 problems), failures, changes */
	const struct layout_need need[6] = {{2, 7, 0}, {2, 6, 0}, {3, 0, 0},
	                                    {3, 0, 5}, {3, 0, 3}, {3, 0, 0}};
	int h[6];
	layout_split_rows(20, need, 6, h); /* 80x24: header 2, health 1, footer 1 */
	is_int(h[3], 5, "80x24: workers get their three problem rows");
	ok(h[4] >= 3, "80x24: the failures list shows a row");
	is_int(h[0] + h[1] + h[2] + h[3] + h[4] + h[5], 20, "80x24: every row used");
	layout_split_rows(13, need, 6, h);
	ok(h[3] == 3 && h[4] == 3 && h[5] == 0, "13 rows: the routine changes go first");
}

int main(void)
{
	test_first();
	test_sizes();
	test_properties();
	return done_testing();
}
