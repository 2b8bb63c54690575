/* Curses drawing primitives and colour roles: the one header that includes curses. */
#ifndef ATTUNE_DRAW_H
#define ATTUNE_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "settings.h"

/* Colour roles; each maps to a pair when the terminal has colours. */
enum role {
	R_NORMAL = 0,
	R_SUCCESS,
	R_FAILURE,
	R_PROGRESS,
	R_UNKNOWN,
	R_WARN,
	R_ORANGE,
	R_HEADER,
	R_TITLE,
	R_FOCUS,
	R_STALE,
	R_DIM,
	R_COUNT,
};

struct rect {
	int y, x, h, w;
};

struct theme {
	bool colors;          /* colour pairs in use */
	attr_t attr[R_COUNT]; /* attribute per role */
};

extern struct theme theme;

/* Fill `theme` from the terminal's capabilities and the settings. */
void draw_init_colors(const struct settings *s);

/* Attribute of a status name (success, failure, in progress, unknown). */
attr_t draw_status_attr(const char *status);
/* Attribute of a failure rate num/den. */
attr_t draw_failure_attr(int64_t num, int64_t den);

/* Draw text clipped to `w` columns at (y, x), never outside the screen.
 * Returns the columns used. */
int put(int y, int x, int w, attr_t attr, const char *text);
/* Right-aligned in `w` columns. */
int put_right(int y, int x, int w, attr_t attr, const char *text);
int putf(int y, int x, int w, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void fill(int y, int x, int w, attr_t attr);
/* "─" or "-" when the terminal has no UTF-8. */
const char *hbar(void);
/* A panel title line: "── Title ── extra" with focus highlighting. */
void title(struct rect r, const char *text, bool focused);

#endif
