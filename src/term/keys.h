/* Every key binding, defined once: the action enum, the keys, and the help
 * text the '?' overlay is generated from. */
#ifndef ATTUNE_KEYS_H
#define ATTUNE_KEYS_H

/* X(action, key label, help text) */
#define KEY_ACTIONS(X)                                                                             \
	X(ACT_QUIT, "q", "quit")                                                                   \
	X(ACT_HELP, "?", "show or hide this help")                                                 \
	X(ACT_REFRESH, "space", "refresh now, re-reading the whole range")                         \
	X(ACT_PAUSE, "p", "pause or resume refreshing")                                            \
	X(ACT_FASTER, "+", "refresh more often")                                                   \
	X(ACT_SLOWER, "-", "refresh less often")                                                   \
	X(ACT_RANGE_6H, "1", "range 6 hours")                                                      \
	X(ACT_RANGE_12H, "2", "range 12 hours")                                                    \
	X(ACT_RANGE_24H, "3", "range 24 hours")                                                    \
	X(ACT_RANGE_2D, "4", "range 2 days")                                                       \
	X(ACT_RANGE_7D, "5", "range 7 days")                                                       \
	X(ACT_NEXT_PANEL, "Tab", "focus the next panel")                                           \
	X(ACT_PREV_PANEL, "S-Tab", "focus the previous panel")                                     \
	X(ACT_UP, "Up/k", "move up in the focused panel")                                          \
	X(ACT_DOWN, "Down/j", "move down in the focused panel")                                    \
	X(ACT_PAGE_UP, "PgUp", "page up")                                                          \
	X(ACT_PAGE_DOWN, "PgDn", "page down")                                                      \
	X(ACT_HOME, "g/Home", "first row (timeline: newest)")                                      \
	X(ACT_END, "G/End", "last row (timeline: oldest)")                                         \
	X(ACT_ENTER, "Enter", "drill down: filter to an action; open a worker or execution")       \
	X(ACT_BACK, "Esc/Bksp", "back: close the timeline, clear the filter, close help")          \
	X(ACT_FILTER, "/", "filter by a ref (timeline: by changed field)")                         \
	X(ACT_OPS, "o", "timeline: cycle the operation filter (all, INSERT, UPDATE, DELETE)")      \
	X(ACT_UTC, "u", "timeline: local time or UTC")                                             \
	X(ACT_ENTITY, ":", "open an entity timeline: execution:ID, worker:ID or worker:NAME")      \
	X(ACT_EXPORT, "e", "export the focused panel (or timeline) to CSV")                        \
	X(ACT_SORT, "s", "cycle the sort order of top actions")                                    \
	X(ACT_STORAGE, "t", "storage and freshness view")

enum key_action {
	ACT_NONE = 0,
#define X(a, k, h) a,
	KEY_ACTIONS(X)
#undef X
	    ACT_COUNT
};

struct key_help {
	const char *keys;
	const char *help;
};

/* Help lines in table order (ACT_NONE excluded), NULL-terminated. */
extern const struct key_help key_help_table[];

/* Map a curses key code (wint_t from get_wch, or KEY_*) to an action. */
enum key_action key_action_for(int is_keycode, unsigned int ch);

#endif
