/* The health line and the recent failures table: what needs attention,
 * shown before anything routine. */
#include "views/overview_problems.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "batch/render_text.h"
#include "model/health.h"
#include "model/tablesort.h"
#include "util/fmt.h"
#include "util/textwidth.h"
#include "views/overview.h"
#include "views/present.h"

/* Seconds from t_us to the snapshot's server clock. */
static double age_of(const struct snapshot *s, int64_t t_us)
{
	double d = (double)(s->server_now_us - t_us) / 1e6;
	return d < 0 ? 0 : d;
}

static attr_t class_attr(enum worker_class c)
{
	switch (c) {
	case WCLASS_ERROR:
		return theme.attr[R_FAILURE];
	case WCLASS_STALE:
		return theme.attr[R_STALE];
	case WCLASS_FLAPPING:
		return theme.attr[R_WARN];
	case WCLASS_BUSY:
		return theme.attr[R_PROGRESS];
	case WCLASS_OK:
		return theme.attr[R_SUCCESS];
	default:
		return theme.attr[R_DIM];
	}
}

/* Order of the health line: the good news first, then the problems. */
static const enum worker_class line_order[WCLASS_COUNT] = {
    WCLASS_OK, WCLASS_ERROR, WCLASS_STALE, WCLASS_FLAPPING, WCLASS_BUSY, WCLASS_DOWN};

void problems_draw_health(struct app *a, int y, int width)
{
	const struct snapshot *s = a->snap;
	const char *sep = tw_utf8() ? " · " : ", ";
	const char *bar = tw_utf8() ? "  │  " : "  |  ";
	bool wide = width >= 120; /* at 80 columns every figure still fits */
	int counts[WCLASS_COUNT], x = 0;
	char pct[16], age[32];
	fill(y, 0, width, A_NORMAL);
	if (s->panel[PANEL_WORKERS].failed || s->panel[PANEL_WORKERS].missing) {
		x += put(y, x, width - x, theme.attr[R_DIM], "workers unavailable");
	} else {
		health_count(s, counts);
		x += put(y, x, width - x, A_NORMAL, "workers ");
		for (int i = 0; i < WCLASS_COUNT; i++) {
			enum worker_class c = line_order[i];
			if (!counts[c] && c != WCLASS_OK)
				continue;
			if (c != WCLASS_OK)
				x += put(y, x, width - x, A_NORMAL, sep);
			x += putf(y, x, width - x, counts[c] ? class_attr(c) : A_NORMAL, "%d %s",
			          counts[c], health_class_label(c));
		}
	}
	int64_t num, den;
	present_failure(s, &num, &den);
	fmt_pct(pct, sizeof pct, num, den);
	x += put(y, x, width - x, A_NORMAL, bar);
	x += put(y, x, width - x, A_NORMAL, wide ? "failure rate " : "fail ");
	x += put(y, x, width - x, draw_failure_attr(num, den), pct);
	x += put(y, x, width - x, A_NORMAL, bar);
	if (s->inflight_failed || s->oldest_inflight_id < 0) {
		put(y, x, width - x, theme.attr[R_DIM], "oldest in flight unavailable");
	} else if (s->oldest_inflight_id) {
		fmt_age(age, sizeof age, age_of(s, s->oldest_inflight_us));
		putf(y, x, width - x, A_NORMAL, "oldest %s%s (#%lld)", wide ? "in flight " : "",
		     age, (long long)s->oldest_inflight_id);
	} else {
		put(y, x, width - x, theme.attr[R_DIM], "nothing in flight");
	}
}

void problems_print_health(const struct app *a, const struct snapshot *s)
{
	(void)a;
	int counts[WCLASS_COUNT];
	int64_t num, den;
	char pct[16], ts[40];
	printf("health: workers");
	if (s->panel[PANEL_WORKERS].failed || s->panel[PANEL_WORKERS].missing) {
		printf(" unavailable");
	} else {
		health_count(s, counts);
		for (int i = 0; i < WCLASS_COUNT; i++)
			printf(" %s %d", health_class_label(line_order[i]), counts[line_order[i]]);
	}
	present_failure(s, &num, &den);
	fmt_pct(pct, sizeof pct, num, den);
	printf("  failure rate %s", pct);
	if (s->inflight_failed || s->oldest_inflight_id < 0) {
		printf("  oldest in flight: unavailable\n");
	} else if (s->oldest_inflight_id) {
		fmt_iso_utc(ts, sizeof ts, s->oldest_inflight_us, true);
		printf("  oldest in flight: %lld created %s\n", (long long)s->oldest_inflight_id,
		       ts);
	} else {
		printf("  oldest in flight: -\n");
	}
}

/* ------------------------------------------------------------ failures */

void problems_draw_failures(struct app *a, struct rect r)
{
	const struct snapshot *s = a->snap;
	char t[128], age[32], idb[32], so[64];
	overview_sort_title(PANEL_FAILURES, so, sizeof so);
	if (s->nfailures >= 50) /* the query's LIMIT: there may be more */
		snprintf(t, sizeof t, "Recent failures (newest 50)%s", so);
	else
		snprintf(t, sizeof t, "Recent failures (%d)%s", s->nfailures, so);
	title(r, t, overview_ui.focus == PANEL_FAILURES);
	if (s->panel[PANEL_FAILURES].failed || s->panel[PANEL_FAILURES].missing) {
		putf(r.y + 1, r.x, r.w, theme.attr[R_WARN], "unavailable: %s",
		     s->panel[PANEL_FAILURES].note);
		return;
	}
	if (r.h < 2)
		return;
	int age_w = 5, id_w = 10, st_w = 9, ref_w = r.w >= 120 ? 28 : 20,
	    wk_w = r.w >= 120 ? 20 : 14;
	int err_w = r.w - age_w - id_w - st_w - ref_w - wk_w - 5;
	if (err_w < 8) {
		err_w = 0;
		ref_w = r.w - age_w - id_w - st_w - wk_w - 4;
	}
	int y = r.y + 1, x = r.x;
	enum panel_id p = PANEL_FAILURES;
	overview_put_head(y, x, age_w, p, FSORT_TIME, "AGE", true);
	overview_put_head(y, x += age_w + 1, id_w, p, FSORT_EXECUTION, "EXECUTION", true);
	overview_put_head(y, x += id_w + 1, st_w, p, FSORT_STATUS, "STATUS", false);
	overview_put_head(y, x += st_w + 1, ref_w, p, FSORT_ACTION, "ACTION", false);
	overview_put_head(y, x += ref_w + 1, wk_w, p, FSORT_WORKER, "WORKER", false);
	if (err_w)
		overview_put_head(y, x + wk_w + 1, err_w, p, FSORT_ERROR, "ERROR", false);
	int visible = r.h - 2;
	int *sel = &overview_ui.sel[PANEL_FAILURES], *top = &overview_ui.top[PANEL_FAILURES];
	if (*sel >= s->nfailures)
		*sel = s->nfailures - 1;
	if (*sel < 0)
		*sel = 0;
	if (*sel < *top)
		*top = *sel;
	if (visible > 0 && *sel >= *top + visible)
		*top = *sel - visible + 1;
	overview_ui.rows[PANEL_FAILURES] = visible > 0 ? visible : 1;
	for (int i = *top; i < s->nfailures && i - *top < visible; i++) {
		const struct failure_row *f = &s->failures[i];
		attr_t ra = overview_ui.focus == PANEL_FAILURES && *sel == i ? A_REVERSE : A_NORMAL;
		y = r.y + 2 + i - *top;
		x = r.x;
		fill(y, r.x, r.w, ra);
		fmt_age(age, sizeof age, age_of(s, f->time_us));
		put_right(y, x, age_w, ra, age);
		snprintf(idb, sizeof idb, "%lld", (long long)f->id);
		put_right(y, x += age_w + 1, id_w, ra, idb);
		put(y, x += id_w + 1, st_w, ra | draw_status_attr(f->status), f->status);
		put(y, x += st_w + 1, ref_w, ra, f->ref ? f->ref : "-");
		put(y, x += ref_w + 1, wk_w, ra, f->worker ? f->worker : "-");
		if (err_w)
			put(y, x + wk_w + 1, err_w, ra | theme.attr[R_DIM],
			    f->error ? f->error : "-");
	}
	if (s->nfailures == 0)
		put(r.y + 2, r.x, r.w, theme.attr[R_DIM], "no failed executions in range");
}

void problems_print_failures(const struct app *a, const struct snapshot *s)
{
	(void)a;
	char ts[40], b1[TEXT_MAX], b2[TEXT_MAX], b3[TEXT_MAX], b4[64];
	printf("\nRECENT FAILURES\n");
	if (s->panel[PANEL_FAILURES].failed || s->panel[PANEL_FAILURES].missing) {
		printf("(unavailable: %s)\n", s->panel[PANEL_FAILURES].note);
		return;
	}
	printf("%-27s %10s %-10s %-24s %-40s %s\n", "time", "execution", "status", "worker",
	       "action", "error");
	for (int i = 0; i < s->nfailures; i++) {
		const struct failure_row *f = &s->failures[i];
		fmt_iso_utc(ts, sizeof ts, f->time_us, true);
		printf("%-27s %10lld %-10s %-24s %-40s %s\n", ts, (long long)f->id,
		       text_clean(f->status, b4, sizeof b4), text_clean(f->worker, b1, sizeof b1),
		       text_clean(f->ref, b2, sizeof b2), text_clean(f->error, b3, sizeof b3));
	}
}

int problems_failure_rows(const struct snapshot *s)
{
	return s->nfailures;
}

void problems_enter_failure(struct app *a, int i)
{
	struct entity_spec e = {.type = ENTITY_EXECUTION, .id = a->snap->failures[i].id};
	char label[64];
	snprintf(label, sizeof label, "execution:%lld", (long long)e.id);
	app_open_entity(a, &e, label);
}

static bool same_age(const struct snapshot *a, int64_t ta, const struct snapshot *b, int64_t tb)
{
	char x[32], y[32];
	fmt_age(x, sizeof x, age_of(a, ta));
	fmt_age(y, sizeof y, age_of(b, tb));
	return strcmp(x, y) == 0;
}

/* The ages of the failures on screen (rows off screen are drawn when they
 * scroll in) and of the oldest execution in flight (the health line). */
bool problems_same(const struct snapshot *a, const struct snapshot *b)
{
	if (a->nfailures != b->nfailures || a->oldest_inflight_id != b->oldest_inflight_id)
		return false;
	int top = overview_ui.top[PANEL_FAILURES], end = top + overview_ui.rows[PANEL_FAILURES];
	for (int i = top < 0 ? 0 : top; i < end && i < a->nfailures; i++)
		if (!same_age(a, a->failures[i].time_us, b, b->failures[i].time_us))
			return false;
	return a->oldest_inflight_id <= 0 ||
	       same_age(a, a->oldest_inflight_us, b, b->oldest_inflight_us);
}
