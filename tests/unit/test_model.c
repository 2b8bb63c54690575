/* Unit tests for the model (src/model/model.c) and the overview's takers
 * (src/db/overview_sql.c): taking rows, merging the settled and live parts
 * of a range, same-view detection and sorting, from rows built in memory
 * (no server). */
#include <stdio.h>
#include <stdlib.h>

#include "db/queries.h"
#include "model/model.h"
#include "model/rowset.h"
#include "table_rowset.h"
#include "tap.h"

#define H     3600
#define START ((int64_t)1700000000 / H * H) /* a bucket boundary */

static void take(struct snapshot *s, const char *query, int ncols, int nrows,
                 const char *const *cells)
{
	int q = overview_query(query);
	struct table t = {ncols, cells};
	struct rowset rs = {.ok = true, .nrows = nrows, .impl = &t, .cell = table_cell};
	overview_take(s, q, &rs);
}

static void fail(struct snapshot *s, const char *query, const char *error)
{
	int q = overview_query(query);
	struct rowset rs = {.ok = false, .error = error, .cell = table_cell};
	overview_take(s, q, &rs);
}

static char bucket[4][24];

/* The server's now of range(), epoch microseconds. */
#define NOW_US ((START + 3 * H + 60) * (int64_t)1000000)

/* A heartbeat `age` seconds before NOW_US, as the workers query reads it. */
static const char *beat(char buf[24], double age)
{
	snprintf(buf, 24, "%lld", (long long)(NOW_US - (int64_t)(age * 1e6)));
	return buf;
}

/* A 3-hour range: buckets 0..3 (the current hour is the fourth). */
static struct snapshot *range(void)
{
	for (int i = 0; i < 4; i++)
		snprintf(bucket[i], sizeof bucket[i], "%lld", (long long)(START + i * H));
	return snapshot_new(3, START, NOW_US, NULL);
}

static void fill_live(struct snapshot *s)
{
	const char *exec[] = {bucket[3], "core.echo", "5", bucket[3], "core.http", "2"};
	/* per bucket and status, then per action (the two grouping sets) */
	const char *status[] = {"0", bucket[3], "completed", "4", "4", "0", "0",
	                        "0", bucket[3], "failed",    "1", "0", "1", "0",
	                        "1", NULL,      "core.echo", "5", "4", "1", "0"};
	take(s, "executions", 3, 2, exec);
	take(s, "statuses", 7, 3, status);
}

static void fill_settled(struct snapshot *s)
{
	const char *exec[] = {bucket[0], "core.echo", "10", bucket[1], "core.noop", "7"};
	const char *status[] = {"0", bucket[0], "completed", "9", "9", "0", "0",
	                        "0", bucket[1], "timeout",   "2", "0", "0", "2"};
	const char *events[] = {bucket[0], "3", bucket[2], "4"};
	take(s, "executions", 3, 2, exec);
	take(s, "statuses", 7, 2, status);
	take(s, "events", 2, 2, events);
}

static struct action_row *action(struct snapshot *s, const char *ref)
{
	for (int i = 0; i < s->nactions; i++)
		if (strcmp(s->actions[i].ref, ref) == 0)
			return &s->actions[i];
	return NULL;
}

static void test_take(void)
{
	struct snapshot *s = range();
	is_int(s->nbuckets, 4, "three hours and the current one: four buckets");
	fill_live(s);
	char b1[24];
	const char *workers[] = {"1",        "w-1",         "python", "action", "active", "h",
	                         "8080",     beat(b1, 2.5), "2",      "w-2",    NULL,     NULL,
	                         "inactive", NULL,          NULL,     NULL};
	take(s, "workers", 8, 2, workers);
	const char *inflight[] = {"running", "3", "scheduled", "2"};
	take(s, "in flight", 2, 2, inflight);
	const char *outside[] = {"1000", "core.echo", "100"};
	take(s, "executions", 3, 1, outside);
	snapshot_finish(s);
	is_int(s->exec_created[3], 7, "executions of the current hour");
	is_int(s->total_exec, 7, "a bucket outside the range is not in the series");
	is_int(action(s, "core.echo")->executions, 105, "the action counts every row");
	is_int(action(s, "core.echo")->completed, 4, "status counts per action");
	is_int(s->completed[3], 4, "completed series");
	is_int(s->failed[3], 1, "failed series");
	is_int(model_status_total(s, "failed"), 1, "status total");
	is_int(s->total_transitions, 5, "every transition counted");
	is_str(s->actions[0].ref, "core.echo", "sorted by executions");
	is_int(s->nworkers, 2, "two workers");
	ok(s->workers[0].has_heartbeat && s->workers[0].heartbeat_age == 2.5, "heartbeat age");
	is_int(s->workers[0].port, 8080, "port");
	ok(!s->workers[1].has_heartbeat && s->workers[1].host == NULL, "NULL cells stay NULL");
	is_int(s->workers[1].transitions, -1, "unknown transitions are -1, not 0");
	is_int(s->total_inflight, 5, "in flight total");
	is_int(s->total_events, 0, "no event rows: zero");
	snapshot_free(s);
}

static void test_failed(void)
{
	struct snapshot *s = range();
	fail(s, "workers", "ERROR:  canceling statement due to statement timeout\nDETAIL: x");
	fail(s, "events", "boom");
	snapshot_finish(s);
	ok(s->panel[PANEL_WORKERS].failed && !s->panel[PANEL_WORKERS].missing,
	   "a failed query marks its panel failed");
	is_str(s->panel[PANEL_WORKERS].note,
	       "query failed: ERROR:  canceling statement due to statement timeout",
	       "the note is the first line of the error");
	is_int(s->total_events, -1, "a failed series has no total");
	snapshot_free(s);
}

/* A worker's transitions add up over the parts; those of the settled
 * part's last hour are recent only while it is the previous hour. */
static void test_worker_status(void)
{
	char b1[24], b2[24], b3[24];
	const char *workers[] = {
	    "1", "w-1", "python", "action", "active", "h", "8080", beat(b1, 2.5),
	    "2", "w-2", "python", "action", "active", "h", "8081", beat(b2, 1),
	    "3", "w-3", "python", "action", "active", "h", "8082", beat(b3, 1)};
	const char *live_tr[] = {"w-2", "3", "0", "w-1", "1", "0"};
	const char *settled_tr[] = {"w-1", "10", "4", "w-9", "5", "5"};
	for (int recent = 0; recent < 2; recent++) {
		struct snapshot *live = range(), *settled = range();
		take(live, "workers", 8, 3, workers);
		take(live, "worker transitions", 3, 2, live_tr);
		take(settled, "worker transitions", 3, 2, settled_tr);
		snapshot_add_settled(live, settled, recent);
		snapshot_finish(live);
		is_int(live->workers[0].transitions, 11,
		       "w-1: settled and live transitions add up");
		is_int(live->workers[0].recent_transitions, recent ? 5 : 1,
		       recent ? "w-1: the previous hour's transitions are recent"
		              : "w-1: an older last hour is not recent");
		is_int(live->workers[1].transitions, 3, "w-2: only live transitions");
		is_int(live->workers[1].recent_transitions, 3, "w-2: live transitions are recent");
		is_int(live->workers[2].transitions, 0, "w-3: none read is zero, not unknown");
		snapshot_free(live);
		snapshot_free(settled);
	}
}

static void test_merge(void)
{
	struct snapshot *live = range(), *settled = range(), *whole = range();
	fill_live(live);
	fill_settled(settled);
	snapshot_add_settled(live, settled, true);
	snapshot_finish(live);
	fill_live(whole);
	fill_settled(whole);
	snapshot_finish(whole);
	is_int(live->total_exec, 24, "settled and live executions add up");
	is_int(action(live, "core.echo")->executions, 15, "an action in both parts");
	is_int(action(live, "core.noop")->executions, 7, "an action only in the settled part");
	is_int(model_status_total(live, "timeout"), 2, "a status only in the settled part");
	is_int(live->total_transitions, 16, "transitions of both parts");
	ok(snapshot_same_view(live, whole), "merged equals reading the range in one go");
	snapshot_free(live);
	snapshot_free(settled);
	snapshot_free(whole);
}

static void test_same_view(void)
{
	struct snapshot *a = range(), *b = range();
	char b1[24], b2[24], b3[24], b4[24];
	const char *w1[] = {"1", "w", NULL, NULL, "active", NULL, NULL, beat(b1, 2.1), "0", "0"};
	const char *w2[] = {"1", "w", NULL, NULL, "active", NULL, NULL, beat(b2, 2.9), "0", "0"};
	const char *w3[] = {"1", "w", NULL, NULL, "active", NULL, NULL, beat(b3, 61.0), "0", "0"};
	const char *w4[] = {"1", "w", NULL, NULL, "active", NULL, NULL, beat(b4, 3.0), "0", "0"};
	fill_live(a);
	fill_live(b);
	take(a, "workers", 10, 1, w1);
	take(b, "workers", 10, 1, w2);
	snapshot_finish(a);
	snapshot_finish(b);
	ok(snapshot_same_view(a, b), "ages shown alike (2s) are the same view");
	snapshot_free(b);
	b = range();
	fill_live(b);
	take(b, "workers", 10, 1, w3);
	snapshot_finish(b);
	ok(!snapshot_same_view(a, b), "a worker turning stale is not");
	snapshot_free(b);
	b = range();
	fill_live(b);
	take(b, "workers", 10, 1, w4);
	snapshot_finish(b);
	ok(snapshot_same_view(a, b),
	   "an age shown differently (3s) is left to the panel, which compares its rows on screen");
	snapshot_free(b);
	b = range();
	fill_live(b);
	const char *more[] = {bucket[2], "core.echo", "1"};
	take(b, "executions", 3, 1, more);
	take(b, "workers", 10, 1, w1);
	snapshot_finish(b);
	ok(!snapshot_same_view(a, b), "one more execution is not");
	snapshot_free(a);
	snapshot_free(b);
}

static void test_sort(void)
{
	struct snapshot *s = range();
	const char *exec[] = {bucket[3], "b", "5", bucket[3], "a", "5", bucket[3], "c", "9"};
	const char *st[] = {"1", NULL, "a", "4", "1",  "3", "0", "1", NULL, "b", "10",
	                    "9", "0",  "1", "1", NULL, "c", "1", "1", "0",  "0"};
	take(s, "executions", 3, 3, exec);
	take(s, "statuses", 7, 3, st);
	snapshot_finish(s);
	ok(!strcmp(s->actions[0].ref, "c") && !strcmp(s->actions[1].ref, "a"),
	   "executions, ties by name");
	snapshot_sort_actions(s, SORT_FAILED);
	is_str(s->actions[0].ref, "a", "most failed first");
	snapshot_sort_actions(s, SORT_FAILURE_RATE);
	is_str(s->actions[0].ref, "a", "highest failure rate first (3 of 4)");
	is_str(s->actions[1].ref, "b", "then 1 of 10");
	snapshot_sort_actions(s, SORT_NAME);
	ok(!strcmp(s->actions[0].ref, "a") && !strcmp(s->actions[2].ref, "c"), "by name");
	is_str(model_sort_label(SORT_FAILURE_RATE), "failure %", "sort label");
	snapshot_free(s);
}

int main(void)
{
	test_take();
	test_failed();
	test_worker_status();
	test_merge();
	test_same_view();
	test_sort();
	return done_testing();
}
