/* csvparse: read a CSV file with libcsv's parser (strict mode) and print
 * each record as one JSON array per line, so the Python tests compare
 * exports with their oracles through the same library that wrote them.
 * An empty unquoted field is printed as null, a quoted empty one as "".
 *
 *   csvparse FILE     (or - for standard input)
 *
 * Exit status: 0, 1 on a parse or I/O error (one line on stderr), 2 usage. */
#include <csv.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct parse_state {
	bool first; /* no field of the current record printed yet */
	bool bad;   /* writing stdout failed */
};

/* JSON string escaping for output only: quote, backslash and control
 * characters; UTF-8 passes through unchanged. */
static void put_json_string(const unsigned char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void on_field(void *field, size_t len, void *data)
{
	struct parse_state *st = data;
	fputs(st->first ? "[" : ",", stdout);
	st->first = false;
	if (field)
		put_json_string(field, len);
	else
		fputs("null", stdout);
}

static void on_record(int term, void *data)
{
	struct parse_state *st = data;
	(void)term;
	fputs(st->first ? "[]\n" : "]\n", stdout);
	st->first = true;
	if (ferror(stdout))
		st->bad = true;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: csvparse FILE\n", stderr);
		return 2;
	}
	FILE *in = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0) {
		fputs("csvparse: csv_init failed\n", stderr);
		return 1;
	}
	struct parse_state st = {.first = true};
	char buf[65536];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_record, &st) != n)
			rc = 1;
	if (rc == 0 && ferror(in))
		rc = 1;
	if (rc == 0 && csv_fini(&p, on_field, on_record, &st) != 0)
		rc = 1;
	if (rc)
		fprintf(stderr, "csvparse: %s: %s\n", argv[1],
		        csv_error(&p) != CSV_SUCCESS ? csv_strerror(csv_error(&p)) : "read error");
	csv_free(&p);
	if (in != stdin)
		fclose(in);
	if (fflush(stdout) != 0 || st.bad)
		rc = 1;
	return rc;
}
