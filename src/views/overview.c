/* The overview view: its refresh (settled and live buckets), keys, export and ops table. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "db/queries.h"
#include "util/arena.h"
#include "export/background.h"
#include "term/prompt.h"
#include "util/tablenav.h"
#include "model/tablesort.h"
#include "views/overview.h"

/* A batch as sent and its results, owned until the batch after it. */
struct batch {
	int n;                       /* queries sent */
	int index[OQ_BATCH_MAX];     /* which overview query each result is */
	PGresult *res[OQ_BATCH_MAX]; /* their results, NULL until in */
	struct overview_params p;    /* what they asked (p.filter: a copy) */
	unsigned qs_gen;             /* the SQL they were */
	long range_hours;
};

/* Buckets before the current hour change only by late data, so they are
 * read once and kept: a refresh re-reads the newest hour (two in the first
 * minutes of an hour). Of that, all but the last minutes (the warm part)
 * is also kept, and read again whenever its end moves on, once a minute. */
static struct {
	struct snapshot *building;         /* the refresh in flight, or NULL */
	struct batch sent;                 /* its batch */
	struct batch shown;                /* the batch a->snap was built from, when it read
	                                      the live part alone; else n = 0 */
	struct snapshot *settled;          /* kept settled part, or NULL */
	struct snapshot *settled_building; /* settled part in flight, or NULL */
	bool settled_failed;               /* a query of it failed */
	int64_t settled_live_start;        /* where the kept part ends */
	double settled_at;                 /* db_now() when it was read */
	int64_t building_live_start;       /* live_start of the refresh in flight */
	char *settled_signature;           /* ledger and queue of the kept hours, or NULL */
	bool settled_dirty;                /* they changed since: read them again */
	bool ledger_lost;                  /* a summary read was refused: read raw */
	struct snapshot *warm;             /* kept warm part, or NULL */
	struct snapshot *warm_building;    /* warm part in flight, or NULL */
	bool warm_failed;                  /* a query of it failed */
	int64_t warm_lo, warm_hi;          /* what the kept warm part covers */
	int64_t building_hot_start;        /* where the refresh in flight's warm part ends */
	struct query_set qs;               /* the SQL, built for one catalog probe */
	unsigned qs_gen;                   /* a->caps_gen it was built for, 0: none */
} ov;

struct overview_ui overview_ui = {.focus = PANEL_ACTIONS};

static void batch_clear(struct batch *b)
{
	for (int i = 0; i < b->n; i++)
		db_result_free(b->res[i]);
	free((char *)b->p.filter);
	memset(b, 0, sizeof *b);
}

/* A batch of the live part alone: its kept parts were read before. */
static bool live_only(const struct batch *b)
{
	return b->n > 0 && !b->p.settled && !b->p.warm;
}

/* Whether two batches read the live part alone and asked the same. */
static bool batch_same_ask(const struct batch *x, const struct batch *y)
{
	const struct overview_params *p = &x->p, *q = &y->p;
	return live_only(x) && live_only(y) && x->n == y->n && x->qs_gen == y->qs_gen &&
	       x->range_hours == y->range_hours &&
	       memcmp(x->index, y->index, (size_t)x->n * sizeof *x->index) == 0 &&
	       strcmp(p->range_start, q->range_start) == 0 &&
	       strcmp(p->live_start, q->live_start) == 0 &&
	       strcmp(p->hot_start, q->hot_start) == 0 && strcmp(p->live_end, q->live_end) == 0 &&
	       (p->filter == NULL) == (q->filter == NULL) &&
	       (!p->filter || strcmp(p->filter, q->filter) == 0);
}

static void drop_warm(void)
{
	snapshot_free(ov.warm);
	snapshot_free(ov.warm_building);
	ov.warm = ov.warm_building = NULL;
}

static void drop_settled(void)
{
	drop_warm();
	snapshot_free(ov.settled);
	snapshot_free(ov.settled_building);
	ov.settled = ov.settled_building = NULL;
	free(ov.settled_signature);
	ov.settled_signature = NULL;
	ov.settled_dirty = false;
}

/* The connection is gone (or the program ends): nothing in flight or kept
 * survives, and the SQL is built again for the next catalog probe. */
static void overview_abort(struct app *a)
{
	(void)a;
	snapshot_free(ov.building);
	ov.building = NULL;
	batch_clear(&ov.sent);
	batch_clear(&ov.shown);
	drop_settled();
	queries_free(&ov.qs);
	ov.qs_gen = 0;
}

/* Results are kept until the batch ends: read exactly as the shown
 * snapshot's were, they need not be taken again (overview_finish). */
static bool on_overview_result(void *ctx, int index, PGresult *res)
{
	(void)ctx;
	if (!ov.building || index < 0 || index >= ov.sent.n || ov.sent.res[index])
		return false;
	ov.sent.res[index] = res;
	return true;
}

static void take_result(const struct app *a, int index, const PGresult *res)
{
	struct rowset rs;
	int q = ov.sent.index[index];
	db_rowset(res, &rs);
	if (!rs.ok && queries_any_summary(&a->caps) && queries_ledger_unreadable(rs.sqlstate)) {
		/* The grants changed under us: this refresh is dropped and the
		 * next reads every hour raw (queries_build without summaries). */
		ov.ledger_lost = true;
		return;
	}
	if (q & OQ_WARM) {
		if (!rs.ok) {
			overview_take(ov.building, q & ~OQ_WARM, &rs);
			ov.warm_failed = true;
		} else if (ov.warm_building) {
			overview_take(ov.warm_building, q & ~OQ_WARM, &rs);
		}
	} else if (!(q & OQ_SETTLED)) {
		overview_take(ov.building, q, &rs);
	} else if (!rs.ok) {
		/* The panel says so now; the next refresh reads it again. */
		overview_take(ov.building, q & ~OQ_SETTLED, &rs);
		ov.settled_failed = true;
	} else if (ov.settled_building) {
		overview_take(ov.settled_building, q & ~OQ_SETTLED, &rs);
	}
}

/* A query the helper connection could not read: as if it had failed. */
static void on_overview_lost(void *ctx, int index, const char *why)
{
	(void)ctx;
	if (!ov.building || index < 0 || index >= ov.sent.n)
		return;
	int q = ov.sent.index[index];
	char text[640];
	snprintf(text, sizeof text, "query failed: %s", why);
	overview_unavailable(ov.building, q & ~(OQ_SETTLED | OQ_WARM), false, text);
	if (q & OQ_SETTLED)
		ov.settled_failed = true;
	if (q & OQ_WARM)
		ov.warm_failed = true;
}

/* Whether a kept part `k` was read for the range and filter of `b`. */
static bool same_range(const struct snapshot *k, const struct snapshot *b)
{
	return k && k->range_start == b->range_start && k->range_hours == b->range_hours &&
	       (k->filter == NULL) == (b->filter == NULL) &&
	       (!k->filter || strcmp(k->filter, b->filter) == 0);
}

/* Whether the kept settled part fits the refresh of `b`: same range,
 * filter and live start. */
static bool settled_fits(const struct snapshot *b, int64_t live)
{
	return same_range(ov.settled, b) && ov.settled_live_start == live;
}

/* Where the part read every refresh begins: the last full minute and the
 * one before it, so that a row whose transaction commits up to a minute
 * late is read there; one committing later shows when the warm part is
 * read again, within a minute. */
#define HOT_SECONDS 60
static int64_t hot_start(int64_t now_s, int64_t live)
{
	int64_t hot = (now_s - HOT_SECONDS) / 60 * 60;
	return hot < live ? live : hot;
}

/* Settled buckets change only when rows arrive late or an aggregate is
 * re-materialized; reading them again every SETTLED_MAX_AGE seconds, and
 * when the user asks for a refresh, bounds how long that goes unseen. */
#define SETTLED_MAX_AGE   300.0
#define LATE_COMMIT_GRACE 300
static bool settled_usable(const struct app *a, const struct snapshot *b, int64_t live)
{
	return settled_fits(b, live) && !a->reread && !ov.settled_dirty &&
	       db_now() - ov.settled_at < SETTLED_MAX_AGE;
}

/* Where the live part of the range begins: the current hour, and the
 * previous one for its first minutes, for rows that transactions begun
 * before the boundary commit late. */
static int64_t live_start(int64_t now_s, int64_t start)
{
	int64_t live = model_range_start(now_s, 1);
	if (now_s - (live + 3600) >= LATE_COMMIT_GRACE)
		live += 3600;
	return live < start ? start : live;
}

/* Top actions in the chosen order, reversed with 'S'. */
static void sort_actions(struct snapshot *s)
{
	snapshot_sort_actions(s, overview_ui.sort);
	for (int i = 0, j = s->nactions - 1; overview_ui.reverse && i < j; i++, j--) {
		struct action_row t = s->actions[i];
		s->actions[i] = s->actions[j];
		s->actions[j] = t;
	}
}

/* The workers, changes and failures tables in their chosen orders. */
static void sort_tables(struct snapshot *s)
{
	for (int p = 0; p < PANEL_COUNT; p++)
		if (tablesort_columns((enum panel_id)p))
			tablesort_apply(s, (enum panel_id)p, overview_ui.col[p],
			                overview_ui.rev[p]);
}

static void overview_init(struct app *a)
{
	overview_ui.sort = (enum action_sort)a->s->sort;
}

/* The part of a batch a helper connection may read (app_send_split): every
 * other settled query, moved to the end; returns where they begin. The
 * settled hours are most of a first refresh, and alternating spreads the
 * heavy ones (executions, statuses) over both connections. */
static int split_settled(struct db_query *q, int *idx, int n)
{
	struct db_query hq[OQ_BATCH_MAX];
	int hidx[OQ_BATCH_MAX], k = 0, h = 0, settled = 0;
	for (int i = 0; i < n; i++) {
		if ((idx[i] & OQ_SETTLED) && settled++ % 2 == 1) {
			hq[h] = q[i];
			hidx[h++] = idx[i];
		} else {
			q[k] = q[i];
			idx[k++] = idx[i];
		}
	}
	memcpy(q + k, hq, (size_t)h * sizeof *q);
	memcpy(idx + k, hidx, (size_t)h * sizeof *idx);
	return k;
}

static int overview_refresh(struct app *a)
{
	struct db_query q[OQ_BATCH_MAX];
	struct overview_params p = {.filter = a->filter, .inflight = a->caps.inflight_array};
	if (ov.qs_gen != a->caps_gen) {
		queries_free(&ov.qs);
		queries_build(&ov.qs, &a->caps);
		ov.qs_gen = a->caps_gen;
	}
	int64_t est_now = app_realtime_us() + a->caps.clock_offset_us;
	int64_t start = model_range_start(est_now / 1000000, a->range_hours);
	int64_t live = live_start(est_now / 1000000, start);
	snprintf(p.range_start, sizeof p.range_start, "%lld", (long long)start);
	snprintf(p.live_start, sizeof p.live_start, "%lld", (long long)live);
	/* The range ends with the current hour; one more hour of margin for a
	 * clock estimate that trails the server's. A finite bound lets the
	 * server skip the future day partitions when it plans. */
	snprintf(p.live_end, sizeof p.live_end, "%lld",
	         (long long)(model_range_start(est_now / 1000000, 0) + 2 * 3600));
	snapshot_free(ov.building);
	ov.building = snapshot_new(a->range_hours, start, est_now, a->filter);
	ov.building_live_start = live;
	bool reread = a->reread;
	if (live > start && !settled_usable(a, ov.building, live)) {
		drop_settled();
		ov.settled_building = snapshot_new(a->range_hours, start, est_now, a->filter);
		ov.settled_failed = false;
		a->reread = false;
		p.settled = true;
	}
	/* A refresh that reads the settled hours reads the live ones whole:
	 * the first frame comes sooner; the next refresh splits them. */
	int64_t hot = queries_minute_bounds(&a->caps) && !p.settled
	                  ? hot_start(est_now / 1000000, live)
	                  : live;
	snprintf(p.hot_start, sizeof p.hot_start, "%lld", (long long)hot);
	ov.building_hot_start = hot;
	snapshot_free(ov.warm_building);
	ov.warm_building = NULL;
	if (hot > live && (reread || !same_range(ov.warm, ov.building) || ov.warm_lo != live ||
	                   ov.warm_hi != hot)) {
		snapshot_free(ov.warm);
		ov.warm = NULL;
		ov.warm_building = snapshot_new(a->range_hours, start, est_now, a->filter);
		ov.warm_failed = false;
		p.warm = true;
	} else if (hot == live) {
		drop_warm();
	}
	a->reread = false;
	batch_clear(&ov.sent);
	/* The queries' parameters point into the batch's own copy: a part the
	 * helper connection sends later still has them. */
	ov.sent.p = p;
	ov.sent.p.filter = p.filter ? xstrdup(p.filter) : NULL;
	ov.sent.n = queries_overview(&ov.qs, &ov.sent.p, q, ov.sent.index);
	ov.sent.qs_gen = ov.qs_gen;
	ov.sent.range_hours = a->range_hours;
	int split = split_settled(q, ov.sent.index, ov.sent.n);
	return app_send_split(a, q, split, ov.sent.n, on_overview_result, on_overview_lost);
}

/* Queries whose relation does not exist get a note instead of data. */
static void mark_missing(struct app *a, struct snapshot *s)
{
	char why[320];
	for (int q = 0; q < overview_count; q++) {
		enum rel_id rel = overview_defs[q].needs;
		if (ov.qs.sql[q] || rel == REL_COUNT)
			continue;
		snprintf(why, sizeof why, "%s.%s does not exist", a->caps.schema,
		         model_rel_name(rel));
		overview_unavailable(s, q, true, why);
	}
}

/* Keep the settled part just read (unless a query of it failed) and add
 * the kept part to the refresh when it fits. */
static void merge_settled(struct app *a, struct snapshot *s)
{
	if (ov.settled_building) {
		if (ov.settled_failed) {
			drop_settled();
		} else {
			ov.settled = ov.settled_building;
			ov.settled_building = NULL;
			ov.settled_live_start = ov.building_live_start;
			ov.settled_at = a->refresh_started;
		}
	}
	/* The settled part ends where the live one starts: its last hour is
	 * the previous hour once the live part is the current hour alone. */
	if (settled_fits(s, ov.building_live_start))
		snapshot_add_settled(s, ov.settled,
		                     ov.building_live_start ==
		                         model_range_start(s->server_now_us / 1000000, 0));
	if (ov.warm_building) {
		snapshot_free(ov.warm);
		ov.warm = ov.warm_building;
		ov.warm_building = NULL;
		if (ov.warm_failed) /* its queries marked the panels: read it again */
			drop_warm();
		ov.warm_lo = ov.building_live_start;
		ov.warm_hi = ov.building_hot_start;
	}
	/* The warm part lies in the live hours: all of it is recent. */
	if (ov.warm && same_range(ov.warm, s) && ov.warm_lo == ov.building_live_start &&
	    ov.warm_hi == ov.building_hot_start)
		snapshot_add_settled(s, ov.warm, true);
}

/* A summary read was refused (ledger or summary unreadable): from now on
 * this connection reads every hour raw, starting with a refresh at once. */
static void read_raw_from_now(struct app *a)
{
	ov.ledger_lost = false;
	a->caps.ledger = false;
	memset(a->caps.summary, 0, sizeof a->caps.summary);
	a->caps_gen++;
	drop_settled();
	a->refresh_requested = true;
	a->next_refresh = db_now();
}

/* Native installs: the signature of the kept hours' ledger and queue is
 * kept with them; when a later refresh sees another, an hour that was kept
 * has been dirtied or rebuilt since. Returns whether that refresh must be
 * dropped: a refresh at once reads the kept hours again instead. */
static bool kept_changed(struct app *a, const struct snapshot *s)
{
	bool just_read = ov.settled_building != NULL && !ov.settled_failed;
	if (!s->kept_signature)
		return false;
	if (just_read) {
		free(ov.settled_signature);
		ov.settled_signature = xstrdup(s->kept_signature);
		return false;
	}
	if (!ov.settled || !ov.settled_signature ||
	    strcmp(ov.settled_signature, s->kept_signature) == 0)
		return false;
	ov.settled_dirty = true;
	a->refresh_requested = true;
	a->next_refresh = db_now();
	return true;
}

/* Only the ages in these panels (bits of enum panel_id) moved: they are
 * drawn again alone, over the screen as drawn. */
static void redraw_moved(struct app *a, unsigned panels)
{
	overview_ui.redraw_panels |= panels;
	a->redraw_part = overview_ui.redraw_panels != 0;
}

/* Every result of the batch just ended, into the snapshots it feeds. */
static void take_results(const struct app *a)
{
	for (int i = 0; i < ov.sent.n; i++)
		if (ov.sent.res[i])
			take_result(a, i, ov.sent.res[i]);
}

/* Whether the batch just ended read what the shown one did, its now
 * aside (found in *now_us). */
static bool same_as_shown(int64_t *now_us)
{
	bool now_read = false;
	if (!batch_same_ask(&ov.sent, &ov.shown))
		return false;
	for (int i = 0; i < ov.sent.n; i++) {
		struct rowset rs;
		if (ov.sent.res[i] && !now_read) {
			db_rowset(ov.sent.res[i], &rs);
			if (overview_read_now(ov.sent.index[i], &rs, now_us)) {
				now_read = true;
				continue;
			}
		}
		if (!db_results_same(ov.sent.res[i], ov.shown.res[i]))
			return false;
	}
	return now_read;
}

/* A refresh that read what the shown one did shows the same snapshot at
 * its new now: nothing is taken, merged or sorted again. The panels whose
 * ages moved are drawn again alone. False when more than that would
 * change: then the results are taken as usual. */
static bool show_again(struct app *a)
{
	int64_t now_us;
	struct snapshot *old = a->snap;
	if (!old || a->stale || !same_as_shown(&now_us))
		return false;
	/* The shown snapshot as it would be at now_us: it shares every row
	 * but the workers', whose ages move. */
	size_t wsize = (size_t)old->nworkers * sizeof *old->workers;
	struct snapshot next = *old;
	next.workers = xmalloc(wsize);
	if (wsize)
		memcpy(next.workers, old->workers, wsize);
	snapshot_move_to(&next, now_us);
	bool same = snapshot_same_view(old, &next);
	if (same) {
		redraw_moved(a, overview_panels_changed(old, &next));
		if (wsize)
			memcpy(old->workers, next.workers, wsize);
		old->server_now_us = next.server_now_us;
		old->fetched_at = db_now();
		old->refresh_seconds = old->fetched_at - a->refresh_started;
		a->caps.clock_offset_us = old->server_now_us - app_realtime_us();
	}
	free(next.workers);
	return same;
}

/* The shown snapshot was built from the batch just ended: kept to compare
 * the next one with, when it read the live part alone. */
static void keep_shown(void)
{
	batch_clear(&ov.shown);
	if (live_only(&ov.sent)) {
		ov.shown = ov.sent;
		memset(&ov.sent, 0, sizeof ov.sent);
	}
	batch_clear(&ov.sent);
}

static void overview_finish(struct app *a)
{
	struct snapshot *s = ov.building;
	if (!s) {
		batch_clear(&ov.sent);
		return;
	}
	if (show_again(a)) {
		bool redraw = a->redraw;
		snapshot_free(s);
		ov.building = NULL;
		batch_clear(&ov.sent);
		app_data_arrived(a);
		a->fe->refreshed(a);
		a->redraw = redraw;
		app_count_refresh(a);
		return;
	}
	take_results(a);
	ov.building = NULL;
	batch_clear(&ov.shown);
	if (ov.ledger_lost) {
		snapshot_free(s);
		batch_clear(&ov.sent);
		read_raw_from_now(a);
		return;
	}
	if (kept_changed(a, s)) {
		snapshot_free(s);
		batch_clear(&ov.sent);
		return;
	}
	merge_settled(a, s);
	s->fetched_at = db_now();
	s->refresh_seconds = s->fetched_at - a->refresh_started;
	a->caps.clock_offset_us = s->server_now_us - app_realtime_us();
	mark_missing(a, s);
	snapshot_finish(s);
	sort_actions(s);
	sort_tables(s);
	overview_keep_selection(a->snap, s);
	/* A screen that would look the same is not drawn again (most
	 * refreshes of a quiet system), one whose ages alone moved only
	 * where they did. */
	bool redraw = a->redraw || a->stale || !a->snap || !snapshot_same_view(a->snap, s);
	unsigned moved = redraw ? 0 : overview_panels_changed(a->snap, s);
	snapshot_free(a->snap);
	a->snap = s;
	keep_shown();
	app_data_arrived(a);
	a->fe->refreshed(a);
	a->redraw = redraw;
	redraw_moved(a, moved);
	app_count_refresh(a);
}

static double overview_fetched_at(const struct app *a)
{
	return a->snap ? a->snap->fetched_at : 0;
}

/* ------------------------------------------------------------ keys */

static void move_sel(struct app *a, int delta)
{
	struct overview_ui *u = &overview_ui;
	int n = overview_table_rows(a->snap, u->focus);
	u->sel[u->focus] = tablenav_move(u->sel[u->focus], delta, n);
	a->redraw = true;
}

/* 's' walks the columns left to right: EXEC, OK, FAILED (with timeouts),
 * TIMEOUT, FAIL%, then the name. */
static enum action_sort next_sort(enum action_sort k)
{
	static const enum action_sort order[] = {SORT_EXECUTIONS, SORT_OK,           SORT_FAILED,
	                                         SORT_TIMEOUT,    SORT_FAILURE_RATE, SORT_NAME};
	const int n = (int)(sizeof order / sizeof *order);
	for (int i = 0; i < n; i++)
		if (order[i] == k)
			return order[(i + 1) % n];
	return SORT_EXECUTIONS;
}

/* 's' and 'S': the selected row stays selected and on screen. */
static void resort(struct app *a, enum panel_id p)
{
	char key[512];
	if (!a->snap)
		return;
	if (!overview_row_key(a->snap, p, overview_ui.sel[p], key, sizeof key))
		key[0] = '\0';
	if (p == PANEL_ACTIONS)
		sort_actions(a->snap);
	else
		sort_tables(a->snap);
	overview_relocate(a->snap, p, key);
}

/* 's' walks the focused table's columns, 'S' reverses its order. */
static void sort_key(struct app *a, bool reverse)
{
	struct overview_ui *u = &overview_ui;
	enum panel_id p = u->focus;
	int n = tablesort_columns(p);
	if (p == PANEL_ACTIONS) {
		if (reverse)
			u->reverse = !u->reverse;
		else
			u->sort = next_sort(u->sort);
		resort(a, p);
		app_message(a, "top actions sorted by %s%s", model_sort_label(u->sort),
		            u->reverse ? ", reversed" : "");
		return;
	}
	if (!n) {
		app_message(a, "this panel has no sort");
		return;
	}
	if (reverse)
		u->rev[p] = !u->rev[p];
	else
		u->col[p] = (u->col[p] + 1) % n;
	resort(a, p);
	app_message(a, "%s sorted by %s%s", overview_table_name(p), tablesort_label(p, u->col[p]),
	            u->rev[p] ? ", reversed" : "");
}

/* The prompt says "no match" while the text matches no row. */
static void search_note(bool found)
{
	prompt_note(found || !overview_ui.search[0] ? NULL : "no match");
}

/* Incremental: every edit searches again from where '/' was pressed. */
static void search_changed(struct app *a, const char *text)
{
	struct overview_ui *u = &overview_ui;
	snprintf(u->search, sizeof u->search, "%s", text);
	u->sel[u->focus] = u->search_from;
	search_note(overview_search(a, 1, true));
	a->redraw = true;
}

static void search_cancelled(struct app *a, const char *text)
{
	(void)text;
	overview_ui.search[0] = '\0';
	overview_ui.sel[overview_ui.focus] = overview_ui.search_from;
	a->redraw = true;
}

static void search_done(struct app *a, const char *text)
{
	search_changed(a, text);
	if (!text[0])
		return;
	if (overview_search(a, 1, true))
		app_message(a, "/%s: n next, N previous, Esc clears", text);
	else
		app_message(a, "no match for \"%s\"", text);
}

static void next_match(struct app *a, int dir)
{
	if (!overview_ui.search[0])
		app_message(a, "no search: / searches the focused table");
	else if (!overview_search(a, dir, false))
		app_message(a, "no match for \"%s\"", overview_ui.search);
}

static bool overview_key(struct app *a, enum key_action act)
{
	struct overview_ui *u = &overview_ui;
	switch (act) {
	case ACT_NEXT_PANEL:
	case ACT_PREV_PANEL:
		u->focus = overview_next_table(u->focus, act == ACT_NEXT_PANEL ? 1 : -1);
		u->search[0] = '\0';
		break;
	case ACT_UP:
	case ACT_DOWN:
		move_sel(a, act == ACT_UP ? -1 : 1);
		break;
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN:
		move_sel(a, act == ACT_PAGE_UP ? -u->rows[u->focus] : u->rows[u->focus]);
		break;
	case ACT_HOME:
		u->sel[u->focus] = 0;
		break;
	case ACT_END:
		move_sel(a, overview_table_rows(a->snap, u->focus));
		break;
	case ACT_ENTER:
		overview_table_enter(a, u->focus, u->sel[u->focus]);
		break;
	case ACT_SEARCH:
		u->search[0] = '\0';
		u->search_from = u->sel[u->focus];
		prompt_open("/", search_done);
		prompt_live(search_changed, search_cancelled);
		break;
	case ACT_NEXT_MATCH:
	case ACT_PREV_MATCH:
		next_match(a, act == ACT_NEXT_MATCH ? 1 : -1);
		break;
	case ACT_BACK:
		if (!u->search[0])
			return false;
		u->search[0] = '\0';
		break;
	case ACT_SORT:
	case ACT_SORT_REVERSE:
		sort_key(a, act == ACT_SORT_REVERSE);
		break;
	default:
		return false;
	}
	a->redraw = true;
	return true;
}

/* 'e': the focused table as displayed, written at once from what is on
 * screen; a panel without that, its relation (current range and filter) in
 * the background. */
static void overview_export(struct app *a)
{
	if (overview_export_table(a))
		return;
	if (!overview_export_name(overview_ui.focus)) {
		app_message(a, "nothing to export from this panel");
		return;
	}
	export_bg_start(a, overview_export_name(overview_ui.focus), a->range_hours, a->filter,
	                NULL);
}

const struct view_ops overview_view = {
    .name = "overview",
    .mask = V_OVERVIEW,
    .footer = "q quit  ? help  Tab panel  / search  f filter  s/S sort  Enter open  : entity  "
              "e export  1-5 range  p pause  +/- rate",
    .init = overview_init,
    .refresh = overview_refresh,
    .finish = overview_finish,
    .abort = overview_abort,
    .fetched_at = overview_fetched_at,
    .draw = overview_draw,
    .draw_changed = overview_draw_changed,
    .key = overview_key,
    .export = overview_export,
    .print = overview_print,
};
