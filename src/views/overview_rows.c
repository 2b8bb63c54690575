/* The overview tables' rows as keys and text: the selection stays on its
 * item (execution change, action ref, worker id) across refreshes and
 * sorts, and '/' searches what a row shows. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "util/tablenav.h"
#include "views/overview.h"

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
