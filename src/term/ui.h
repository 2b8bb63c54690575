/* Interactive front end: ncursesw screen, keys, panels. The only module
 * that includes curses (with keys.c for key codes). */
#ifndef ATTUNE_UI_H
#define ATTUNE_UI_H

#include "app.h"

extern const struct frontend curses_frontend;

#endif
