/* Table navigation: scroll windows, selection by key, substring search. */
#include "util/tablenav.h"

#include <stdio.h>
#include <string.h>

int tablenav_move(int sel, int delta, int rows)
{
	long s = (long)sel + delta;
	if (s >= rows)
		s = rows - 1;
	return s < 0 ? 0 : (int)s;
}

int tablenav_top(int sel, int top, int rows, int visible)
{
	if (visible < 1)
		visible = 1;
	if (sel >= rows)
		sel = rows - 1;
	if (sel < 0)
		sel = 0;
	if (top > rows - visible)
		top = rows - visible; /* no blank space past the end */
	if (sel < top)
		top = sel;
	if (sel >= top + visible)
		top = sel - visible + 1;
	return top < 0 ? 0 : top;
}

int tablenav_follow(int old_sel, int old_top, int new_sel)
{
	int t = new_sel - (old_sel - old_top);
	return t < 0 ? 0 : t;
}

int tablenav_find(const void *ctx, int rows, tablenav_text_fn *key_of, const char *key)
{
	char buf[512];
	for (int i = 0; key && i < rows; i++)
		if (key_of(ctx, i, buf, sizeof buf) && strcmp(buf, key) == 0)
			return i;
	return -1;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool tablenav_matches(const char *text, const char *needle)
{
	if (!text || !needle || !needle[0])
		return false;
	for (const char *t = text; *t; t++) {
		size_t k = 0;
		while (needle[k] && t[k] && lower(t[k]) == lower(needle[k]))
			k++;
		if (!needle[k])
			return true;
	}
	return false;
}

int tablenav_search(const void *ctx, int rows, tablenav_text_fn *text_of, const char *needle,
                    int from, int dir, bool include_from)
{
	char buf[1024];
	if (rows <= 0 || !needle || !needle[0])
		return -1;
	dir = dir < 0 ? -1 : 1;
	if (from < 0 || from >= rows)
		from = dir > 0 ? 0 : rows - 1;
	for (int n = include_from ? 0 : 1; n <= rows; n++) {
		int i = ((from + dir * n) % rows + rows) % rows;
		if (text_of(ctx, i, buf, sizeof buf) && tablenav_matches(buf, needle))
			return i;
	}
	return -1;
}

void tablenav_position(char *buf, size_t len, int sel, int top, int visible, int rows, bool ascii)
{
	int n = snprintf(buf, len, "%d/%d", rows > 0 ? sel + 1 : 0, rows > 0 ? rows : 0);
	if (n < 0 || (size_t)n >= len)
		return;
	if (top > 0)
		n += snprintf(buf + n, len - (size_t)n, " %s", ascii ? "^" : "▲");
	if (n >= 0 && (size_t)n < len && top + visible < rows)
		snprintf(buf + n, len - (size_t)n, " %s", ascii ? "v" : "▼");
}
