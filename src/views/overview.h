/* The overview's panels and the selection state its keys move. */
#ifndef ATTUNE_OVERVIEW_H
#define ATTUNE_OVERVIEW_H

#include <stddef.h>

#include "model/model.h"

struct app;

struct overview_ui {
	enum action_sort sort;                  /* order of the top actions */
	enum panel_id focus;                    /* the table keys move in */
	int sel[PANEL_COUNT], top[PANEL_COUNT]; /* selection and scroll per table */
	int rows[PANEL_COUNT];                  /* visible body rows at the last draw */
	bool reverse;                           /* top actions in the opposite order */
	int col[PANEL_COUNT];                   /* other tables' sort column (tablesort) */
	bool rev[PANEL_COUNT];                  /* ... in the opposite order */
	char search[128];                       /* '/' text in the focused table, "" none */
	int search_from;                        /* the selection when '/' was pressed */
	unsigned redraw_panels;                 /* bits of enum panel_id: draw these again */
};

/* Kept across views: back from a timeline the selection is where it was. */
extern struct overview_ui overview_ui;

/* Draw the panels between lines top and bottom (views/overview_panels.c). */
void overview_draw(struct app *a, int top, int bottom);
/* Draw again, over the screen as drawn, the health line and the panels in
 * overview_ui.redraw_panels (whose ages moved). */
void overview_draw_changed(struct app *a, int top, int bottom);
/* A batch-mode frame: the header, then every panel. */
void overview_print(struct app *a);
/* From the panel table (views/overview_panels.c). A table is a panel with
 * rows: it takes the focus in table order. */
/* The table after (dir 1) or before (dir -1) panel p, wrapping around. */
enum panel_id overview_next_table(enum panel_id p, int dir);
/* Rows of panel p's table in s (0 when p is no table or s is NULL). */
int overview_table_rows(const struct snapshot *s, enum panel_id p);
/* Enter on row i of panel p's table. */
void overview_table_enter(struct app *a, enum panel_id p, int i);
/* What 'e' exports while panel p has the focus (NULL: nothing). */
const char *overview_export_name(enum panel_id p);
/* "workers", "recent changes", "recent failures", "top actions". */
const char *overview_table_name(enum panel_id p);
/* The mark before the head of column col of table p (tablesort columns):
 * the direction when the table is sorted by it, "" otherwise. */
const char *overview_sort_mark(enum panel_id p, int col);
/* A head of table p at (y, x), w wide (right-aligned when right), marked
 * and bright when the table is sorted by col; returns its width. */
int overview_put_head(int y, int x, int w, enum panel_id p, int col, const char *text, bool right);
/* ", sort: name ↓" for a title when table p is not in its own order, "". */
void overview_sort_title(enum panel_id p, char *buf, size_t len);
/* The panels (bits of enum panel_id) whose own comparison sees a change
 * the model's snapshot_same_view does not look at (their ages on screen). */
unsigned overview_panels_changed(const struct snapshot *a, const struct snapshot *b);

/* From views/overview_rows.c: the selection kept on its item. */
/* Row i's key (execution change, action ref, worker id): false when none. */
bool overview_row_key(const struct snapshot *s, enum panel_id p, int i, char *buf, size_t len);
/* Select the row of panel p in s whose key is `key` (kept in place on
 * screen), or clamp the selection when it is gone. */
void overview_relocate(const struct snapshot *s, enum panel_id p, const char *key);
/* Every table's selection from `old` moved to the same items in s. */
void overview_keep_selection(const struct snapshot *old, const struct snapshot *s);
/* Whether row i of panel p matches the search (only the focused table). */
bool overview_row_matches(const struct snapshot *s, enum panel_id p, int i);
/* Select the next (dir 1) or previous (-1) match; false when none. */
bool overview_search(struct app *a, int dir, bool include_from);
/* With a ref filter, what an empty table says instead of "none": that no
 * row has that ref and which kinds of ref it matched. False: no filter. */
bool overview_filter_note(const struct snapshot *s, enum panel_id p, char *buf, size_t len);
/* 'e' on a table: its rows as displayed (sort, filter, columns) to a CSV
 * file; false when the focused panel has no such export. */
bool overview_export_table(struct app *a);

#endif
