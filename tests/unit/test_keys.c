/* Unit tests for src/term/keys.c: the one key table and the lookup generated from it. */
#include "term/draw.h"
#include "term/keys.h"
#include "tap.h"

static void test_lookup(void)
{
	is_int(key_action_for(V_OVERVIEW, false, 'q'), ACT_QUIT, "q quits on the overview");
	is_int(key_action_for(V_STORAGE, false, 'q'), ACT_QUIT, "q quits on the storage view");
	is_int(key_action_for(V_TIMELINE, true, KEY_UP), ACT_UP, "KEY_UP moves up");
	is_int(key_action_for(V_TIMELINE, false, 'k'), ACT_UP, "k moves up");
	is_int(key_action_for(V_OVERVIEW, false, '\r'), ACT_ENTER, "CR is Enter");
	is_int(key_action_for(V_OVERVIEW, true, KEY_ENTER), ACT_ENTER, "KEY_ENTER is Enter");
	is_int(key_action_for(V_OVERVIEW, false, 27), ACT_BACK, "Esc is back");
	is_int(key_action_for(V_OVERVIEW, true, KEY_BACKSPACE), ACT_BACK, "Backspace is back");
	is_int(key_action_for(V_OVERVIEW, false, 127), ACT_BACK, "DEL is back");
	is_int(key_action_for(V_OVERVIEW, true, KEY_BTAB), ACT_PREV_PANEL, "S-Tab");
	is_int(key_action_for(V_ALL, false, '5'), ACT_RANGE_7D, "5 is seven days");
	is_int(key_action_for(V_OVERVIEW, false, 'x'), ACT_NONE, "x is not bound");
	is_int(key_action_for(V_OVERVIEW, true, 'q'), ACT_NONE, "a key code is not a character");
}

static void test_views(void)
{
	is_int(key_action_for(V_OVERVIEW, false, 'o'), ACT_NONE, "o does nothing on the overview");
	is_int(key_action_for(V_TIMELINE, false, 'o'), ACT_OPS,
	       "o cycles operations on a timeline");
	is_int(key_action_for(V_TIMELINE, false, 'u'), ACT_UTC, "u toggles UTC on a timeline");
	is_int(key_action_for(V_TIMELINE, false, 's'), ACT_NONE, "s does not sort on a timeline");
	is_int(key_action_for(V_OVERVIEW, false, 's'), ACT_SORT, "s sorts on the overview");
	is_int(key_action_for(V_TIMELINE, false, '\t'), ACT_NONE, "Tab is the overview's");
	is_int(key_action_for(V_STORAGE, false, 'g'), ACT_HOME, "g scrolls storage to the top");
	is_int(key_action_for(V_STORAGE, false, 'G'), ACT_END, "G scrolls storage to the end");
	is_int(key_action_for(V_OVERVIEW, false, 'g'), ACT_HOME,
	       "g: the first row on the overview");
	is_int(key_action_for(V_OVERVIEW, true, KEY_END), ACT_END,
	       "End: the last row on the overview");
	is_int(key_action_for(V_OVERVIEW, false, '/'), ACT_SEARCH, "/ searches the overview");
	is_int(key_action_for(V_OVERVIEW, false, 'f'), ACT_FILTER, "f filters by a ref");
	is_int(key_action_for(V_OVERVIEW, false, 'S'), ACT_SORT_REVERSE, "S reverses the sort");
	is_int(key_action_for(V_TIMELINE, true, KEY_END), ACT_END, "End: oldest on a timeline");
	is_int(key_action_for(V_ALL, false, 'o'), ACT_OPS, "the help overlay sees every binding");
}

/* Every action has one row with a label, a help line, a view and a code;
 * no code means two things in one view. */
static void test_table(void)
{
	int seen[ACT_COUNT] = {0}, complete = 1, unique = 1;
	is_int(key_table_len, ACT_COUNT - 1, "one row per action");
	for (int i = 0; i < key_table_len; i++) {
		const struct key_binding *b = &key_table[i];
		seen[b->act]++;
		if (!b->label[0] || !b->help[0] || !b->views || !b->codes[0].ch)
			complete = 0;
		for (int k = 0; k < KEY_MAX_CODES && b->codes[k].ch; k++)
			for (int j = 0; j < key_table_len; j++)
				for (int m = 0; j != i && m < KEY_MAX_CODES; m++) {
					const struct key_code *c = &key_table[j].codes[m];
					if (c->ch == b->codes[k].ch &&
					    c->is_keycode == b->codes[k].is_keycode)
						unique = 0;
				}
	}
	int once = 1;
	for (int a = ACT_NONE + 1; a < ACT_COUNT; a++)
		once &= seen[a] == 1;
	ok(once, "every action appears exactly once");
	ok(complete, "every row has a label, a help line, views and a code");
	ok(unique, "no key code is bound twice");
	is_str(key_table[0].label, "q", "the help lists q first");
}

int main(void)
{
	test_lookup();
	test_views();
	test_table();
	return done_testing();
}
