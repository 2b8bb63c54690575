/* Entity timeline: SQL and result parsing. Values are displayed as the
 * server renders them (jsonb_pretty, ->>): no JSON parsing here. Times in
 * the JSON come in UTC between marks, for the view to show in UTC or local
 * time (fmt_marked_times). */
#include "model/timeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/json_utc.h"
#include "db/queries.h"
#include "db/txn.h"

/* Row order and keyset: time, then INSERT < UPDATE < DELETE, then a digest
 * of the row so that rows written in one transaction (same now()) still
 * have a total order. */
#define RANK "(CASE h.operation WHEN 'INSERT' THEN 0 WHEN 'DELETE' THEN 2 ELSE 1 END)"
#define TB                                                                                         \
	"md5(h.changed_fields::text || coalesce(h.old_values::text, '') ||"                        \
	" coalesce(h.new_values::text, ''))"
#define KEY     "(h.time, " RANK ", " TB ")"
#define USEC(x) "(extract(epoch FROM " x ") * 1000000)::int8"
#define TS(p)   "(timestamptz 'epoch' + " p "::int8 * interval '1 microsecond')"
#define FILTERS                                                                                    \
	"($2::text IS NULL OR h.operation = $2::text) AND ($3::text IS NULL OR $3::text = "        \
	"ANY(h.changed_fields))"
/* A value as one line (SQL; the caller frees): digests as
 * digest/size/type, strings unquoted, the separators used below and the
 * time mark removed from the data, times in JSON in UTC between marks. */
#define SEPS "chr(29) || chr(30) || chr(31)"
static char *disp_sql(const char *v)
{
	char *text = xasprintf("%s::text", v);
	char *utc = json_utc_sql(text, true);
	char *sql =
	    xasprintf("CASE WHEN %s IS NULL THEN '-' WHEN jsonb_typeof(%s) = 'object' AND %s"
	              " ?& array['digest','size','type'] THEN translate((%s->>'digest') || ' ' ||"
	              " (%s->>'size') || 'B ' || (%s->>'type'), " SEPS ", '')"
	              " ELSE (SELECT CASE WHEN jsonb_typeof(%s) <> 'string' THEN d.s"
	              " WHEN left(d.s, 2) = '\"' || chr(29) THEN btrim(d.s, '\"')"
	              " ELSE translate(%s #>> '{}', " SEPS ", '') END FROM (SELECT %s AS s) d) END",
	              v, v, v, v, v, v, v, v, utc);
	free(text);
	free(utc);
	return sql;
}

/* Each change as field, old and new value (SQL; the caller frees). */
static char *changes_sql(void)
{
	char *o = disp_sql("(h.old_values->f)"), *n = disp_sql("(h.new_values->f)"),
	     *v = disp_sql("value");
	char *sql = xasprintf(
	    "CASE h.operation WHEN 'UPDATE' THEN (SELECT string_agg(f || chr(31) || %s"
	    " || chr(31) || %s, chr(30) ORDER BY o) FROM unnest(h.changed_fields)"
	    " WITH ORDINALITY u(f, o)) WHEN 'INSERT' THEN (SELECT string_agg(key || chr(31)"
	    " || chr(31) || %s, chr(30) ORDER BY key) FROM jsonb_each(h.new_values))"
	    " ELSE '' END",
	    o, n, v);
	free(o);
	free(n);
	free(v);
	return sql;
}

static const char *history_of(const struct timeline *t)
{
	return t->spec.type == ENTITY_EXECUTION ? "execution_history" : "worker_history";
}

/* "WITH e AS (…)": the entity id, resolved from a worker's name when given
 * by name (the live row first, else the newest history row). */
static void entity_cte(const struct timeline *t, const char *qs, char *buf, size_t len)
{
	if (t->spec.by_name)
		snprintf(
		    buf, len,
		    "WITH e AS (SELECT coalesce((SELECT w.id FROM %s.worker w WHERE w.name = $1"
		    " ORDER BY w.id LIMIT 1), (SELECT x.entity_id FROM %s.worker_history x"
		    " WHERE x.entity_ref = $1 ORDER BY x.time DESC LIMIT 1)) AS id) ",
		    qs, qs);
	else
		snprintf(buf, len, "WITH e AS (SELECT $1::int8 AS id) ");
}

void timeline_init(struct timeline *t, const struct entity_spec *spec, const char *text)
{
	memset(t, 0, sizeof *t);
	t->spec = *spec;
	if (spec->by_name) {
		t->name = xstrdup(spec->name);
		t->spec.name = t->name;
	}
	snprintf(t->label, sizeof t->label, "%s", text);
	t->move = TL_TOP;
}

static void tl_snapshot_free(struct tl_snapshot *s)
{
	if (!s)
		return;
	arena_free(&s->arena);
	free(s);
}

static void free_sql(struct timeline *t)
{
	for (int i = 0; i < TQ_N; i++) {
		free(t->sql[i]);
		t->sql[i] = NULL;
	}
}

void timeline_abort_batch(struct timeline *t)
{
	tl_snapshot_free(t->building);
	t->building = NULL;
	t->listening = false; /* a new connection listens again */
}

void timeline_free(struct timeline *t)
{
	free_sql(t);
	tl_snapshot_free(t->snap);
	tl_snapshot_free(t->building);
	free(t->name);
	free(t->op_filter);
	free(t->field_filter);
	memset(t, 0, sizeof *t);
}

static char *live_sql(const struct timeline *t, const char *qs, const char *cte)
{
	if (t->spec.type == ENTITY_EXECUTION)
		return xasprintf(
		    "%sSELECT x.id::text, x.action_ref, x.status::text, " USEC(
		        "x.created") "::text, " USEC("x.started_at") "::text, " USEC("x.updated") "::text, "
		                                                                                  "x.executor::text, "
		                                                                                  "x.enforcement::text, "
		                                                                                  "x.parent::text"
		                                                                                  " FROM %s.execution x "
		                                                                                  "WHERE x.id = (SELECT "
		                                                                                  "id FROM e)"
		                                                                                  " ORDER BY x.created "
		                                                                                  "DESC LIMIT 1",
		    cte, qs);
	return xasprintf(
	    "%sSELECT w.id::text, w.name, w.status::text, w.host, w.port::text,"
	    " w.worker_role::text, w.worker_type::text, " USEC(
	        "w.last_heartbeat") "::text, round(extract(epoch FROM " TXN_NOW " - "
	                            "w.last_heartbeat), 1)::text"
	                            " FROM %s.worker w WHERE w.id = (SELECT id FROM e)",
	    cte, qs);
}

/* Status rows (INSERT, status changes, DELETE) with the time until the
 * next one: the time spent in that status. A terminal status that is the
 * last one has no end (final); any other last status runs until now. */
static char *status_sql(const struct timeline *t, const char *qs, const char *cte)
{
	return xasprintf("%s, s AS (SELECT h.time, h.operation, h.new_values->>'status' AS status,"
	                 " " RANK " AS rank, " TB " AS tb FROM %s.%s h"
	                 " WHERE h.entity_id = (SELECT id FROM e)"
	                 " AND (h.operation <> 'UPDATE' OR 'status' = ANY(h.changed_fields))),"
	                 " t AS (SELECT status, operation, time,"
	                 " lead(time) OVER (ORDER BY time, rank, tb) AS next FROM s)"
	                 " SELECT status, sum(extract(epoch FROM CASE WHEN status = ANY($2::text[])"
	                 " THEN NULL ELSE coalesce(next, " TXN_NOW
	                 ") END - time))::float8, count(*),"
	                 " bool_or(next IS NULL AND NOT status = ANY($2::text[]))"
	                 " FROM t WHERE operation <> 'DELETE' AND status IS NOT NULL"
	                 " GROUP BY status ORDER BY min(time), status",
	                 cte, qs, history_of(t));
}

static char *lifetime_sql(const struct timeline *t, const char *qs, const char *cte)
{
	return xasprintf("%sSELECT " USEC("min(h.time)") ", " USEC(
	                     "min(h.time) FILTER (WHERE "
	                     "h.new_values->>'status' = "
	                     "ANY($2::text[]))") ", " USEC("max(h.time) FILTER (WHERE h.operation "
	                                                   "= 'DELETE')") ", " USEC(TXN_NOW) " F"
	                                                                                     "RO"
	                                                                                     "M "
	                                                                                     "%s"
	                                                                                     ".%"
	                                                                                     "s "
	                                                                                     "h "
	                                                                                     "WH"
	                                                                                     "ER"
	                                                                                     "E "
	                                                                                     "h."
	                                                                                     "en"
	                                                                                     "ti"
	                                                                                     "ty"
	                                                                                     "_i"
	                                                                                     "d "
	                                                                                     "= "
	                                                                                     "(S"
	                                                                                     "EL"
	                                                                                     "EC"
	                                                                                     "T "
	                                                                                     "id"
	                                                                                     " F"
	                                                                                     "RO"
	                                                                                     "M "
	                                                                                     "e"
	                                                                                     ")",
	                 cte, qs, history_of(t));
}

static char *count_sql(const struct timeline *t, const char *qs, const char *cte)
{
	return xasprintf(
	    "%sSELECT count(*), count(*) FILTER (WHERE $4::int8 IS NOT NULL AND " KEY " > (" TS(
	        "$4") ", $5::int4, $6::text)), count(*) FILTER (WHERE $4::int8 IS"
	              " NOT NULL AND " KEY " >= (" TS(
	                  "$4") ", $5::int4, $6::text))"
	                        " FROM %s.%s h WHERE h.entity_id = (SELECT id FROM e) AND " FILTERS,
	    cte, qs, history_of(t));
}

/* One page in the direction of the move. The gap is to the previous
 * (older) row that passes the same filters: an index probe per row. */
static char *page_sql(const struct timeline *t, const char *qs, const char *cte)
{
	const char *cond = "", *order = "DESC";
	switch (t->batch_move) {
	case TL_STAY:
		cond = " AND " KEY " <= (" TS("$4") ", $5::int4, $6::text)";
		break;
	case TL_OLDER:
		cond = " AND " KEY " < (" TS("$4") ", $5::int4, $6::text)";
		break;
	case TL_NEWER:
		cond = " AND " KEY " > (" TS("$4") ", $5::int4, $6::text)";
		order = "ASC";
		break;
	case TL_END:
		order = "ASC";
		break;
	case TL_TOP:
		break;
	}
	const char *hist = history_of(t);
	char *changes = changes_sql();
	char *sql = xasprintf(
	    "%sSELECT " USEC(
	        "h.time") ", h.operation, " RANK ", " TB ","
	                  " array_to_string(h.changed_fields, ','), %s,"
	                  " " USEC("h.time") " - (SELECT " USEC(
	                      "p.time") " FROM %s.%s p"
	                                " WHERE p.entity_id = h.entity_id AND p.time <= h.time"
	                                " AND (p.time, (CASE p.operation WHEN 'INSERT' THEN 0 WHEN "
	                                "'DELETE' THEN 2"
	                                " ELSE 1 END), md5(p.changed_fields::text || "
	                                "coalesce(p.old_values::text, '')"
	                                " || coalesce(p.new_values::text, ''))) < " KEY
	                                " AND ($2::text IS NULL OR p.operation = $2::text)"
	                                " AND ($3::text IS NULL OR $3::text = "
	                                "ANY(p.changed_fields))"
	                                " ORDER BY p.time DESC LIMIT 1)"
	                                " FROM %s.%s h WHERE h.entity_id = (SELECT id FROM e) "
	                                "AND " FILTERS " AND ($4::int8 IS NULL OR TRUE) AND "
	                                "($5::int4 IS NULL OR TRUE)"
	                                " AND ($6::text IS NULL OR TRUE)%s"
	                                " ORDER BY h.time %s, 3 %s, 4 %s LIMIT %d",
	    cte, changes, qs, hist, qs, hist, cond, order, order, order, TL_PAGE);
	free(changes);
	return sql;
}

static char *detail_sql(const struct timeline *t, const char *qs, const char *cte)
{
	char *o = json_utc_sql("jsonb_pretty(h.old_values)", true),
	     *n = json_utc_sql("jsonb_pretty(h.new_values)", true);
	char *sql = xasprintf("%sSELECT %s, %s, h.operation"
	                      " FROM %s.%s h WHERE h.entity_id = (SELECT id FROM e)"
	                      " AND h.time = " TS("$2") " AND " RANK " = $3::int4 AND " TB
	                                                " = $4::text LIMIT 1",
	                      cte, o, n, qs, history_of(t));
	free(o);
	free(n);
	return sql;
}

/* The INSERT's values folded with every later change up to the row. */
static char *state_sql(const struct timeline *t, const char *qs, const char *cte)
{
	char *v = disp_sql("value");
	char *sql = xasprintf("%sSELECT key, %s FROM (SELECT DISTINCT ON (j.key) j.key,"
	                      " j.value FROM %s.%s h, jsonb_each(coalesce(h.new_values, '{}')) j"
	                      " WHERE h.entity_id = (SELECT id FROM e)"
	                      " AND " KEY " <= (" TS("$2") ", $3::int4, $4::text)"
	                                                   " ORDER BY j.key, h.time DESC, " RANK
	                                                   " DESC, " TB " DESC) v ORDER BY key",
	                      cte, v, qs, history_of(t));
	free(v);
	return sql;
}

static void key_params(const struct tl_key *k, char *time, size_t tl, char *rank, size_t rl,
                       char *tb, size_t bl)
{
	snprintf(time, tl, "%lld", (long long)k->time_us);
	snprintf(rank, rl, "%d", k->rank);
	snprintf(tb, bl, "%s", k->tb);
}

/* The row whose detail and state are shown: the selection, when the page
 * it is on is the one on screen. */
static const struct tl_row *selected(const struct timeline *t)
{
	const struct tl_snapshot *s = t->snap;
	bool same_page = t->move == TL_STAY || (t->move == TL_TOP && s && s->first_index == 0);
	if (!s || !same_page || t->sel < 0 || t->sel >= s->nrows)
		return NULL;
	return &s->rows[t->sel];
}

bool timeline_needs_detail(const struct timeline *t)
{
	const struct tl_row *r = selected(t);
	const struct tl_snapshot *s = t->snap;
	return r && (!s->has_detail || s->detail_key.time_us != r->key.time_us ||
	             s->detail_key.rank != r->key.rank || strcmp(s->detail_key.tb, r->key.tb) != 0);
}

/* The count and the page, relative to the anchor when there is one. */
static int batch_page(struct timeline *t, const char *qs, const char *cte, const char *ent,
                      struct db_query *q, int n)
{
	bool anchored = t->have_anchor && t->move != TL_TOP && t->move != TL_END;
	/* Keys may move the selection while this batch is in flight: remember
	 * what it asked for. */
	t->batch_move = t->have_anchor ? t->move : (t->move == TL_END ? TL_END : TL_TOP);
	t->batch_place = t->place_sel;
	t->move_pending = false;
	if (anchored)
		key_params(&t->anchor, t->p_time, sizeof t->p_time, t->p_rank, sizeof t->p_rank,
		           t->p_stb, sizeof t->p_stb);
	const char *a_time = anchored ? t->p_time : NULL, *a_rank = anchored ? t->p_rank : NULL,
	           *a_tb = anchored ? t->p_stb : NULL;
	t->sql[TQ_COUNT] = count_sql(t, qs, cte);
	t->batch_index[n] = TQ_COUNT;
	q[n++] = (struct db_query){
	    t->sql[TQ_COUNT], 6, {ent, t->op_filter, t->field_filter, a_time, a_rank, a_tb}};
	t->sql[TQ_PAGE] = page_sql(t, qs, cte);
	t->batch_index[n] = TQ_PAGE;
	q[n++] = (struct db_query){
	    t->sql[TQ_PAGE], 6, {ent, t->op_filter, t->field_filter, a_time, a_rank, a_tb}};
	return n;
}

/* The selected row's values and the entity's state at it. */
static int batch_detail(struct timeline *t, const char *qs, const char *cte, const char *ent,
                        struct db_query *q, int n)
{
	const struct tl_row *sel = selected(t);
	if (!sel)
		return n;
	key_params(&sel->key, t->p_stime, sizeof t->p_stime, t->p_srank, sizeof t->p_srank,
	           t->building->detail_key.tb, sizeof t->building->detail_key.tb);
	t->building->detail_key = sel->key;
	t->building->has_detail = true;
	t->sql[TQ_DETAIL] = detail_sql(t, qs, cte);
	t->batch_index[n] = TQ_DETAIL;
	q[n++] = (struct db_query){
	    t->sql[TQ_DETAIL], 4, {ent, t->p_stime, t->p_srank, t->building->detail_key.tb}};
	t->sql[TQ_STATE] = state_sql(t, qs, cte);
	t->batch_index[n] = TQ_STATE;
	q[n++] = (struct db_query){
	    t->sql[TQ_STATE], 4, {ent, t->p_stime, t->p_srank, t->building->detail_key.tb}};
	return n;
}

int timeline_batch(struct timeline *t, const struct caps *caps, struct db_query *q)
{
	char cte[1024];
	const char *qs = caps->qschema;
	const char *ent = t->spec.by_name ? t->name : t->p_entity;
	entity_cte(t, qs, cte, sizeof cte);
	free_sql(t);
	if (!t->spec.by_name)
		snprintf(t->p_entity, sizeof t->p_entity, "%lld", (long long)t->spec.id);
	t->building = xcalloc(1, sizeof *t->building);
	if (t->op_filter)
		t->building->op_filter = arena_strdup(&t->building->arena, t->op_filter);
	if (t->field_filter)
		t->building->field_filter = arena_strdup(&t->building->arena, t->field_filter);
	int n = 0;
	const char *term = queries_terminal_array();
	bool live_rel = caps->kind[t->spec.type == ENTITY_EXECUTION ? REL_EXECUTION : REL_WORKER] !=
	                RELK_MISSING;
	if (live_rel) {
		t->sql[TQ_LIVE] = live_sql(t, qs, cte);
		t->batch_index[n] = TQ_LIVE;
		q[n++] = (struct db_query){t->sql[TQ_LIVE], 1, {ent}};
	}
	t->sql[TQ_STATUS] = status_sql(t, qs, cte);
	t->batch_index[n] = TQ_STATUS;
	q[n++] = (struct db_query){t->sql[TQ_STATUS], 2, {ent, term}};
	t->sql[TQ_LIFETIME] = lifetime_sql(t, qs, cte);
	t->batch_index[n] = TQ_LIFETIME;
	q[n++] = (struct db_query){t->sql[TQ_LIFETIME], 2, {ent, term}};
	n = batch_page(t, qs, cte, ent, q, n);
	n = batch_detail(t, qs, cte, ent, q, n);
	t->nlisten = 0;
	/* A notification refreshes the open timeline at once. Only where the
	 * session is stable: a transaction pooler would leave the LISTEN on a
	 * server connection other clients get, and a standby refuses it (the
	 * timeline then refreshes on its interval). */
	if (caps->notify && t->may_listen && !t->listening && t->spec.type == ENTITY_EXECUTION) {
		t->listening = true;
		t->batch_index[n] = TQ_LISTEN;
		q[n++] = (struct db_query){"LISTEN execution_status_changed", 0, {NULL}};
		t->batch_index[n] = TQ_LISTEN;
		q[n++] = (struct db_query){"LISTEN execution_created", 0, {NULL}};
		t->nlisten = 2;
	}
	return n;
}

static const char *dup(struct tl_snapshot *s, const struct rowset *r, int row, int col)
{
	const char *v = rowset_text(r, row, col);
	return v ? arena_strdup(&s->arena, v) : NULL;
}

static int64_t num(const struct rowset *r, int row, int col)
{
	return rowset_i64(r, row, col);
}

static const char *const exec_labels[] = {
    "id", "action", "status", "created", "started", "updated", "executor", "enforcement", "parent"};
static const char *const worker_labels[] = {"id",   "name", "status",    "host",         "port",
                                            "role", "type", "heartbeat", "heartbeat age"};

static void take_live(struct timeline *t, struct tl_snapshot *s, const struct rowset *r)
{
	if (r->nrows < 1)
		return;
	bool exec = t->spec.type == ENTITY_EXECUTION;
	const char *const *labels = exec ? exec_labels : worker_labels;
	s->live = true;
	s->exists = true;
	s->nlive = r->ncols;
	s->live_fields = arena_calloc(&s->arena, (size_t)s->nlive, sizeof *s->live_fields);
	for (int i = 0; i < s->nlive && i < 9; i++) {
		s->live_fields[i].name = labels[i];
		s->live_fields[i].value = dup(s, r, 0, i);
	}
}

static void take_status(struct tl_snapshot *s, const struct rowset *r)
{
	s->nstatuses = r->nrows;
	s->statuses = arena_calloc(&s->arena, (size_t)s->nstatuses, sizeof *s->statuses);
	for (int i = 0; i < s->nstatuses; i++) {
		struct tl_status_time *st = &s->statuses[i];
		st->status = dup(s, r, i, 0);
		st->seconds = rowset_null(r, i, 1) ? -1 : strtod(rowset_text(r, i, 1), NULL);
		st->entries = (long)num(r, i, 2);
		st->ongoing = rowset_str(r, i, 3)[0] == 't';
	}
}

static void take_lifetime(struct tl_snapshot *s, const struct rowset *r)
{
	if (r->nrows != 1)
		return;
	s->born_us = num(r, 0, 0);
	s->finished_us = num(r, 0, 1);
	s->deleted_us = num(r, 0, 2);
	s->now_us = num(r, 0, 3);
	if (!rowset_null(r, 0, 0))
		s->exists = true;
}

static void take_page(struct timeline *t, struct tl_snapshot *s, const struct rowset *r)
{
	int n = r->nrows;
	bool reversed = t->batch_move == TL_NEWER || t->batch_move == TL_END;
	s->nrows = n;
	s->rows = arena_calloc(&s->arena, (size_t)n, sizeof *s->rows);
	for (int i = 0; i < n; i++) {
		struct tl_row *row = &s->rows[reversed ? n - 1 - i : i];
		row->key.time_us = num(r, i, 0);
		row->op = dup(s, r, i, 1);
		row->key.rank = (int)num(r, i, 2);
		snprintf(row->key.tb, sizeof row->key.tb, "%s", rowset_str(r, i, 3));
		row->fields = dup(s, r, i, 4);
		row->changes = dup(s, r, i, 5);
		row->gap_us = rowset_null(r, i, 6) ? -1 : num(r, i, 6);
	}
}

static void take_state(struct tl_snapshot *s, const struct rowset *r)
{
	s->nstate = r->nrows;
	s->state = arena_calloc(&s->arena, (size_t)s->nstate, sizeof *s->state);
	for (int i = 0; i < s->nstate; i++) {
		s->state[i].name = dup(s, r, i, 0);
		s->state[i].value = dup(s, r, i, 1);
	}
}

void timeline_take(struct timeline *t, int index, const struct rowset *res)
{
	struct tl_snapshot *s = t->building;
	enum tl_query q = (enum tl_query)t->batch_index[index];
	if (!s || q == TQ_LISTEN)
		return; /* without LISTEN the timeline still refreshes on its interval */
	if (!res->ok) {
		if (!s->error[0]) {
			snprintf(s->error, sizeof s->error, "%s", res->error);
			s->error[strcspn(s->error, "\n")] = '\0';
		}
		return;
	}
	switch (q) {
	case TQ_LIVE:
		take_live(t, s, res);
		break;
	case TQ_STATUS:
		take_status(s, res);
		break;
	case TQ_LIFETIME:
		take_lifetime(s, res);
		break;
	case TQ_COUNT:
		s->total = num(res, 0, 0);
		s->above = num(res, 0, 1);
		s->above_eq = num(res, 0, 2);
		break;
	case TQ_PAGE:
		take_page(t, s, res);
		break;
	case TQ_DETAIL:
		if (res->nrows == 1) {
			s->detail_old = dup(s, res, 0, 0);
			s->detail_new = dup(s, res, 0, 1);
		}
		break;
	case TQ_STATE:
		take_state(s, res);
		break;
	case TQ_LISTEN:
	case TQ_N:
		break;
	}
}

/* Where rows[0] stands among all matching rows, newest first. */
static int64_t first_index(const struct timeline *t, const struct tl_snapshot *s)
{
	switch (t->batch_move) {
	case TL_STAY:
		return s->above;
	case TL_OLDER:
		return s->above_eq;
	case TL_NEWER:
		return s->above - s->nrows;
	case TL_END:
		return s->total - s->nrows;
	case TL_TOP:
		break;
	}
	return 0;
}

void timeline_finish_batch(struct timeline *t)
{
	struct tl_snapshot *s = t->building;
	if (!s)
		return;
	t->building = NULL;
	s->first_index = first_index(t, s);
	if (s->first_index < 0)
		s->first_index = 0;
	if (s->nrows > 0)
		s->exists = true;
	/* A page change puts the selection where the motion continues; a
	 * plain refresh keeps it. */
	if (t->move_pending) {
		/* A key asked for another page meanwhile: that is fetched next. */
		tl_snapshot_free(t->snap);
		t->snap = s;
		return;
	}
	if (t->batch_place < 0)
		t->sel = s->nrows - 1;
	else if (t->batch_place > 0)
		t->sel = 0;
	t->place_sel = 0;
	if (t->sel >= s->nrows)
		t->sel = s->nrows - 1;
	if (t->sel < 0)
		t->sel = 0;
	/* At the top, later refreshes fetch the newest rows (new ones appear);
	 * elsewhere they keep the same rows, anchored on the first. */
	t->have_anchor = s->first_index > 0 && s->nrows > 0;
	t->move = t->have_anchor ? TL_STAY : TL_TOP;
	if (t->have_anchor)
		t->anchor = s->rows[0].key;
	tl_snapshot_free(t->snap);
	t->snap = s;
}

bool timeline_move(struct timeline *t, int delta)
{
	const struct tl_snapshot *s = t->snap;
	if (!s || s->nrows == 0)
		return false;
	int target = t->sel + delta;
	if (target < 0) {
		if (s->first_index == 0) {
			t->sel = 0;
			return true; /* refresh the detail */
		}
		t->anchor = s->rows[0].key;
		t->have_anchor = true;
		t->move = TL_NEWER;
		t->place_sel = -1;
		t->move_pending = true;
		return true;
	}
	if (target >= s->nrows) {
		if (s->first_index + s->nrows >= s->total) {
			t->sel = s->nrows - 1;
			return true;
		}
		t->anchor = s->rows[s->nrows - 1].key;
		t->have_anchor = true;
		t->move = TL_OLDER;
		t->place_sel = 1;
		t->move_pending = true;
		return true;
	}
	t->sel = target;
	return true;
}

bool timeline_jump(struct timeline *t, enum tl_move where)
{
	t->move = where;
	t->have_anchor = false;
	t->place_sel = where == TL_END ? -1 : 1;
	t->move_pending = true;
	return true;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

void timeline_set_filters(struct timeline *t, const char *op, const char *field)
{
	/* op or field may be the current value: copy before freeing. */
	char *o = dup_or_null(op), *f = dup_or_null(field);
	free(t->op_filter);
	free(t->field_filter);
	t->op_filter = o;
	t->field_filter = f;
	timeline_jump(t, TL_TOP);
}

/* Copy the text up to `stop` (or the end) into dst; returns what follows. */
static const char *take_part(const char *p, char stop, char *dst, size_t len)
{
	size_t n = strcspn(p, (char[]){stop, '\x1e', '\0'});
	snprintf(dst, len, "%.*s", (int)n, p);
	return p[n] == stop ? p + n + 1 : p + n;
}

const char *timeline_change_next(const char *p, struct tl_change *c)
{
	if (!p || !*p)
		return NULL;
	p = take_part(p, '\x1f', c->field, sizeof c->field);
	p = take_part(p, '\x1f', c->oldv, sizeof c->oldv);
	p = take_part(p, '\x1f', c->newv, sizeof c->newv);
	p += strcspn(p, "\x1e"); /* (a stray extra part is ignored) */
	return *p ? p + 1 : p;
}

bool timeline_lifetime(const struct tl_snapshot *s, double *seconds, const char **how)
{
	if (!s->born_us)
		return false;
	int64_t end = s->now_us;
	*how = "ongoing";
	if (s->finished_us) {
		end = s->finished_us;
		*how = "until it finished";
	} else if (s->deleted_us) {
		end = s->deleted_us;
		*how = "until deleted";
	}
	*seconds = (double)(end - s->born_us) / 1e6;
	return true;
}

bool timeline_is_time_field(const char *name)
{
	return strcmp(name, "created") == 0 || strcmp(name, "started") == 0 ||
	       strcmp(name, "updated") == 0 || strcmp(name, "heartbeat") == 0;
}
