/* The overview's panels and the selection state its keys move. */
#ifndef ATTUNE_OVERVIEW_H
#define ATTUNE_OVERVIEW_H

#include "model/model.h"

struct app;

/* The tables that take the focus, in Tab order. */
enum focus {
	F_ACTIONS = 0,
	F_WORKERS,
	F_CHANGES,
	F_COUNT,
};

struct overview_ui {
	enum action_sort sort; /* order of the top actions */
	enum focus focus;
	int sel[F_COUNT], top[F_COUNT]; /* selection and scroll per table */
	int rows[F_COUNT];              /* visible body rows at the last draw */
};

/* Kept across views: back from a timeline the selection is where it was. */
extern struct overview_ui overview_ui;

/* Draw the panels between lines top and bottom (views/overview_panels.c). */
void overview_draw(struct app *a, int top, int bottom);
/* A batch-mode frame: the header, then every panel. */
void overview_print(struct app *a);
/* What 'e' exports while panel f has the focus (from the panel table). */
const char *overview_export_name(enum focus f);

#endif
