/* Unit tests for table navigation (src/util/tablenav.c): scroll windows,
 * the selection kept on its item, substring search, the position label. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "util/tablenav.h"

static bool text_of(const void *ctx, int i, char *buf, size_t len)
{
	const char *const *rows = ctx;
	snprintf(buf, len, "%s", rows[i]);
	return true;
}

static void test_window(void)
{
	is_int(tablenav_move(3, 1, 5), 4, "down one");
	is_int(tablenav_move(4, 1, 5), 4, "stops at the last row");
	is_int(tablenav_move(0, -1, 5), 0, "stops at the first row");
	is_int(tablenav_move(2, 100, 5), 4, "page down clamps");
	is_int(tablenav_move(0, 0, 0), 0, "empty table");
	is_int(tablenav_top(0, 0, 10, 3), 0, "first row visible");
	is_int(tablenav_top(5, 0, 10, 3), 3, "scrolls down to the selection");
	is_int(tablenav_top(1, 4, 10, 3), 1, "scrolls up to the selection");
	is_int(tablenav_top(9, 9, 10, 3), 7, "no blank space past the end");
	is_int(tablenav_top(2, 8, 4, 3), 1, "rows shrank: the window moves up");
	is_int(tablenav_top(0, 5, 2, 3), 0, "fewer rows than lines: top is 0");
	is_int(tablenav_top(0, 0, 0, 3), 0, "empty table: top is 0");
}

static void test_follow(void)
{
	const char *before[] = {"a", "b", "c", "d"};
	const char *after[] = {"x", "y", "a", "b", "c", "d"};
	int sel = tablenav_find(before, 4, text_of, "c");
	is_int(sel, 2, "c is row 2");
	int nsel = tablenav_find(after, 6, text_of, "c");
	is_int(nsel, 4, "two rows arrived above: c is row 4");
	is_int(tablenav_follow(sel, 1, nsel), 3, "same screen line: top moves by two");
	is_int(tablenav_top(nsel, tablenav_follow(sel, 1, nsel), 6, 3), 3, "and stays visible");
	is_int(tablenav_find(after, 6, text_of, "gone"), -1, "a vanished key is not found");
	is_int(tablenav_find(after, 6, text_of, NULL), -1, "no key");
	is_int(tablenav_follow(5, 0, 1), 0, "never above the first row");
}

static void test_search(void)
{
	const char *rows[] = {"core.echo", "ops.restart_service", "core.http", "OPS.Restart"};
	ok(tablenav_matches("ops.restart_service", "rest"), "substring");
	ok(tablenav_matches("OPS.Restart", "rest"), "ignoring ASCII case");
	ok(!tablenav_matches("core.echo", "rest"), "no match");
	ok(!tablenav_matches("core.echo", ""), "an empty needle matches nothing");
	is_int(tablenav_search(rows, 4, text_of, "rest", 0, 1, true), 1, "first match from 0");
	is_int(tablenav_search(rows, 4, text_of, "rest", 1, 1, true), 1, "from a match: itself");
	is_int(tablenav_search(rows, 4, text_of, "rest", 1, 1, false), 3, "n: the next match");
	is_int(tablenav_search(rows, 4, text_of, "rest", 3, 1, false), 1, "n wraps around");
	is_int(tablenav_search(rows, 4, text_of, "rest", 1, -1, false), 3, "N wraps backwards");
	is_int(tablenav_search(rows, 4, text_of, "rest", 3, -1, false), 1, "N: previous match");
	is_int(tablenav_search(rows, 4, text_of, "core", 0, 1, false), 2, "n skips the current");
	is_int(tablenav_search(rows, 4, text_of, "echo", 0, 1, false), 0, "a single match stays");
	is_int(tablenav_search(rows, 4, text_of, "nothing", 0, 1, true), -1, "no match: -1");
	is_int(tablenav_search(rows, 0, text_of, "core", 0, 1, true), -1, "empty table");
}

static void test_position(void)
{
	char b[32];
	tablenav_position(b, sizeof b, 4, 3, 3, 36, true);
	is_str(b, "5/36 ^ v", "rows hidden above and below");
	tablenav_position(b, sizeof b, 0, 0, 3, 3, true);
	is_str(b, "1/3", "everything visible: no markers");
	tablenav_position(b, sizeof b, 35, 33, 3, 36, false);
	is_str(b, "36/36 ▲", "at the end: only above");
	tablenav_position(b, sizeof b, 0, 0, 3, 0, true);
	is_str(b, "0/0", "empty table");
}

int main(void)
{
	test_window();
	test_follow();
	test_search();
	test_position();
	return done_testing();
}
