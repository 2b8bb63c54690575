/* A screen as a module: what it asks the database, what it keeps, how it
 * draws, answers keys, exports and prints in batch mode. struct app holds
 * the current view and its state; nothing else knows which view is open. */
#ifndef ATTUNE_VIEW_H
#define ATTUNE_VIEW_H

#include <stdbool.h>

#include "term/keys.h"

struct app;

struct view_ops {
	const char *name;
	unsigned mask;      /* V_* bit: which key bindings apply */
	bool ticks;         /* shows ages that change every second */
	bool on_notify;     /* Attune's change notifications refresh it */
	const char *footer; /* key hints on the bottom line */
	/* Once at start: take the view's defaults from the settings (NULL: none). */
	void (*init)(struct app *a);
	/* Send the view's batch: 0, or -1 with the reason in a->db.error. */
	int (*refresh)(struct app *a);
	/* The batch of this view completed (its state may be gone: check). */
	void (*finish)(struct app *a);
	/* The connection dropped: forget what was in flight. */
	void (*abort)(struct app *a);
	/* When the data on screen arrived (db_now() clock), 0 while loading. */
	double (*fetched_at)(const struct app *a);
	void (*close)(struct app *a); /* free the view's state */
	void (*draw)(struct app *a, int top, int bottom);
	/* Draw again only what a->redraw_part says moved (NULL: none). */
	void (*draw_changed)(struct app *a, int top, int bottom);
	/* A key; false when the application-wide meaning applies. */
	bool (*key)(struct app *a, enum key_action act);
	void (*export)(struct app *a); /* 'e' */
	void (*print)(struct app *a);  /* a batch-mode frame (NULL: none) */
};

extern const struct view_ops overview_view, timeline_view, storage_view;
/* Every view, NULL-terminated. */
extern const struct view_ops *const views_all[];

/* Switch to a view: the current one closes, the new one owns `state`. */
void view_switch(struct app *a, const struct view_ops *v, void *state);

#endif
