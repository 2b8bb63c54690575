/* Every key binding in one table: the action, its key codes, the label and
 * help line of the '?' overlay and the views it applies to. Both the key
 * dispatch and the help overlay are generated from it. */
#ifndef ATTUNE_KEYS_H
#define ATTUNE_KEYS_H

#include <stdbool.h>

/* Which views a binding applies to (view_ops.mask). */
enum {
	V_OVERVIEW = 1 << 0,
	V_TIMELINE = 1 << 1,
	V_STORAGE = 1 << 2,
	V_ALL = V_OVERVIEW | V_TIMELINE | V_STORAGE,
};

/* X(action, key label, help text, views, codes...) where a code is CH(c)
 * for a character or KC(KEY_x) for a curses key code. */
#define KEY_TABLE(X)                                                                               \
	X(ACT_QUIT, "q", "quit", V_ALL, CH('q'))                                                   \
	X(ACT_HELP, "?", "show or hide this help", V_ALL, CH('?'))                                 \
	X(ACT_REFRESH, "space", "refresh now, re-reading the whole range", V_ALL, CH(' '))         \
	X(ACT_PAUSE, "p", "pause or resume refreshing", V_ALL, CH('p'))                            \
	X(ACT_FASTER, "+", "refresh more often", V_ALL, CH('+'))                                   \
	X(ACT_SLOWER, "-", "refresh less often", V_ALL, CH('-'))                                   \
	X(ACT_RANGE_6H, "1", "range 6 hours", V_ALL, CH('1'))                                      \
	X(ACT_RANGE_12H, "2", "range 12 hours", V_ALL, CH('2'))                                    \
	X(ACT_RANGE_24H, "3", "range 24 hours", V_ALL, CH('3'))                                    \
	X(ACT_RANGE_2D, "4", "range 2 days", V_ALL, CH('4'))                                       \
	X(ACT_RANGE_7D, "5", "range 7 days", V_ALL, CH('5'))                                       \
	X(ACT_NEXT_PANEL, "Tab", "focus the next panel", V_OVERVIEW, CH('\t'))                     \
	X(ACT_PREV_PANEL, "S-Tab", "focus the previous panel", V_OVERVIEW, KC(KEY_BTAB))           \
	X(ACT_UP, "Up/k", "move up in the focused panel", V_ALL, KC(KEY_UP), CH('k'))              \
	X(ACT_DOWN, "Down/j", "move down in the focused panel", V_ALL, KC(KEY_DOWN), CH('j'))      \
	X(ACT_PAGE_UP, "PgUp", "page up", V_ALL, KC(KEY_PPAGE))                                    \
	X(ACT_PAGE_DOWN, "PgDn", "page down", V_ALL, KC(KEY_NPAGE))                                \
	X(ACT_HOME, "g/Home", "first row (timeline: newest)", V_ALL, KC(KEY_HOME), CH('g'))        \
	X(ACT_END, "G/End", "last row (timeline: oldest)", V_ALL, KC(KEY_END), CH('G'))            \
	X(ACT_ENTER, "Enter", "drill down: filter to an action; open a worker or execution",       \
	  V_OVERVIEW, KC(KEY_ENTER), CH('\n'), CH('\r'))                                           \
	X(ACT_BACK, "Esc/Bksp", "back: close timeline/help, clear search/filter", V_ALL, CH(27),   \
	  KC(KEY_BACKSPACE), CH(127), CH(8))                                                       \
	X(ACT_SEARCH, "/", "search the table (timeline: changed-field filter)",                    \
	  V_OVERVIEW | V_TIMELINE, CH('/'))                                                        \
	X(ACT_NEXT_MATCH, "n", "next search match", V_OVERVIEW, CH('n'))                           \
	X(ACT_PREV_MATCH, "N", "previous search match", V_OVERVIEW, CH('N'))                       \
	X(ACT_FILTER, "f", "filter by an exact action ref or worker name", V_OVERVIEW | V_STORAGE, \
	  CH('f'))                                                                                 \
	X(ACT_OPS, "o", "timeline: cycle the operation filter (all, INSERT, UPDATE, DELETE)",      \
	  V_TIMELINE, CH('o'))                                                                     \
	X(ACT_UTC, "u", "times in local time or UTC (every view)", V_ALL, CH('u'))                 \
	X(ACT_ENTITY, ":", "open an entity timeline: execution:ID, worker:ID or worker:NAME",      \
	  V_ALL, CH(':'))                                                                          \
	X(ACT_EXPORT, "e", "export the focused panel (or timeline) to CSV", V_ALL, CH('e'))        \
	X(ACT_SORT, "s", "sort the focused table by its next column", V_OVERVIEW, CH('s'))         \
	X(ACT_SORT_REVERSE, "S", "reverse the focused table's sort order", V_OVERVIEW, CH('S'))    \
	X(ACT_STORAGE, "t", "storage and freshness view", V_ALL, CH('t'))

enum key_action {
	ACT_NONE = 0,
#define X(a, ...) a,
	KEY_TABLE(X)
#undef X
	    ACT_COUNT
};

#define KEY_MAX_CODES 4

struct key_code {
	bool is_keycode; /* a curses KEY_* code rather than a character */
	unsigned int ch;
};

struct key_binding {
	enum key_action act;
	const char *label; /* as the help overlay shows it */
	const char *help;
	unsigned views; /* V_* bits */
	struct key_code codes[KEY_MAX_CODES];
};

/* The table in order, ACT_COUNT - 1 rows. */
extern const struct key_binding key_table[];
extern const int key_table_len;

/* The action a key has in a view (one V_* bit), ACT_NONE when none. */
enum key_action key_action_for(unsigned view, bool is_keycode, unsigned int ch);

#endif
