/* The overview tables' rows as keys and text: the selection stays on its
 * item (execution change, action ref, worker id) across refreshes and
 * sorts, and '/' searches what a row shows. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "export/export.h"
#include "util/fmt.h"
#include "util/tablenav.h"
#include "views/overview.h"
#include "views/present.h"

struct rows_ctx {
	const struct snapshot *s;
	enum panel_id p;
};

static const char *nz(const char *s)
{
	return s ? s : "-";
}

/* What identifies a row: a change is one transition of one execution. */
static bool row_key(const void *ctx, int i, char *buf, size_t len)
{
	const struct rows_ctx *c = ctx;
	switch (c->p) {
	case PANEL_ACTIONS:
		snprintf(buf, len, "%s", c->s->actions[i].ref);
		return true;
	case PANEL_WORKERS:
		snprintf(buf, len, "%lld", (long long)c->s->workers[i].id);
		return true;
	case PANEL_CHANGES: {
		const struct change_row *r = &c->s->changes[i];
		snprintf(buf, len, "%lld/%lld/%s", (long long)r->id, (long long)r->time_us,
		         nz(r->new_status));
		return true;
	}
	case PANEL_FAILURES:
		snprintf(buf, len, "%lld", (long long)c->s->failures[i].id);
		return true;
	default:
		return false;
	}
}

/* The text a row shows, as '/' searches it. */
static bool row_text(const void *ctx, int i, char *buf, size_t len)
{
	const struct rows_ctx *c = ctx;
	switch (c->p) {
	case PANEL_ACTIONS:
		snprintf(buf, len, "%s", c->s->actions[i].ref);
		return true;
	case PANEL_WORKERS: {
		const struct worker_row *w = &c->s->workers[i];
		snprintf(buf, len, "%s %s %s %s %s", nz(w->name), nz(w->status), nz(w->role),
		         nz(w->type), nz(w->host));
		return true;
	}
	case PANEL_CHANGES: {
		const struct change_row *r = &c->s->changes[i];
		snprintf(buf, len, "%lld %s %s %s", (long long)r->id, nz(r->ref), nz(r->old_status),
		         nz(r->new_status));
		return true;
	}
	case PANEL_FAILURES: {
		const struct failure_row *f = &c->s->failures[i];
		snprintf(buf, len, "%lld %s %s %s %s", (long long)f->id, nz(f->status), nz(f->ref),
		         nz(f->worker), nz(f->error));
		return true;
	}
	default:
		return false;
	}
}

bool overview_row_key(const struct snapshot *s, enum panel_id p, int i, char *buf, size_t len)
{
	struct rows_ctx c = {s, p};
	return s && i >= 0 && i < overview_table_rows(s, p) && row_key(&c, i, buf, len);
}

void overview_relocate(const struct snapshot *s, enum panel_id p, const char *key)
{
	struct overview_ui *u = &overview_ui;
	struct rows_ctx c = {s, p};
	int n = overview_table_rows(s, p);
	int at = key && key[0] ? tablenav_find(&c, n, row_key, key) : -1;
	if (at >= 0) {
		u->top[p] = tablenav_follow(u->sel[p], u->top[p], at);
		u->sel[p] = at;
	}
	/* The item is gone: the same row index, clamped. */
	u->sel[p] = tablenav_move(u->sel[p], 0, n);
	u->top[p] = tablenav_top(u->sel[p], u->top[p], n, u->rows[p] > 0 ? u->rows[p] : 1);
}

void overview_keep_selection(const struct snapshot *old, const struct snapshot *s)
{
	char key[512];
	for (int p = 0; p < PANEL_COUNT; p++) {
		if (!old ||
		    !overview_row_key(old, (enum panel_id)p, overview_ui.sel[p], key, sizeof key))
			key[0] = '\0';
		overview_relocate(s, (enum panel_id)p, key);
	}
}

bool overview_row_matches(const struct snapshot *s, enum panel_id p, int i)
{
	char buf[1024];
	struct rows_ctx c = {s, p};
	return overview_ui.search[0] && p == overview_ui.focus &&
	       row_text(&c, i, buf, sizeof buf) && tablenav_matches(buf, overview_ui.search);
}

bool overview_search(struct app *a, int dir, bool include_from)
{
	struct overview_ui *u = &overview_ui;
	enum panel_id p = u->focus;
	struct rows_ctx c = {a->snap, p};
	if (!a->snap || !u->search[0])
		return false;
	int at = tablenav_search(&c, overview_table_rows(a->snap, p), row_text, u->search,
	                         u->sel[p], dir, include_from);
	if (at < 0)
		return false;
	u->sel[p] = at;
	u->top[p] = tablenav_top(at, u->top[p], overview_table_rows(a->snap, p),
	                         u->rows[p] > 0 ? u->rows[p] : 1);
	a->redraw = true;
	return true;
}

/* ------------------------------------------------------------ export */

static void action_cells(const void *ctx, int i, const char **cells, char (*buf)[512], size_t len)
{
	const struct action_row *r = &((const struct snapshot *)ctx)->actions[i];
	int64_t fn = r->failed + r->timeout;
	cells[0] = r->ref;
	snprintf(buf[1], len, "%lld", (long long)r->executions);
	snprintf(buf[2], len, "%lld", (long long)r->completed);
	snprintf(buf[3], len, "%lld", (long long)r->failed);
	snprintf(buf[4], len, "%lld", (long long)r->timeout);
	fmt_pct(buf[5], len, fn, r->completed + fn);
}

static void worker_cells(const void *ctx, int i, const char **cells, char (*buf)[512], size_t len)
{
	const struct worker_row *w = &((const struct snapshot *)ctx)->workers[i];
	snprintf(buf[0], len, "%lld", (long long)w->id);
	cells[1] = w->name;
	cells[2] = w->status;
	cells[3] = w->role;
	cells[4] = w->type;
	cells[5] = w->host;
	if (w->port)
		snprintf(buf[6], len, "%d", w->port);
	else
		cells[6] = NULL;
	if (w->has_heartbeat)
		snprintf(buf[7], len, "%.3f", w->heartbeat_age);
	else
		cells[7] = NULL;
	if (w->transitions >= 0)
		snprintf(buf[8], len, "%lld", (long long)w->transitions);
	else
		cells[8] = NULL;
	snprintf(buf[9], len, "%s%s%s", present_worker_stale(w) ? "stale" : "",
	         present_worker_stale(w) && present_worker_flapping(w) ? "," : "",
	         present_worker_flapping(w) ? "flapping" : "");
}

static void change_cells(const void *ctx, int i, const char **cells, char (*buf)[512], size_t len)
{
	const struct change_row *c = &((const struct snapshot *)ctx)->changes[i];
	fmt_iso_utc(buf[0], len, c->time_us, true);
	snprintf(buf[1], len, "%lld", (long long)c->id);
	cells[2] = c->ref;
	cells[3] = c->old_status;
	cells[4] = c->new_status;
}

static void failure_cells(const void *ctx, int i, const char **cells, char (*buf)[512], size_t len)
{
	const struct failure_row *f = &((const struct snapshot *)ctx)->failures[i];
	fmt_iso_utc(buf[0], len, f->time_us, true);
	snprintf(buf[1], len, "%lld", (long long)f->id);
	cells[2] = f->status;
	cells[3] = f->ref;
	cells[4] = f->worker;
	cells[5] = f->error;
}

bool overview_export_table(struct app *a)
{
	static const char *const ah[] = {"action", "executions", "ok",
	                                 "failed", "timeout",    "fail_pct"};
	static const bool at[] = {true, false, false, false, false, false};
	static const char *const wh[] = {"id",   "name", "status",          "role",        "type",
	                                 "host", "port", "heartbeat_age_s", "transitions", "flags"};
	static const bool wt[] = {false, true, true, true, true, true, false, false, false, false};
	static const char *const ch[] = {"time", "execution", "action", "old_status", "new_status"};
	static const bool ct[] = {false, false, true, true, true};
	static const char *const fh[] = {"ended",  "execution", "status",
	                                 "action", "worker",    "error"};
	static const bool ft[] = {false, false, true, true, true, true};
	const struct snapshot *s = a->snap;
	struct export_table t = {.ctx = s};
	const char *what;
	char label[128], path[4096], err[512], rl[16];
	long long rows;
	if (!s)
		return false;
	switch (overview_ui.focus) {
	case PANEL_ACTIONS:
		t = (struct export_table){6, s->nactions, ah, at, action_cells, s};
		what = "top-actions";
		break;
	case PANEL_WORKERS:
		t = (struct export_table){10, s->nworkers, wh, wt, worker_cells, s};
		what = "workers";
		break;
	case PANEL_CHANGES:
		t = (struct export_table){5, s->nchanges, ch, ct, change_cells, s};
		what = "recent-changes";
		break;
	case PANEL_FAILURES:
		t = (struct export_table){6, s->nfailures, fh, ft, failure_cells, s};
		what = "recent-failures";
		break;
	default:
		return false;
	}
	if (s->panel[overview_ui.focus].missing || s->panel[overview_ui.focus].failed) {
		app_message(a, "nothing to export: %s", s->panel[overview_ui.focus].note);
		return true;
	}
	range_label(a->range_hours, rl, sizeof rl);
	snprintf(label, sizeof label, "overview-%s-%s", what, rl);
	if (export_rows(a->s, label, &t, path, sizeof path, &rows, err, sizeof err) == 0)
		app_message(a, "exported %lld rows to %s", rows, path);
	else
		app_message(a, "export failed: %s", err);
	return true;
}

/* ------------------------------------------------------------ filter */

bool overview_filter_note(const struct snapshot *s, enum panel_id p, char *buf, size_t len)
{
	static const char *const kind[] = {"action", "worker", "trigger", "rule"};
	const bool has[] = {s->nactions > 0 || s->total_exec > 0, s->nworkers > 0,
	                    s->total_events > 0, s->total_enforcements > 0};
	const char *mine = p == PANEL_WORKERS ? "worker" : "action";
	char which[64] = "";
	if (!s->filter)
		return false;
	if (s->filter_worker) {
		snprintf(buf, len, "worker %s ran no executions in range", s->filter);
		return true;
	}
	for (size_t k = 0; k < sizeof has / sizeof *has; k++)
		if (has[k]) {
			size_t n = strlen(which);
			snprintf(which + n, sizeof which - n, "%s%ss", n ? ", " : "", kind[k]);
		}
	snprintf(buf, len, "no %s named %s in range: the filter applies to %s", mine, s->filter,
	         which[0] ? which : "nothing here");
	return true;
}
