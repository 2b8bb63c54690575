/* Table navigation as pure arithmetic: the scroll window that keeps the
 * selection visible, the selection kept on its item (by key) when rows
 * change, substring search and the position label. No curses, no model. */
#ifndef ATTUNE_TABLENAV_H
#define ATTUNE_TABLENAV_H

#include <stdbool.h>
#include <stddef.h>

/* The selection moved by delta within rows (clamped to the table). */
int tablenav_move(int sel, int delta, int rows);

/* The first visible row so that sel is visible and no blank space is left
 * below the last row while rows above are hidden. */
int tablenav_top(int sel, int top, int rows, int visible);

/* After the selected item moved from old_sel to new_sel (rows arrived or
 * the table was sorted): the first visible row that keeps it on the same
 * screen line, before tablenav_top clamps it. */
int tablenav_follow(int old_sel, int old_top, int new_sel);

/* Row i's key or text written into buf; false when it has none. */
typedef bool tablenav_text_fn(const void *ctx, int i, char *buf, size_t len);

/* The row whose key is `key` (-1 when none has it). */
int tablenav_find(const void *ctx, int rows, tablenav_text_fn *key_of, const char *key);

/* Whether `text` contains `needle`, ignoring ASCII case (an empty needle
 * matches nothing). */
bool tablenav_matches(const char *text, const char *needle);

/* The next row from `from` in direction dir (1 or -1) whose text contains
 * needle, wrapping around; `from` itself is tried first when include_from.
 * -1 when no row matches. */
int tablenav_search(const void *ctx, int rows, tablenav_text_fn *text_of, const char *needle,
                    int from, int dir, bool include_from);

/* "5/36" (the selection counted from 1), "0/0" for an empty table, with
 * " ▲" or " ▼" (ASCII "^", "v") when rows are hidden above or below. */
void tablenav_position(char *buf, size_t len, int sel, int top, int visible, int rows, bool ascii);

#endif
