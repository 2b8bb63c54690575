/* Unit tests for timeline navigation (src/model/timeline.c): moving the
 * selection within a page, and the page fetch asked for past its edges. */
#include <stdlib.h>

#include "model/timeline.h"
#include "tap.h"

/* A timeline showing rows first..first+n-1 of `total`, newest first. */
static void open_page(struct timeline *t, int64_t first, int n, int64_t total)
{
	static const struct entity_spec e = {.type = ENTITY_EXECUTION, .id = 7};
	timeline_init(t, &e, "execution:7");
	struct tl_snapshot *s = calloc(1, sizeof *s);
	s->rows = arena_calloc(&s->arena, (size_t)n, sizeof *s->rows);
	for (int i = 0; i < n; i++)
		s->rows[i].key.time_us = 1000000 * (int64_t)(total - first - i);
	s->nrows = n;
	s->first_index = first;
	s->total = total;
	s->exists = true;
	t->snap = s;
	t->move = TL_STAY;
}

static void test_within_page(void)
{
	struct timeline t;
	open_page(&t, 0, 10, 10);
	ok(timeline_move(&t, 3), "a move redraws");
	is_int(t.sel, 3, "down three rows");
	timeline_move(&t, -1);
	is_int(t.sel, 2, "up one row");
	ok(!t.move_pending, "no page fetch inside the page");
	timeline_move(&t, -5);
	is_int(t.sel, 0, "up past the newest row stops at it");
	ok(!t.move_pending, "the newest page has nothing above");
	timeline_move(&t, 50);
	is_int(t.sel, 9, "down past the oldest row stops at it");
	ok(!t.move_pending, "the last page has nothing below");
	timeline_free(&t);
}

static void test_page_edges(void)
{
	struct timeline t;
	open_page(&t, 20, 10, 100);
	t.sel = 9;
	ok(timeline_move(&t, 1), "past the page's oldest row");
	ok(t.move_pending && t.move == TL_OLDER, "asks for the older page");
	ok(t.have_anchor && t.anchor.time_us == t.snap->rows[9].key.time_us,
	   "anchored at the oldest row shown");
	is_int(t.place_sel, 1, "selects the first row of the next page");
	timeline_free(&t);

	open_page(&t, 20, 10, 100);
	timeline_move(&t, -1);
	ok(t.move_pending && t.move == TL_NEWER, "above the first row: the newer page");
	ok(t.anchor.time_us == t.snap->rows[0].key.time_us, "anchored at the newest row shown");
	is_int(t.place_sel, -1, "selects the last row of the newer page");
	timeline_free(&t);
}

static void test_jumps(void)
{
	struct timeline t;
	open_page(&t, 20, 10, 100);
	timeline_jump(&t, TL_END);
	ok(t.move == TL_END && !t.have_anchor, "End: the oldest rows, no anchor");
	is_int(t.place_sel, -1, "End selects the oldest row");
	timeline_jump(&t, TL_TOP);
	ok(t.move == TL_TOP && t.move_pending, "Home: the newest rows");
	is_int(t.place_sel, 1, "Home selects the newest row");
	timeline_set_filters(&t, "UPDATE", "status");
	is_str(t.op_filter, "UPDATE", "operation filter set");
	is_str(t.field_filter, "status", "field filter set");
	ok(t.move == TL_TOP, "a filter change starts from the newest rows");
	timeline_set_filters(&t, t.op_filter, "");
	is_str(t.op_filter, "UPDATE", "the filter can be set from itself");
	ok(t.field_filter == NULL, "an empty field filter is none");
	timeline_free(&t);
}

static void test_empty(void)
{
	struct timeline t;
	open_page(&t, 0, 0, 0);
	ok(!timeline_move(&t, 1), "no rows: nothing to move");
	timeline_free(&t);
}

int main(void)
{
	test_within_page();
	test_page_edges();
	test_jumps();
	test_empty();
	return done_testing();
}
