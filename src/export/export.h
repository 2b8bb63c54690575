/* CSV export of one relation (--export=NAME, and the dashboard's `e` key):
 * a blocking connection pinned like the dashboard's session, one query
 * streamed row by row (libpq single-row mode) into libcsv, to standard
 * output or to a file that appears atomically. Never writes to the
 * database. No curses here. */
#ifndef ATTUNE_EXPORT_H
#define ATTUNE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/parse.h"
#include "settings.h"

/* Bound on the one streaming statement of an export. The session keeps the
 * dashboard's statement_timeout for everything else; an export runs for as
 * long as writing its rows takes, so it gets a longer (still finite) bound. */
#define EXPORT_STATEMENT_TIMEOUT_MS 3600000L

/* --export: s->export_name, s->output (NULL or "-": standard output),
 * s->force, s->csv_raw, s->range_hours, s->filter, s->entity, and the
 * connection settings; `password` from -W or NULL. Prints one line on
 * stderr on failure (and a progress line while a long export runs and
 * stderr is a terminal). Returns the exit status: 0, or 1. */
int export_main(const struct settings *s, const char *password);

/* export_main for --demo (demo_main's callback; arg is the settings). */
int export_demo_run(const char *conninfo, const char *schema, void *arg);

/* The dashboard's `e`: export `name` (an --export NAME) for this range,
 * filter (NULL = none) and entity (NULL unless a *_history name) into
 * `dir` (NULL: $ATTUNE_TOP_EXPORT_DIR, else s->export_dir from the
 * configuration file, else the current directory) as
 * attune-top-NAME-YYYYmmddTHHMMSSZ.csv, never replacing a file. Connection
 * settings, schema, timeouts and --csv-raw come from s; `password` is the
 * one the dashboard connected with (or NULL). Blocks until done; prints
 * nothing. Returns 0 with the path in path_out and the row count (without
 * the header) in *rows_out, or -1 with a one-line message in err (path_out
 * still names the file that was meant). */
int export_panel(const struct settings *s, const char *password, const char *name, long range_hours,
                 const char *filter, const struct entity_spec *entity, const char *dir,
                 char *path_out, size_t path_len, long long *rows_out, char *err, size_t errlen);

/* What a view adds to export_panel: the file's label (NULL: the name) and,
 * for a history, the timeline's operation and changed-field filters. */
struct export_view {
	const char *label;
	const char *op_filter, *field_filter;
};
int export_panel_view(const struct settings *s, const char *password, const char *name,
                      long range_hours, const char *filter, const struct entity_spec *entity,
                      const struct export_view *view, const char *dir, char *path_out,
                      size_t path_len, long long *rows_out, char *err, size_t errlen);

/* A table as the screen shows it: its columns, rows in screen order. */
#define EXPORT_TABLE_MAX_COLS 12
struct export_table {
	int ncols, nrows;
	const char *const *heads;
	const bool *text; /* free text: gets the formula guard */
	/* Row i into cells: write into buf[c] (len bytes) or point cells[c]
	 * elsewhere; NULL is an empty, unquoted field (missing). */
	void (*row)(const void *ctx, int i, const char **cells, char (*buf)[512], size_t len);
	const void *ctx;
};

/* The dashboard's `e` on a table: its rows as displayed into
 * attune-top-LABEL-YYYYmmddTHHMMSSZ.csv in the export directory, atomically,
 * never replacing a file, with the formula guard unless --csv-raw. Returns
 * 0 with the absolute path and the row count, or -1 with a message. */
int export_rows(const struct settings *s, const char *label, const struct export_table *t,
                char *path_out, size_t path_len, long long *rows_out, char *err, size_t errlen);

#endif
