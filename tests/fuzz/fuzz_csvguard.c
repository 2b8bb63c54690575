/* libFuzzer harness: CSV cells through csvout_row, read back with libcsv's
 * strict parser. The input is split at NUL bytes into up to 8 cells; the
 * first byte picks which columns are text, raw mode and a SQL NULL.
 * Invariants: the record parses back to exactly the cells written; a text
 * cell gains a leading ' exactly when it begins with = + - @ TAB or CR
 * (never in raw mode, never for other columns); NULL stays NULL. */
#include <assert.h>
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/csvout.h"

#define MAX_CELLS 8

struct readback {
	int nfields, nrecords;
	char *field[MAX_CELLS + 1];
	size_t len[MAX_CELLS + 1];
	bool null[MAX_CELLS + 1];
};

static void on_field(void *f, size_t len, void *data)
{
	struct readback *r = data;
	assert(r->nfields <= MAX_CELLS);
	int i = r->nfields++;
	r->null[i] = f == NULL;
	r->len[i] = len;
	r->field[i] = malloc(len + 1);
	assert(r->field[i]);
	if (len)
		memcpy(r->field[i], f, len);
	r->field[i][len] = '\0';
}

static void on_record(int term, void *data)
{
	(void)term;
	((struct readback *)data)->nrecords++;
}

static bool formula_start(const char *c)
{
	return c[0] == '=' || c[0] == '+' || c[0] == '-' || c[0] == '@' || c[0] == '\t' ||
	       c[0] == '\r';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	bool raw = flags & 0x80;
	data++;
	size--;
	char *cells[MAX_CELLS];
	bool text[MAX_CELLS];
	int n = 0;
	size_t start = 0;
	for (size_t i = 0; i <= size && n < MAX_CELLS; i++) {
		if (i == size || data[i] == '\0') {
			cells[n] = malloc(i - start + 1);
			assert(cells[n]);
			memcpy(cells[n], data + start, i - start);
			cells[n][i - start] = '\0';
			text[n] = (flags >> (n % 7)) & 1;
			n++;
			start = i + 1;
		}
	}
	/* Column 1 is SQL NULL when bit 6 says so (and it exists). */
	bool has_null = n > 1 && (flags & 0x40);
	const char *row[MAX_CELLS];
	for (int i = 0; i < n; i++)
		row[i] = has_null && i == 1 ? NULL : cells[i];

	/* The guard predicate itself. */
	for (int i = 0; i < n; i++)
		assert(csvout_guard_needed(cells[i]) == formula_start(cells[i]));
	assert(!csvout_guard_needed(NULL));

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert(f);
	struct csvout w;
	csvout_init(&w, f, raw);
	assert(csvout_row(&w, row, text, n) == 0);
	csvout_free(&w);
	assert(fclose(f) == 0);
	assert(len >= 2 && buf[len - 2] == '\r' && buf[len - 1] == '\n');

	struct csv_parser p;
	struct readback r;
	memset(&r, 0, sizeof r);
	assert(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) == 0);
	assert(csv_parse(&p, buf, len, on_field, on_record, &r) == len);
	assert(csv_fini(&p, on_field, on_record, &r) == 0);
	csv_free(&p);
	assert(r.nrecords == 1 && r.nfields == n);
	for (int i = 0; i < n; i++) {
		if (!row[i]) {
			assert(r.null[i]);
			continue;
		}
		assert(!r.null[i]);
		bool guard = !raw && text[i] && formula_start(row[i]);
		size_t cl = strlen(row[i]);
		assert(r.len[i] == cl + guard);
		if (guard)
			assert(r.field[i][0] == '\'');
		assert(memcmp(r.field[i] + guard, row[i], cl) == 0);
	}
	for (int i = 0; i < r.nfields; i++)
		free(r.field[i]);
	for (int i = 0; i < n; i++)
		free(cells[i]);
	free(buf);
	return 0;
}
