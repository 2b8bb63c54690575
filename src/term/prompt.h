/* The one-line prompt at the bottom of the screen: UTF-8 editing, Enter, Esc. */
#ifndef ATTUNE_PROMPT_H
#define ATTUNE_PROMPT_H

#include <stdbool.h>
#include <wchar.h>

struct app;

/* Called with the typed text when Enter ends the prompt. */
typedef void prompt_done_fn(struct app *a, const char *text);

/* Start a prompt labelled `label` (a string literal). */
void prompt_open(const char *label, prompt_done_fn *done);
/* Make the open prompt incremental: `changed` is called after every edit,
 * `cancelled` on Esc (either may be NULL). */
void prompt_live(prompt_done_fn *changed, prompt_done_fn *cancelled);
/* A note shown after the text (e.g. "no match"); NULL clears it. */
void prompt_note(const char *note);
bool prompt_active(void);
/* One key while the prompt is active (is_key: a KEY_* code). */
void prompt_key(struct app *a, bool is_key, wint_t ch);
/* Draw the prompt on line y and place the cursor after the text. */
void prompt_draw(int y);

#endif
