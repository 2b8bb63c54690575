/* Query results → snapshot. Values are parsed from text results of a
 * session pinned to UTC/ISO, so no locale-dependent text is ever read. */
#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "util/spark.h"

int64_t model_range_start(int64_t server_now_s, long range_hours)
{
	int64_t lo = server_now_s - (int64_t)range_hours * 3600;
	int64_t floor = lo / 3600 * 3600;
	if (lo < 0 && floor != lo)
		floor -= 3600;
	return floor;
}

int model_bucket_count(int64_t range_start, int64_t server_now_s)
{
	if (server_now_s < range_start)
		return 1;
	return (int)((server_now_s - range_start) / 3600) + 1;
}

struct snapshot *snapshot_new(long range_hours, int64_t range_start, int64_t est_now_us,
                              const char *filter)
{
	struct snapshot *s = xcalloc(1, sizeof *s);
	s->server_now_us = est_now_us;
	s->range_hours = range_hours;
	s->range_start = range_start;
	s->nbuckets = model_bucket_count(range_start, est_now_us / 1000000);
	/* Room for one more hour: the estimate may trail the server's clock. */
	s->bucket_cap = s->nbuckets + 1;
	s->filter = filter ? arena_strdup(&s->arena, filter) : NULL;
	size_t nb = (size_t)s->bucket_cap;
	s->exec_created = arena_calloc(&s->arena, nb, sizeof(int64_t));
	s->events = arena_calloc(&s->arena, nb, sizeof(int64_t));
	s->enforcements = arena_calloc(&s->arena, nb, sizeof(int64_t));
	s->completed = arena_calloc(&s->arena, nb, sizeof(int64_t));
	s->failed = arena_calloc(&s->arena, nb, sizeof(int64_t));
	return s;
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	arena_free(&s->arena);
	free(s);
}

const char *snapshot_text(struct snapshot *s, const char *text)
{
	return text ? arena_strdup(&s->arena, text) : NULL;
}

/* Index of a bucket start in the snapshot's range, or -1 when outside. */
int snapshot_bucket(const struct snapshot *s, int64_t epoch)
{
	if (epoch < s->range_start)
		return -1;
	int64_t i = (epoch - s->range_start) / 3600;
	return i < s->nbuckets ? (int)i : -1;
}

static uint32_t hash_str(const char *p)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

/* The slot of `ref` in the action hash index: its row number + 1, or 0
 * where it would go. */
static int *action_slot(const struct snapshot *s, const char *ref)
{
	uint32_t mask = (uint32_t)s->action_slot_cap - 1;
	for (uint32_t i = hash_str(ref) & mask;; i = (i + 1) & mask) {
		int *slot = &s->action_slots[i];
		if (*slot == 0 || strcmp(s->actions[*slot - 1].ref, ref) == 0)
			return slot;
	}
}

/* Keep the index at most half full (rows are never removed). */
static void action_index_grow(struct snapshot *s)
{
	if (s->action_slot_cap > 2 * (s->nactions + 1))
		return;
	int cap = s->action_slot_cap ? s->action_slot_cap * 2 : 64;
	while (cap <= 2 * (s->nactions + 1))
		cap *= 2;
	s->action_slots = arena_calloc(&s->arena, (size_t)cap, sizeof *s->action_slots);
	s->action_slot_cap = cap;
	for (int i = 0; i < s->nactions; i++)
		*action_slot(s, s->actions[i].ref) = i + 1;
}

/* Find or add an action row (rows grow by doubling in the arena). */
struct action_row *snapshot_action(struct snapshot *s, const char *ref)
{
	action_index_grow(s);
	int *slot = action_slot(s, ref);
	if (*slot)
		return &s->actions[*slot - 1];
	if (s->nactions == s->action_cap) {
		int ncap = s->action_cap ? s->action_cap * 2 : 32;
		struct action_row *n = arena_calloc(&s->arena, (size_t)ncap, sizeof *n);
		if (s->nactions)
			memcpy(n, s->actions, (size_t)s->nactions * sizeof *n);
		s->actions = n;
		s->action_cap = ncap;
	}
	struct action_row *a = &s->actions[s->nactions++];
	a->ref = arena_strdup(&s->arena, ref);
	*slot = s->nactions;
	a->buckets = arena_calloc(&s->arena, (size_t)s->bucket_cap, sizeof(int64_t));
	return a;
}

struct status_series *snapshot_status(struct snapshot *s, const char *status)
{
	for (int i = 0; i < s->nstatuses; i++)
		if (strcmp(s->statuses[i].status, status) == 0)
			return &s->statuses[i];
	if (s->nstatuses == s->status_cap) {
		int ncap = s->status_cap ? s->status_cap * 2 : 16;
		struct status_series *n = arena_calloc(&s->arena, (size_t)ncap, sizeof *n);
		if (s->nstatuses)
			memcpy(n, s->statuses, (size_t)s->nstatuses * sizeof *n);
		s->statuses = n;
		s->status_cap = ncap;
	}
	struct status_series *st = &s->statuses[s->nstatuses++];
	st->status = arena_strdup(&s->arena, status);
	st->buckets = arena_calloc(&s->arena, (size_t)s->bucket_cap, sizeof(int64_t));
	return st;
}

void snapshot_set_now(struct snapshot *s, int64_t now_us)
{
	int n = model_bucket_count(s->range_start, now_us / 1000000);
	s->server_now_us = now_us;
	s->nbuckets = n < s->bucket_cap ? n : s->bucket_cap;
}

void snapshot_series_unavailable(struct snapshot *s, int64_t *v, const char *name, const char *why)
{
	struct panel_state *p = &s->panel[PANEL_THROUGHPUT];
	size_t len = strlen(p->note);
	for (int i = 0; i < s->bucket_cap; i++)
		v[i] = SPARK_NODATA;
	snprintf(p->note + len, sizeof p->note - len, "%s%s: %s", len ? "; " : "", name, why);
}

void snapshot_panel_unavailable(struct snapshot *s, enum panel_id p, bool missing, const char *why)
{
	s->panel[p].failed = !missing;
	s->panel[p].missing = missing;
	snprintf(s->panel[p].note, sizeof s->panel[p].note, "%s", why);
}

/* Add known values of src into the known values of dst. */
static void add_series(int64_t *dst, const int64_t *src, int n)
{
	for (int i = 0; i < n; i++)
		if (dst[i] >= 0 && src[i] >= 0)
			dst[i] += src[i];
}

void snapshot_worker_status(struct snapshot *s, const char *name, int64_t count, int64_t last_hour)
{
	if (s->nworker_status == s->worker_status_cap) {
		int ncap = s->worker_status_cap ? s->worker_status_cap * 2 : 64;
		struct worker_status *n = arena_calloc(&s->arena, (size_t)ncap, sizeof *n);
		if (s->nworker_status)
			memcpy(n, s->worker_status, (size_t)s->nworker_status * sizeof *n);
		s->worker_status = n;
		s->worker_status_cap = ncap;
	}
	s->worker_status[s->nworker_status++] = (struct worker_status){
	    arena_strdup(&s->arena, name ? name : ""), count, count, last_hour};
}

void snapshot_add_settled(struct snapshot *s, const struct snapshot *settled, bool last_hour_recent)
{
	int n = s->bucket_cap < settled->bucket_cap ? s->bucket_cap : settled->bucket_cap;
	add_series(s->exec_created, settled->exec_created, n);
	add_series(s->events, settled->events, n);
	add_series(s->enforcements, settled->enforcements, n);
	add_series(s->completed, settled->completed, n);
	add_series(s->failed, settled->failed, n);
	for (int i = 0; i < settled->nactions; i++) {
		const struct action_row *from = &settled->actions[i];
		struct action_row *a = snapshot_action(s, from->ref);
		a->executions += from->executions;
		a->completed += from->completed;
		a->failed += from->failed;
		a->timeout += from->timeout;
		add_series(a->buckets, from->buckets, n);
	}
	for (int i = 0; i < settled->nstatuses; i++) {
		const struct status_series *from = &settled->statuses[i];
		struct status_series *st = snapshot_status(s, from->status);
		st->total += from->total;
		add_series(st->buckets, from->buckets, n);
	}
	s->total_transitions += settled->total_transitions;
	for (int i = 0; i < settled->nworker_status; i++) {
		const struct worker_status *from = &settled->worker_status[i];
		snapshot_worker_status(s, from->name, from->count, 0);
		s->worker_status[s->nworker_status - 1].recent =
		    last_hour_recent ? from->last_hour : 0;
	}
	s->worker_status_read = s->worker_status_read || settled->worker_status_read;
	s->summary_read = s->summary_read || settled->summary_read;
	for (int k = 0; k < SUMMARY_KINDS; k++)
		s->summary_hours[k] += settled->summary_hours[k];
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool i64s_eq(const int64_t *a, const int64_t *b, int n)
{
	return n <= 0 || memcmp(a, b, (size_t)n * sizeof *a) == 0;
}

/* Whether a worker is stale (decided on the exact age) is part of the
 * view; the age as shown is compared by the workers panel for the rows on
 * screen only (overview_panels.c). */
static bool stale_eq(const struct worker_row *a, const struct worker_row *b)
{
	if (a->has_heartbeat != b->has_heartbeat)
		return false;
	return !a->has_heartbeat || (a->heartbeat_age > WORKER_STALE_SECONDS) ==
	                                (b->heartbeat_age > WORKER_STALE_SECONDS);
}

static bool workers_eq(const struct snapshot *a, const struct snapshot *b)
{
	if (a->nworkers != b->nworkers)
		return false;
	for (int i = 0; i < a->nworkers; i++) {
		const struct worker_row *x = &a->workers[i], *y = &b->workers[i];
		if (x->id != y->id || x->port != y->port || x->transitions != y->transitions ||
		    x->recent_transitions != y->recent_transitions || !str_eq(x->name, y->name) ||
		    !str_eq(x->type, y->type) || !str_eq(x->role, y->role) ||
		    !str_eq(x->status, y->status) || !str_eq(x->host, y->host) || !stale_eq(x, y))
			return false;
	}
	return true;
}

static bool lists_eq(const struct snapshot *a, const struct snapshot *b)
{
	if (a->nstatuses != b->nstatuses || a->nactions != b->nactions ||
	    a->nchanges != b->nchanges || a->ninflight != b->ninflight ||
	    a->nfailures != b->nfailures || a->oldest_inflight_id != b->oldest_inflight_id ||
	    a->oldest_inflight_us != b->oldest_inflight_us)
		return false;
	for (int i = 0; i < a->nstatuses; i++) {
		const struct status_series *x = &a->statuses[i], *y = &b->statuses[i];
		if (x->total != y->total || !str_eq(x->status, y->status) ||
		    !i64s_eq(x->buckets, y->buckets, a->nbuckets))
			return false;
	}
	for (int i = 0; i < a->nactions; i++) {
		const struct action_row *x = &a->actions[i], *y = &b->actions[i];
		if (x->executions != y->executions || x->completed != y->completed ||
		    x->failed != y->failed || x->timeout != y->timeout || !str_eq(x->ref, y->ref) ||
		    !i64s_eq(x->buckets, y->buckets, a->nbuckets))
			return false;
	}
	for (int i = 0; i < a->nchanges; i++) {
		const struct change_row *x = &a->changes[i], *y = &b->changes[i];
		if (x->time_us != y->time_us || x->id != y->id || !str_eq(x->ref, y->ref) ||
		    !str_eq(x->old_status, y->old_status) || !str_eq(x->new_status, y->new_status))
			return false;
	}
	for (int i = 0; i < a->nfailures; i++) {
		const struct failure_row *x = &a->failures[i], *y = &b->failures[i];
		if (x->time_us != y->time_us || x->id != y->id || !str_eq(x->ref, y->ref) ||
		    !str_eq(x->status, y->status) || !str_eq(x->worker, y->worker) ||
		    !str_eq(x->error, y->error))
			return false;
	}
	for (int i = 0; i < a->ninflight; i++)
		if (a->inflight[i].count != b->inflight[i].count ||
		    !str_eq(a->inflight[i].name, b->inflight[i].name))
			return false;
	return true;
}

bool snapshot_same_view(const struct snapshot *a, const struct snapshot *b)
{
	if (a->range_hours != b->range_hours || a->range_start != b->range_start ||
	    a->nbuckets != b->nbuckets || !str_eq(a->filter, b->filter) ||
	    a->total_exec != b->total_exec || a->total_events != b->total_events ||
	    a->total_enforcements != b->total_enforcements ||
	    a->total_inflight != b->total_inflight ||
	    a->total_transitions != b->total_transitions ||
	    a->materialized_through != b->materialized_through ||
	    a->inflight_failed != b->inflight_failed || a->summary_read != b->summary_read ||
	    memcmp(a->summary_hours, b->summary_hours, sizeof a->summary_hours) != 0)
		return false;
	const int64_t *sa[] = {a->exec_created, a->events, a->enforcements, a->completed,
	                       a->failed};
	const int64_t *sb[] = {b->exec_created, b->events, b->enforcements, b->completed,
	                       b->failed};
	for (size_t i = 0; i < sizeof sa / sizeof *sa; i++)
		if (!i64s_eq(sa[i], sb[i], a->nbuckets))
			return false;
	for (int p = 0; p < PANEL_COUNT; p++)
		if (a->panel[p].failed != b->panel[p].failed ||
		    a->panel[p].missing != b->panel[p].missing ||
		    strcmp(a->panel[p].note, b->panel[p].note) != 0)
			return false;
	return lists_eq(a, b) && workers_eq(a, b);
}

/* Total of the known buckets; -1 when none is known. */
static int64_t sum(const int64_t *v, int n)
{
	int64_t t = 0;
	bool known = false;
	for (int i = 0; i < n; i++) {
		if (v[i] < 0)
			continue;
		t += v[i];
		known = true;
	}
	return known ? t : -1;
}

static int by_total_desc(const void *a, const void *b)
{
	const struct status_series *x = a, *y = b;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->status, y->status);
}

static int by_worker_name(const void *a, const void *b)
{
	return strcmp(((const struct worker_status *)a)->name,
	              ((const struct worker_status *)b)->name);
}

/* Each worker's transitions over the parts read (by name, as
 * worker_status_hourly keys them), or -1 when they were not read. */
static void fold_worker_status(struct snapshot *s)
{
	if (s->nworker_status > 1)
		qsort(s->worker_status, (size_t)s->nworker_status, sizeof *s->worker_status,
		      by_worker_name);
	for (int i = 0; i < s->nworkers; i++) {
		struct worker_row *w = &s->workers[i];
		w->transitions = w->recent_transitions = s->worker_status_read ? 0 : -1;
		if (!s->worker_status_read || !w->name)
			continue;
		struct worker_status key = {.name = w->name};
		const struct worker_status *hit =
		    s->nworker_status ? bsearch(&key, s->worker_status, (size_t)s->nworker_status,
		                                sizeof key, by_worker_name)
		                      : NULL;
		if (!hit)
			continue;
		while (hit > s->worker_status && by_worker_name(hit - 1, &key) == 0)
			hit--;
		for (; hit < s->worker_status + s->nworker_status && by_worker_name(hit, &key) == 0;
		     hit++) {
			w->transitions += hit->count;
			w->recent_transitions += hit->recent;
		}
	}
}

/* Ages on the server's clock as this refresh read it. The heartbeats are
 * read as times, not ages, so that an unchanged worker reads the same. */
static void set_heartbeat_ages(struct snapshot *s)
{
	for (int i = 0; i < s->nworkers; i++) {
		struct worker_row *w = &s->workers[i];
		w->heartbeat_age =
		    w->has_heartbeat ? (double)(s->server_now_us - w->heartbeat_us) / 1e6 : 0;
	}
}

void snapshot_move_to(struct snapshot *s, int64_t now_us)
{
	snapshot_set_now(s, now_us);
	set_heartbeat_ages(s);
}

void snapshot_finish(struct snapshot *s)
{
	set_heartbeat_ages(s);
	fold_worker_status(s);
	s->total_exec = sum(s->exec_created, s->nbuckets);
	s->total_events = sum(s->events, s->nbuckets);
	s->total_enforcements = sum(s->enforcements, s->nbuckets);
	if (s->nstatuses > 1)
		qsort(s->statuses, (size_t)s->nstatuses, sizeof *s->statuses, by_total_desc);
	snapshot_sort_actions(s, SORT_EXECUTIONS);
}

int64_t model_status_total(const struct snapshot *s, const char *status)
{
	for (int i = 0; i < s->nstatuses; i++)
		if (strcmp(s->statuses[i].status, status) == 0)
			return s->statuses[i].total;
	return 0;
}

const char *model_sort_label(enum action_sort k)
{
	static const char *const labels[SORT_COUNT] = {"executions", "failed", "failure %",
	                                               "name",       "ok",     "timeout"};
	return k < SORT_COUNT ? labels[k] : "?";
}

/* Failure share in parts per million, for exact integer comparison. */
static int64_t failure_ppm(const struct action_row *a)
{
	int64_t den = a->completed + a->failed + a->timeout;
	return den ? (a->failed + a->timeout) * 1000000 / den : -1;
}

static enum action_sort sort_key;

static int cmp_i64_desc(int64_t x, int64_t y)
{
	return x == y ? 0 : x < y ? 1 : -1;
}

static int cmp_actions(const void *pa, const void *pb)
{
	const struct action_row *a = pa, *b = pb;
	int c = 0;
	switch (sort_key) {
	case SORT_EXECUTIONS:
		c = cmp_i64_desc(a->executions, b->executions);
		break;
	case SORT_FAILED:
		c = cmp_i64_desc(a->failed + a->timeout, b->failed + b->timeout);
		break;
	case SORT_FAILURE_RATE:
		c = cmp_i64_desc(failure_ppm(a), failure_ppm(b));
		break;
	case SORT_OK:
		c = cmp_i64_desc(a->completed, b->completed);
		break;
	case SORT_TIMEOUT:
		c = cmp_i64_desc(a->timeout, b->timeout);
		break;
	case SORT_NAME:
		break;
	case SORT_COUNT:
		break;
	}
	if (c == 0 && sort_key != SORT_NAME)
		c = cmp_i64_desc(a->executions, b->executions);
	return c ? c : strcmp(a->ref, b->ref);
}

void snapshot_sort_actions(struct snapshot *s, enum action_sort k)
{
	sort_key = k;
	s->action_slots = NULL; /* rows move: rebuilt if needed again */
	s->action_slot_cap = 0;
	if (s->nactions > 1)
		qsort(s->actions, (size_t)s->nactions, sizeof *s->actions, cmp_actions);
}
