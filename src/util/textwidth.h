/* Display width and clipping of untrusted UTF-8 text for terminal cells.
 *
 * Input is always UTF-8 (the session's client_encoding). In a UTF-8 locale,
 * characters are measured with wcwidth(); otherwise every non-ASCII sequence
 * is shown as one '?'. Control characters (C0, DEL, C1, including ESC, tab and
 * newline) and invalid bytes never reach the terminal: each becomes one '?'.
 * Pure logic: unit-tested without a terminal. */
#ifndef ATTUNE_TEXTWIDTH_H
#define ATTUNE_TEXTWIDTH_H

#include <stdbool.h>
#include <stddef.h>

/* Choose the mode once at start: utf8 = the locale's codeset is UTF-8 and
 * ASCII drawing was not requested. setlocale(LC_CTYPE, "") must have run. */
void tw_init(bool utf8);
bool tw_utf8(void);

/* Display width of s as tw_fit would draw it (no clipping). */
int tw_width(const char *s);

/* Write into dst (NUL-terminated, at most dstsize bytes) the printable form
 * of s clipped to `cols` display columns. When s is wider than cols, the
 * result ends in an ellipsis ("…" in UTF-8 mode, "~" otherwise) and never
 * splits a character: a wide glyph that would straddle the edge is dropped
 * and the gap padded. With pad, spaces fill the result to exactly cols.
 * Returns the display width written. cols <= 0 gives "". */
int tw_fit(char *dst, size_t dstsize, const char *s, int cols, bool pad);

/* As tw_fit, but right-aligned in cols (pad on the left). */
int tw_fit_right(char *dst, size_t dstsize, const char *s, int cols);

#endif
