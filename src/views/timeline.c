/* The entity timeline view: live row, time in status, paged history and row detail. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "batch/render_text.h"
#include "export/background.h"
#include "export/export.h"
#include "model/timeline.h"
#include "term/draw.h"
#include "term/prompt.h"
#include "util/arena.h"
#include "util/fmt.h"
#include "util/textwidth.h"
#include "views/present.h"

/* The open timeline and what only this view keeps. */
struct tl_view {
	struct timeline tl;
	double fetched_at; /* when its data arrived */
	bool continued;    /* batch mode: this page continues a frame */
	int top;           /* first visible row within the page */
	int rows;          /* visible rows at the last draw */
	/* The timeline ':' was typed in, kept until this one is found: a
	 * failed ':' goes back to it rather than to the overview. */
	struct tl_view *prev;
};

static bool tl_utc; /* times in UTC rather than local, kept across timelines */

static void timeline_view_init(struct app *a)
{
	tl_utc = a->s->utc;
}

static void tl_view_free(struct tl_view *v)
{
	if (!v)
		return;
	tl_view_free(v->prev);
	timeline_free(&v->tl);
	free(v);
}

void app_open_entity(struct app *a, const struct entity_spec *spec, const char *text)
{
	struct tl_view *v = xcalloc(1, sizeof *v);
	timeline_init(&v->tl, spec, text);
	if (a->view == &timeline_view && a->view_state) {
		struct tl_view *old = a->view_state;
		/* Its batch in flight is dropped with the switch; the connection
		 * stays, and with it what the timeline listens to. */
		bool listening = old->tl.listening;
		timeline_abort_batch(&old->tl);
		old->tl.listening = listening;
		v->prev = old->prev ? old->prev : old;
		if (old->prev) { /* only the last timeline that was found is kept */
			old->prev = NULL;
		} else {
			a->view_state = NULL; /* kept: timeline_close leaves it */
		}
	}
	view_switch(a, &timeline_view, v);
}

static void timeline_close(struct app *a)
{
	tl_view_free(a->view_state);
	a->view_state = NULL;
}

/* Results of a batch whose timeline was closed meanwhile are dropped. */
static bool on_timeline_result(void *ctx, int index, PGresult *res)
{
	struct app *a = ctx;
	struct rowset rs;
	if (a->busy_view != &timeline_view)
		return false;
	db_rowset(res, &rs);
	timeline_take(&((struct tl_view *)a->view_state)->tl, index, &rs);
	return false;
}

static int timeline_refresh(struct app *a)
{
	struct tl_view *v = a->view_state;
	struct db_query q[TQ_N + 1];
	v->tl.may_listen = app_session_stable(a);
	int n = timeline_batch(&v->tl, &a->caps, q);
	return app_send(a, q, n, v->tl.nlisten, on_timeline_result);
}

static void timeline_abort(struct app *a)
{
	if (a->view == &timeline_view)
		timeline_abort_batch(&((struct tl_view *)a->view_state)->tl);
}

static double timeline_fetched_at(const struct app *a)
{
	const struct tl_view *v = a->view_state;
	return v->tl.snap ? v->fetched_at : 0;
}

/* No such entity, or its history failed: say why and go back (batch
 * mode fails with the reason). */
static void timeline_failed(struct app *a, const struct tl_view *v)
{
	const struct tl_snapshot *s = v->tl.snap;
	char why[700];
	if (s->error[0])
		snprintf(why, sizeof why, "%s: %s", v->tl.label, s->error);
	else
		snprintf(why, sizeof why, "no history for %s", v->tl.label);
	if (a->s->batch) {
		snprintf(a->fatal, sizeof a->fatal, "%.500s", why);
		a->exit_code = 1;
		a->quit = true;
		return;
	}
	if (v->prev) {
		/* Back to the timeline that was being read. */
		struct tl_view *p = v->prev;
		((struct tl_view *)v)->prev = NULL;
		view_switch(a, &timeline_view, p);
	} else {
		app_close_view(a);
	}
	app_message(a, "%s", why);
}

/* A batch frame prints the whole timeline, a page at a time, from the
 * state at its newest row. True when another page is due first. */
static bool batch_continues(struct app *a, struct tl_view *v)
{
	const struct tl_snapshot *s = v->tl.snap;
	if (!v->continued && timeline_needs_detail(&v->tl)) {
		a->next_refresh = db_now();
		return true;
	}
	a->fe->refreshed(a);
	if (s->first_index + s->nrows < s->total) {
		timeline_jump(&v->tl, TL_OLDER);
		v->tl.anchor = s->rows[s->nrows - 1].key;
		v->tl.have_anchor = true;
		v->continued = true;
		a->next_refresh = db_now();
		return true;
	}
	v->continued = false;
	timeline_jump(&v->tl, TL_TOP);
	return false;
}

static void timeline_finish(struct app *a)
{
	struct tl_view *v = a->view_state;
	if (a->view != &timeline_view)
		return;
	timeline_finish_batch(&v->tl);
	v->fetched_at = db_now();
	app_data_arrived(a);
	if (v->tl.snap->error[0] || !v->tl.snap->exists) {
		timeline_failed(a, v);
		return;
	}
	if (a->s->batch) {
		if (!batch_continues(a, v))
			app_count_refresh(a);
		return;
	}
	tl_view_free(v->prev); /* found: no way back to the earlier one */
	v->prev = NULL;
	a->fe->refreshed(a);
	if (v->tl.move_pending || timeline_needs_detail(&v->tl))
		a->next_refresh = db_now(); /* the selection moved meanwhile */
	app_count_refresh(a);
}

/* A timeline exports the entity's whole history. */
/* 'e': the entity's history as the timeline shows it (its operation and
 * changed-field filters), named after the entity. */
static void timeline_export(struct app *a)
{
	const struct tl_view *v = a->view_state;
	const struct entity_spec *ent = &v->tl.spec;
	static char label[96];
	char id[64];
	if (ent->by_name) {
		/* A file name keeps only the name's plain characters. */
		size_t k = 0;
		for (const char *p = ent->name; *p && k < 40; p++)
			id[k++] =
			    (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_')
			        ? *p
			        : '_';
		id[k] = '\0';
	} else {
		snprintf(id, sizeof id, "%lld", (long long)ent->id);
	}
	snprintf(label, sizeof label, "timeline-%s-%s",
	         ent->type == ENTITY_EXECUTION ? "execution" : "worker", id);
	struct export_view view = {label, v->tl.op_filter, v->tl.field_filter};
	export_bg_start_view(a,
	                     ent->type == ENTITY_EXECUTION ? "execution_history" : "worker_history",
	                     PARSE_MAX_RANGE_HOURS, NULL, ent, &view);
}

static void timeline_print(struct app *a)
{
	const struct tl_view *v = a->view_state;
	batch_print_timeline(&v->tl, v->continued);
}

static void field_done(struct app *a, const char *text)
{
	struct tl_view *v = a->view_state;
	if (a->view != &timeline_view)
		return;
	timeline_set_filters(&v->tl, v->tl.op_filter, text);
	app_refresh_now(a);
}

/* ------------------------------------------------------------ drawing */

static int draw_live(const struct tl_snapshot *s, int y, int w)
{
	char ts[40], item[600];
	int x = 0;
	if (!s->live) {
		put(y, 0, w, theme.attr[R_FAILURE], "no live row — deleted (history only)");
		return y + 1;
	}
	for (int i = 0; i < s->nlive; i++) {
		const char *v = s->live_fields[i].value;
		if (v && timeline_is_time_field(s->live_fields[i].name)) {
			fmt_timestamp(ts, sizeof ts, strtoll(v, NULL, 10), tl_utc, false);
			v = ts;
		}
		snprintf(item, sizeof item, "%s %s  ", s->live_fields[i].name, v ? v : "-");
		int iw = tw_width(item);
		if (x + iw > w && x > 0) {
			y++;
			x = 0;
		}
		bool status = strcmp(s->live_fields[i].name, "status") == 0;
		x += put(y, x, w - x, status ? draw_status_attr(v) : A_NORMAL, item);
	}
	return y + 1;
}

static int draw_status_times(const struct tl_snapshot *s, int y, int w)
{
	char dur[32], item[200];
	double life;
	const char *how;
	int x = 0;
	if (timeline_lifetime(s, &life, &how)) {
		fmt_duration(dur, sizeof dur, life);
		x = putf(y, 0, w, theme.attr[R_TITLE], "lifetime %s %s  ", dur, how);
	}
	for (int i = 0; i < s->nstatuses; i++) {
		const struct tl_status_time *st = &s->statuses[i];
		if (st->seconds < 0)
			snprintf(item, sizeof item, "%s (final)  ", st->status);
		else {
			fmt_duration(dur, sizeof dur, st->seconds);
			snprintf(item, sizeof item, "%s %s%s  ", st->status, dur,
			         st->ongoing ? " (now)" : "");
		}
		int iw = tw_width(item);
		if (x + iw > w && x > 0) {
			y++;
			x = 0;
		}
		x += put(y, x, w - x, draw_status_attr(st->status), item);
	}
	return y + 1;
}

/* "status: running → completed; …" built from the server's change list. */
static void change_text(const struct tl_row *r, char *out, size_t len)
{
	static struct tl_change c;
	static char oldv[sizeof c.oldv], newv[sizeof c.newv];
	size_t o = 0;
	out[0] = '\0';
	if (strcmp(r->op, "DELETE") == 0) {
		snprintf(out, len, "row deleted");
		return;
	}
	for (const char *p = r->changes; o + 1 < len && (p = timeline_change_next(p, &c));) {
		fmt_marked_times(oldv, sizeof oldv, c.oldv, tl_utc);
		fmt_marked_times(newv, sizeof newv, c.newv, tl_utc);
		if (strcmp(r->op, "INSERT") == 0)
			o += (size_t)snprintf(out + o, len - o, "%s%s=%s", o ? "  " : "", c.field,
			                      newv);
		else
			o += (size_t)snprintf(out + o, len - o, "%s%s: %s %s %s", o ? "; " : "",
			                      c.field, oldv, tw_utf8() ? "→" : "->", newv);
	}
}

static attr_t op_attr(const char *op)
{
	if (strcmp(op, "INSERT") == 0)
		return theme.attr[R_SUCCESS];
	if (strcmp(op, "DELETE") == 0)
		return theme.attr[R_FAILURE];
	return theme.attr[R_PROGRESS];
}

static void draw_tl_rows(struct tl_view *v, struct rect r)
{
	const struct timeline *t = &v->tl;
	const struct tl_snapshot *s = t->snap;
	char ts[40], gap[32], text[4096];
	int visible = r.h - 1;
	v->rows = visible;
	if (t->sel < v->top)
		v->top = t->sel;
	if (t->sel >= v->top + visible)
		v->top = t->sel - visible + 1;
	if (v->top > s->nrows - 1)
		v->top = s->nrows > 0 ? s->nrows - 1 : 0;
	if (v->top < 0)
		v->top = 0;
	int time_w = r.w >= 70 ? 26 : 15;
	put(r.y, r.x, time_w, theme.attr[R_DIM], tl_utc ? "TIME (UTC)" : "TIME");
	put_right(r.y, r.x + time_w + 1, 9, theme.attr[R_DIM], "GAP");
	put(r.y, r.x + time_w + 11, 6, theme.attr[R_DIM], "OP");
	put(r.y, r.x + time_w + 18, r.w - time_w - 18, theme.attr[R_DIM], "CHANGES");
	for (int i = v->top; i < s->nrows && i - v->top < visible; i++) {
		const struct tl_row *row = &s->rows[i];
		int y = r.y + 1 + i - v->top;
		attr_t ra = i == t->sel ? A_REVERSE : A_NORMAL;
		fill(y, r.x, r.w, ra);
		fmt_timestamp(ts, sizeof ts, row->key.time_us, tl_utc, true);
		put(y, r.x, time_w, ra, time_w < 26 ? ts + 11 : ts);
		if (row->gap_us < 0)
			snprintf(gap, sizeof gap, "-");
		else
			fmt_duration(gap, sizeof gap, (double)row->gap_us / 1e6);
		put_right(y, r.x + time_w + 1, 9, ra, gap);
		put(y, r.x + time_w + 11, 6, ra | op_attr(row->op), row->op);
		change_text(row, text, sizeof text);
		put(y, r.x + time_w + 18, r.w - time_w - 18, ra, text);
	}
	if (s->nrows == 0)
		put(r.y + 1, r.x, r.w, theme.attr[R_DIM], "no history rows match the filters");
}

/* Lines of a multi-line text (pretty JSON), from line `skip`. */
static int put_lines(int y, int x, int w, int ymax, const char *label, const char *text)
{
	if (y >= ymax)
		return y;
	put(y++, x, w, theme.attr[R_DIM], label);
	for (const char *p = text ? text : "-"; *p && y < ymax;) {
		size_t n = strcspn(p, "\n");
		char line[1024], shown[1024];
		snprintf(line, sizeof line, "%.*s", (int)n, p);
		fmt_marked_times(shown, sizeof shown, line, tl_utc);
		put(y++, x + 1, w - 1, A_NORMAL, shown);
		p += n;
		if (*p)
			p++;
	}
	return y;
}

static void draw_tl_detail(const struct timeline *t, struct rect r)
{
	const struct tl_snapshot *s = t->snap;
	char ts[40], line[1024], value[1000];
	int y = r.y + 1, ymax = r.y + r.h;
	if (!s->has_detail || s->nrows == 0) {
		title(r, "Row detail", false);
		put(y, r.x, r.w, theme.attr[R_DIM], "loading…");
		return;
	}
	fmt_timestamp(ts, sizeof ts, s->detail_key.time_us, tl_utc, true);
	snprintf(line, sizeof line, "State at %s", ts);
	title(r, line, false);
	for (int i = 0; i < s->nstate && y < ymax; i++) {
		fmt_marked_times(value, sizeof value, s->state[i].value ? s->state[i].value : "-",
		                 tl_utc);
		snprintf(line, sizeof line, "%s = %s", s->state[i].name, value);
		put(y++, r.x, r.w, A_NORMAL, line);
	}
	y = put_lines(y, r.x, r.w, ymax, "old values:", s->detail_old);
	put_lines(y, r.x, r.w, ymax, "new values:", s->detail_new);
}

static void timeline_draw(struct app *a, int top, int bottom)
{
	tl_utc = a->utc; /* 'u' is application-wide */
	struct tl_view *v = a->view_state;
	const struct timeline *t = &v->tl;
	const struct tl_snapshot *s = t->snap;
	char head[512];
	if (top >= bottom)
		return;
	if (!s) {
		putf(top, 0, COLS, theme.attr[R_DIM], "loading %s…", t->label);
		return;
	}
	snprintf(head, sizeof head, "%s (Esc back, o operation, / field, u UTC)", t->label);
	title((struct rect){top, 0, 1, COLS}, head, true);
	int y = draw_live(s, top + 1, COLS);
	if (y < bottom)
		y = draw_status_times(s, y, COLS);
	if (y >= bottom)
		return;
	snprintf(head, sizeof head,
	         "History: rows %lld-%lld of %lld, newest first, op %s, field %s",
	         (long long)(s->nrows ? s->first_index + 1 : 0),
	         (long long)(s->first_index + s->nrows), (long long)s->total,
	         s->op_filter ? s->op_filter : "all", s->field_filter ? s->field_filter : "any");
	title((struct rect){y, 0, 1, COLS}, head, false);
	int avail = bottom - (y + 1);
	struct rect list, detail;
	if (COLS >= 140) {
		int lw = COLS * 3 / 5;
		list = (struct rect){y + 1, 0, avail, lw};
		detail = (struct rect){y + 1, lw + 1, avail, COLS - lw - 1};
	} else {
		int lh = avail >= 12 ? avail * 3 / 5 : avail;
		list = (struct rect){y + 1, 0, lh, COLS};
		detail = (struct rect){y + 1 + lh, 0, avail - lh, COLS};
	}
	if (list.h > 1)
		draw_tl_rows(v, list);
	if (detail.h > 1)
		draw_tl_detail(t, detail);
}

/* ------------------------------------------------------------ keys */

/* Keys of the timeline; false when the application-wide meaning applies. */
static bool timeline_key(struct app *a, enum key_action act)
{
	struct tl_view *v = a->view_state;
	struct timeline *t = &v->tl;
	static const char *const ops[] = {NULL, "INSERT", "UPDATE", "DELETE"};
	int page = v->rows > 1 ? v->rows - 1 : 1;
	bool refetch = false;
	switch (act) {
	case ACT_UP:
		refetch = timeline_move(t, -1);
		break;
	case ACT_DOWN:
		refetch = timeline_move(t, 1);
		break;
	case ACT_PAGE_UP:
		refetch = timeline_move(t, -page);
		break;
	case ACT_PAGE_DOWN:
		refetch = timeline_move(t, page);
		break;
	case ACT_HOME:
		refetch = timeline_jump(t, TL_TOP);
		break;
	case ACT_END:
		refetch = timeline_jump(t, TL_END);
		break;
	case ACT_OPS: {
		int i = 0;
		while (i < 4 &&
		       !(ops[i] == NULL ? t->op_filter == NULL
		                        : t->op_filter && strcmp(t->op_filter, ops[i]) == 0))
			i++;
		timeline_set_filters(t, ops[(i + 1) % 4], t->field_filter);
		refetch = true;
		break;
	}
	case ACT_BACK:
		app_close_view(a);
		return true;
	case ACT_SEARCH:
		prompt_open("changed field (empty = any): ", field_done);
		break;
	default:
		return false;
	}
	if (refetch)
		app_refresh_now(a);
	a->redraw = true;
	return true;
}

const struct view_ops timeline_view = {
    .name = "timeline",
    .mask = V_TIMELINE,
    .ticks = true,
    .on_notify = true,
    .footer = "q quit  ? help  Esc back  j/k move  g/G newest/oldest  o operation  / field  "
              "u UTC  : open",
    .init = timeline_view_init,
    .refresh = timeline_refresh,
    .finish = timeline_finish,
    .abort = timeline_abort,
    .fetched_at = timeline_fetched_at,
    .close = timeline_close,
    .draw = timeline_draw,
    .key = timeline_key,
    .export = timeline_export,
    .print = timeline_print,
};
