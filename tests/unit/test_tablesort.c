/* Unit tests for src/model/tablesort.c: the workers, recent changes and
 * recent failures tables sorted by each column, reversed, ties in the
 * table's own order. */
#include <stdio.h>
#include <string.h>

#include "model/tablesort.h"
#include "tap.h"

static struct worker_row wk(int64_t id, const char *name, const char *status, double age,
                            int64_t transitions)
{
	struct worker_row w = {0};
	w.id = id;
	w.name = name;
	w.status = status;
	w.has_heartbeat = age >= 0;
	w.heartbeat_age = age;
	w.transitions = transitions;
	w.host = name;
	return w;
}

static const char *worker_order(const struct snapshot *s)
{
	static char buf[256];
	buf[0] = '\0';
	for (int i = 0; i < s->nworkers; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "",
		         s->workers[i].name);
	return buf;
}

static const char *change_order(const struct snapshot *s)
{
	static char buf[256];
	buf[0] = '\0';
	for (int i = 0; i < s->nchanges; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%lld:%s", i ? " " : "",
		         (long long)s->changes[i].id, s->changes[i].new_status);
	return buf;
}

static const char *failure_order(const struct snapshot *s)
{
	static char buf[256];
	buf[0] = '\0';
	for (int i = 0; i < s->nfailures; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%lld", i ? " " : "",
		         (long long)s->failures[i].id);
	return buf;
}

int main(void)
{
	struct worker_row w[] = {
	    wk(1, "a-ok", "active", 2, 5),      wk(2, "b-error", "error", 3, 1),
	    wk(3, "c-stale", "active", 600, 9), wk(4, "d-never", "active", -1, 0),
	    wk(5, "e-busy", "busy", 1, 5),
	};
	struct change_row c[] = {
	    {3000, 7, "core.echo", "running", "succeeded"},
	    {3000, 9, "ops.restart", "scheduled", "running"},
	    {1000, 8, "core.echo", "requested", "scheduling"},
	    {2000, 9, "ops.restart", "running", "failed"},
	};
	struct failure_row f[] = {
	    {100, 4, "core.echo", "failed", "w1", "boom"},
	    {300, 2, "ops.restart", "timeout", NULL, NULL},
	    {300, 3, "core.echo", "abandoned", "w2", "gone"},
	};
	struct snapshot s = {0};
	s.workers = w;
	s.nworkers = 5;
	s.changes = c;
	s.nchanges = 4;
	s.failures = f;
	s.nfailures = 3;

	is_int(tablesort_columns(PANEL_WORKERS), WSORT_N, "workers: every column");
	is_int(tablesort_columns(PANEL_ACTIONS), 0, "top actions sort on their own");
	is_str(tablesort_label(PANEL_WORKERS, WSORT_HEARTBEAT), "heartbeat", "a label");
	is_str(tablesort_label(PANEL_CHANGES, 99), "?", "out of range");

	tablesort_apply(&s, PANEL_WORKERS, WSORT_SEVERITY, false);
	is_str(worker_order(&s), "b-error c-stale d-never e-busy a-ok", "severity by default");
	tablesort_apply(&s, PANEL_WORKERS, WSORT_NAME, false);
	is_str(worker_order(&s), "a-ok b-error c-stale d-never e-busy", "by name");
	tablesort_apply(&s, PANEL_WORKERS, WSORT_NAME, true);
	is_str(worker_order(&s), "e-busy d-never c-stale b-error a-ok", "by name, reversed");
	tablesort_apply(&s, PANEL_WORKERS, WSORT_STATUS, false);
	is_str(worker_order(&s), "c-stale d-never a-ok e-busy b-error",
	       "by status, ties by severity");
	tablesort_apply(&s, PANEL_WORKERS, WSORT_HEARTBEAT, false);
	is_str(worker_order(&s), "d-never c-stale b-error a-ok e-busy",
	       "by heartbeat: never, then the oldest");
	tablesort_apply(&s, PANEL_WORKERS, WSORT_TRANSITIONS, false);
	is_str(worker_order(&s), "c-stale e-busy a-ok b-error d-never",
	       "by transitions, most first, ties by severity");

	tablesort_apply(&s, PANEL_CHANGES, CSORT_ACTION, false);
	is_str(change_order(&s), "7:succeeded 8:scheduling 9:running 9:failed",
	       "changes by action, ties newest first");
	tablesort_apply(&s, PANEL_CHANGES, CSORT_TIME, false);
	is_str(change_order(&s), "9:running 7:succeeded 9:failed 8:scheduling",
	       "changes: newest first, then by execution");
	tablesort_apply(&s, PANEL_CHANGES, CSORT_TIME, true);
	is_str(change_order(&s), "8:scheduling 9:failed 7:succeeded 9:running",
	       "changes reversed: oldest first");
	tablesort_apply(&s, PANEL_CHANGES, CSORT_NEW, false);
	is_str(change_order(&s), "9:failed 9:running 8:scheduling 7:succeeded",
	       "changes by new status");

	tablesort_apply(&s, PANEL_FAILURES, FSORT_TIME, false);
	is_str(failure_order(&s), "3 2 4", "failures: newest end first, then by execution");
	tablesort_apply(&s, PANEL_FAILURES, FSORT_WORKER, false);
	is_str(failure_order(&s), "2 4 3", "failures by worker, none first");
	tablesort_apply(&s, PANEL_FAILURES, FSORT_EXECUTION, true);
	is_str(failure_order(&s), "2 3 4", "failures by execution, reversed");
	return done_testing();
}
