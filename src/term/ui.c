/* The curses front end: screen set-up, header and footer, key dispatch. */
#include "term/ui.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "export/background.h"
#include "term/draw.h"
#include "term/help.h"
#include "term/keys.h"
#include "term/prompt.h"
#include "util/arena.h"
#include "util/fmt.h"
#include "util/textwidth.h"
#include "views/present.h"

static volatile sig_atomic_t resized; /* SIGWINCH arrived */

/* ------------------------------------------------------------ header */

/* The time zone the screen's times are in: "UTC" or the local zone's
 * abbreviation ("CET"). */
static const char *zone_label(bool utc, char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	if (utc || !localtime_r(&now, &tm) || strftime(buf, len, "%Z", &tm) == 0)
		snprintf(buf, len, "UTC");
	return buf;
}

/* Text at x on line y within width; sets *cut when it does not fit whole. */
static int hput(int y, int x, int width, attr_t attr, const char *text, bool *cut)
{
	int w = tw_width(text);
	if (x + w > width || *cut) {
		*cut = true;
		return x < width ? put(y, x, width - x, attr, text) : 0;
	}
	return put(y, x, w, attr, text);
}

static int draw_header(struct app *a, int width, bool compact)
{
	char server[512], backend[96], state[96], rl[16], line[1024], session[96], tz[32];
	present_server(a, server, sizeof server);
	present_session(a, session, sizeof session);
	present_backend(&a->caps, backend, sizeof backend);
	present_state(a, state, sizeof state);
	/* The zone of every time on screen, kept with the state on the right
	 * where a narrow terminal still shows it. */
	size_t sl = strlen(state);
	snprintf(state + sl, sizeof state - sl, "  %s", zone_label(a->utc, tz, sizeof tz));
	range_label(a->range_hours, rl, sizeof rl);
	fill(0, 0, width, theme.attr[R_HEADER]);
	snprintf(line, sizeof line,
	         " attune-top  %s  %s  schema %s  range %s  every %gs  read-only%s%s ", server,
	         a->caps.tsdb_version[0] || a->caps.server_version[0] ? backend : "",
	         a->caps.schema[0] ? a->caps.schema : "?", rl, a->refresh_interval,
	         session[0] ? "  " : "", session);
	int sw = tw_width(state) + 2;
	if (width < 60) {
		/* Narrow: the name first, then as much of the state as fits. */
		snprintf(line, sizeof line, " attune-top ");
		sw = width - tw_width(line);
	}
	put(0, 0, width - sw, theme.attr[R_HEADER], line);
	bool bad = a->phase != PH_READY || a->stale || a->paused;
	putf(0, width - sw, sw, bad ? theme.attr[R_STALE] : theme.attr[R_HEADER], " %s ", state);
	if (compact)
		return 1;
	const struct snapshot *s = a->snap;
	if (a->phase != PH_READY && a->conn_error[0]) {
		putf(1, 0, width, theme.attr[R_FAILURE], "%s", a->conn_error);
		return 2;
	}
	if (!s)
		return 2;
	char e1[24], e2[24], e3[24], tot[160], inf[1024];
	fmt_total(e1, s->total_exec);
	char why[160];
	/* Under a filter that reaches no trigger (rule), events (enforcements)
	 * are not filtered: n/a, not a zero. */
	if (present_not_filtered(s, s->total_events, "trigger", why, sizeof why))
		snprintf(e2, sizeof e2, "n/a");
	else
		fmt_total(e2, s->total_events);
	if (present_not_filtered(s, s->total_enforcements, "rule", why, sizeof why))
		snprintf(e3, sizeof e3, "n/a");
	else
		fmt_total(e3, s->total_enforcements);
	/* The in-flight counts matter more than the labels: short labels when
	 * the line would not fit, and an ellipsis where it is cut. */
	int n = snprintf(inf, sizeof inf, "  %s in flight %lld", tw_utf8() ? "│" : "|",
	                 (long long)s->total_inflight);
	for (int i = 0; i < s->ninflight && n > 0 && (size_t)n < sizeof inf; i++)
		n += snprintf(inf + n, sizeof inf - (size_t)n, " %s %lld", s->inflight[i].name,
		              (long long)s->inflight[i].count);
	snprintf(tot, sizeof tot, "exec %s  events %s  enforcements %s", e1, e2, e3);
	if (tw_width(tot) + tw_width(inf) > width)
		snprintf(tot, sizeof tot, "exec %s ev %s enf %s", e1, e2, e3);
	bool cut = false;
	int x = hput(1, 0, width, A_NORMAL, tot, &cut);
	x += hput(1, x, width, A_NORMAL, tw_utf8() ? "  │ in flight " : "  | in flight ", &cut);
	snprintf(inf, sizeof inf, "%lld", (long long)s->total_inflight);
	x += hput(1, x, width, A_NORMAL, inf, &cut);
	for (int i = 0; i < s->ninflight; i++) {
		x += hput(1, x, width, A_NORMAL, " ", &cut);
		x += hput(1, x, width, draw_status_attr(s->inflight[i].name), s->inflight[i].name,
		          &cut);
		snprintf(inf, sizeof inf, " %lld", (long long)s->inflight[i].count);
		x += hput(1, x, width, A_NORMAL, inf, &cut);
	}
	if (s->filter) {
		snprintf(inf, sizeof inf, "  filter: %s%s", s->filter,
		         s->filter_worker ? " (worker: its executions)" : "");
		x += hput(1, x, width, theme.attr[R_WARN], inf, &cut);
	}
	char fresh[160];
	present_freshness(a, false, fresh, sizeof fresh);
	if (fresh[0]) {
		snprintf(inf, sizeof inf, "  %s", fresh);
		x += hput(1, x, width, theme.attr[R_DIM], inf, &cut);
	}
	if (cut)
		put(1, width - 1, 1, A_NORMAL, tw_utf8() ? "…" : "~");
	return 2;
}

static void draw_footer(struct app *a)
{
	int y = LINES - 1;
	fill(y, 0, COLS, A_NORMAL);
	if (prompt_active()) {
		prompt_draw(y);
		return;
	}
	if (a->status[0] && db_now() < a->status_until) {
		put(y, 0, COLS, theme.attr[R_WARN], a->status);
		return;
	}
	put(y, 0, COLS, theme.attr[R_DIM], a->view->footer);
}

/* Below this the panels would be fragments: say so instead. */
#define MIN_COLS  40
#define MIN_LINES 8

static void draw_too_small(void)
{
	char need[48];
	snprintf(need, sizeof need, "(need %d%s%d)", MIN_COLS, tw_utf8() ? "×" : "x", MIN_LINES);
	const char *lines[] = {"attune-top", "terminal too small", need, "q quits"};
	for (int i = 0; i < 4 && i < LINES; i++)
		put(i, 0, COLS, i == 1 ? theme.attr[R_WARN] : A_NORMAL, lines[i]);
}

static int header_lines; /* of the last full draw, 0: none yet */

static void ui_draw(struct app *a)
{
	export_bg_poll(a);
	if (resized) {
		struct winsize ws;
		resized = 0;
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
			resizeterm(ws.ws_row, ws.ws_col);
	}
	erase();
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		draw_too_small();
		header_lines = 0;
		curs_set(0);
		refresh();
		return;
	}
	bool compact = LINES < 10;
	int top = draw_header(a, COLS, compact);
	header_lines = top;
	a->view->draw(a, top, LINES - 1);
	if (help_shown())
		help_draw();
	draw_footer(a);
	curs_set(prompt_active() ? 1 : 0);
	refresh();
}

/* Between refreshes the data's age ticks in the header: redraw the header
 * alone when the screen is otherwise as drawn (a full draw lays out and
 * fits every panel again, several times the work, for the same bytes). */
static void ui_draw_state(struct app *a)
{
	if (resized || help_shown() || prompt_active() || header_lines <= 0 || COLS < MIN_COLS ||
	    LINES < MIN_LINES) {
		ui_draw(a);
		return;
	}
	if (draw_header(a, COLS, LINES < 10) != header_lines) {
		ui_draw(a);
		return;
	}
	if (a->redraw_part && a->view->draw_changed)
		a->view->draw_changed(a, header_lines, LINES - 1);
	curs_set(0);
	refresh();
}

/* ------------------------------------------------------------ input */

static void filter_done(struct app *a, const char *text)
{
	app_set_filter(a, text);
	app_message(a, text[0] ? "filter: %s" : "filter cleared%s", text);
}

static void entity_done(struct app *a, const char *text)
{
	struct entity_spec e;
	if (parse_entity(text, &e) != 0) {
		app_message(a, "not an entity: %s (execution:ID, worker:ID, worker:NAME)", text);
		return;
	}
	a->status[0] = '\0';          /* an earlier error no longer applies */
	app_open_entity(a, &e, text); /* the timeline copies the name */
}

/* '+' and '-' walk a ladder of intervals; a -r value off the ladder
 * steps to its neighbour. The status line says where it landed (the
 * header's "every" is cut off on narrow terminals). */
static void step_interval(struct app *a, int dir)
{
	static const double ladder[] = {0.5, 1, 2, 5, 10, 30, 60};
	const int n = (int)(sizeof ladder / sizeof *ladder);
	double cur = a->refresh_interval, next = cur;
	for (int i = 0; i < n; i++) {
		int k = dir < 0 ? n - 1 - i : i;
		if (dir < 0 ? ladder[k] < cur - 1e-9 : ladder[k] > cur + 1e-9) {
			next = ladder[k];
			break;
		}
	}
	if (next == cur) {
		app_message(a, "refresh every %gs: the %s step (-r sets any interval)", cur,
		            dir < 0 ? "fastest" : "slowest");
		return;
	}
	app_set_interval(a, next);
	app_message(a, "refresh every %gs", next);
}

/* Keys whose meaning is the same in every view. */
static void global_action(struct app *a, enum key_action act)
{
	static const long ranges[] = {6, 12, 24, 48, 168};
	switch (act) {
	case ACT_QUIT:
		a->quit = true;
		break;
	case ACT_HELP:
		help_toggle();
		break;
	case ACT_REFRESH:
		app_refresh_now(a);
		if (a->paused)
			app_message(a, "paused: refreshed once (p resumes)");
		break;
	case ACT_PAUSE:
		a->paused = !a->paused;
		if (!a->paused)
			app_refresh_now(a);
		break;
	case ACT_FASTER:
	case ACT_SLOWER:
		step_interval(a, act == ACT_FASTER ? -1 : 1);
		break;
	case ACT_RANGE_6H:
	case ACT_RANGE_12H:
	case ACT_RANGE_24H:
	case ACT_RANGE_2D:
	case ACT_RANGE_7D:
		/* Applies at once, with one refresh even while paused. */
		app_set_range(a, ranges[act - ACT_RANGE_6H]);
		if (a->paused) {
			char rl[16];
			range_label(a->range_hours, rl, sizeof rl);
			app_message(a, "range %s: refreshed once (paused, p resumes)", rl);
		}
		break;
	case ACT_BACK:
		if (a->filter) {
			app_set_filter(a, NULL);
			app_message(a, "filter cleared");
		}
		break;
	case ACT_FILTER:
		prompt_open("filter (exact action ref or worker name, empty = none): ",
		            filter_done);
		break;
	case ACT_ENTITY:
		prompt_open("open (execution:ID, worker:ID, worker:NAME): ", entity_done);
		break;
	case ACT_STORAGE:
		app_open_storage(a);
		break;
	case ACT_UTC:
		a->utc = !a->utc;
		app_message(a, "times in %s", a->utc ? "UTC" : "local time");
		break;
	case ACT_EXPORT:
		a->view->export(a);
		break;
	default:
		break;
	}
}

/* The help overlay first, then the view, then the application-wide meaning. */
static void ui_key(struct app *a, bool is_key, wint_t ch)
{
	unsigned views = help_shown() ? V_ALL : a->view->mask;
	enum key_action act = key_action_for(views, is_key, (unsigned)ch);
	if (act == ACT_NONE)
		return;
	a->redraw = true;
	if (help_shown() && help_key(act))
		return;
	if (!a->view->key(a, act))
		global_action(a, act);
}

static void ui_input(struct app *a)
{
	wint_t ch;
	int r;
	/* A resize (our SIGWINCH handler, so no KEY_RESIZE) is drawn whole at
	 * once, whatever the data does. */
	if (resized)
		a->redraw = true;
	while ((r = get_wch(&ch)) != ERR) {
		if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			a->redraw = true;
			continue;
		}
		if (prompt_active())
			prompt_key(a, r == KEY_CODE_YES, ch);
		else
			ui_key(a, r == KEY_CODE_YES, ch);
		if (a->quit)
			return;
	}
}

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

static void restore_terminal(void)
{
	endwin();
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
	draw_init_colors(a->s);
	oom_set_restore(restore_terminal);
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
	export_bg_stop();
	oom_set_restore(NULL);
	endwin();
}

/* A background export is collected by the draw (export_poll). */
static bool ui_busy(struct app *a)
{
	(void)a;
	return export_bg_running();
}

const struct frontend curses_frontend = {
    .init = ui_init,
    .refreshed = ui_refreshed,
    .draw = ui_draw,
    .draw_state = ui_draw_state,
    .busy = ui_busy,
    .input_fd = STDIN_FILENO,
    .on_input = ui_input,
    .fini = ui_fini,
};
