/* Unit tests for src/csvout.c: the formula guard, and RFC 4180 records
 * written through libcsv, checked byte for byte and read back with
 * libcsv's own parser. */
#include "export/csvout.h"
#include "tap.h"

#include <csv.h>
#include <stdlib.h>

static void guard_rules(void)
{
	static const char *const yes[] = {"=1+2", "+sum", "-neg", "@at", "\tx", "\rx", "=", "-5"};
	static const char *const no[] = {"",     "a=b",  " =x", "数据.同步",   "'=x",
	                                 "\nx",  "1-2",  "x@y", "ops.\"q\",a", "{\"a\": 1}",
	                                 "[-1]", "\"=\""};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		ok(csvout_guard_needed(yes[i]), yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		ok(!csvout_guard_needed(no[i]), no[i]);
	ok(!csvout_guard_needed(NULL), "NULL cell is not guarded");
}

/* Write the same record nrows times to memory; returns the bytes (malloc). */
static char *write_rows(bool raw, const char *const *cells, const bool *text, int ncols, int nrows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct csvout w;
	csvout_init(&w, f, raw);
	for (int r = 0; r < nrows; r++)
		if (csvout_row(&w, cells, text, ncols) != 0)
			ok(0, "csvout_row failed");
	csvout_free(&w);
	fclose(f);
	return buf;
}

static void bytes(void)
{
	const char *cells[] = {
	    "2026-11-22T04:00:00Z", "ops.\"quoted\",action", NULL, "-5", "=cmd", "", "a\nb"};
	const bool text[] = {false, true, true, false, true, true, true};
	char *out = write_rows(false, cells, text, 7, 1);
	is_str(out,
	       "\"2026-11-22T04:00:00Z\",\"ops.\"\"quoted\"\",action\",,\"-5\",\"'=cmd\",\"\","
	       "\"a\nb\"\r\n",
	       "record bytes: quotes doubled, NULL unquoted, number unguarded, CRLF");
	free(out);
	out = write_rows(true, cells, text, 7, 1);
	is_str(out,
	       "\"2026-11-22T04:00:00Z\",\"ops.\"\"quoted\"\",action\",,\"-5\",\"=cmd\",\"\","
	       "\"a\nb\"\r\n",
	       "--csv-raw writes =cmd as is");
	free(out);
	const char *hdr[] = {"bucket", "n"};
	out = write_rows(false, hdr, NULL, 2, 1);
	is_str(out, "\"bucket\",\"n\"\r\n", "text = NULL: nothing guarded");
	free(out);
}

/* Read back with libcsv's parser. */
struct readback {
	char *fields[64];
	int nfields, nrecords;
};

static void on_field(void *s, size_t len, void *data)
{
	struct readback *rb = data;
	if (rb->nfields >= 64)
		return;
	if (!s) {
		rb->fields[rb->nfields++] = NULL;
		return;
	}
	char *c = malloc(len + 1);
	memcpy(c, s, len);
	c[len] = '\0';
	rb->fields[rb->nfields++] = c;
}

static void on_record(int t, void *data)
{
	(void)t;
	((struct readback *)data)->nrecords++;
}

static void round_trip(void)
{
	const char *cells[] = {
	    "{\"g\": \"line1\\nline2, \\\"q\\\"\"}", /* JSON text with escapes */
	    "line1\nline2\r\nline3",                 /* raw newlines */
	    "a,b,\"c\"",                             /* commas and quotes */
	    "数据.同步 edge-\"west\",東京-01",       /* multibyte */
	    "\tTAB",
	    "+sum.calc",
	    "@at.ref",
	    NULL,
	    "",
	    " lead and trail ",
	    "-7.250",
	};
	const bool text[] = {false, true, true, true, true, true, true, true, true, true, false};
	const char *want[] = {
	    "{\"g\": \"line1\\nline2, \\\"q\\\"\"}",
	    "line1\nline2\r\nline3",
	    "a,b,\"c\"",
	    "数据.同步 edge-\"west\",東京-01",
	    "'\tTAB",
	    "'+sum.calc",
	    "'@at.ref",
	    NULL,
	    "",
	    " lead and trail ",
	    "-7.250",
	};
	int n = (int)(sizeof cells / sizeof *cells);
	char *out = write_rows(false, cells, text, n, 2);
	struct csv_parser p;
	struct readback rb = {.nfields = 0};
	ok(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) == 0, "csv_init");
	size_t len = strlen(out);
	ok(csv_parse(&p, out, len, on_field, on_record, &rb) == len, "strict parse accepts it");
	ok(csv_fini(&p, on_field, on_record, &rb) == 0, "csv_fini");
	csv_free(&p);
	is_int(rb.nrecords, 2, "two records");
	is_int(rb.nfields, 2 * n, "every field back");
	for (int i = 0; i < 2 * n && i < rb.nfields; i++) {
		char what[64];
		snprintf(what, sizeof what, "field %d reads back", i);
		const char *w = want[i % n], *g = rb.fields[i];
		if (!w)
			ok(g == NULL, what);
		else
			is_str(g, w, what);
		free(rb.fields[i]);
	}
	free(out);
}

static void write_error(void)
{
	FILE *f = fopen("/dev/full", "w");
	if (!f) {
		ok(1, "# SKIP no /dev/full");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	struct csvout w;
	csvout_init(&w, f, false);
	const char *cells[] = {"x"};
	ok(csvout_row(&w, cells, NULL, 1) != 0, "a full device is reported");
	csvout_free(&w);
	fclose(f);
}

int main(void)
{
	guard_rules();
	bytes();
	round_trip();
	write_error();
	return done_testing();
}
