/* Exports run in a child process so a slow or locked server never freezes the screen. */
#ifndef ATTUNE_BACKGROUND_H
#define ATTUNE_BACKGROUND_H

#include <stdbool.h>

#include "util/parse.h"

struct app;

/* Start exporting `name` (range hours, filter or NULL, entity or NULL) on
 * its own connection; the outcome arrives as a status message. */
void export_bg_start(struct app *a, const char *name, long range, const char *filter,
                     const struct entity_spec *ent);
/* The same with a view's file label and history filters (view may be NULL). */
struct export_view;
void export_bg_start_view(struct app *a, const char *name, long range, const char *filter,
                          const struct entity_spec *ent, const struct export_view *view);
/* Report a finished export (called on every draw). */
void export_bg_poll(struct app *a);
/* Stop a running export (its temporary file is removed). */
void export_bg_stop(void);
bool export_bg_running(void);

#endif
