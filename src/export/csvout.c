/* CSV writing: libcsv quotes, we only choose what to write. */
#include "export/csvout.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

bool csvout_guard_needed(const char *cell)
{
	return cell && cell[0] && strchr("=+-@\t\r", cell[0]) != NULL;
}

void csvout_init(struct csvout *w, FILE *f, bool raw)
{
	memset(w, 0, sizeof *w);
	w->f = f;
	w->raw = raw;
}

void csvout_free(struct csvout *w)
{
	free(w->scratch);
	memset(w, 0, sizeof *w);
}

/* "'" + cell in the scratch buffer, which grows to the longest guarded
 * cell and no further. */
static const char *guarded(struct csvout *w, const char *cell, size_t *len)
{
	if (*len + 2 > w->scratch_cap) {
		w->scratch_cap = *len + 2;
		w->scratch = xrealloc(w->scratch, w->scratch_cap);
	}
	w->scratch[0] = '\'';
	memcpy(w->scratch + 1, cell, *len + 1);
	*len += 1;
	return w->scratch;
}

static int put_cell(struct csvout *w, const char *cell, bool text)
{
	if (!cell)
		return 0; /* SQL NULL: an empty unquoted field */
	size_t len = strlen(cell);
	if (text && !w->raw && csvout_guard_needed(cell))
		cell = guarded(w, cell, &len);
	return csv_fwrite(w->f, cell, len) == 0 ? 0 : -1;
}

int csvout_row(struct csvout *w, const char *const *cells, const bool *text, int n)
{
	for (int i = 0; i < n; i++) {
		if (i && putc(',', w->f) == EOF)
			return -1;
		if (put_cell(w, cells[i], text && text[i]) != 0)
			return -1;
	}
	return fputs("\r\n", w->f) == EOF ? -1 : 0;
}
