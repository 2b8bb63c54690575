/* Worker health classes, their counts and the severity order. */
#include "model/health.h"

#include <stdlib.h>
#include <string.h>

bool health_worker_down(const struct worker_row *w)
{
	static const char *const down[] = {"inactive", "offline", "stopped", NULL};
	for (int i = 0; w->status && down[i]; i++)
		if (strcmp(w->status, down[i]) == 0)
			return true;
	return false;
}

/* A worker that says it is down is not stale, just down. */
bool health_worker_stale(const struct worker_row *w)
{
	if (health_worker_down(w))
		return false;
	return !w->has_heartbeat || w->heartbeat_age > WORKER_STALE_SECONDS;
}

bool health_worker_flapping(const struct worker_row *w)
{
	return w->recent_transitions >= WORKER_FLAP_TRANSITIONS;
}

static bool status_is(const struct worker_row *w, const char *st)
{
	return w->status && strcmp(w->status, st) == 0;
}

enum worker_class health_worker_class(const struct worker_row *w)
{
	if (status_is(w, "error"))
		return WCLASS_ERROR;
	if (health_worker_stale(w))
		return WCLASS_STALE;
	if (health_worker_flapping(w))
		return WCLASS_FLAPPING;
	if (status_is(w, "busy"))
		return WCLASS_BUSY;
	return health_worker_down(w) ? WCLASS_DOWN : WCLASS_OK;
}

const char *health_class_label(enum worker_class c)
{
	static const char *const labels[WCLASS_COUNT] = {"error", "stale", "flapping",
	                                                 "busy",  "ok",    "down"};
	return c < WCLASS_COUNT ? labels[c] : "?";
}

void health_count(const struct snapshot *s, int counts[WCLASS_COUNT])
{
	memset(counts, 0, WCLASS_COUNT * sizeof *counts);
	for (int i = 0; i < s->nworkers; i++)
		counts[health_worker_class(&s->workers[i])]++;
}

/* Up and down workers share one rank: after the problems, by name. */
static int rank(const struct worker_row *w)
{
	enum worker_class c = health_worker_class(w);
	return c < WCLASS_OK ? (int)c : WCLASS_OK;
}

int health_cmp_workers(const struct worker_row *a, const struct worker_row *b)
{
	int ra = rank(a), rb = rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
	if (c)
		return c;
	return a->id == b->id ? 0 : a->id < b->id ? -1 : 1;
}

static int cmp_workers(const void *pa, const void *pb)
{
	return health_cmp_workers(pa, pb);
}

void health_sort_workers(struct snapshot *s)
{
	if (s->nworkers > 1)
		qsort(s->workers, (size_t)s->nworkers, sizeof *s->workers, cmp_workers);
}

int health_problem_workers(const struct snapshot *s)
{
	int n = 0;
	for (int i = 0; i < s->nworkers; i++)
		n += health_worker_class(&s->workers[i]) < WCLASS_BUSY;
	return n;
}
