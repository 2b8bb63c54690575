/* The workers, recent changes and recent failures tables sorted by any of
 * their columns; ties fall back to the table's own order so a sort is total
 * and the selection (kept by key) lands where the eye expects it. */
#include "model/tablesort.h"

#include <stdlib.h>
#include <string.h>

#include "model/health.h"

static int sort_col;
static bool sort_rev;

/* A missing text sorts as "": before every name. */
static int cmp_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_desc(int64_t a, int64_t b)
{
	return a == b ? 0 : a < b ? 1 : -1;
}

/* Longest silence first: a worker that never beat is the most silent. */
static int cmp_heartbeat(const struct worker_row *a, const struct worker_row *b)
{
	if (a->has_heartbeat != b->has_heartbeat)
		return a->has_heartbeat ? 1 : -1;
	if (!a->has_heartbeat || a->heartbeat_age == b->heartbeat_age)
		return 0;
	return a->heartbeat_age < b->heartbeat_age ? 1 : -1;
}

static int cmp_workers(const void *pa, const void *pb)
{
	const struct worker_row *a = pa, *b = pb;
	int c = 0;
	switch (sort_col) {
	case WSORT_NAME:
		c = cmp_text(a->name, b->name);
		break;
	case WSORT_STATUS:
		c = cmp_text(a->status, b->status);
		break;
	case WSORT_ROLE:
		c = cmp_text(a->role, b->role);
		break;
	case WSORT_TYPE:
		c = cmp_text(a->type, b->type);
		break;
	case WSORT_HOST:
		c = cmp_text(a->host, b->host);
		if (!c)
			c = a->port == b->port ? 0 : a->port < b->port ? -1 : 1;
		break;
	case WSORT_HEARTBEAT:
		c = cmp_heartbeat(a, b);
		break;
	case WSORT_TRANSITIONS:
		c = cmp_desc(a->transitions, b->transitions);
		break;
	default:
		break;
	}
	if (!c)
		c = health_cmp_workers(a, b);
	return sort_rev ? -c : c;
}

/* The query's order: newest first, then by execution (descending). */
static int cmp_changes(const void *pa, const void *pb)
{
	const struct change_row *a = pa, *b = pb;
	int c = 0;
	switch (sort_col) {
	case CSORT_EXECUTION:
		c = cmp_desc(a->id, b->id);
		break;
	case CSORT_ACTION:
		c = cmp_text(a->ref, b->ref);
		break;
	case CSORT_OLD:
		c = cmp_text(a->old_status, b->old_status);
		break;
	case CSORT_NEW:
		c = cmp_text(a->new_status, b->new_status);
		break;
	default:
		break;
	}
	if (!c)
		c = cmp_desc(a->time_us, b->time_us);
	if (!c)
		c = cmp_desc(a->id, b->id);
	if (!c)
		c = cmp_text(a->new_status, b->new_status);
	if (!c)
		c = cmp_text(a->old_status, b->old_status);
	return sort_rev ? -c : c;
}

/* The query's order: newest end first, then by execution (descending). */
static int cmp_failures(const void *pa, const void *pb)
{
	const struct failure_row *a = pa, *b = pb;
	int c = 0;
	switch (sort_col) {
	case FSORT_EXECUTION:
		c = cmp_desc(a->id, b->id);
		break;
	case FSORT_STATUS:
		c = cmp_text(a->status, b->status);
		break;
	case FSORT_ACTION:
		c = cmp_text(a->ref, b->ref);
		break;
	case FSORT_WORKER:
		c = cmp_text(a->worker, b->worker);
		break;
	case FSORT_ERROR:
		c = cmp_text(a->error, b->error);
		break;
	default:
		break;
	}
	if (!c)
		c = cmp_desc(a->time_us, b->time_us);
	if (!c)
		c = cmp_desc(a->id, b->id);
	return sort_rev ? -c : c;
}

int tablesort_columns(enum panel_id p)
{
	switch (p) {
	case PANEL_WORKERS:
		return WSORT_N;
	case PANEL_CHANGES:
		return CSORT_N;
	case PANEL_FAILURES:
		return FSORT_N;
	default:
		return 0;
	}
}

const char *tablesort_label(enum panel_id p, int col)
{
	static const char *const wl[WSORT_N] = {
	    "severity", "name", "status", "role", "type", "host:port", "heartbeat", "transitions"};
	static const char *const cl[CSORT_N] = {"time", "execution", "action", "old status",
	                                        "new status"};
	static const char *const fl[FSORT_N] = {"age",    "execution", "status",
	                                        "action", "worker",    "error"};
	if (col < 0 || col >= tablesort_columns(p))
		return "?";
	return p == PANEL_WORKERS ? wl[col] : p == PANEL_CHANGES ? cl[col] : fl[col];
}

void tablesort_apply(struct snapshot *s, enum panel_id p, int col, bool reverse)
{
	sort_col = col;
	sort_rev = reverse;
	if (p == PANEL_WORKERS && s->nworkers > 1)
		qsort(s->workers, (size_t)s->nworkers, sizeof *s->workers, cmp_workers);
	else if (p == PANEL_CHANGES && s->nchanges > 1)
		qsort(s->changes, (size_t)s->nchanges, sizeof *s->changes, cmp_changes);
	else if (p == PANEL_FAILURES && s->nfailures > 1)
		qsort(s->failures, (size_t)s->nfailures, sizeof *s->failures, cmp_failures);
}
