/* The overview's panels (throughput, status, actions, workers, changes): one table row
 * each with its heights, curses drawing, batch frame, focus and export. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "batch/render_text.h"
#include "term/draw.h"
#include "term/layout.h"
#include "util/chart.h"
#include "util/fmt.h"
#include "util/spark.h"
#include "util/tablenav.h"
#include "util/textwidth.h"
#include "model/health.h"
#include "model/tablesort.h"
#include "views/overview.h"
#include "views/overview_problems.h"
#include "views/present.h"

static bool panel_unavailable(const struct snapshot *s, enum panel_id p, struct rect r)
{
	if (!s->panel[p].missing && !s->panel[p].failed)
		return false;
	putf(r.y + 1, r.x, r.w, theme.attr[R_WARN], "unavailable: %s", s->panel[p].note);
	return true;
}

/* ------------------------------------------------------------ throughput */

/* "this hour 12 exec in 16m = 45/h": the newest bucket is partial, so its
 * low bar is not a collapse; the rate says what the hour is heading for. */
static void current_hour_note(const struct snapshot *s, char *buf, size_t len, bool brief)
{
	int64_t start = s->range_start + (int64_t)(s->nbuckets - 1) * 3600;
	int64_t elapsed = s->server_now_us / 1000000 - start;
	int64_t n = s->nbuckets > 0 ? s->exec_created[s->nbuckets - 1] : -1;
	int64_t rate = chart_hour_rate(n, elapsed);
	if (n < 0)
		snprintf(buf, len, "this hour: no data");
	else if (rate < 0 || brief)
		snprintf(buf, len, "this hour %lld exec so far", (long long)n);
	else
		snprintf(buf, len, "this hour %lld exec in %lldm = %lld/h", (long long)n,
		         (long long)(elapsed / 60), (long long)rate);
}

/* The current hour's note moves with the clock (its minutes and rate),
 * not only with the data. */
static bool throughput_same(const struct snapshot *a, const struct snapshot *b)
{
	char x[128], y[128];
	current_hour_note(a, x, sizeof x, false);
	current_hour_note(b, y, sizeof y, false);
	return strcmp(x, y) == 0;
}

/* The hour now running: its bucket is the newest, and it is partial. */
static const char *now_mark(void)
{
	return tw_utf8() ? "▲" : "^";
}

/* Labels under the columns, and the current hour's mark under the last. */
static void draw_time_axis(const struct snapshot *s, int y, int x, int w, int group)
{
	char label[32];
	int ncols = (s->nbuckets + group - 1) / group;
	if (ncols > w)
		ncols = w;
	if (ncols > 0)
		put(y, x + ncols - 1, 1, theme.attr[R_WARN], now_mark());
	ncols--; /* the labels keep off the mark */
	/* Column c holds buckets ending at the newest; its first bucket: */
	int first = s->nbuckets - (ncols + 1) * group;
	for (int c = 0; c < ncols;) {
		int b = first + c * group;
		if (b < 0)
			b = 0;
		fmt_bucket_label(label, sizeof label, s->range_start + (int64_t)b * 3600,
		                 s->range_hours, false);
		int lw = tw_width(label);
		if (c + lw > ncols)
			break;
		put(y, x + c, lw, theme.attr[R_DIM], label);
		c += lw + 4;
	}
}

/* Beside a sparkline when they fit without coarsening it (chart_group). */
#define STATS_W 40

static void draw_series(int y, int x, int w, const char *name, const int64_t *v, int n, int group,
                        bool show_stats, attr_t attr)
{
	int64_t cols[1024], mn, mx, last, tot;
	char line[4 * 1024 + 4], stats[96];
	if (spark_stats(v, n, &mn, &mx, &last, &tot))
		snprintf(stats, sizeof stats, " max %lld last %lld total %lld", (long long)mx,
		         (long long)last, (long long)tot);
	else
		snprintf(stats, sizeof stats, " no data");
	int label_w = 13, stats_w = show_stats ? tw_width(stats) : 0;
	if (stats_w > STATS_W)
		stats_w = STATS_W;
	int spark_w = w - label_w - (show_stats ? STATS_W : 0);
	put(y, x, label_w, A_NORMAL, name);
	if (spark_w < 1)
		return;
	int all = spark_reduce(v, n, group, cols, 1024);
	int nc = all < spark_w ? all : spark_w; /* the newest columns that fit */
	spark_render(line, cols + (all - nc), nc, !tw_utf8());
	put(y, x + label_w, spark_w, attr, line);
	if (stats_w)
		put(y, x + w - stats_w, stats_w, theme.attr[R_DIM], stats);
}

/* Throughput row i (executions, events, enforcements, completed, failed)
 * under a filter that does not reach it: why, in buf. */
static bool series_not_filtered(const struct snapshot *s, int i, char *buf, size_t len)
{
	if (i == 1)
		return present_not_filtered(s, s->total_events, "trigger", buf, len);
	if (i == 2)
		return present_not_filtered(s, s->total_enforcements, "rule", buf, len);
	return false;
}

static void draw_throughput(struct app *a, struct rect r)
{
	const struct snapshot *s = a->snap;
	bool stats;
	int group = chart_group(s->nbuckets, r.w - 13, STATS_W, &stats);
	int spark_w = r.w - 13 - (stats ? STATS_W : 0);
	char t[160], rl[16], now[96];
	range_label(s->range_hours, rl, sizeof rl);
	current_hour_note(s, now, sizeof now, r.w < 80);
	snprintf(t, sizeof t, "Throughput %s, 1 column = %dh, %s %s", rl, group, now_mark(), now);
	title(r, t, false);
	struct {
		const char *name;
		const int64_t *v;
		attr_t attr;
	} rows[] = {
	    {"executions", s->exec_created, theme.attr[R_TITLE]},
	    {"events", s->events, A_NORMAL},
	    {"enforcements", s->enforcements, A_NORMAL},
	    {"completed", s->completed, theme.attr[R_SUCCESS]},
	    {"failed", s->failed, theme.attr[R_FAILURE]},
	};
	int y = r.y + 1;
	char why[160];
	for (size_t i = 0; i < 5 && y < r.y + r.h; i++, y++) {
		/* A row the filter does not reach says so instead of a flat zero. */
		if (series_not_filtered(s, (int)i, why, sizeof why)) {
			put(y, r.x, 13, A_NORMAL, rows[i].name);
			put(y, r.x + 13, r.w - 13, theme.attr[R_DIM], why);
			continue;
		}
		draw_series(y, r.x, r.w, rows[i].name, rows[i].v, s->nbuckets, group, stats,
		            rows[i].attr);
	}
	if (y < r.y + r.h && s->panel[PANEL_THROUGHPUT].note[0])
		putf(y++, r.x, r.w, theme.attr[R_WARN], "unavailable: %s",
		     s->panel[PANEL_THROUGHPUT].note);
	if (y < r.y + r.h && spark_w > 0)
		draw_time_axis(s, y, r.x + 13, spark_w, group);
}

/* ------------------------------------------------------------ status */

/* The stacked chart shows how executions ended: cells bottom-up completed,
 * failed (timeout, abandoned), other ends (cancelled). Transitions into
 * in-progress statuses (three per execution) would bury the ends; they are
 * listed apart above the chart. */
enum { SK_OK, SK_BAD, SK_OTHER, SK_N };

/* The kind of a status in the chart, -1 for an in-progress one. */
static int stack_kind(const char *status)
{
	switch (present_status_role(status)) {
	case ROLE_SUCCESS:
		return SK_OK;
	case ROLE_FAILURE:
		return SK_BAD;
	case ROLE_PROGRESS:
		return -1;
	default:
		return SK_OTHER;
	}
}

static const char *stack_glyph(int k)
{
	static const char *const utf8[SK_N] = {"█", "▓", "▒"};
	static const char *const ascii[SK_N] = {"#", "x", "-"};
	return tw_utf8() ? utf8[k] : ascii[k];
}

static const enum role stack_role[SK_N] = {R_SUCCESS, R_FAILURE, R_UNKNOWN};

/* "ends per bucket: █ completed ▓ failed ▒ other" */
static void draw_stack_legend(int y, int x, int w)
{
	static const char *const names[SK_N] = {"completed", "failed", "other"};
	int used = put(y, x, w, theme.attr[R_DIM], "ends per bucket: ");
	for (int k = 0; k < SK_N && used < w; k++) {
		used += put(y, x + used, w - used,
		            theme.colors ? theme.attr[stack_role[k]] : A_NORMAL, stack_glyph(k));
		used += putf(y, x + used, w - used, theme.attr[R_DIM], " %s  ", names[k]);
	}
}

/* Transitions per column, by kind; returns the column count. */
static int stack_columns(const struct snapshot *s, int group, int maxcols, int64_t (*v)[SK_N])
{
	int ncols = (s->nbuckets + group - 1) / group;
	if (ncols > maxcols)
		ncols = maxcols;
	int first = s->nbuckets - ncols * group;
	for (int c = 0; c < ncols; c++) {
		memset(v[c], 0, sizeof v[c]);
		for (int b = first + c * group; b < first + (c + 1) * group; b++)
			for (int k = 0; b >= 0 && k < s->nstatuses; k++)
				if (s->statuses[k].buckets[b] > 0 &&
				    stack_kind(s->statuses[k].status) >= 0)
					v[c][stack_kind(s->statuses[k].status)] +=
					    s->statuses[k].buckets[b];
	}
	return ncols;
}

/* One column per bucket group, its height by its transitions, its cells
 * shared by largest remainder: a cell is a failure only when failures earn
 * it. The bottom row holds the time axis and the current hour's mark. */
static void draw_stacked(const struct snapshot *s, struct rect r, int group)
{
	static int64_t v[1024][SK_N];
	int maxcols = r.w - 13 < 1024 ? r.w - 13 : 1024;
	if (maxcols <= 0 || r.h <= 0)
		return;
	int ncols = stack_columns(s, group, maxcols, v), h = r.h > 1 ? r.h - 1 : r.h;
	int64_t mx = 0, tot[1024];
	for (int c = 0; c < ncols; c++) {
		tot[c] = v[c][SK_OK] + v[c][SK_BAD] + v[c][SK_OTHER];
		if (tot[c] > mx)
			mx = tot[c];
	}
	put(r.y + h - 1, r.x, 13, theme.attr[R_DIM], "ends");
	for (int c = 0; c < ncols; c++) {
		int cells = chart_cells(tot[c], mx, h), share[SK_N], i = 0;
		chart_shares(v[c], SK_N, cells, share);
		for (int k = 0; k < SK_N; k++)
			for (int n = 0; n < share[k]; n++, i++)
				put(r.y + h - 1 - i, r.x + 13 + c, 1,
				    theme.colors ? theme.attr[stack_role[k]] : A_NORMAL,
				    stack_glyph(k));
	}
	if (r.h > 1)
		draw_time_axis(s, r.y + r.h - 1, r.x + 13, maxcols, group);
}

static int status_list(const struct snapshot *s, struct rect r, bool draw);

static void draw_status(struct app *a, struct rect r)
{
	const struct snapshot *s = a->snap;
	int64_t num, den;
	char pct[16], t[128];
	present_failure(s, &num, &den);
	fmt_pct(pct, sizeof pct, num, den);
	snprintf(t, sizeof t, "Status, failure rate %s", pct);
	title(r, t, false);
	int tw = tw_width("── Status, failure rate ");
	put(r.y, r.x + tw, (int)strlen(pct), draw_failure_attr(num, den), pct);
	if (panel_unavailable(s, PANEL_STATUS, r) || r.h < 2)
		return;
	int y = status_list(s, r, true);
	if (s->nstatuses == 0)
		put(y, r.x, r.w, theme.attr[R_DIM], "no status transitions in range");
	if (y >= r.y + r.h)
		return;
	if (y + 1 < r.y + r.h)
		draw_stack_legend(++y, r.x + 13, r.w - 13);
	struct rect chart = {y + 1, r.x, r.y + r.h - (y + 1), r.w};
	draw_stacked(s, chart, chart_group(s->nbuckets, r.w - 13, 0, NULL));
}

/* Rows the status panel wants: title, its list, legend, 3 chart rows, axis. */
static int status_want(const struct snapshot *s, int width)
{
	struct rect r = {0, 0, 1000, width};
	return 1 + status_list(s, r, false) + 1 + 3 + 1;
}

/* The status list from line r.y + 1, wrapped to r.w: the ends first, then
 * the in-progress statuses under their label. Returns its last line. */
static int status_list(const struct snapshot *s, struct rect r, bool draw)
{
	char pct[16];
	int y = r.y + 1, x = r.x;
	for (int pass = 0; pass < 2; pass++) {
		bool label = pass == 1;
		for (int i = 0; i < s->nstatuses; i++) {
			if ((stack_kind(s->statuses[i].status) < 0) != (pass == 1))
				continue;
			char item[192];
			fmt_pct(pct, sizeof pct, s->statuses[i].total, s->total_transitions);
			snprintf(item, sizeof item, "%s%s %lld (%s)  ",
			         label ? "in progress: " : "", s->statuses[i].status,
			         (long long)s->statuses[i].total, pct);
			label = false;
			int iw = tw_width(item);
			if (x + iw > r.x + r.w && x > r.x) {
				if (++y >= r.y + r.h)
					return y;
				x = r.x;
			}
			if (draw)
				put(y, x, r.x + r.w - x, draw_status_attr(s->statuses[i].status),
				    item);
			x += iw;
		}
	}
	return y;
}

/* ------------------------------------------------------------ tables */

static void clamp_selection(enum panel_id f, int n, int visible)
{
	if (visible < 1)
		visible = 1;
	overview_ui.sel[f] = tablenav_move(overview_ui.sel[f], 0, n);
	overview_ui.top[f] = tablenav_top(overview_ui.sel[f], overview_ui.top[f], n, visible);
	overview_ui.rows[f] = visible;
}

static const char *direction_mark(bool reverse)
{
	return reverse ? (tw_utf8() ? "↑" : "^") : (tw_utf8() ? "↓" : "v");
}

const char *overview_table_name(enum panel_id p)
{
	switch (p) {
	case PANEL_ACTIONS:
		return "top actions";
	case PANEL_WORKERS:
		return "workers";
	case PANEL_CHANGES:
		return "recent changes";
	case PANEL_FAILURES:
		return "recent failures";
	default:
		return "this panel";
	}
}

const char *overview_sort_mark(enum panel_id p, int col)
{
	return overview_ui.col[p] == col ? direction_mark(overview_ui.rev[p]) : "";
}

void overview_sort_title(enum panel_id p, char *buf, size_t len)
{
	if (overview_ui.col[p] == 0 && !overview_ui.rev[p])
		buf[0] = '\0';
	else
		snprintf(buf, len, ", sort: %s %s", tablesort_label(p, overview_ui.col[p]),
		         direction_mark(overview_ui.rev[p]));
}

int overview_put_head(int y, int x, int w, enum panel_id p, int col, const char *text, bool right)
{
	char head[64];
	const char *mark = overview_sort_mark(p, col);
	attr_t at = mark[0] ? theme.attr[R_TITLE] : theme.attr[R_DIM];
	snprintf(head, sizeof head, "%s%s", mark, text);
	return right ? put_right(y, x, w, at, head) : put(y, x, w, at, head);
}

/* A table's title with its position ("5/36 ▲▼") at the right end. */
static void table_title(struct rect r, const char *text, enum panel_id f, int n)
{
	char pos[48];
	title(r, text, overview_ui.focus == f);
	tablenav_position(pos, sizeof pos, overview_ui.sel[f], overview_ui.top[f],
	                  overview_ui.rows[f], n, !tw_utf8());
	int pw = tw_width(pos);
	if (n > 0 && r.w > tw_width(text) + pw + 8)
		putf(r.y, r.x + r.w - pw - 4, pw + 2, theme.attr[R_DIM], " %s ", pos);
}

static attr_t row_attr(const struct snapshot *s, enum panel_id f, int i)
{
	attr_t a = overview_ui.focus == f && overview_ui.sel[f] == i ? A_REVERSE : A_NORMAL;
	return overview_row_matches(s, f, i) ? a | A_BOLD | A_UNDERLINE : a;
}

static void draw_actions(struct app *a, struct rect r)
{
	const struct snapshot *s = a->snap;
	char t[96], pct[16], num[32];
	snprintf(t, sizeof t, "Top actions (%d), sort: %s %s", s->nactions,
	         model_sort_label(overview_ui.sort),
	         overview_ui.reverse ? (tw_utf8() ? "↑" : "asc") : (tw_utf8() ? "↓" : "desc"));
	clamp_selection(PANEL_ACTIONS, s->nactions, r.h - 2);
	table_title(r, t, PANEL_ACTIONS, s->nactions);
	if (panel_unavailable(s, PANEL_ACTIONS, r) || r.h < 2)
		return;
	int num_w = 8, trend_w = r.w >= 100 ? 24 : 0;
	int name_w = r.w - 4 * (num_w + 1) - 7 - (trend_w ? trend_w + 1 : 0);
	if (name_w < 8)
		name_w = 8;
	int y = r.y + 1, x = r.x;
	put(y, x, name_w, theme.attr[R_DIM], "ACTION");
	x += name_w;
	/* The sorted column's head is marked and bright. */
	static const enum action_sort by[] = {SORT_EXECUTIONS, SORT_OK, SORT_FAILED, SORT_TIMEOUT,
	                                      SORT_FAILURE_RATE};
	const char *heads[] = {"EXEC", "OK", "FAILED", "TIMEOUT", "FAIL%"}, *mark;
	char head[32];
	mark = overview_ui.reverse ? (tw_utf8() ? "↑" : "^") : (tw_utf8() ? "↓" : "v");
	if (overview_ui.sort == SORT_NAME)
		putf(y, r.x, name_w, theme.attr[R_TITLE], "ACTION%s", mark);
	for (int i = 0; i < 5; i++, x += num_w + 1) {
		bool on = overview_ui.sort == by[i];
		snprintf(head, sizeof head, "%s%s", on ? mark : "", heads[i]);
		put_right(y, x + 1, i < 4 ? num_w : 6, on ? theme.attr[R_TITLE] : theme.attr[R_DIM],
		          head);
	}
	x -= num_w + 1;
	if (trend_w)
		put(y, x + 8, trend_w, theme.attr[R_DIM], "TREND");
	int visible = r.h - 2;
	for (int i = overview_ui.top[PANEL_ACTIONS];
	     i < s->nactions && i - overview_ui.top[PANEL_ACTIONS] < visible; i++) {
		const struct action_row *row = &s->actions[i];
		y = r.y + 2 + i - overview_ui.top[PANEL_ACTIONS];
		attr_t ra = row_attr(s, PANEL_ACTIONS, i);
		fill(y, r.x, r.w, ra);
		put(y, r.x, name_w, ra, row->ref);
		x = r.x + name_w;
		int64_t vals[] = {row->executions, row->completed, row->failed, row->timeout};
		for (int k = 0; k < 4; k++, x += num_w + 1) {
			fmt_int_fit(num, sizeof num, vals[k], num_w);
			put_right(y, x + 1, num_w, ra, num);
		}
		int64_t fn = row->failed + row->timeout, fd = row->completed + fn;
		fmt_pct(pct, sizeof pct, fn, fd);
		put_right(y, x + 1, 6, ra | draw_failure_attr(fn, fd), pct);
		if (trend_w) {
			int64_t cols[256];
			char line[4 * 256 + 4];
			int g = spark_group(s->nbuckets, trend_w);
			int nc = spark_reduce(row->buckets, s->nbuckets, g, cols, 256);
			spark_render(line, cols, nc, !tw_utf8());
			put(y, x + 8, trend_w, ra, line);
		}
	}
	char note[256];
	if (s->nactions == 0)
		put(r.y + 2, r.x, r.w, theme.attr[R_DIM],
		    overview_filter_note(s, PANEL_ACTIONS, note, sizeof note)
		        ? note
		        : "no executions in range");
}

/* Column widths of the workers table; 0 hides a column. */
enum { WC_NAME, WC_STATUS, WC_ROLE, WC_TYPE, WC_HOSTPORT, WC_AGE, WC_TRANS, WC_FLAGS, WC_N };

static void worker_widths(int width, int w[WC_N])
{
	/* The right half of a 200-column screen is 99 wide: ROLE and TYPE
	 * stay. */
	bool wide = width >= 96;
	w[WC_STATUS] = 10;
	w[WC_ROLE] = wide ? 7 : 0;
	w[WC_TYPE] = wide ? 10 : 0;
	w[WC_HOSTPORT] = width >= 80 ? 20 : 0;
	w[WC_AGE] = 10; /* HEARTBEAT and its sort mark */
	w[WC_TRANS] = 6;
	w[WC_FLAGS] = 6;
	w[WC_NAME] = width - 7;
	for (int i = 1; i < WC_N; i++)
		w[WC_NAME] -= w[i];
	/* Room beyond a 24-column name is shared with HOST:PORT, so the port
	 * of a long host name shows. */
	if (w[WC_HOSTPORT] && w[WC_NAME] > 24) {
		int give = (w[WC_NAME] - 24) / 2;
		w[WC_NAME] -= give;
		w[WC_HOSTPORT] += give;
	}
	if (w[WC_NAME] < 6)
		w[WC_NAME] = 6;
}

/* The heads, the sorted column's marked and bright (severity has none). */
static void worker_heads(struct rect r, const int w[WC_N])
{
	static const char *const heads[WC_N] = {"NAME",      "STATUS",    "ROLE",  "TYPE",
	                                        "HOST:PORT", "HEARTBEAT", "TRANS", "FLAGS"};
	static const int by[WC_N] = {WSORT_NAME, WSORT_STATUS,    WSORT_ROLE,        WSORT_TYPE,
	                             WSORT_HOST, WSORT_HEARTBEAT, WSORT_TRANSITIONS, -1};
	int x = r.x;
	for (int i = 0; i < WC_N; i++) {
		if (!w[i])
			continue;
		overview_put_head(r.y + 1, x, w[i], PANEL_WORKERS, by[i], heads[i],
		                  i == WC_AGE || i == WC_TRANS);
		x += w[i] + 1;
	}
}

/* A text cell, "-" when missing; returns the next column. */
static int worker_cell(int y, int x, int w, attr_t attr, const char *text)
{
	if (!w)
		return x;
	put(y, x, w, attr, text ? text : "-");
	return x + w + 1;
}

static void worker_row(int y, const struct rect r, const int w[WC_N], attr_t ra,
                       const struct worker_row *wk)
{
	char age[32], hp[300], num[32];
	int x = r.x + w[WC_NAME] + 1;
	put(y, r.x, w[WC_NAME], ra, wk->name);
	x = worker_cell(y, x, w[WC_STATUS], ra | draw_status_attr(wk->status), wk->status);
	x = worker_cell(y, x, w[WC_ROLE], ra, wk->role);
	x = worker_cell(y, x, w[WC_TYPE], ra, wk->type);
	/* A missing port is not ":0"; a long host is cut before the port. */
	char port[16] = "";
	if (wk->port)
		snprintf(port, sizeof port, ":%d", wk->port);
	int host_w = w[WC_HOSTPORT] - (int)strlen(port);
	tw_fit(hp, sizeof hp, wk->host ? wk->host : "-", host_w > 1 ? host_w : 1, false);
	snprintf(hp + strlen(hp), sizeof hp - strlen(hp), "%s", port);
	x = worker_cell(y, x, w[WC_HOSTPORT], ra, hp);
	if (wk->has_heartbeat)
		fmt_age(age, sizeof age, wk->heartbeat_age);
	else
		snprintf(age, sizeof age, "never");
	bool stale = present_worker_stale(wk);
	put_right(y, x, w[WC_AGE], ra | (stale ? theme.attr[R_STALE] : 0), age);
	x += w[WC_AGE] + 1;
	if (wk->transitions < 0)
		snprintf(num, sizeof num, "-");
	else
		fmt_int_fit(num, sizeof num, wk->transitions, w[WC_TRANS]);
	put_right(y, x, w[WC_TRANS], ra, num);
	x += w[WC_TRANS] + 1;
	if (present_worker_flapping(wk))
		put(y, x, w[WC_FLAGS], ra | theme.attr[R_WARN], "FLAP");
	else if (stale)
		put(y, x, w[WC_FLAGS], ra | theme.attr[R_FAILURE], "STALE");
}

static void draw_workers(struct app *a, struct rect r)
{
	const struct snapshot *s = a->snap;
	char t[96], so[64];
	int w[WC_N];
	overview_sort_title(PANEL_WORKERS, so, sizeof so);
	snprintf(t, sizeof t, "Workers (%d)%s", s->nworkers, so);
	clamp_selection(PANEL_WORKERS, s->nworkers, r.h - 2);
	table_title(r, t, PANEL_WORKERS, s->nworkers);
	if (panel_unavailable(s, PANEL_WORKERS, r) || r.h < 2)
		return;
	worker_widths(r.w, w);
	worker_heads(r, w);
	int visible = r.h - 2, top;
	top = overview_ui.top[PANEL_WORKERS];
	for (int i = top; i < s->nworkers && i - top < visible; i++) {
		attr_t ra = row_attr(s, PANEL_WORKERS, i);
		int y = r.y + 2 + i - top;
		fill(y, r.x, r.w, ra);
		worker_row(y, r, w, ra, &s->workers[i]);
	}
	char note[256];
	if (s->nworkers == 0)
		put(r.y + 2, r.x, r.w, theme.attr[R_DIM],
		    overview_filter_note(s, PANEL_WORKERS, note, sizeof note) ? note
		                                                              : "no workers");
}

/* The heartbeat ages on screen as drawn: a row off screen ticking to the
 * next minute is no reason to draw the screen again. */
static bool workers_same(const struct snapshot *a, const struct snapshot *b)
{
	char x[32], y[32];
	int top = overview_ui.top[PANEL_WORKERS], end = top + overview_ui.rows[PANEL_WORKERS];
	for (int i = top < 0 ? 0 : top; i < end && i < a->nworkers && i < b->nworkers; i++) {
		const struct worker_row *p = &a->workers[i], *q = &b->workers[i];
		if (!p->has_heartbeat || !q->has_heartbeat)
			continue; /* the model compares whether there is one */
		fmt_age(x, sizeof x, p->heartbeat_age);
		fmt_age(y, sizeof y, q->heartbeat_age);
		if (strcmp(x, y) != 0)
			return false;
	}
	return true;
}

static void draw_changes(struct app *a, struct rect r)
{
	const struct snapshot *s = a->snap;
	char ts[40], idb[32], t[96], head[64];
	overview_sort_title(PANEL_CHANGES, head, sizeof head);
	snprintf(t, sizeof t, "Recent status changes%s", head);
	clamp_selection(PANEL_CHANGES, s->nchanges, r.h - 2);
	table_title(r, t, PANEL_CHANGES, s->nchanges);
	if (panel_unavailable(s, PANEL_CHANGES, r) || r.h < 2)
		return;
	int time_w = r.w >= 90 ? 19 : 8, id_w = 10, st_w = 11;
	int name_w = r.w - time_w - id_w - 2 * st_w - 7;
	if (name_w < 6)
		name_w = 6;
	int y = r.y + 1;
	int x = r.x;
	overview_put_head(y, x, time_w, PANEL_CHANGES, CSORT_TIME, a->utc ? "TIME UTC" : "TIME",
	                  false);
	overview_put_head(y, x + time_w + 1, id_w, PANEL_CHANGES, CSORT_EXECUTION, "EXECUTION",
	                  true);
	overview_put_head(y, x + time_w + id_w + 3, name_w, PANEL_CHANGES, CSORT_ACTION, "ACTION",
	                  false);
	int hx = x + time_w + id_w + name_w + 4;
	hx += overview_put_head(y, hx, st_w, PANEL_CHANGES, CSORT_OLD, "OLD", false);
	hx += put(y, hx, 4, theme.attr[R_DIM], " -> ");
	overview_put_head(y, hx, st_w, PANEL_CHANGES, CSORT_NEW, "NEW", false);
	int visible = r.h - 2;
	for (int i = overview_ui.top[PANEL_CHANGES];
	     i < s->nchanges && i - overview_ui.top[PANEL_CHANGES] < visible; i++) {
		const struct change_row *c = &s->changes[i];
		attr_t ra = row_attr(s, PANEL_CHANGES, i);
		y = r.y + 2 + i - overview_ui.top[PANEL_CHANGES];
		fill(y, r.x, r.w, ra);
		fmt_timestamp(ts, sizeof ts, c->time_us, a->utc, false);
		put(y, x, time_w, ra, time_w < 19 ? ts + 11 : ts);
		snprintf(idb, sizeof idb, "%lld", (long long)c->id);
		put_right(y, x + time_w + 1, id_w, ra, idb);
		put(y, x + time_w + id_w + 3, name_w, ra, c->ref);
		int sx = x + time_w + id_w + name_w + 4;
		sx += put(y, sx, st_w, ra | draw_status_attr(c->old_status),
		          c->old_status ? c->old_status : "-");
		sx += put(y, sx, 4, ra, tw_utf8() ? " → " : " -> ");
		put(y, sx, st_w, ra | draw_status_attr(c->new_status),
		    c->new_status ? c->new_status : "-");
	}
	char note[256];
	if (s->nchanges == 0)
		put(r.y + 2, r.x, r.w, theme.attr[R_DIM],
		    overview_filter_note(s, PANEL_CHANGES, note, sizeof note)
		        ? note
		        : "no status changes in range");
}

/* ------------------------------------------------------------ batch frames */

#define SPARK_MAX_COLS 120

static bool panel_note(const struct snapshot *s, enum panel_id p)
{
	if (!s->panel[p].missing && !s->panel[p].failed)
		return false;
	printf("(unavailable: %s)\n", s->panel[p].note);
	return true;
}

static void print_series(const char *name, const int64_t *v, int n, int group, bool ascii)
{
	int64_t cols[SPARK_MAX_COLS + 1], mn, mx, last, tot;
	char line[4 * SPARK_MAX_COLS + 8];
	int nc = spark_reduce(v, n, group, cols, SPARK_MAX_COLS + 1);
	int known = spark_stats(v, n, &mn, &mx, &last, &tot);
	spark_render(line, cols, nc, ascii);
	if (!known)
		printf("%-13s %9s %9s %9s %10s  %s\n", name, "-", "-", "-", "n/a", line);
	else
		printf("%-13s %9lld %9lld %9lld %10lld  %s\n", name, (long long)mn, (long long)mx,
		       (long long)last, (long long)tot, line);
}

static void print_throughput(const struct app *a, const struct snapshot *s)
{
	(void)a;
	bool ascii = !tw_utf8();
	int group = spark_group(s->nbuckets, SPARK_MAX_COLS);
	char now[96];
	current_hour_note(s, now, sizeof now, false);
	printf("\nTHROUGHPUT  1 column = %dh, last column = current hour, %s\n", group, now);
	printf("%-13s %9s %9s %9s %10s  %s\n", "series", "min", "max", "last", "total",
	       "sparkline");
	print_series("executions", s->exec_created, s->nbuckets, group, ascii);
	const char *names[] = {"executions", "events", "enforcements", "completed", "failed"};
	const int64_t *series[] = {s->exec_created, s->events, s->enforcements, s->completed,
	                           s->failed};
	char why[160];
	for (int i = 1; i < 3; i++)
		if (series_not_filtered(s, i, why, sizeof why))
			printf("%-13s %9s %9s %9s %10s  (%s)\n", names[i], "-", "-", "-", "n/a",
			       why);
		else
			print_series(names[i], series[i], s->nbuckets, group, ascii);
	print_series("completed", s->completed, s->nbuckets, group, ascii);
	print_series("failed", s->failed, s->nbuckets, group, ascii);
	if (s->panel[PANEL_THROUGHPUT].note[0])
		printf("(unavailable: %s)\n", s->panel[PANEL_THROUGHPUT].note);
}

static void print_status(const struct app *a, const struct snapshot *s)
{
	(void)a;
	int64_t num, den;
	char pct[16], buf[TEXT_MAX];
	present_failure(s, &num, &den);
	fmt_pct(pct, sizeof pct, num, den);
	printf("\nSTATUS BREAKDOWN  failure rate %s (%lld/%lld)\n", pct, (long long)num,
	       (long long)den);
	if (panel_note(s, PANEL_STATUS))
		return;
	printf("%10s %7s  %s\n", "count", "share", "status");
	for (int i = 0; i < s->nstatuses; i++) {
		fmt_pct(pct, sizeof pct, s->statuses[i].total, s->total_transitions);
		printf("%10lld %7s  %s\n", (long long)s->statuses[i].total, pct,
		       text_clean(s->statuses[i].status, buf, sizeof buf));
	}
}

static void print_actions(const struct app *a, const struct snapshot *s)
{
	char pct[16], buf[TEXT_MAX];
	printf("\nTOP ACTIONS  sort: %s\n", model_sort_label(overview_ui.sort));
	if (panel_note(s, PANEL_ACTIONS))
		return;
	printf("%10s %10s %8s %8s %9s  %s\n", "executions", "completed", "failed", "timeout",
	       "failure%", "action");
	for (int i = 0; i < s->nactions; i++) {
		const struct action_row *r = &s->actions[i];
		fmt_pct(pct, sizeof pct, r->failed + r->timeout,
		        r->completed + r->failed + r->timeout);
		printf("%10lld %10lld %8lld %8lld %9s  %s\n", (long long)r->executions,
		       (long long)r->completed, (long long)r->failed, (long long)r->timeout, pct,
		       text_clean(r->ref, buf, sizeof buf));
	}
}

static void print_workers(const struct app *a, const struct snapshot *s)
{
	(void)a;
	char age[32], hp[600], b1[TEXT_MAX], b2[256], b3[64], b4[64], b5[64];
	printf("\nWORKERS\n");
	if (panel_note(s, PANEL_WORKERS))
		return;
	printf("%6s %-10s %-8s %-10s %9s %11s %-14s %-22s %s\n", "id", "status", "role", "type",
	       "heartbeat", "transitions", "flags", "host:port", "name");
	for (int i = 0; i < s->nworkers; i++) {
		const struct worker_row *w = &s->workers[i];
		if (w->has_heartbeat)
			fmt_age(age, sizeof age, w->heartbeat_age);
		else
			snprintf(age, sizeof age, "-");
		if (w->port) /* a missing port is not ":0" */
			snprintf(hp, sizeof hp, "%s:%d", w->host ? w->host : "-", w->port);
		else
			snprintf(hp, sizeof hp, "%s", w->host ? w->host : "-");
		char flags[32];
		snprintf(flags, sizeof flags, "%s%s%s", present_worker_stale(w) ? "stale" : "",
		         present_worker_stale(w) && present_worker_flapping(w) ? "," : "",
		         present_worker_flapping(w) ? "flapping" : "");
		char tr[24];
		printf("%6lld %-10s %-8s %-10s %9s %11s %-14s %-22s %s\n", (long long)w->id,
		       text_clean(w->status, b3, sizeof b3), text_clean(w->role, b4, sizeof b4),
		       text_clean(w->type, b5, sizeof b5), age,
		       w->transitions < 0 ? "-" : fmt_total(tr, w->transitions),
		       flags[0] ? flags : "-", text_clean(hp, b2, sizeof b2),
		       text_clean(w->name, b1, sizeof b1));
	}
}

static void print_changes(const struct app *a, const struct snapshot *s)
{
	(void)a;
	char ts[40], b1[TEXT_MAX], b2[128], b3[128];
	printf("\nRECENT STATUS CHANGES\n");
	if (panel_note(s, PANEL_CHANGES))
		return;
	printf("%-27s %10s %-12s %-12s %s\n", "time", "execution", "old", "new", "action");
	int n = s->nchanges < 20 ? s->nchanges : 20;
	for (int i = 0; i < n; i++) {
		const struct change_row *c = &s->changes[i];
		fmt_iso_utc(ts, sizeof ts, c->time_us, true);
		printf("%-27s %10lld %-12s %-12s %s\n", ts, (long long)c->id,
		       text_clean(c->old_status, b2, sizeof b2),
		       text_clean(c->new_status, b3, sizeof b3), text_clean(c->ref, b1, sizeof b1));
	}
}

/* ------------------------------------------------------------ layout */

/* ------------------------------------------------------------ tables */

static int rows_actions(const struct snapshot *s)
{
	return s->nactions;
}

static int rows_workers(const struct snapshot *s)
{
	return s->nworkers;
}

static int rows_changes(const struct snapshot *s)
{
	return s->nchanges;
}

/* Enter on an action filters every panel by its ref. */
static void enter_action(struct app *a, int i)
{
	app_set_filter(a, a->snap->actions[i].ref);
	app_message(a, "filter: %s (Esc clears)", a->filter ? a->filter : "");
	for (int p = 0; p < PANEL_COUNT; p++)
		overview_ui.sel[p] = overview_ui.top[p] = 0;
}

static void open_entity(struct app *a, enum entity_type type, int64_t id)
{
	struct entity_spec e = {.type = type, .id = id};
	char label[64];
	snprintf(label, sizeof label, "%s:%lld", type == ENTITY_WORKER ? "worker" : "execution",
	         (long long)id);
	app_open_entity(a, &e, label);
}

static void enter_worker(struct app *a, int i)
{
	open_entity(a, ENTITY_WORKER, a->snap->workers[i].id);
}

static void enter_change(struct app *a, int i)
{
	open_entity(a, ENTITY_EXECUTION, a->snap->changes[i].id);
}

/* ------------------------------------------------------------ layout */

/* One row per panel (indexed by enum panel_id), top to bottom: the rows it
 * needs, how it draws and prints; a table also counts its rows, answers
 * Enter and names what 'e' exports while it has the focus. `same` compares
 * what the model's snapshot_same_view does not (NULL: nothing more). */
static const struct {
	struct layout_need need;
	void (*draw)(struct app *a, struct rect r);
	void (*print)(const struct app *a, const struct snapshot *s); /* batch mode */
	int (*rows)(const struct snapshot *s);                        /* NULL: no table */
	void (*enter)(struct app *a, int i);
	const char *export;
	bool (*same)(const struct snapshot *a, const struct snapshot *b);
} panels[PANEL_COUNT] = {
    [PANEL_THROUGHPUT] =
        {{2, 7, 0}, draw_throughput, print_throughput, NULL, NULL, NULL, throughput_same},
    [PANEL_STATUS] = {{2, 8, 0}, draw_status, print_status, NULL, NULL, NULL, NULL},
    [PANEL_ACTIONS] = {{3, 0, 0},
                       draw_actions,
                       print_actions,
                       rows_actions,
                       enter_action,
                       "execution_throughput_hourly",
                       NULL},
    [PANEL_WORKERS] = {{3, 0, 0},
                       draw_workers,
                       print_workers,
                       rows_workers,
                       enter_worker,
                       "workers",
                       workers_same},
    [PANEL_FAILURES] = {{3, 0, 3},
                        problems_draw_failures,
                        problems_print_failures,
                        problems_failure_rows,
                        problems_enter_failure,
                        NULL,
                        problems_same},
    [PANEL_CHANGES] = {{3, 0, 0},
                       draw_changes,
                       print_changes,
                       rows_changes,
                       enter_change,
                       "execution_status_hourly",
                       NULL},
};
#define PANEL_N ((int)(sizeof panels / sizeof *panels))

/* Where each panel goes below the health line (h = 0: not shown). */
static void layout(const struct app *a, int top, int avail, struct rect r[PANEL_N])
{
	memset(r, 0, PANEL_N * sizeof *r);
	if (COLS >= 160 && avail >= 20) {
		int lw = COLS / 2, rw = COLS - lw - 1;
		int sh = status_want(a->snap, lw);
		if (sh > avail - 7 - 5)
			sh = avail - 7 - 5;
		r[PANEL_THROUGHPUT] = (struct rect){top, 0, 7, lw};
		r[PANEL_STATUS] = (struct rect){top + 7, 0, sh, lw};
		r[PANEL_ACTIONS] = (struct rect){top + 7 + sh, 0, avail - 7 - sh, lw};
		/* Workers as tall as their problems need, then failures and changes. */
		int probs = 2 + health_problem_workers(a->snap), hw = avail / 3, hf = avail / 3;
		if (probs > hw)
			hw = probs < avail / 2 ? probs : avail / 2;
		r[PANEL_WORKERS] = (struct rect){top, lw + 1, hw, rw};
		r[PANEL_FAILURES] = (struct rect){top + hw, lw + 1, hf, rw};
		r[PANEL_CHANGES] = (struct rect){top + hw + hf, lw + 1, avail - hw - hf, rw};
		return;
	}
	struct layout_need need[PANEL_N];
	int h[PANEL_N], y = top;
	for (int i = 0; i < PANEL_N; i++)
		need[i] = panels[i].need;
	need[PANEL_STATUS].want = status_want(a->snap, COLS);
	/* The rows of the workers that need attention, before the charts grow. */
	need[PANEL_WORKERS].first = 2 + health_problem_workers(a->snap);
	layout_split_rows(avail, need, PANEL_N, h);
	for (int i = 0; i < PANEL_N; i++) {
		r[i] = (struct rect){y, 0, h[i], COLS};
		y += h[i];
	}
}

/* The panels in `which` (bits of enum panel_id) and the health line, on
 * a screen that holds the rest as drawn; every panel when `all`. */
static void draw_panels(struct app *a, int top, int bottom, unsigned which, bool all)
{
	int avail = bottom - top;
	if (!a->snap && avail > 0)
		put(top + 1, 0, COLS, theme.attr[R_DIM],
		    a->phase == PH_READY ? "loading…" : "connecting to the database…");
	if (!a->snap || avail <= 1)
		return;
	/* Problems first: the health line, then the panels. */
	problems_draw_health(a, top++, COLS);
	struct rect r[PANEL_N];
	layout(a, top, avail - 1, r);
	for (int i = 0; i < PANEL_N; i++) {
		if (!r[i].h || (!all && !(which & 1u << i)))
			continue;
		for (int y = 0; !all && y < r[i].h; y++)
			fill(r[i].y + y, r[i].x, r[i].w, A_NORMAL);
		panels[i].draw(a, r[i]);
	}
}

void overview_draw(struct app *a, int top, int bottom)
{
	draw_panels(a, top, bottom, 0, true);
	overview_ui.redraw_panels = 0;
}

void overview_draw_changed(struct app *a, int top, int bottom)
{
	draw_panels(a, top, bottom, overview_ui.redraw_panels, false);
	overview_ui.redraw_panels = 0;
}

enum panel_id overview_next_table(enum panel_id p, int dir)
{
	for (int n = 1; n <= PANEL_COUNT; n++) {
		int q = ((int)p + dir * n % PANEL_COUNT + PANEL_COUNT) % PANEL_COUNT;
		if (panels[q].rows)
			return (enum panel_id)q;
	}
	return p;
}

int overview_table_rows(const struct snapshot *s, enum panel_id p)
{
	return s && panels[p].rows ? panels[p].rows(s) : 0;
}

void overview_table_enter(struct app *a, enum panel_id p, int i)
{
	if (i >= 0 && i < overview_table_rows(a->snap, p) && panels[p].enter)
		panels[p].enter(a, i);
}

const char *overview_export_name(enum panel_id p)
{
	return panels[p].export;
}

unsigned overview_panels_changed(const struct snapshot *a, const struct snapshot *b)
{
	unsigned changed = 0;
	for (int i = 0; i < PANEL_N; i++)
		if (panels[i].same && !panels[i].same(a, b))
			changed |= 1u << i;
	return changed;
}

void overview_print(struct app *a)
{
	const struct snapshot *s = a->snap;
	batch_print_header(a, s);
	problems_print_health(a, s);
	for (int i = 0; i < PANEL_N; i++)
		panels[i].print(a, s);
	printf("\n");
	fflush(stdout);
}
