/* The storage and freshness view: sizes, chunks, partitions, aggregate
 * watermarks, native maintenance; what needs action first. */
#include <stdlib.h>

#include "app.h"
#include "export/background.h"
#include "model/storage.h"
#include "term/draw.h"
#include "util/arena.h"
#include "util/textwidth.h"
#include "views/present.h"

/* The open view: its data and when it arrived. */
struct st_view {
	struct storage st;
	double fetched_at;
};

void app_open_storage(struct app *a)
{
	view_switch(a, &storage_view, xcalloc(1, sizeof(struct st_view)));
}

static void st_view_close(struct app *a)
{
	struct st_view *v = a->view_state;
	storage_free(&v->st);
	free(v);
	a->view_state = NULL;
}

/* Results of a batch whose view was closed meanwhile are dropped. */
static bool on_storage_result(void *ctx, int index, PGresult *res)
{
	struct app *a = ctx;
	struct rowset rs;
	if (a->busy_view != &storage_view)
		return false;
	db_rowset(res, &rs);
	storage_take(&((struct st_view *)a->view_state)->st, index, &rs);
	return false;
}

static int st_view_refresh(struct app *a)
{
	struct st_view *v = a->view_state;
	struct db_query q[ST_TABLES];
	/* The overview's range start, so hour counts match its buckets. */
	int64_t est_now = app_realtime_us() + a->caps.clock_offset_us;
	int64_t start = model_range_start(est_now / 1000000, a->range_hours);
	int n = storage_batch(&v->st, &a->caps, start, q);
	return app_send(a, q, n, 0, on_storage_result);
}

static void st_view_finish(struct app *a)
{
	struct st_view *v = a->view_state;
	if (a->view != &storage_view)
		return;
	if (storage_finish(&v->st)) {
		app_refresh_now(a); /* the catalog has another shape: read it at once */
		return;
	}
	v->fetched_at = db_now();
	app_data_arrived(a);
	a->fe->refreshed(a);
	app_count_refresh(a);
}

/* The data age in the header is this view's own. */
static double st_view_fetched_at(const struct app *a)
{
	const struct st_view *v = a->view_state;
	return v->st.snap ? v->fetched_at : 0;
}

/* 'e': the view as CSV (--export=storage), in the background. */
static void st_view_export(struct app *a)
{
	export_bg_start(a, "storage", a->range_hours, NULL, NULL);
}

/* Attribute of a cell: flags in the alert colour, text plain. */
static int cell_attr(const struct st_table *t, int c)
{
	if (t->kinds[c] == STK_FLAG || !t->def)
		return theme.attr[R_FAILURE] | A_BOLD;
	return A_NORMAL;
}

/* Lines of one table: title, heads, rows and a note (or "(none)"). */
static int st_table_lines(const struct st_table *t)
{
	bool none = t->nrows == 0 && !t->note[0];
	return t->nrows + 2 + (t->note[0] || none ? 1 : 0);
}

/* One table: title, column heads, rows; columns as wide as their widest
 * cell (human-readable sizes and times), clipped to the screen. Returns the
 * next line. `line` counts lines from the top of the view for scrolling. */
static int draw_st_table(const struct st_table *t, int y, int bottom, int *line, int skip)
{
	char cell[256];
	int w[ST_MAX_COLS];
	for (int c = 0; c < t->nshow; c++) {
		w[c] = tw_width(t->heads[c]);
		for (int r = 0; r < t->nrows; r++) {
			storage_cell(t, r, c, true, false, cell, sizeof cell);
			int cw = tw_width(cell);
			w[c] = cw > w[c] ? cw : w[c];
		}
		w[c] = w[c] > 72 ? 72 : w[c]; /* partition bounds are long */
	}
	int rows = st_table_lines(t);
	bool none = t->nrows == 0 && !t->note[0];
	for (int i = 0; i < rows; i++, (*line)++) {
		if (*line < skip || y >= bottom)
			continue;
		int x = 0;
		if (i == 0) {
			title((struct rect){y++, 0, 1, COLS}, t->title, false);
			continue;
		}
		if (i == 1) {
			for (int c = 0; c < t->nshow && x < COLS; c++)
				x += put(y, x, w[c], theme.attr[R_DIM], t->heads[c]) * 0 + w[c] + 2;
			y++;
			continue;
		}
		if (i - 2 >= t->nrows) {
			const char *msg = t->note[0] ? t->note
			                  : t->def   ? "(none)"
			                             : "nothing needs action";
			put(y++, 0, COLS, none ? theme.attr[R_DIM] : theme.attr[R_WARN], msg);
			continue;
		}
		for (int c = 0; c < t->nshow && x < COLS; c++) {
			storage_cell(t, i - 2, c, true, false, cell, sizeof cell);
			if (t->kinds[c] == STK_TEXT || t->kinds[c] == STK_FLAG)
				put(y, x, w[c], cell_attr(t, c), cell);
			else
				put_right(y, x, w[c], cell_attr(t, c), cell);
			x += w[c] + 2;
		}
		y++;
	}
	return y;
}

static void st_view_draw(struct app *a, int top, int bottom)
{
	struct st_view *v = a->view_state;
	const struct st_snapshot *s = v->st.snap;
	char fresh[160];
	if (!s) {
		put(top, 0, COLS, theme.attr[R_DIM], "loading storage and freshness…");
		return;
	}
	present_freshness(a, false, fresh, sizeof fresh);
	/* Scrolling stops where the last line reaches the bottom. */
	int total = 0, fit = bottom - top - 1;
	for (int i = 0; i < s->ntables; i++)
		total += st_table_lines(&s->tables[i]);
	if (v->st.top > total - fit)
		v->st.top = total - fit;
	if (v->st.top < 0)
		v->st.top = 0;
	int line = 0, y = top;
	y += put(y, 0, COLS, theme.attr[R_TITLE],
	         fresh[0] ? fresh : "Storage and freshness (Esc back, j/k scroll)") > 0;
	for (int i = 0; i < s->ntables && y < bottom; i++)
		y = draw_st_table(&s->tables[i], y, bottom, &line, v->st.top);
}

/* Keys of the storage view: scroll, back; the rest as on the overview. */
static bool st_view_key(struct app *a, enum key_action act)
{
	struct storage *st = &((struct st_view *)a->view_state)->st;
	switch (act) {
	case ACT_UP:
		st->top = st->top > 0 ? st->top - 1 : 0;
		break;
	case ACT_DOWN:
		st->top++;
		break;
	case ACT_PAGE_UP:
		st->top = st->top > 10 ? st->top - 10 : 0;
		break;
	case ACT_PAGE_DOWN:
		st->top += 10;
		break;
	case ACT_HOME:
		st->top = 0;
		break;
	case ACT_END:
		st->top = 1 << 20; /* the draw clamps it to the last screenful */
		break;
	case ACT_STORAGE:
	case ACT_BACK:
		app_close_view(a);
		return true;
	default:
		return false;
	}
	a->redraw = true;
	return true;
}

const struct view_ops storage_view = {
    .name = "storage",
    .mask = V_STORAGE,
    .ticks = true,
    .footer = "q quit  ? help  Esc/t back  j/k scroll  g/G top/end  e export  : entity  1-5 range  "
              "p pause  +/- rate",
    .refresh = st_view_refresh,
    .finish = st_view_finish,
    .fetched_at = st_view_fetched_at,
    .close = st_view_close,
    .draw = st_view_draw,
    .key = st_view_key,
    .export = st_view_export,
};
