/* The '?' overlay: every binding of the key table, scrollable on any screen. */
#ifndef ATTUNE_HELP_H
#define ATTUNE_HELP_H

#include <stdbool.h>

#include "term/keys.h"

void help_toggle(void);
bool help_shown(void);
/* A key while the overlay is shown; true when the overlay used it. */
bool help_key(enum key_action act);
void help_draw(void);

#endif
