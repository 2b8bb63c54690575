/* Batch front end (-b): plain text frames on stdout. */
#ifndef ATTUNE_RENDER_TEXT_H
#define ATTUNE_RENDER_TEXT_H

#include "app.h"
#include "model/timeline.h"

extern const struct frontend text_frontend;

/* The frames the views print (their view_ops.print). */
void batch_print_overview(struct app *a);
void batch_print_timeline(const struct timeline *t, bool continued);

#endif
