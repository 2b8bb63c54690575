/* The overview screen in curses: layout, panels, colours, keys, prompt. */
#include "ui.h"

#include <curses.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

#include "config.h"
#include "fmt.h"
#include "export.h"
#include "keys.h"
#include "present.h"
#include "spark.h"
#include "textwidth.h"

/* Colour roles; each maps to a pair when the terminal has colours. */
enum role {
	R_NORMAL = 0,
	R_SUCCESS,
	R_FAILURE,
	R_PROGRESS,
	R_UNKNOWN,
	R_WARN,
	R_ORANGE,
	R_HEADER,
	R_TITLE,
	R_FOCUS,
	R_STALE,
	R_DIM,
	R_COUNT,
};

enum prompt_kind {
	P_NONE = 0,
	P_FILTER, /* '/' on the overview: a ref */
	P_ENTITY, /* ':' an entity to open */
	P_FIELD,  /* '/' on a timeline: a changed field */
};

enum focus {
	F_ACTIONS = 0,
	F_WORKERS,
	F_CHANGES,
	F_COUNT,
};

struct rect {
	int y, x, h, w;
};

struct ui_state {
	bool colors;          /* colour pairs in use */
	attr_t attr[R_COUNT]; /* attribute per role */
	bool help;            /* help overlay shown */
	enum focus focus;
	int sel[F_COUNT], top[F_COUNT]; /* selection and scroll per table */
	int rows[F_COUNT];              /* visible body rows at the last draw */
	enum prompt_kind prompt;        /* the line being typed, if any */
	char input[512];                /* prompt text, UTF-8 */
	size_t input_len;
	volatile sig_atomic_t winch;
	int tl_top;  /* first visible timeline row within the page */
	bool tl_utc; /* timeline times in UTC rather than local */
	int tl_rows; /* visible timeline rows at the last draw */
};

static struct ui_state ui;

/* ------------------------------------------------------------ colours */

static void init_colors(const struct settings *s)
{
	for (int r = 0; r < R_COUNT; r++)
		ui.attr[r] = A_NORMAL;
	ui.attr[R_HEADER] = A_REVERSE;
	ui.attr[R_TITLE] = A_BOLD;
	ui.attr[R_FOCUS] = A_REVERSE;
	ui.attr[R_STALE] = A_BOLD | A_REVERSE;
	ui.attr[R_FAILURE] = A_BOLD;
	ui.colors = !s->no_color && has_colors() && start_color() == OK;
	if (!ui.colors)
		return;
	use_default_colors();
	bool many = COLORS >= 256;
	init_pair(1, COLOR_GREEN, -1);
	init_pair(2, COLOR_RED, -1);
	init_pair(3, COLOR_YELLOW, -1);
	init_pair(4, COLOR_MAGENTA, -1);
	init_pair(5, COLOR_YELLOW, -1);
	init_pair(6, many ? 208 : COLOR_RED, -1);
	init_pair(7, COLOR_BLACK, COLOR_CYAN);
	init_pair(8, COLOR_CYAN, -1);
	init_pair(9, COLOR_WHITE, COLOR_RED);
	init_pair(10, many ? 244 : COLOR_BLUE, -1);
	ui.attr[R_SUCCESS] = COLOR_PAIR(1);
	ui.attr[R_FAILURE] = COLOR_PAIR(2) | A_BOLD;
	ui.attr[R_PROGRESS] = COLOR_PAIR(3);
	ui.attr[R_UNKNOWN] = COLOR_PAIR(4);
	ui.attr[R_WARN] = COLOR_PAIR(5) | A_BOLD;
	ui.attr[R_ORANGE] = COLOR_PAIR(6) | (many ? 0 : A_DIM);
	ui.attr[R_HEADER] = COLOR_PAIR(7);
	ui.attr[R_TITLE] = COLOR_PAIR(8) | A_BOLD;
	ui.attr[R_STALE] = COLOR_PAIR(9) | A_BOLD;
	ui.attr[R_DIM] = COLOR_PAIR(10);
}

static attr_t status_attr(const char *status)
{
	switch (present_status_role(status)) {
	case ROLE_SUCCESS:
		return ui.attr[R_SUCCESS];
	case ROLE_FAILURE:
		return ui.attr[R_FAILURE];
	case ROLE_PROGRESS:
		return ui.attr[R_PROGRESS];
	case ROLE_UNKNOWN:
		return ui.attr[R_UNKNOWN];
	}
	return A_NORMAL;
}

static attr_t failure_attr(int64_t num, int64_t den)
{
	switch (present_failure_level(num, den)) {
	case 0:
		return ui.attr[R_SUCCESS];
	case 1:
		return ui.attr[R_WARN];
	case 2:
		return ui.attr[R_ORANGE];
	case 3:
		return ui.attr[R_FAILURE];
	default:
		return A_NORMAL;
	}
}

/* ------------------------------------------------------------ primitives */

/* Draw text clipped to `w` columns at (y, x), never outside the screen.
 * Returns the columns used. */
static int put(int y, int x, int w, attr_t attr, const char *text)
{
	char buf[2048];
	if (y < 0 || y >= LINES || x < 0 || x >= COLS || w <= 0)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	int used = tw_fit(buf, sizeof buf, text ? text : "", w, false);
	attrset(attr);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return used;
}

static int put_right(int y, int x, int w, attr_t attr, const char *text)
{
	int tw = tw_width(text);
	if (tw < w)
		return put(y, x + w - tw, tw, attr, text) + (w - tw);
	return put(y, x, w, attr, text);
}

static void fill(int y, int x, int w, attr_t attr)
{
	if (y < 0 || y >= LINES || x >= COLS || w <= 0)
		return;
	if (x + w > COLS)
		w = COLS - x;
	attrset(attr);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

static int putf(int y, int x, int w, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int putf(int y, int x, int w, attr_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return put(y, x, w, attr, buf);
}

static const char *hbar(void)
{
	return tw_utf8() ? "─" : "-";
}

/* A panel title line: "── Title ── extra" with focus highlighting. */
static void title(struct rect r, const char *text, bool focused)
{
	char buf[512];
	fill(r.y, r.x, r.w, A_NORMAL);
	snprintf(buf, sizeof buf, "%s%s %s ", hbar(), hbar(), text);
	int used = put(r.y, r.x, r.w, focused ? ui.attr[R_FOCUS] : ui.attr[R_TITLE], buf);
	for (int x = r.x + used; x < r.x + r.w; x++)
		put(r.y, x, 1, ui.attr[R_DIM], hbar());
}

static bool panel_unavailable(const struct snapshot *s, enum panel_id p, struct rect r)
{
	if (!s->panel[p].missing && !s->panel[p].failed)
		return false;
	putf(r.y + 1, r.x, r.w, ui.attr[R_WARN], "unavailable: %s", s->panel[p].note);
	return true;
}

/* ------------------------------------------------------------ header */

/* A total, or "n/a" when its relation is missing or its query failed. */
static const char *total(char buf[24], int64_t v)
{
	if (v < 0)
		return "n/a";
	snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}

static int draw_header(struct app *a, int width, bool compact)
{
	char server[512], backend[96], state[96], rl[16], line[1024];
	present_server(a, server, sizeof server);
	present_backend(&a->caps, backend, sizeof backend);
	present_state(a, state, sizeof state);
	range_label(a->range_hours, rl, sizeof rl);
	fill(0, 0, width, ui.attr[R_HEADER]);
	snprintf(line, sizeof line,
	         " attune-top  %s  %s  schema %s  range %s  every %gs  read-only ", server,
	         a->caps.tsdb_version[0] || a->caps.server_version[0] ? backend : "",
	         a->caps.schema[0] ? a->caps.schema : "?", rl, a->refresh_interval);
	int sw = tw_width(state) + 2;
	if (width < 60) {
		/* Narrow: the name first, then as much of the state as fits. */
		snprintf(line, sizeof line, " attune-top ");
		sw = width - tw_width(line);
	}
	put(0, 0, width - sw, ui.attr[R_HEADER], line);
	bool bad = a->phase != PH_READY || a->stale || a->paused;
	putf(0, width - sw, sw, bad ? ui.attr[R_STALE] : ui.attr[R_HEADER], " %s ", state);
	if (compact)
		return 1;
	const struct snapshot *s = a->snap;
	if (a->phase != PH_READY && a->conn_error[0]) {
		putf(1, 0, width, ui.attr[R_FAILURE], "%s", a->conn_error);
		return 2;
	}
	if (!s)
		return 2;
	char e1[24], e2[24], e3[24];
	int x = putf(1, 0, width, A_NORMAL, "exec %s  events %s  enforcements %s",
	             total(e1, s->total_exec), total(e2, s->total_events),
	             total(e3, s->total_enforcements));
	x += putf(1, x, width - x, A_NORMAL, "  %s in flight %lld", tw_utf8() ? "│" : "|",
	          (long long)s->total_inflight);
	for (int i = 0; i < s->ninflight && x < width; i++) {
		x += put(1, x, width - x, A_NORMAL, " ");
		x += put(1, x, width - x, status_attr(s->inflight[i].name), s->inflight[i].name);
		x += putf(1, x, width - x, A_NORMAL, " %lld", (long long)s->inflight[i].count);
	}
	if (s->filter)
		x += putf(1, x, width - x, ui.attr[R_WARN], "  filter: %s", s->filter);
	char fresh[160];
	present_freshness(a, false, fresh, sizeof fresh);
	if (fresh[0] && x < width)
		putf(1, x, width - x, ui.attr[R_DIM], "  %s", fresh);
	return 2;
}

/* ------------------------------------------------------------ throughput */

static void draw_time_axis(const struct snapshot *s, int y, int x, int w, int group)
{
	char label[32];
	int ncols = (s->nbuckets + group - 1) / group;
	if (ncols > w)
		ncols = w;
	/* Column c holds buckets ending at the newest; its first bucket: */
	int first = s->nbuckets - ncols * group;
	for (int c = 0; c < ncols;) {
		int b = first + c * group;
		if (b < 0)
			b = 0;
		fmt_bucket_label(label, sizeof label, s->range_start + (int64_t)b * 3600,
		                 s->range_hours, false);
		int lw = tw_width(label);
		if (c + lw > ncols)
			break;
		put(y, x + c, lw, ui.attr[R_DIM], label);
		c += lw + 4;
	}
}

static void draw_series(int y, int x, int w, const char *name, const int64_t *v, int n, int group,
                        attr_t attr)
{
	int64_t cols[1024], mn, mx, last, tot;
	char line[4 * 1024 + 4], stats[96];
	if (spark_stats(v, n, &mn, &mx, &last, &tot))
		snprintf(stats, sizeof stats, " max %lld last %lld total %lld", (long long)mx,
		         (long long)last, (long long)tot);
	else
		snprintf(stats, sizeof stats, " no data");
	int label_w = 13, stats_w = w >= 60 ? tw_width(stats) : 0;
	int spark_w = w - label_w - stats_w;
	put(y, x, label_w, A_NORMAL, name);
	if (spark_w < 1)
		return;
	int nc = spark_reduce(v, n, group, cols, 1024);
	if (nc > spark_w)
		nc = spark_w;
	spark_render(line, cols + (spark_reduce(v, n, group, cols, 1024) - nc), nc, !tw_utf8());
	put(y, x + label_w, spark_w, attr, line);
	if (stats_w)
		put(y, x + w - stats_w, stats_w, ui.attr[R_DIM], stats);
}

static void draw_throughput(struct app *a, struct rect r)
{
	const struct snapshot *s = a->snap;
	int spark_w = r.w - 13 - (r.w >= 60 ? 40 : 0);
	int group = spark_group(s->nbuckets, spark_w > 0 ? spark_w : 1);
	char t[96], rl[16];
	range_label(s->range_hours, rl, sizeof rl);
	snprintf(t, sizeof t, "Throughput %s, 1 column = %dh", rl, group);
	title(r, t, false);
	struct {
		const char *name;
		const int64_t *v;
		attr_t attr;
	} rows[] = {
	    {"executions", s->exec_created, ui.attr[R_TITLE]},
	    {"events", s->events, A_NORMAL},
	    {"enforcements", s->enforcements, A_NORMAL},
	    {"completed", s->completed, ui.attr[R_SUCCESS]},
	    {"failed", s->failed, ui.attr[R_FAILURE]},
	};
	int y = r.y + 1;
	for (size_t i = 0; i < 5 && y < r.y + r.h; i++, y++)
		draw_series(y, r.x, r.w, rows[i].name, rows[i].v, s->nbuckets, group, rows[i].attr);
	if (y < r.y + r.h && s->panel[PANEL_THROUGHPUT].note[0])
		putf(y++, r.x, r.w, ui.attr[R_WARN], "unavailable: %s",
		     s->panel[PANEL_THROUGHPUT].note);
	if (y < r.y + r.h && spark_w > 0)
		draw_time_axis(s, y, r.x + 13, spark_w, group);
}

/* ------------------------------------------------------------ status */

/* Cells of one stacked column: bottom-up completed, failed+timeout, other. */
static void draw_stacked(const struct snapshot *s, struct rect r, int group)
{
	int ncols = (s->nbuckets + group - 1) / group;
	if (ncols > r.w - 13)
		ncols = r.w - 13;
	if (ncols <= 0 || r.h <= 0)
		return;
	int64_t tot[1024] = {0}, ok[1024] = {0}, bad[1024] = {0}, mx = 0;
	int first = s->nbuckets - ncols * group;
	for (int c = 0; c < ncols && c < 1024; c++) {
		for (int b = first + c * group; b < first + (c + 1) * group; b++) {
			if (b < 0)
				continue;
			for (int k = 0; k < s->nstatuses; k++) {
				int64_t v = s->statuses[k].buckets[b];
				const char *st = s->statuses[k].status;
				tot[c] += v;
				if (strcmp(st, "completed") == 0)
					ok[c] += v;
				else if (strcmp(st, "failed") == 0 || strcmp(st, "timeout") == 0)
					bad[c] += v;
			}
		}
		if (tot[c] > mx)
			mx = tot[c];
	}
	put(r.y + r.h - 1, r.x, 13, ui.attr[R_DIM], "per bucket");
	for (int c = 0; c < ncols && mx > 0; c++) {
		int cells = (int)((tot[c] * r.h + mx - 1) / mx);
		int okc = tot[c] ? (int)(ok[c] * cells / tot[c]) : 0;
		int badc = tot[c] ? (int)((bad[c] * cells + tot[c] - 1) / tot[c]) : 0;
		for (int i = 0; i < cells; i++) {
			int y = r.y + r.h - 1 - i;
			enum role role = i < okc          ? R_SUCCESS
			                 : i < okc + badc ? R_FAILURE
			                                  : R_PROGRESS;
			const char *g = tw_utf8()           ? "█"
			                : role == R_SUCCESS ? "#"
			                : role == R_FAILURE ? "x"
			                                    : "+";
			put(y, r.x + 13 + c, 1, ui.colors ? ui.attr[role] : A_NORMAL, g);
		}
	}
}

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
	put(r.y, r.x + tw, (int)strlen(pct), failure_attr(num, den), pct);
	if (panel_unavailable(s, PANEL_STATUS, r) || r.h < 2)
		return;
	int y = r.y + 1, x = r.x;
	for (int i = 0; i < s->nstatuses; i++) {
		char item[160];
		fmt_pct(pct, sizeof pct, s->statuses[i].total, s->total_transitions);
		snprintf(item, sizeof item, "%s %lld (%s)  ", s->statuses[i].status,
		         (long long)s->statuses[i].total, pct);
		int iw = tw_width(item);
		if (x + iw > r.x + r.w && x > r.x) {
			if (++y >= r.y + r.h)
				return;
			x = r.x;
		}
		x += put(y, x, r.x + r.w - x, status_attr(s->statuses[i].status), item);
	}
	if (s->nstatuses == 0)
		put(y, x, r.w, ui.attr[R_DIM], "no status transitions in range");
	struct rect chart = {y + 1, r.x, r.y + r.h - (y + 1), r.w};
	int group = spark_group(s->nbuckets, r.w - 13 > 0 ? r.w - 13 : 1);
	draw_stacked(s, chart, group);
}

/* ------------------------------------------------------------ tables */

static void clamp_selection(enum focus f, int n, int visible)
{
	if (ui.sel[f] >= n)
		ui.sel[f] = n - 1;
	if (ui.sel[f] < 0)
		ui.sel[f] = 0;
	if (visible < 1)
		visible = 1;
	if (ui.sel[f] < ui.top[f])
		ui.top[f] = ui.sel[f];
	if (ui.sel[f] >= ui.top[f] + visible)
		ui.top[f] = ui.sel[f] - visible + 1;
	if (ui.top[f] < 0)
		ui.top[f] = 0;
	ui.rows[f] = visible;
}

static attr_t row_attr(enum focus f, int i)
{
	return ui.focus == f && ui.sel[f] == i ? A_REVERSE : A_NORMAL;
}

static void draw_actions(struct app *a, struct rect r)
{
	const struct snapshot *s = a->snap;
	char t[96], pct[16], num[32];
	snprintf(t, sizeof t, "Top actions (%d), sort: %s", s->nactions, model_sort_label(a->sort));
	title(r, t, ui.focus == F_ACTIONS);
	if (panel_unavailable(s, PANEL_ACTIONS, r) || r.h < 2)
		return;
	int num_w = 8, trend_w = r.w >= 100 ? 24 : 0;
	int name_w = r.w - 4 * (num_w + 1) - 7 - (trend_w ? trend_w + 1 : 0);
	if (name_w < 8)
		name_w = 8;
	int y = r.y + 1, x = r.x;
	put(y, x, name_w, ui.attr[R_DIM], "ACTION");
	x += name_w;
	const char *heads[] = {"EXEC", "OK", "FAILED", "TIMEOUT"};
	for (int i = 0; i < 4; i++, x += num_w + 1)
		put_right(y, x + 1, num_w, ui.attr[R_DIM], heads[i]);
	put_right(y, x + 1, 6, ui.attr[R_DIM], "FAIL%");
	if (trend_w)
		put(y, x + 8, trend_w, ui.attr[R_DIM], "TREND");
	int visible = r.h - 2;
	clamp_selection(F_ACTIONS, s->nactions, visible);
	for (int i = ui.top[F_ACTIONS]; i < s->nactions && i - ui.top[F_ACTIONS] < visible; i++) {
		const struct action_row *row = &s->actions[i];
		y = r.y + 2 + i - ui.top[F_ACTIONS];
		attr_t ra = row_attr(F_ACTIONS, i);
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
		put_right(y, x + 1, 6, ra | failure_attr(fn, fd), pct);
		if (trend_w) {
			int64_t cols[256];
			char line[4 * 256 + 4];
			int g = spark_group(s->nbuckets, trend_w);
			int nc = spark_reduce(row->buckets, s->nbuckets, g, cols, 256);
			spark_render(line, cols, nc, !tw_utf8());
			put(y, x + 8, trend_w, ra, line);
		}
	}
	if (s->nactions == 0)
		put(r.y + 2, r.x, r.w, ui.attr[R_DIM], "no executions in range");
}

static void draw_workers(struct app *a, struct rect r)
{
	const struct snapshot *s = a->snap;
	char t[96], age[32], hp[300], num[32];
	snprintf(t, sizeof t, "Workers (%d)", s->nworkers);
	title(r, t, ui.focus == F_WORKERS);
	if (panel_unavailable(s, PANEL_WORKERS, r) || r.h < 2)
		return;
	bool wide = r.w >= 100;
	int status_w = 10, role_w = wide ? 7 : 0, type_w = wide ? 10 : 0, hp_w = r.w >= 80 ? 20 : 0;
	int age_w = 9, tr_w = 6, flag_w = 6;
	int name_w = r.w - status_w - role_w - type_w - hp_w - age_w - tr_w - flag_w - 7;
	if (name_w < 6)
		name_w = 6;
	int y = r.y + 1, x = r.x;
	const struct {
		const char *h;
		int w;
	} cols[] = {{"NAME", name_w},    {"STATUS", status_w}, {"ROLE", role_w}, {"TYPE", type_w},
	            {"HOST:PORT", hp_w}, {"HEARTBEAT", age_w}, {"TRANS", tr_w},  {"FLAGS", flag_w}};
	for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
		if (!cols[i].w)
			continue;
		if (i == 5 || i == 6)
			put_right(y, x, cols[i].w, ui.attr[R_DIM], cols[i].h);
		else
			put(y, x, cols[i].w, ui.attr[R_DIM], cols[i].h);
		x += cols[i].w + 1;
	}
	int visible = r.h - 2;
	clamp_selection(F_WORKERS, s->nworkers, visible);
	for (int i = ui.top[F_WORKERS]; i < s->nworkers && i - ui.top[F_WORKERS] < visible; i++) {
		const struct worker_row *w = &s->workers[i];
		attr_t ra = row_attr(F_WORKERS, i);
		y = r.y + 2 + i - ui.top[F_WORKERS];
		fill(y, r.x, r.w, ra);
		x = r.x;
		x += put(y, x, name_w, ra, w->name) * 0 + name_w + 1;
		put(y, x, status_w, ra | status_attr(w->status), w->status ? w->status : "-");
		x += status_w + 1;
		if (role_w) {
			put(y, x, role_w, ra, w->role ? w->role : "-");
			x += role_w + 1;
		}
		if (type_w) {
			put(y, x, type_w, ra, w->type ? w->type : "-");
			x += type_w + 1;
		}
		if (hp_w) {
			snprintf(hp, sizeof hp, "%s:%d", w->host ? w->host : "-", w->port);
			put(y, x, hp_w, ra, hp);
			x += hp_w + 1;
		}
		if (w->has_heartbeat)
			fmt_age(age, sizeof age, w->heartbeat_age);
		else
			snprintf(age, sizeof age, "never");
		bool stale = present_worker_stale(w);
		put_right(y, x, age_w, ra | (stale ? ui.attr[R_STALE] : 0), age);
		x += age_w + 1;
		if (w->transitions < 0)
			snprintf(num, sizeof num, "-");
		else
			fmt_int_fit(num, sizeof num, w->transitions, tr_w);
		put_right(y, x, tr_w, ra, num);
		x += tr_w + 1;
		if (present_worker_flapping(w))
			put(y, x, flag_w, ra | ui.attr[R_WARN], "FLAP");
		else if (stale)
			put(y, x, flag_w, ra | ui.attr[R_FAILURE], "STALE");
	}
	if (s->nworkers == 0)
		put(r.y + 2, r.x, r.w, ui.attr[R_DIM], "no workers");
}

static void draw_changes(struct app *a, struct rect r)
{
	const struct snapshot *s = a->snap;
	char ts[40], idb[32];
	title(r, "Recent status changes", ui.focus == F_CHANGES);
	if (panel_unavailable(s, PANEL_CHANGES, r) || r.h < 2)
		return;
	int time_w = r.w >= 90 ? 19 : 8, id_w = 9, st_w = 11;
	int name_w = r.w - time_w - id_w - 2 * st_w - 7;
	if (name_w < 6)
		name_w = 6;
	int y = r.y + 1;
	int x = r.x;
	put(y, x, time_w, ui.attr[R_DIM], "TIME");
	put_right(y, x + time_w + 1, id_w, ui.attr[R_DIM], "EXECUTION");
	put(y, x + time_w + id_w + 3, name_w, ui.attr[R_DIM], "ACTION");
	put(y, x + time_w + id_w + name_w + 4, 2 * st_w + 3, ui.attr[R_DIM], "OLD -> NEW");
	int visible = r.h - 2;
	clamp_selection(F_CHANGES, s->nchanges, visible);
	for (int i = ui.top[F_CHANGES]; i < s->nchanges && i - ui.top[F_CHANGES] < visible; i++) {
		const struct change_row *c = &s->changes[i];
		attr_t ra = row_attr(F_CHANGES, i);
		y = r.y + 2 + i - ui.top[F_CHANGES];
		fill(y, r.x, r.w, ra);
		fmt_timestamp(ts, sizeof ts, c->time_us, false, false);
		put(y, x, time_w, ra, time_w < 19 ? ts + 11 : ts);
		snprintf(idb, sizeof idb, "%lld", (long long)c->id);
		put_right(y, x + time_w + 1, id_w, ra, idb);
		put(y, x + time_w + id_w + 3, name_w, ra, c->ref);
		int sx = x + time_w + id_w + name_w + 4;
		sx += put(y, sx, st_w, ra | status_attr(c->old_status),
		          c->old_status ? c->old_status : "-");
		sx += put(y, sx, 4, ra, tw_utf8() ? " → " : " -> ");
		put(y, sx, st_w, ra | status_attr(c->new_status),
		    c->new_status ? c->new_status : "-");
	}
	if (s->nchanges == 0)
		put(r.y + 2, r.x, r.w, ui.attr[R_DIM], "no status changes in range");
}

/* ------------------------------------------------------------ layout */

/* Split `avail` rows: each panel gets its minimum in order while they fit,
 * then throughput and status grow to their wanted size, then the tables
 * share the rest. A zero height hides the panel. */
static void split_rows(int avail, int *h)
{
	const int min[5] = {2, 2, 3, 3, 3}, want[5] = {7, 5, 0, 0, 0};
	int i, left = avail;
	for (i = 0; i < 5; i++) {
		h[i] = left >= min[i] ? min[i] : 0;
		left -= h[i];
	}
	for (i = 0; i < 2; i++) {
		if (!h[i])
			continue;
		int more = want[i] - h[i];
		if (more > left)
			more = left;
		h[i] += more;
		left -= more;
	}
	int tables = (h[2] > 0) + (h[3] > 0) + (h[4] > 0);
	for (i = 2; i < 5 && tables; i++) {
		if (!h[i])
			continue;
		int share = left / tables--;
		h[i] += share;
		left -= share;
	}
}

static void draw_overview(struct app *a, int top, int bottom)
{
	int avail = bottom - top;
	if (!a->snap || avail <= 0)
		return;
	if (COLS >= 160 && avail >= 16) {
		int lw = COLS / 2, rw = COLS - lw - 1, h[5], hr;
		split_rows(avail, h);
		int left_tables = avail - 7 - 5;
		struct rect tp = {top, 0, 7, lw}, st = {top + 7, 0, 5, lw};
		struct rect ac = {top + 12, 0, left_tables, lw};
		hr = avail / 2;
		struct rect wk = {top, lw + 1, hr, rw}, ch = {top + hr, lw + 1, avail - hr, rw};
		draw_throughput(a, tp);
		draw_status(a, st);
		draw_actions(a, ac);
		draw_workers(a, wk);
		draw_changes(a, ch);
		(void)h;
		return;
	}
	int h[5];
	split_rows(avail, h);
	int y = top;
	struct rect r;
	void (*draw[5])(struct app *, struct rect) = {draw_throughput, draw_status, draw_actions,
	                                              draw_workers, draw_changes};
	for (int i = 0; i < 5; i++) {
		if (!h[i])
			continue;
		r = (struct rect){y, 0, h[i], COLS};
		draw[i](a, r);
		y += h[i];
	}
}

static void draw_help(void)
{
	int n = 0;
	while (key_help_table[n].keys)
		n++;
	int h = n + 4, w = 64;
	if (h > LINES)
		h = LINES;
	if (w > COLS)
		w = COLS;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
	for (int y = 0; y < h; y++)
		fill(y0 + y, x0, w, ui.attr[R_HEADER]);
	put(y0, x0 + 2, w - 4, ui.attr[R_HEADER] | A_BOLD, "attune-top keys (Esc or ? to close)");
	for (int i = 0; i < n && 2 + i < h - 1; i++) {
		put(y0 + 2 + i, x0 + 2, 10, ui.attr[R_HEADER] | A_BOLD, key_help_table[i].keys);
		put(y0 + 2 + i, x0 + 13, w - 15, ui.attr[R_HEADER], key_help_table[i].help);
	}
}

/* ------------------------------------------------------------ storage */

/* One table: title, column heads, rows; columns as wide as their widest
 * cell (human-readable sizes and times), clipped to the screen. Returns the
 * next line. `line` counts lines from the top of the view for scrolling. */
static int draw_st_table(const struct st_table *t, int y, int bottom, int *line, int skip)
{
	char cell[256];
	int w[ST_MAX_COLS];
	for (int c = 0; c < t->ncols; c++) {
		w[c] = tw_width(t->heads[c]);
		for (int r = 0; r < t->nrows; r++) {
			storage_cell(t, r, c, true, false, cell, sizeof cell);
			int cw = tw_width(cell);
			w[c] = cw > w[c] ? cw : w[c];
		}
		w[c] = w[c] > 72 ? 72 : w[c]; /* partition bounds are long */
	}
	bool none = t->nrows == 0 && !t->note[0];
	int rows = t->nrows + 2 + (t->note[0] || none ? 1 : 0);
	for (int i = 0; i < rows; i++, (*line)++) {
		if (*line < skip || y >= bottom)
			continue;
		int x = 0;
		if (i == 0) {
			title((struct rect){y++, 0, 1, COLS}, t->title, false);
			continue;
		}
		if (i == 1) {
			for (int c = 0; c < t->ncols && x < COLS; c++)
				x += put(y, x, w[c], ui.attr[R_DIM], t->heads[c]) * 0 + w[c] + 2;
			y++;
			continue;
		}
		if (i - 2 >= t->nrows) {
			put(y++, 0, COLS, none ? ui.attr[R_DIM] : ui.attr[R_WARN],
			    none ? "(none)" : t->note);
			continue;
		}
		for (int c = 0; c < t->ncols && x < COLS; c++) {
			storage_cell(t, i - 2, c, true, false, cell, sizeof cell);
			if (t->kinds[c] == STK_TEXT)
				put(y, x, w[c], A_NORMAL, cell);
			else
				put_right(y, x, w[c], A_NORMAL, cell);
			x += w[c] + 2;
		}
		y++;
	}
	return y;
}

static void draw_storage(struct app *a, int top, int bottom)
{
	const struct st_snapshot *s = a->st->snap;
	char fresh[160];
	if (!s) {
		put(top, 0, COLS, ui.attr[R_DIM], "loading storage and freshness…");
		return;
	}
	present_freshness(a, false, fresh, sizeof fresh);
	int line = 0, y = top;
	y += put(y, 0, COLS, ui.attr[R_TITLE],
	         fresh[0] ? fresh : "Storage and freshness (Esc back, j/k scroll)") > 0;
	for (int i = 0; i < s->ntables && y < bottom; i++)
		y = draw_st_table(&s->tables[i], y, bottom, &line, a->st->top);
}

/* ------------------------------------------------------------ timeline */

static bool is_time_field(const char *name)
{
	return strcmp(name, "created") == 0 || strcmp(name, "started") == 0 ||
	       strcmp(name, "updated") == 0 || strcmp(name, "heartbeat") == 0;
}

static int draw_live(const struct tl_snapshot *s, int y, int w)
{
	char ts[40], item[600];
	int x = 0;
	if (!s->live) {
		put(y, 0, w, ui.attr[R_FAILURE], "no live row — deleted (history only)");
		return y + 1;
	}
	for (int i = 0; i < s->nlive; i++) {
		const char *v = s->live_fields[i].value;
		if (v && is_time_field(s->live_fields[i].name)) {
			fmt_timestamp(ts, sizeof ts, strtoll(v, NULL, 10), ui.tl_utc, false);
			v = ts;
		}
		snprintf(item, sizeof item, "%s %s  ", s->live_fields[i].name, v ? v : "-");
		int iw = tw_width(item);
		if (x + iw > w && x > 0) {
			y++;
			x = 0;
		}
		bool status = strcmp(s->live_fields[i].name, "status") == 0;
		x += put(y, x, w - x, status ? status_attr(v) : A_NORMAL, item);
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
		x = putf(y, 0, w, ui.attr[R_TITLE], "lifetime %s %s  ", dur, how);
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
		x += put(y, x, w - x, status_attr(st->status), item);
	}
	return y + 1;
}

/* "status: running → completed; …" built from the server's change list. */
static void change_text(const struct tl_row *r, char *out, size_t len)
{
	static struct tl_change c;
	size_t o = 0;
	out[0] = '\0';
	if (strcmp(r->op, "DELETE") == 0) {
		snprintf(out, len, "row deleted");
		return;
	}
	for (const char *p = r->changes; o + 1 < len && (p = timeline_change_next(p, &c));) {
		if (strcmp(r->op, "INSERT") == 0)
			o += (size_t)snprintf(out + o, len - o, "%s%s=%s", o ? "  " : "", c.field,
			                      c.newv);
		else
			o += (size_t)snprintf(out + o, len - o, "%s%s: %s %s %s", o ? "; " : "",
			                      c.field, c.oldv, tw_utf8() ? "→" : "->", c.newv);
	}
}

static attr_t op_attr(const char *op)
{
	if (strcmp(op, "INSERT") == 0)
		return ui.attr[R_SUCCESS];
	if (strcmp(op, "DELETE") == 0)
		return ui.attr[R_FAILURE];
	return ui.attr[R_PROGRESS];
}

static void draw_tl_rows(const struct timeline *t, struct rect r)
{
	const struct tl_snapshot *s = t->snap;
	char ts[40], gap[32], text[4096];
	int visible = r.h - 1;
	ui.tl_rows = visible;
	if (t->sel < ui.tl_top)
		ui.tl_top = t->sel;
	if (t->sel >= ui.tl_top + visible)
		ui.tl_top = t->sel - visible + 1;
	if (ui.tl_top > s->nrows - 1)
		ui.tl_top = s->nrows > 0 ? s->nrows - 1 : 0;
	if (ui.tl_top < 0)
		ui.tl_top = 0;
	int time_w = r.w >= 70 ? 26 : 15;
	put(r.y, r.x, time_w, ui.attr[R_DIM], ui.tl_utc ? "TIME (UTC)" : "TIME");
	put_right(r.y, r.x + time_w + 1, 9, ui.attr[R_DIM], "GAP");
	put(r.y, r.x + time_w + 11, 6, ui.attr[R_DIM], "OP");
	put(r.y, r.x + time_w + 18, r.w - time_w - 18, ui.attr[R_DIM], "CHANGES");
	for (int i = ui.tl_top; i < s->nrows && i - ui.tl_top < visible; i++) {
		const struct tl_row *row = &s->rows[i];
		int y = r.y + 1 + i - ui.tl_top;
		attr_t ra = i == t->sel ? A_REVERSE : A_NORMAL;
		fill(y, r.x, r.w, ra);
		fmt_timestamp(ts, sizeof ts, row->key.time_us, ui.tl_utc, true);
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
		put(r.y + 1, r.x, r.w, ui.attr[R_DIM], "no history rows match the filters");
}

/* Lines of a multi-line text (pretty JSON), from line `skip`. */
static int put_lines(int y, int x, int w, int ymax, const char *label, const char *text)
{
	if (y >= ymax)
		return y;
	put(y++, x, w, ui.attr[R_DIM], label);
	for (const char *p = text ? text : "-"; *p && y < ymax;) {
		size_t n = strcspn(p, "\n");
		char line[1024];
		snprintf(line, sizeof line, "%.*s", (int)n, p);
		put(y++, x + 1, w - 1, A_NORMAL, line);
		p += n;
		if (*p)
			p++;
	}
	return y;
}

static void draw_tl_detail(const struct timeline *t, struct rect r)
{
	const struct tl_snapshot *s = t->snap;
	char ts[40], line[1024];
	int y = r.y + 1, ymax = r.y + r.h;
	if (!s->has_detail || s->nrows == 0) {
		title(r, "Row detail", false);
		put(y, r.x, r.w, ui.attr[R_DIM], "loading…");
		return;
	}
	fmt_timestamp(ts, sizeof ts, s->detail_key.time_us, ui.tl_utc, true);
	snprintf(line, sizeof line, "State at %s", ts);
	title(r, line, false);
	for (int i = 0; i < s->nstate && y < ymax; i++) {
		snprintf(line, sizeof line, "%s = %s", s->state[i].name,
		         s->state[i].value ? s->state[i].value : "-");
		put(y++, r.x, r.w, A_NORMAL, line);
	}
	y = put_lines(y, r.x, r.w, ymax, "old values:", s->detail_old);
	put_lines(y, r.x, r.w, ymax, "new values:", s->detail_new);
}

static void draw_timeline(struct app *a, int top, int bottom)
{
	const struct timeline *t = a->tl;
	const struct tl_snapshot *s = t->snap;
	char head[512];
	if (top >= bottom)
		return;
	if (!s) {
		putf(top, 0, COLS, ui.attr[R_DIM], "loading %s…", t->label);
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
		draw_tl_rows(t, list);
	if (detail.h > 1)
		draw_tl_detail(t, detail);
}

static void ui_draw(struct app *a);
static void export_poll(struct app *a);

static void draw_footer(struct app *a)
{
	int y = LINES - 1;
	fill(y, 0, COLS, A_NORMAL);
	if (ui.prompt) {
		static const char *const label[] = {"", "filter (ref, empty = none): ",
		                                    "open (execution:ID, worker:ID, worker:NAME): ",
		                                    "changed field (empty = any): "};
		int x = put(y, 0, COLS, ui.attr[R_TITLE], label[ui.prompt]);
		x += put(y, x, COLS - x - 1, A_NORMAL, ui.input);
		move(y, x < COLS ? x : COLS - 1);
		return;
	}
	if (a->status[0] && db_now() < a->status_until) {
		put(y, 0, COLS, ui.attr[R_WARN], a->status);
		return;
	}
	if (a->tl)
		put(y, 0, COLS, ui.attr[R_DIM],
		    "q quit  ? help  Esc back  j/k move  g/G newest/oldest  o operation  / field  "
		    "u UTC  : open");
	else
		put(y, 0, COLS, ui.attr[R_DIM],
		    "q quit  ? help  1-5 range  / filter  Tab panel  Enter open  : entity  s sort  "
		    "p pause  +/- rate");
}

static void ui_draw(struct app *a)
{
	export_poll(a);
	if (ui.winch) {
		struct winsize ws;
		ui.winch = 0;
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
			resizeterm(ws.ws_row, ws.ws_col);
	}
	erase();
	bool compact = LINES < 10;
	int top = draw_header(a, COLS, compact);
	if (a->st)
		draw_storage(a, top, LINES - 1);
	else if (a->tl)
		draw_timeline(a, top, LINES - 1);
	else
		draw_overview(a, top, LINES - 1);
	if (!a->snap && !a->tl && !a->st && LINES > top + 1)
		put(top + 1, 0, COLS, ui.attr[R_DIM],
		    a->phase == PH_READY ? "loading…" : "connecting to the database…");
	if (ui.help)
		draw_help();
	draw_footer(a);
	curs_set(ui.prompt ? 1 : 0);
	refresh();
}

/* ------------------------------------------------------------ input */

static int focus_count(const struct snapshot *s, enum focus f)
{
	if (!s)
		return 0;
	return f == F_ACTIONS ? s->nactions : f == F_WORKERS ? s->nworkers : s->nchanges;
}

static void move_sel(struct app *a, int delta)
{
	int n = focus_count(a->snap, ui.focus);
	ui.sel[ui.focus] += delta;
	if (ui.sel[ui.focus] >= n)
		ui.sel[ui.focus] = n - 1;
	if (ui.sel[ui.focus] < 0)
		ui.sel[ui.focus] = 0;
	a->redraw = true;
}

static void drill_down(struct app *a)
{
	const struct snapshot *s = a->snap;
	int i = ui.sel[ui.focus];
	if (!s || i >= focus_count(s, ui.focus))
		return;
	if (ui.focus != F_ACTIONS) {
		/* Workers and status changes open the entity's timeline. */
		struct entity_spec e = {.type = ui.focus == F_WORKERS ? ENTITY_WORKER
		                                                      : ENTITY_EXECUTION};
		char label[64];
		e.id = ui.focus == F_WORKERS ? s->workers[i].id : s->changes[i].id;
		snprintf(label, sizeof label, "%s:%lld",
		         e.type == ENTITY_WORKER ? "worker" : "execution", (long long)e.id);
		ui.tl_top = 0;
		app_open_entity(a, &e, label);
		return;
	}
	app_set_filter(a, s->actions[i].ref);
	app_message(a, "filter: %s (Esc clears)", a->filter ? a->filter : "");
	for (int f = 0; f < F_COUNT; f++)
		ui.sel[f] = ui.top[f] = 0;
}

static void open_prompt(enum prompt_kind k)
{
	ui.prompt = k;
	ui.input[0] = '\0';
	ui.input_len = 0;
}

/* Keys of the timeline view; false when the overview's meaning applies. */
static bool timeline_action(struct app *a, enum key_action act)
{
	struct timeline *t = a->tl;
	static const char *const ops[] = {NULL, "INSERT", "UPDATE", "DELETE"};
	int page = ui.tl_rows > 1 ? ui.tl_rows - 1 : 1;
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
	case ACT_UTC:
		ui.tl_utc = !ui.tl_utc;
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
		if (ui.help)
			return false;
		app_close_entity(a);
		break;
	case ACT_ENTER:
	case ACT_NEXT_PANEL:
	case ACT_PREV_PANEL:
	case ACT_SORT:
		break;
	default:
		return false;
	}
	if (refetch)
		app_refresh_now(a);
	a->redraw = true;
	return true;
}

/* An export running in a child process, so that a slow or locked server
 * never freezes the screen: it reports through a pipe when it ends. */
static struct {
	pid_t pid;     /* 0 when none */
	int fd;        /* read end of the report pipe */
	char name[64]; /* what it exports */
} bg_export;

/* Child: export, write "OK rows path" or "ERR message" to the pipe. */
static void export_child(struct app *a, int fd, const char *name, long range, const char *filter,
                         const struct entity_spec *ent)
{
	char path[PATH_MAX], err[512], msg[PATH_MAX + 600];
	long long rows = 0;
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		signal(sigs[i], SIG_DFL);
	if (export_panel(a->s, a->password, name, range, filter, ent, NULL, path, sizeof path,
	                 &rows, err, sizeof err) == 0)
		snprintf(msg, sizeof msg, "OK %lld %s", rows, path);
	else
		snprintf(msg, sizeof msg, "ERR %s", err);
	ssize_t w = write(fd, msg, strlen(msg));
	_exit(w < 0 ? 1 : 0);
}

/* Called on every draw: report a finished background export. */
static void export_poll(struct app *a)
{
	int status;
	char buf[PATH_MAX + 600];
	if (!bg_export.pid || waitpid(bg_export.pid, &status, WNOHANG) != bg_export.pid)
		return;
	ssize_t n = read(bg_export.fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(bg_export.fd);
	bg_export.pid = 0;
	long long rows;
	int off = 0;
	if (sscanf(buf, "OK %lld %n", &rows, &off) == 1 && off > 0)
		app_message(a, "exported %lld rows to %s", rows, buf + off);
	else if (strncmp(buf, "ERR ", 4) == 0)
		app_message(a, "export of %s failed: %s", bg_export.name, buf + 4);
	else
		app_message(a, "export of %s failed", bg_export.name);
}

static void export_stop(void)
{
	if (!bg_export.pid)
		return;
	kill(bg_export.pid, SIGTERM); /* the export removes its temporary file */
	waitpid(bg_export.pid, NULL, 0);
	close(bg_export.fd);
	bg_export.pid = 0;
}

/* 'e': the focused panel's full data (current range and filter) as CSV in
 * $ATTUNE_TOP_EXPORT_DIR or the current directory; a timeline exports the
 * entity's whole history. It runs in the background on its own connection. */
static void export_focused(struct app *a)
{
	static const char *const names[F_COUNT] = {"execution_throughput_hourly", "workers",
	                                           "execution_status_hourly"};
	const struct entity_spec *ent = NULL;
	const char *name = names[ui.focus], *filter = a->filter;
	long range = a->range_hours;
	int fds[2];
	if (a->st) {
		app_message(a, "the storage view has no CSV export");
		return;
	}
	if (bg_export.pid) {
		app_message(a, "an export of %s is still running", bg_export.name);
		return;
	}
	if (a->tl) {
		ent = &a->tl->spec;
		name = ent->type == ENTITY_EXECUTION ? "execution_history" : "worker_history";
		filter = NULL;
		range = PARSE_MAX_RANGE_HOURS;
	}
	if (pipe(fds) != 0) {
		app_message(a, "export failed: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		export_child(a, fds[1], name, range, filter, ent);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		app_message(a, "export failed: %s", strerror(errno));
		return;
	}
	bg_export.pid = pid;
	bg_export.fd = fds[0];
	snprintf(bg_export.name, sizeof bg_export.name, "%s", name);
	app_message(a, "exporting %s in the background…", name);
}

/* Keys of the storage view: scroll, back; the rest as on the overview. */
static bool storage_action(struct app *a, enum key_action act)
{
	switch (act) {
	case ACT_UP:
		a->st->top = a->st->top > 0 ? a->st->top - 1 : 0;
		break;
	case ACT_DOWN:
		a->st->top++;
		break;
	case ACT_PAGE_UP:
		a->st->top = a->st->top > 10 ? a->st->top - 10 : 0;
		break;
	case ACT_PAGE_DOWN:
		a->st->top += 10;
		break;
	case ACT_HOME:
		a->st->top = 0;
		break;
	case ACT_STORAGE:
	case ACT_BACK:
		if (ui.help)
			return false;
		app_close_storage(a);
		break;
	case ACT_ENTER:
	case ACT_NEXT_PANEL:
	case ACT_PREV_PANEL:
	case ACT_SORT:
		break;
	default:
		return false;
	}
	a->redraw = true;
	return true;
}

static void do_action(struct app *a, enum key_action act)
{
	if (a->st && storage_action(a, act))
		return;
	if (a->tl && timeline_action(a, act))
		return;
	static const long ranges[] = {6, 12, 24, 48, 168};
	switch (act) {
	case ACT_QUIT:
		a->quit = true;
		break;
	case ACT_HELP:
		ui.help = !ui.help;
		break;
	case ACT_REFRESH:
		app_refresh_now(a);
		break;
	case ACT_PAUSE:
		a->paused = !a->paused;
		if (!a->paused)
			app_refresh_now(a);
		break;
	case ACT_FASTER:
		app_set_interval(a, fmax(0.2, a->refresh_interval / 2));
		break;
	case ACT_SLOWER:
		app_set_interval(a, fmin(3600, a->refresh_interval * 2));
		break;
	case ACT_RANGE_6H:
	case ACT_RANGE_12H:
	case ACT_RANGE_24H:
	case ACT_RANGE_2D:
	case ACT_RANGE_7D:
		app_set_range(a, ranges[act - ACT_RANGE_6H]);
		break;
	case ACT_NEXT_PANEL:
		ui.focus = (enum focus)((ui.focus + 1) % F_COUNT);
		break;
	case ACT_PREV_PANEL:
		ui.focus = (enum focus)((ui.focus + F_COUNT - 1) % F_COUNT);
		break;
	case ACT_UP:
		move_sel(a, -1);
		break;
	case ACT_DOWN:
		move_sel(a, 1);
		break;
	case ACT_PAGE_UP:
		move_sel(a, -ui.rows[ui.focus]);
		break;
	case ACT_PAGE_DOWN:
		move_sel(a, ui.rows[ui.focus]);
		break;
	case ACT_ENTER:
		drill_down(a);
		break;
	case ACT_BACK:
		if (ui.help)
			ui.help = false;
		else if (a->filter) {
			app_set_filter(a, NULL);
			app_message(a, "filter cleared");
		}
		break;
	case ACT_FILTER:
		open_prompt(a->tl ? P_FIELD : P_FILTER);
		break;
	case ACT_SORT:
		a->sort = (enum action_sort)((a->sort + 1) % SORT_COUNT);
		if (a->snap)
			snapshot_sort_actions(a->snap, a->sort);
		app_message(a, "top actions sorted by %s", model_sort_label(a->sort));
		break;
	case ACT_ENTITY:
		open_prompt(P_ENTITY);
		break;
	case ACT_HOME:
	case ACT_END:
	case ACT_OPS:
	case ACT_UTC:
		break; /* timeline keys */
	case ACT_STORAGE:
		app_open_storage(a);
		break;
	case ACT_EXPORT:
		export_focused(a);
		break;
	case ACT_NONE:
	case ACT_COUNT:
		break;
	}
	a->redraw = true;
}

static void prompt_done(struct app *a, enum prompt_kind k)
{
	struct entity_spec e;
	switch (k) {
	case P_FILTER:
		app_set_filter(a, ui.input);
		app_message(a, ui.input[0] ? "filter: %s" : "filter cleared%s", ui.input);
		break;
	case P_FIELD:
		if (a->tl) {
			timeline_set_filters(a->tl, a->tl->op_filter, ui.input);
			app_refresh_now(a);
		}
		break;
	case P_ENTITY:
		if (parse_entity(ui.input, &e) != 0) {
			app_message(a, "not an entity: %s (execution:ID, worker:ID, worker:NAME)",
			            ui.input);
			break;
		}
		ui.tl_top = 0;
		app_open_entity(a, &e, ui.input); /* the timeline copies the name */
		break;
	case P_NONE:
		break;
	}
}

/* The prompt: UTF-8 line editing with Enter, Esc and Backspace. */
static void prompt_key(struct app *a, int is_key, wint_t ch)
{
	if (!is_key && (ch == '\n' || ch == '\r')) {
		enum prompt_kind k = ui.prompt;
		ui.prompt = P_NONE;
		prompt_done(a, k);
	} else if (!is_key && ch == 27) {
		ui.prompt = P_NONE;
	} else if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
		while (ui.input_len > 0 && (ui.input[--ui.input_len] & 0xC0) == 0x80)
			;
		ui.input[ui.input_len] = '\0';
	} else if (!is_key && ch >= 32) {
		char mb[MB_LEN_MAX];
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t n = wcrtomb(mb, (wchar_t)ch, &st);
		if (n != (size_t)-1 && ui.input_len + n < sizeof ui.input - 1) {
			memcpy(ui.input + ui.input_len, mb, n);
			ui.input_len += n;
			ui.input[ui.input_len] = '\0';
		}
	}
	a->redraw = true;
}

static void ui_input(struct app *a)
{
	wint_t ch;
	int r;
	while ((r = get_wch(&ch)) != ERR) {
		if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			a->redraw = true;
			continue;
		}
		if (ui.prompt) {
			prompt_key(a, r == KEY_CODE_YES, ch);
			continue;
		}
		enum key_action act = key_action_for(r == KEY_CODE_YES, (unsigned)ch);
		if (act != ACT_NONE)
			do_action(a, act);
		if (a->quit)
			return;
	}
}

static void on_winch(int sig)
{
	(void)sig;
	ui.winch = 1;
}

static int ui_init(struct app *a)
{
	if (!initscr()) {
		snprintf(a->fatal, sizeof a->fatal, "cannot initialise the terminal");
		return -1;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* Without a typeahead check ncurses writes a screen update in one go
	 * instead of a write per changed line (fewer packets over SSH). */
	typeahead(-1);
	set_escdelay(25);
	curs_set(0);
	init_colors(a->s);
	ui.tl_utc = a->s->utc;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_winch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	a->redraw = true;
	return 0;
}

static void ui_refreshed(struct app *a)
{
	a->redraw = true;
}

static void ui_fini(struct app *a)
{
	(void)a;
	export_stop();
	endwin();
}

/* A background export is collected by the draw (export_poll). */
static bool ui_busy(struct app *a)
{
	(void)a;
	return bg_export.pid != 0;
}

const struct frontend curses_frontend = {
    .init = ui_init,
    .refreshed = ui_refreshed,
    .draw = ui_draw,
    .busy = ui_busy,
    .input_fd = STDIN_FILENO,
    .on_input = ui_input,
    .fini = ui_fini,
};
