/* Unit tests for the overview tables' selection (src/views/overview_rows.c):
 * kept on its item when rows arrive or vanish and when actions are
 * re-sorted, and the note an empty table shows under a ref filter. */
#include <string.h>

#include "model/model.h"
#include "tap.h"
#include "views/overview.h"

#define T0 ((int64_t)1700000000 * 1000000)

static struct change_row ch(int64_t id, int k)
{
	return (struct change_row){T0 + k, id, "core.echo", "running", "completed"};
}

static struct snapshot *snap(void)
{
	return snapshot_new(24, 1700000000 / 3600 * 3600, T0, NULL);
}

static void test_changes_follow(void)
{
	struct change_row a[] = {ch(10, 4), ch(9, 3), ch(8, 2), ch(7, 1)};
	struct change_row b[] = {ch(12, 6), ch(11, 5), ch(10, 4), ch(9, 3), ch(8, 2), ch(7, 1)};
	struct change_row c[] = {ch(20, 9), ch(19, 8), ch(18, 7), ch(17, 6), ch(16, 5)};
	struct snapshot *s1 = snap(), *s2 = snap(), *s3 = snap();
	s1->changes = a, s1->nchanges = 4;
	s2->changes = b, s2->nchanges = 6;
	s3->changes = c, s3->nchanges = 5;
	overview_ui.sel[PANEL_CHANGES] = 2; /* execution 8 */
	overview_ui.top[PANEL_CHANGES] = 1;
	overview_ui.rows[PANEL_CHANGES] = 3;
	overview_keep_selection(s1, s2);
	is_int(overview_ui.sel[PANEL_CHANGES], 4, "two rows arrived: execution 8 is row 4");
	is_int(overview_ui.top[PANEL_CHANGES], 3, "on the same screen line");
	is_int((int)s2->changes[overview_ui.sel[PANEL_CHANGES]].id, 8, "still execution 8");
	overview_keep_selection(s2, s3);
	is_int(overview_ui.sel[PANEL_CHANGES], 4, "gone: the same row index, clamped");
	overview_ui.sel[PANEL_CHANGES] = 5;
	overview_keep_selection(s2, s3);
	is_int(overview_ui.sel[PANEL_CHANGES], 4, "gone past the end: the last row");
	s1->changes = s2->changes = s3->changes = NULL;
	snapshot_free(s1);
	snapshot_free(s2);
	snapshot_free(s3);
}

static void test_actions_resort(void)
{
	struct action_row r[] = {{"a.one", 5, 5, 0, 0, NULL},
	                         {"b.two", 9, 1, 8, 0, NULL},
	                         {"c.three", 1, 1, 0, 0, NULL}};
	struct snapshot *s = snap();
	char key[64];
	s->actions = r, s->nactions = 3;
	snapshot_sort_actions(s, SORT_EXECUTIONS);
	overview_ui.sel[PANEL_ACTIONS] = 1; /* a.one */
	overview_ui.top[PANEL_ACTIONS] = 0;
	overview_ui.rows[PANEL_ACTIONS] = 2;
	ok(overview_row_key(s, PANEL_ACTIONS, 1, key, sizeof key) && strcmp(key, "a.one") == 0,
	   "an action's key is its ref");
	snapshot_sort_actions(s, SORT_NAME);
	overview_relocate(s, PANEL_ACTIONS, key);
	is_int(overview_ui.sel[PANEL_ACTIONS], 0, "sorted by name: a.one is selected, now first");
	snapshot_sort_actions(s, SORT_OK);
	overview_relocate(s, PANEL_ACTIONS, key);
	is_str(s->actions[overview_ui.sel[PANEL_ACTIONS]].ref, "a.one",
	       "sorted by ok: still a.one");
	ok(!overview_row_key(s, PANEL_ACTIONS, 3, key, sizeof key), "no key past the end");
	s->actions = NULL;
	snapshot_free(s);
}

static void test_filter_note(void)
{
	char note[256];
	struct worker_row w = {.id = 3, .name = "w-3", .status = "active"};
	struct snapshot *s = snap();
	ok(!overview_filter_note(s, PANEL_ACTIONS, note, sizeof note), "no filter: no note");
	s->filter = "w-3";
	s->workers = &w, s->nworkers = 1;
	s->total_exec = s->total_events = s->total_enforcements = 0;
	ok(overview_filter_note(s, PANEL_ACTIONS, note, sizeof note), "a filter: a note");
	is_str(note, "no action named w-3 in range: the filter applies to workers",
	       "the actions table says the filter matched a worker");
	s->filter_worker = true; /* as the workers query found it */
	overview_filter_note(s, PANEL_ACTIONS, note, sizeof note);
	is_str(note, "worker w-3 ran no executions in range",
	       "a worker filter: the actions table says the worker ran none");
	s->filter_worker = false;
	s->workers = NULL, s->nworkers = 0;
	overview_filter_note(s, PANEL_WORKERS, note, sizeof note);
	is_str(note, "no worker named w-3 in range: the filter applies to nothing here",
	       "nothing matched: said so");
	s->filter = NULL;
	snapshot_free(s);
}

int main(void)
{
	test_changes_follow();
	test_actions_resort();
	test_filter_note();
	return done_testing();
}
