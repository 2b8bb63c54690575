/* Colours and drawing primitives every curses view uses. */
#include "term/draw.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/textwidth.h"
#include "views/present.h"

struct theme theme;

void draw_init_colors(const struct settings *s)
{
	for (int r = 0; r < R_COUNT; r++)
		theme.attr[r] = A_NORMAL;
	theme.attr[R_HEADER] = A_REVERSE;
	theme.attr[R_TITLE] = A_BOLD;
	theme.attr[R_FOCUS] = A_REVERSE;
	theme.attr[R_STALE] = A_BOLD | A_REVERSE;
	theme.attr[R_FAILURE] = A_BOLD;
	theme.colors = !s->no_color && has_colors() && start_color() == OK;
	if (!theme.colors)
		return;
	use_default_colors();
	bool many = COLORS >= 256;
	init_pair(1, COLOR_GREEN, -1);
	init_pair(2, COLOR_RED, -1);
	init_pair(3, COLOR_YELLOW, -1);
	init_pair(4, COLOR_MAGENTA, -1);
	init_pair(5, COLOR_YELLOW, -1);
	init_pair(6, many ? 208 : COLOR_RED, -1);
	init_pair(7, COLOR_BLACK, COLOR_CYAN);
	init_pair(8, COLOR_CYAN, -1);
	init_pair(9, COLOR_WHITE, COLOR_RED);
	init_pair(10, many ? 244 : COLOR_BLUE, -1);
	theme.attr[R_SUCCESS] = COLOR_PAIR(1);
	theme.attr[R_FAILURE] = COLOR_PAIR(2) | A_BOLD;
	theme.attr[R_PROGRESS] = COLOR_PAIR(3);
	theme.attr[R_UNKNOWN] = COLOR_PAIR(4);
	theme.attr[R_WARN] = COLOR_PAIR(5) | A_BOLD;
	theme.attr[R_ORANGE] = COLOR_PAIR(6) | (many ? 0 : A_DIM);
	theme.attr[R_HEADER] = COLOR_PAIR(7);
	theme.attr[R_TITLE] = COLOR_PAIR(8) | A_BOLD;
	theme.attr[R_STALE] = COLOR_PAIR(9) | A_BOLD;
	theme.attr[R_DIM] = COLOR_PAIR(10);
}

attr_t draw_status_attr(const char *status)
{
	switch (present_status_role(status)) {
	case ROLE_SUCCESS:
		return theme.attr[R_SUCCESS];
	case ROLE_FAILURE:
		return theme.attr[R_FAILURE];
	case ROLE_PROGRESS:
		return theme.attr[R_PROGRESS];
	case ROLE_UNKNOWN:
		return theme.attr[R_UNKNOWN];
	}
	return A_NORMAL;
}

attr_t draw_failure_attr(int64_t num, int64_t den)
{
	switch (present_failure_level(num, den)) {
	case 0:
		return theme.attr[R_SUCCESS];
	case 1:
		return theme.attr[R_WARN];
	case 2:
		return theme.attr[R_ORANGE];
	case 3:
		return theme.attr[R_FAILURE];
	default:
		return A_NORMAL;
	}
}

int put(int y, int x, int w, attr_t attr, const char *text)
{
	char buf[2048];
	if (y < 0 || y >= LINES || x < 0 || x >= COLS || w <= 0)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	int used = tw_fit(buf, sizeof buf, text ? text : "", w, false);
	attrset(attr);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return used;
}

int put_right(int y, int x, int w, attr_t attr, const char *text)
{
	int tw = tw_width(text);
	if (tw < w)
		return put(y, x + w - tw, tw, attr, text) + (w - tw);
	return put(y, x, w, attr, text);
}

void fill(int y, int x, int w, attr_t attr)
{
	if (y < 0 || y >= LINES || x >= COLS || w <= 0)
		return;
	if (x + w > COLS)
		w = COLS - x;
	attrset(attr);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

int putf(int y, int x, int w, attr_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return put(y, x, w, attr, buf);
}

const char *hbar(void)
{
	return tw_utf8() ? "─" : "-";
}

void title(struct rect r, const char *text, bool focused)
{
	char buf[512];
	fill(r.y, r.x, r.w, A_NORMAL);
	snprintf(buf, sizeof buf, "%s%s %s ", hbar(), hbar(), text);
	int used = put(r.y, r.x, r.w, focused ? theme.attr[R_FOCUS] : theme.attr[R_TITLE], buf);
	for (int x = r.x + used; x < r.x + r.w; x++)
		put(r.y, x, 1, theme.attr[R_DIM], hbar());
}
