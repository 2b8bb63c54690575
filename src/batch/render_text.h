/* Batch front end (-b): plain text frames on stdout. */
#ifndef ATTUNE_RENDER_TEXT_H
#define ATTUNE_RENDER_TEXT_H

#include "app.h"

extern const struct frontend text_frontend;

#endif
