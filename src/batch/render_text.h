/* Batch front end (-b): plain text frames on stdout. */
#ifndef ATTUNE_RENDER_TEXT_H
#define ATTUNE_RENDER_TEXT_H

#include "app.h"
#include "model/timeline.h"

extern const struct frontend text_frontend;

/* The frames the views print (their view_ops.print): the overview's
 * header (its panels print themselves, views/overview_panels.c) and a
 * timeline. */
void batch_print_header(struct app *a, const struct snapshot *s);
void batch_print_timeline(const struct timeline *t, bool continued);

/* Free text made safe to print (control characters and, outside UTF-8,
 * multibyte text replaced), "-" for none; a total or "n/a" when unknown. */
#define TEXT_MAX 4096
const char *text_clean(const char *s, char *buf, size_t len);

#endif
