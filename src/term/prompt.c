/* The bottom-line prompt: an edited UTF-8 line handed to a callback on Enter. */
#include "term/prompt.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "term/draw.h"

static struct {
	const char *label;    /* NULL when no prompt is open */
	prompt_done_fn *done; /* called on Enter */
	prompt_done_fn *changed, *cancelled;
	char note[128];
	char input[512]; /* the text typed so far, UTF-8 */
	size_t len;
} prompt;

void prompt_open(const char *label, prompt_done_fn *done)
{
	prompt.label = label;
	prompt.done = done;
	prompt.input[0] = '\0';
	prompt.len = 0;
	prompt.changed = prompt.cancelled = NULL;
	prompt.note[0] = '\0';
}

void prompt_live(prompt_done_fn *changed, prompt_done_fn *cancelled)
{
	prompt.changed = changed;
	prompt.cancelled = cancelled;
}

void prompt_note(const char *note)
{
	snprintf(prompt.note, sizeof prompt.note, "%s", note ? note : "");
}

bool prompt_active(void)
{
	return prompt.label != NULL;
}

static void prompt_insert(wint_t ch)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = wcrtomb(mb, (wchar_t)ch, &st);
	if (n != (size_t)-1 && prompt.len + n < sizeof prompt.input - 1) {
		memcpy(prompt.input + prompt.len, mb, n);
		prompt.len += n;
		prompt.input[prompt.len] = '\0';
	}
}

void prompt_key(struct app *a, bool is_key, wint_t ch)
{
	if (!is_key && (ch == '\n' || ch == '\r')) {
		prompt.label = NULL;
		prompt.done(a, prompt.input);
	} else if (!is_key && ch == 27) {
		prompt.label = NULL;
		if (prompt.cancelled)
			prompt.cancelled(a, prompt.input);
	} else if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
		while (prompt.len > 0 && (prompt.input[--prompt.len] & 0xC0) == 0x80)
			;
		prompt.input[prompt.len] = '\0';
		if (prompt.changed)
			prompt.changed(a, prompt.input);
	} else if (!is_key && ch >= 32) {
		prompt_insert(ch);
		if (prompt.changed)
			prompt.changed(a, prompt.input);
	}
	a->redraw = true;
}

void prompt_draw(int y)
{
	int x = put(y, 0, COLS, theme.attr[R_TITLE], prompt.label);
	x += put(y, x, COLS - x - 1, A_NORMAL, prompt.input);
	int cx = x;
	if (prompt.note[0] && x + 2 < COLS)
		put(y, x + 2, COLS - x - 3, theme.attr[R_WARN], prompt.note);
	move(y, cx < COLS ? cx : COLS - 1);
}
