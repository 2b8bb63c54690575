/* Unit tests for the storage view's model (src/model/storage.c), from rows
 * built in memory (no server): the shape probe and the read again it asks
 * for, the "Needs action" table, the DEFAULT probe's cap, and the CSV rows
 * (one per relation, empty where a column does not apply). */
#include <stdlib.h>
#include <string.h>

#include "model/rowset.h"
#include "model/storage.h"
#include "table_rowset.h"
#include "tap.h"

static void take(struct storage *st, int q, int ncols, int nrows, const char *const *cells)
{
	struct table t = {ncols, cells};
	struct rowset rs = {
	    .ok = true, .nrows = nrows, .ncols = ncols, .impl = &t, .cell = table_cell};
	storage_take(st, q, &rs);
}

static void fail(struct storage *st, int q, const char *error)
{
	struct rowset rs = {.ok = false, .error = error, .cell = table_cell};
	storage_take(st, q, &rs);
}

/* Collects CSV records. */
struct sink {
	int n;
	char rows[16][SC_COUNT][64];
	bool null[16][SC_COUNT];
};

static int record(void *ctx, const char *const *cells)
{
	struct sink *k = ctx;
	for (int f = 0; f < SC_COUNT && k->n < 16; f++) {
		k->null[k->n][f] = cells[f] == NULL;
		snprintf(k->rows[k->n][f], sizeof k->rows[k->n][f], "%s", cells[f] ? cells[f] : "");
	}
	k->n++;
	return 0;
}

static const struct st_table *find(const struct st_snapshot *s, const char *title)
{
	for (int i = 0; i < s->ntables; i++)
		if (strcmp(s->tables[i].title, title) == 0)
			return &s->tables[i];
	return NULL;
}

int main(void)
{
	struct caps caps;
	memset(&caps, 0, sizeof caps);
	snprintf(caps.schema, sizeof caps.schema, "attune");
	caps.qschema = strdup("attune");
	struct storage st;
	memset(&st, 0, sizeof st);
	struct db_query q[ST_TABLES];

	/* First batch: shape unknown, read as plain, probed. */
	int n = storage_batch(&st, &caps, 1700000000, q);
	is_int(n, 4, "first batch: the probe and the three plain tables");
	ok(strstr(q[0].sql, "native_summary_hour") != NULL, "query 0 probes the native shape");
	static const char *const yes[] = {"t"};
	take(&st, 0, 1, 1, yes);
	ok(storage_finish(&st), "native found: read again at once");
	ok(st.snap == NULL, "... without publishing the plain reading");

	n = storage_batch(&st, &caps, 1700000000, q);
	is_int(n, 7, "native batch: the probe and six tables");
	is_int(q[2].nparams, 2, "the summaries get the range start");
	is_str(q[2].params[1], "1700000000", "... as epoch seconds");
	take(&st, 0, 1, 1, yes);
	static const char *const parents[] = {
	    "event",
	    "1000",
	    "15",
	    "1700000000",
	    "1701000000",
	    "1001",
	    "1699000000",
	    "6",
	    "7",
	    "30 days",
	    "no partition for tomorrow",
	    "audit_event",
	    "10",
	    "16",
	    "1700000000",
	    "1701000000",
	    "0",
	    NULL,
	    "7",
	    "7",
	    "90 days",
	    NULL,
	};
	take(&st, 1, 11, 2, parents);
	fail(&st, 2, "ERROR:  permission denied for table native_summary_hour\n");
	static const char *const jobs[] = {"partition", "1700000000", NULL, "1200", "overdue"};
	take(&st, 3, 5, 1, jobs);
	static const char *const tables[] = {
	    "event",  "1000", "900", "100", "5", "17", "partitioned table",
	    "worker", "80",   "8",   "64",  "3", NULL, "table",
	};
	take(&st, 4, 7, 2, tables);
	static const char *const views[] = {"event_volume_hourly", "view (always current)", "view"};
	take(&st, 5, 3, 1, views);
	take(&st, 6, 4, 0, NULL);
	ok(!storage_finish(&st), "same shape: published");
	const struct st_snapshot *s = st.snap;
	is_str(s->tables[0].title, "Needs action", "'Needs action' is the first table");
	is_int(s->tables[0].nrows, 2, "... with the flagged parent and the overdue job");
	is_str(s->tables[0].cells[0], "table event", "what: table event");
	is_str(s->tables[0].cells[1], "no partition for tomorrow", "... and the flag");
	is_str(s->tables[0].cells[2], "job partition", "what: job partition");
	const struct st_table *sum = find(s, "Hourly summaries (hours of the range)");
	ok(sum && strstr(sum->note, "permission denied") && !strchr(sum->note, '\n'),
	   "an unreadable ledger is a one-line note");
	char cell[64];
	storage_cell(&s->tables[1], 0, 5, true, true, cell, sizeof cell);
	is_str(cell, "1000+", "DEFAULT probe at its cap: 1000+");
	storage_cell(&s->tables[1], 1, 6, true, true, cell, sizeof cell);
	is_str(cell, "-", "NULL on screen: -");

	struct sink k;
	memset(&k, 0, sizeof k);
	storage_csv_rows(s, record, &k);
	is_int(k.n, 5, "CSV: event, audit_event, the job, worker, the view (event once)");
	is_str(k.rows[0][SC_RELATION], "event", "row 1: event");
	is_str(k.rows[0][SC_KIND], "partitioned table", "... a partitioned table");
	is_str(k.rows[0][SC_DEFAULT_ROWS], "1000+", "... DEFAULT 1000+");
	is_str(k.rows[0][SC_OLDEST_BOUND], "2023-11-14T22:13:20Z", "... bounds in UTC ISO 8601");
	ok(k.null[0][SC_HOURS_BUILT] && k.null[0][SC_WATERMARK], "... no hours: empty cells");
	is_str(k.rows[2][SC_KIND], "maintenance job", "row 3: the job");
	is_str(k.rows[2][SC_NEXT_DUE], "2023-11-14T22:13:20Z", "... its next_due");
	ok(k.null[2][SC_LAST_SUCCESS], "... never succeeded: empty");
	is_str(k.rows[3][SC_RELATION], "worker", "row 4: worker, from the tables");
	ok(k.null[3][SC_PARTITIONS], "... an ordinary table has no partition count");
	is_str(k.rows[4][SC_KIND], "view", "row 5: the view");

	/* A probe that fails (a timeout) keeps the shape. */
	storage_batch(&st, &caps, 1700000000, q);
	fail(&st, 0, "ERROR:  canceling statement due to statement timeout");
	ok(!storage_finish(&st), "failed probe: no read again");
	is_int(storage_batch(&st, &caps, 1700000000, q), 7, "... still native");

	/* The schema stops being native: read again as plain. */
	static const char *const no[] = {"f"};
	take(&st, 0, 1, 1, no);
	ok(storage_finish(&st), "no longer native: read again");
	is_int(storage_batch(&st, &caps, 1700000000, q), 4, "... as plain");
	storage_free(&st);
	free(caps.qschema);
	return done_testing();
}
