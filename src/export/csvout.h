/* CSV records through libcsv (RFC 4180 quoting: every value quoted, quotes
 * doubled, CRLF between records), plus the spreadsheet formula guard. Pure:
 * it only writes to the FILE it is given. */
#ifndef ATTUNE_CSVOUT_H
#define ATTUNE_CSVOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* True when a text cell would be read as a formula by a spreadsheet: it
 * begins with '=', '+', '-', '@', a tab or a carriage return. */
bool csvout_guard_needed(const char *cell);

struct csvout {
	FILE *f;
	bool raw;      /* --csv-raw: never guard */
	char *scratch; /* a guarded cell: "'" + the cell */
	size_t scratch_cap;
};

void csvout_init(struct csvout *w, FILE *f, bool raw);
void csvout_free(struct csvout *w);

/* Write one record of n cells. A NULL cell (SQL NULL) is an empty,
 * unquoted field, so it stays distinct from an empty string (""). Cells of
 * columns with text[i] set get the formula guard; numbers, timestamps and
 * JSON never do (-5 stays -5). text may be NULL (no text columns).
 * Returns 0, or -1 with errno set by stdio. */
int csvout_row(struct csvout *w, const char *const *cells, const bool *text, int n);

#endif
