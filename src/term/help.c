/* The help overlay, generated from the key table; scrolls when it does not fit. */
#include "term/help.h"

#include "term/draw.h"

static struct {
	bool shown;
	int top;  /* first binding shown */
	int page; /* bindings visible at the last draw */
} help;

void help_toggle(void)
{
	help.shown = !help.shown;
	help.top = 0;
}

bool help_shown(void)
{
	return help.shown;
}

static void help_scroll(int delta)
{
	int last = key_table_len - (help.page > 0 ? help.page : 1);
	help.top += delta;
	if (help.top > last)
		help.top = last;
	if (help.top < 0)
		help.top = 0;
}

bool help_key(enum key_action act)
{
	int page = help.page > 1 ? help.page - 1 : 1;
	switch (act) {
	case ACT_BACK:
	case ACT_HELP:
		help.shown = false;
		return true;
	case ACT_UP:
		help_scroll(-1);
		return true;
	case ACT_DOWN:
		help_scroll(1);
		return true;
	case ACT_PAGE_UP:
		help_scroll(-page);
		return true;
	case ACT_PAGE_DOWN:
		help_scroll(page);
		return true;
	case ACT_HOME:
		help.top = 0;
		return true;
	case ACT_END:
		help_scroll(key_table_len);
		return true;
	default:
		return false;
	}
}

void help_draw(void)
{
	int n = key_table_len, h = n + 4, w = 64;
	if (h > LINES)
		h = LINES;
	if (w > COLS)
		w = COLS;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
	help.page = h - 3 > 0 ? h - 3 : 0;
	help_scroll(0);
	for (int y = 0; y < h; y++)
		fill(y0 + y, x0, w, theme.attr[R_HEADER]);
	put(y0, x0 + 2, w - 4, theme.attr[R_HEADER] | A_BOLD,
	    help.page < n ? "attune-top keys (Esc or ? to close, j/k scroll)"
	                  : "attune-top keys (Esc or ? to close)");
	for (int i = 0; i < help.page && help.top + i < n; i++) {
		const struct key_binding *b = &key_table[help.top + i];
		put(y0 + 2 + i, x0 + 2, 10, theme.attr[R_HEADER] | A_BOLD, b->label);
		put(y0 + 2 + i, x0 + 13, w - 15, theme.attr[R_HEADER], b->help);
	}
	if (help.page < n)
		putf(y0 + h - 1, x0 + 2, w - 4, theme.attr[R_HEADER] | A_DIM, "%d-%d of %d",
		     help.top + 1, help.top + help.page < n ? help.top + help.page : n, n);
}
