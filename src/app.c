/* Main loop, connection life cycle and refresh scheduling. */
#include "app.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "arena.h"
#include "present.h"

static volatile sig_atomic_t pending_signal;
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	pending_signal = sig;
	if (signal_pipe[1] >= 0) {
		ssize_t r = write(signal_pipe[1], "s", 1);
		(void)r;
	}
	errno = saved;
}

int app_pending_signal(void)
{
	return pending_signal;
}

static int install_signals(void)
{
	if (pipe(signal_pipe) != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void drain_signal_pipe(void)
{
	char buf[64];
	while (read(signal_pipe[0], buf, sizeof buf) > 0)
		;
}

static int64_t realtime_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

void app_message(struct app *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->status, sizeof a->status, fmt, ap);
	va_end(ap);
	a->status_until = db_now() + 4.0;
	a->redraw = true;
}

/* ------------------------------------------------------------ connection */

static void drop_settled(struct app *a)
{
	snapshot_free(a->settled);
	snapshot_free(a->settled_building);
	a->settled = a->settled_building = NULL;
}

static void fail_connection(struct app *a, const char *why)
{
	snprintf(a->conn_error, sizeof a->conn_error, "%s", why);
	db_close(&a->db);
	snapshot_free(a->building);
	a->building = NULL;
	drop_settled(a);
	if (a->tl)
		timeline_abort(a->tl);
	a->tl_busy = false;
	a->st_busy = false;
	queries_free(&a->qs);
	a->stale = a->snap != NULL;
	a->redraw = true;
	if (a->s->batch || a->s->iterations) {
		/* Nobody is watching: fail fast and say why. */
		snprintf(a->fatal, sizeof a->fatal, "%s", why);
		a->exit_code = 1;
		a->quit = true;
		return;
	}
	a->phase = PH_DISCONNECTED;
	/* Exponential backoff 0.5 s .. 10 s with jitter, so a fleet of
	 * dashboards does not reconnect in lockstep. */
	a->backoff = a->backoff <= 0 ? 0.5 : fmin(a->backoff * 2, 10.0);
	double jitter = a->backoff * 0.2 * ((double)rand() / RAND_MAX);
	a->reconnect_at = db_now() + a->backoff + jitter;
}

static void start_connect(struct app *a)
{
	/* What the last connection learnt stays on screen until a new one
	 * is established (the header keeps its schema and server). */
	if (db_connect_start(&a->db, a->s, a->password) != 0) {
		fail_connection(a, a->db.error);
		return;
	}
	a->phase = PH_CONNECTING;
	a->redraw = true;
}

static char timeout_text[24];

static void on_setup_result(void *ctx, int index, const PGresult *res)
{
	struct app *a = ctx;
	char err[512];
	if (!a->conn_error[0] && queries_take_setup(&a->caps, index, res, err, sizeof err) != 0)
		snprintf(a->conn_error, sizeof a->conn_error, "%s", err);
	if (index == SQ_IDENTITY && !a->conn_error[0])
		a->caps.clock_offset_us -= realtime_us();
}

static int caps_index[CQ_COUNT];
static char rel_names_literal[512];

static void on_caps_result(void *ctx, int index, const PGresult *res)
{
	struct app *a = ctx;
	char err[512];
	if (!a->conn_error[0] &&
	    queries_take_caps(&a->caps, caps_index[index], res, err, sizeof err) != 0)
		snprintf(a->conn_error, sizeof a->conn_error, "%s", err);
}

static void send_setup(struct app *a)
{
	struct db_query q[SQ_COUNT];
	snprintf(timeout_text, sizeof timeout_text, "%ld", a->s->statement_timeout_ms);
	int n = queries_setup(q, timeout_text, a->s->schema);
	a->conn_error[0] = '\0';
	if (db_send_batch(&a->db, q, n, on_setup_result, a) != 0)
		fail_connection(a, a->db.error);
	else
		a->phase = PH_SETUP;
}

static void send_caps(struct app *a)
{
	char *q = PQescapeIdentifier(a->db.conn, a->caps.schema, strlen(a->caps.schema));
	if (!q) {
		fail_connection(a, PQerrorMessage(a->db.conn));
		return;
	}
	a->caps.qschema = xstrdup(q);
	PQfreemem(q);
	struct db_query qs[CQ_COUNT];
	int n = queries_caps(&a->caps, qs, caps_index, rel_names_literal, sizeof rel_names_literal);
	if (db_send_batch(&a->db, qs, n, on_caps_result, a) != 0)
		fail_connection(a, a->db.error);
	else
		a->phase = PH_CAPS;
}

/* ------------------------------------------------------------ refreshes */

static void on_overview_result(void *ctx, int index, const PGresult *res)
{
	struct app *a = ctx;
	if (!a->building || index >= OQ_BATCH_MAX)
		return;
	int q = a->batch_index[index];
	if (!(q & OQ_SETTLED)) {
		snapshot_take(a->building, q, res);
	} else if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		/* The panel says so now; the next refresh reads it again. */
		snapshot_take(a->building, q & ~OQ_SETTLED, res);
		a->settled_failed = true;
	} else if (a->settled_building) {
		snapshot_take(a->settled_building, q & ~OQ_SETTLED, res);
	}
}

static void on_timeline_result(void *ctx, int index, const PGresult *res)
{
	struct app *a = ctx;
	if (a->tl)
		timeline_take(a->tl, index, res);
}

static void start_timeline_refresh(struct app *a)
{
	struct db_query q[TQ_N + 1];
	int n = timeline_batch(a->tl, &a->caps, q);
	a->refresh_started = db_now();
	a->tl_busy = true;
	if (db_send_batch(&a->db, q, n, on_timeline_result, a) != 0)
		fail_connection(a, a->db.error);
}

static void on_storage_result(void *ctx, int index, const PGresult *res)
{
	struct app *a = ctx;
	if (a->st)
		storage_take(a->st, index, res);
}

static void start_storage_refresh(struct app *a)
{
	struct db_query q[ST_TABLES];
	int n = storage_batch(a->st, &a->caps, q);
	a->refresh_started = db_now();
	a->st_busy = true;
	if (db_send_batch(&a->db, q, n, on_storage_result, a) != 0)
		fail_connection(a, a->db.error);
}

/* When the next refresh is due after one completes: at once when a key or
 * a notification asked for one while it was in flight. */
static double next_deadline(struct app *a)
{
	return a->refresh_requested ? db_now() : a->refresh_started + a->refresh_interval;
}

/* Whether the kept settled part fits the refresh of `b`: same range,
 * filter and live start. */
static bool settled_fits(const struct app *a, const struct snapshot *b, int64_t live)
{
	const struct snapshot *k = a->settled;
	return k && k->range_start == b->range_start && k->range_hours == b->range_hours &&
	       a->settled_live_start == live && (k->filter == NULL) == (b->filter == NULL) &&
	       (!k->filter || strcmp(k->filter, b->filter) == 0);
}

/* Settled buckets change only when rows arrive late or an aggregate is
 * re-materialized; reading them again every SETTLED_MAX_AGE seconds, and
 * when the user asks for a refresh, bounds how long that goes unseen. */
#define SETTLED_MAX_AGE   300.0
#define LATE_COMMIT_GRACE 300
static bool settled_usable(const struct app *a, const struct snapshot *b, int64_t live)
{
	return settled_fits(a, b, live) && !a->settled_stale &&
	       db_now() - a->settled_at < SETTLED_MAX_AGE;
}

static void start_refresh(struct app *a)
{
	a->refresh_requested = false;
	if (a->st) {
		start_storage_refresh(a);
		return;
	}
	if (a->tl) {
		start_timeline_refresh(a);
		return;
	}
	struct db_query q[OQ_BATCH_MAX];
	struct overview_params p = {.filter = a->filter, .inflight = a->caps.inflight_array};
	int64_t est_now = realtime_us() + a->caps.clock_offset_us;
	int64_t start = model_range_start(est_now / 1000000, a->range_hours);
	/* The current hour is live; so is the previous one for its first
	 * minutes, for rows that transactions begun before the boundary
	 * commit late. */
	int64_t live = model_range_start(est_now / 1000000, 1);
	if (est_now / 1000000 - (live + 3600) >= LATE_COMMIT_GRACE)
		live += 3600;
	if (live < start)
		live = start;
	snprintf(p.range_start, sizeof p.range_start, "%lld", (long long)start);
	snprintf(p.live_start, sizeof p.live_start, "%lld", (long long)live);
	a->building = snapshot_new(a->range_hours, start, est_now, a->filter);
	a->building_live_start = live;
	if (live > start && !settled_usable(a, a->building, live)) {
		drop_settled(a);
		a->settled_building = snapshot_new(a->range_hours, start, est_now, a->filter);
		a->settled_failed = false;
		a->settled_stale = false;
		p.settled = true;
	}
	int n = queries_overview(&a->qs, &p, q, a->batch_index);
	a->refresh_started = db_now();
	if (db_send_batch(&a->db, q, n, on_overview_result, a) != 0)
		fail_connection(a, a->db.error);
}

/* Panels whose relation does not exist get a note instead of data. */
static void mark_missing(struct app *a, struct snapshot *s)
{
	static const struct {
		enum overview_query q;
		enum rel_id rel;
	} needs[] = {
	    {OQ_EXEC_SERIES, REL_EXECUTION_THROUGHPUT_HOURLY},
	    {OQ_STATUS_BUCKETS, REL_EXECUTION_STATUS_HOURLY},
	    {OQ_STATUS_ACTIONS, REL_EXECUTION_STATUS_HOURLY},
	    {OQ_EVENTS, REL_EVENT_VOLUME_HOURLY},
	    {OQ_ENFORCEMENTS, REL_ENFORCEMENT_VOLUME_HOURLY},
	    {OQ_WORKERS, REL_WORKER},
	    {OQ_CHANGES, REL_EXECUTION_HISTORY},
	    {OQ_INFLIGHT, REL_EXECUTION},
	};
	char why[320];
	for (size_t i = 0; i < sizeof needs / sizeof *needs; i++) {
		if (a->qs.sql[needs[i].q])
			continue;
		snprintf(why, sizeof why, "%s.%s does not exist", a->caps.schema,
		         model_rel_name(needs[i].rel));
		snapshot_unavailable(s, needs[i].q, true, why);
	}
}

static void count_refresh(struct app *a)
{
	a->refreshes++;
	if (a->s->iterations && a->refreshes >= a->s->iterations)
		a->quit = true;
}

static void finish_refresh(struct app *a)
{
	struct snapshot *s = a->building;
	a->building = NULL;
	if (a->settled_building) {
		if (a->settled_failed) {
			drop_settled(a);
		} else {
			a->settled = a->settled_building;
			a->settled_building = NULL;
			a->settled_live_start = a->building_live_start;
			a->settled_at = a->refresh_started;
		}
	}
	if (settled_fits(a, s, a->building_live_start))
		snapshot_add_settled(s, a->settled);
	s->fetched_at = db_now();
	s->refresh_seconds = s->fetched_at - a->refresh_started;
	a->caps.clock_offset_us = s->server_now_us - realtime_us();
	mark_missing(a, s);
	snapshot_finish(s);
	snapshot_sort_actions(s, a->sort);
	/* A screen that would look the same is not drawn again (most
	 * refreshes of a quiet system). */
	bool redraw = a->redraw || a->stale || !a->snap || !snapshot_same_view(a->snap, s);
	snapshot_free(a->snap);
	a->snap = s;
	a->stale = false;
	a->next_refresh = next_deadline(a);
	a->fe->refreshed(a);
	a->redraw = redraw;
	count_refresh(a);
}

static void finish_timeline(struct app *a)
{
	struct timeline *t = a->tl;
	a->tl_busy = false;
	timeline_finish(t);
	const struct tl_snapshot *s = t->snap;
	a->tl_fetched_at = db_now();
	a->stale = false;
	a->next_refresh = next_deadline(a);
	a->redraw = true;
	if (s->error[0] || !s->exists) {
		char why[700];
		if (s->error[0])
			snprintf(why, sizeof why, "%s: %s", t->label, s->error);
		else
			snprintf(why, sizeof why, "no history for %s", t->label);
		if (a->s->batch) {
			snprintf(a->fatal, sizeof a->fatal, "%.500s", why);
			a->exit_code = 1;
			a->quit = true;
			return;
		}
		app_close_entity(a);
		app_message(a, "%s", why);
		return;
	}
	if (a->s->batch && !a->tl_continued && timeline_needs_detail(t)) {
		/* The frame shows the state at its newest row: fetch it first. */
		a->next_refresh = db_now();
		return;
	}
	a->fe->refreshed(a);
	bool more = s->first_index + s->nrows < s->total;
	if (a->s->batch && more) {
		/* A batch frame prints the whole timeline, a page at a time. */
		timeline_jump(t, TL_OLDER);
		t->anchor = s->rows[s->nrows - 1].key;
		t->have_anchor = true;
		a->tl_continued = true;
		a->next_refresh = db_now();
		return;
	}
	if (a->s->batch) {
		a->tl_continued = false;
		timeline_jump(t, TL_TOP);
		count_refresh(a);
		return;
	}
	if (t->move_pending || timeline_needs_detail(t))
		a->next_refresh = db_now(); /* the selection moved meanwhile */
	count_refresh(a);
}

static void finish_storage(struct app *a)
{
	a->st_busy = false;
	storage_finish(a->st);
	a->tl_fetched_at = db_now();
	a->stale = false;
	a->next_refresh = next_deadline(a);
	a->redraw = true;
	a->fe->refreshed(a);
	count_refresh(a);
}

void app_open_storage(struct app *a)
{
	app_close_entity(a);
	app_close_storage(a);
	a->st = xcalloc(1, sizeof *a->st);
	app_refresh_now(a);
}

void app_close_storage(struct app *a)
{
	if (!a->st)
		return;
	a->st_busy = false;
	storage_free(a->st);
	free(a->st);
	a->st = NULL;
	a->redraw = true;
	app_refresh_now(a);
}

void app_open_entity(struct app *a, const struct entity_spec *spec, const char *text)
{
	app_close_storage(a);
	app_close_entity(a);
	a->tl = xcalloc(1, sizeof *a->tl);
	timeline_init(a->tl, spec, text);
	app_refresh_now(a);
}

void app_close_entity(struct app *a)
{
	if (!a->tl)
		return;
	/* Results of a batch in flight are dropped (on_timeline_result). */
	a->tl_busy = false;
	timeline_free(a->tl);
	free(a->tl);
	a->tl = NULL;
	a->redraw = true;
	app_refresh_now(a);
}

static void finish_storage(struct app *a);

static void on_batch_done(struct app *a)
{
	switch (a->phase) {
	case PH_SETUP:
		if (a->conn_error[0]) {
			char why[512];
			snprintf(why, sizeof why, "%s", a->conn_error);
			fail_connection(a, why);
		} else {
			send_caps(a);
		}
		break;
	case PH_CAPS:
		if (a->conn_error[0]) {
			char why[512];
			snprintf(why, sizeof why, "%s", a->conn_error);
			fail_connection(a, why);
			break;
		}
		queries_caps_done(&a->caps);
		if (a->caps.ts_schema[0]) {
			char *q = PQescapeIdentifier(a->db.conn, a->caps.ts_schema,
			                             strlen(a->caps.ts_schema));
			if (q) {
				a->caps.q_ts_schema = xstrdup(q);
				PQfreemem(q);
			}
		}
		queries_build(&a->qs, &a->caps);
		a->phase = PH_READY;
		a->backoff = 0;
		a->next_refresh = db_now();
		a->redraw = true;
		break;
	case PH_READY:
		if (a->building)
			finish_refresh(a);
		else if (a->tl && a->tl_busy)
			finish_timeline(a);
		else if (a->st && a->st_busy)
			finish_storage(a);
		break;
	default:
		break;
	}
}

static void handle_db(struct app *a, double now, bool ready)
{
	/* PQconnectPoll must only run when the socket is ready; the deadline
	 * is checked regardless. */
	if (a->db.state == DB_CONNECTING && !ready) {
		if (a->db.connect_deadline > 0 && now > a->db.connect_deadline)
			fail_connection(a, "connection timed out");
		return;
	}
	for (;;) {
		enum db_event ev = db_step(&a->db, now);
		switch (ev) {
		case DB_EV_NONE:
			return;
		case DB_EV_CONNECTED:
			a->conn_error[0] = '\0';
			caps_clear(&a->caps);
			send_setup(a);
			break;
		case DB_EV_BATCH_DONE:
			on_batch_done(a);
			break;
		case DB_EV_FAILED:
			fail_connection(a, a->db.error);
			return;
		}
		if (a->quit || a->db.state != DB_BUSY)
			return;
	}
}

/* ------------------------------------------------------------ requests */

void app_refresh_now(struct app *a)
{
	/* Asked for by the user (or a view change): read everything again. */
	a->settled_stale = true;
	a->next_refresh = db_now();
	a->refresh_requested = a->db.state == DB_BUSY;
	if (a->phase == PH_DISCONNECTED)
		a->reconnect_at = db_now();
}

void app_set_range(struct app *a, long hours)
{
	a->range_hours = hours;
	app_refresh_now(a);
}

void app_set_filter(struct app *a, const char *filter)
{
	free(a->filter);
	a->filter = filter && *filter ? xstrdup(filter) : NULL;
	app_refresh_now(a);
}

void app_set_interval(struct app *a, double seconds)
{
	a->refresh_interval = seconds;
	if (a->phase == PH_READY && a->db.state == DB_IDLE)
		a->next_refresh = a->refresh_started + seconds;
}

/* ------------------------------------------------------------ the loop */

static int poll_timeout_ms(const struct app *a, double now)
{
	double wake = now + 1.0; /* ages and clocks on screen tick every second */
	if (a->phase == PH_DISCONNECTED)
		wake = fmin(wake, a->reconnect_at);
	if (a->phase == PH_READY && a->db.state == DB_IDLE && !a->paused)
		wake = fmin(wake, a->next_refresh);
	if (a->phase == PH_CONNECTING && a->db.connect_deadline > 0)
		wake = fmin(wake, a->db.connect_deadline);
	double ms = (wake - now) * 1000.0;
	return ms <= 0 ? 0 : (int)ceil(ms);
}

/* When the server was last heard from (or nothing was awaited). */
static double db_heard_at;

/* statement_timeout bounds every statement, so a batch that hears nothing
 * for much longer has lost its server (a dead network path, a frozen host)
 * although TCP may not notice for hours. */
static void watch_silence(struct app *a, double now)
{
	if (a->db.state != DB_BUSY) {
		db_heard_at = now;
		return;
	}
	long ms = a->s->statement_timeout_ms > 0 ? a->s->statement_timeout_ms : 60000;
	if (now - db_heard_at > (double)ms / 1000.0 + 5.0) {
		char why[96];
		snprintf(why, sizeof why, "connection lost: no answer from the server for %.0f s",
		         now - db_heard_at);
		fail_connection(a, why);
	}
}

static void tick(struct app *a, double now)
{
	watch_silence(a, now);
	if (a->phase == PH_DISCONNECTED && now >= a->reconnect_at)
		start_connect(a);
	if (a->phase == PH_READY && a->db.state == DB_IDLE && !a->paused && now >= a->next_refresh)
		start_refresh(a);
	if (a->status[0] && now >= a->status_until) {
		a->status[0] = '\0';
		a->redraw = true;
	}
}

/* A refresh starts or lands within a quarter second (a slow one does
 * not hold the ticking ages back for longer). */
static bool refresh_imminent(const struct app *a, double now)
{
	if (a->phase != PH_READY || a->paused)
		return false;
	if (a->db.state == DB_BUSY)
		return now - a->refresh_started < 0.25;
	return a->db.state == DB_IDLE && a->next_refresh > now && a->next_refresh - now < 0.25;
}

int app_run(struct app *a)
{
	if (install_signals() != 0) {
		snprintf(a->fatal, sizeof a->fatal, "cannot create a pipe: %s", strerror(errno));
		return 1;
	}
	a->range_hours = a->s->range_hours;
	a->refresh_interval = a->s->refresh;
	a->sort = (enum action_sort)a->s->sort;
	a->filter = a->s->filter ? xstrdup(a->s->filter) : NULL;
	a->reconnect_at = db_now();
	if (a->s->entity_text)
		app_open_entity(a, &a->s->entity, a->s->entity_text);
	if (a->fe->init(a) != 0)
		return 1;
	double last_draw = 0;
	char drawn_state[256] = "", state[256];
	while (!a->quit) {
		double now = db_now();
		tick(a, now);
		if (a->quit)
			break;
		/* Between refreshes only the data's age in the header changes on
		 * the overview (timelines and the storage view show more ages):
		 * redraw once a second when it did, unless a refresh is about to
		 * redraw anyway. */
		present_state(a, state, sizeof state);
		bool age_due = now - last_draw >= 1.0 && !refresh_imminent(a, now) &&
		               (a->tl || a->st || (a->fe->busy && a->fe->busy(a)) ||
		                strcmp(state, drawn_state) != 0);
		if (a->redraw || age_due) {
			a->fe->draw(a);
			a->redraw = false;
			last_draw = now;
			present_state(a, drawn_state, sizeof drawn_state);
		}
		struct pollfd fds[3];
		int nfds = 0, in_i = -1, db_i = -1;
		fds[nfds++] = (struct pollfd){signal_pipe[0], POLLIN, 0};
		if (a->fe->input_fd >= 0) {
			in_i = nfds;
			fds[nfds++] = (struct pollfd){a->fe->input_fd, POLLIN, 0};
		}
		short ev = db_poll_events(&a->db);
		if (ev && db_fd(&a->db) >= 0) {
			db_i = nfds;
			fds[nfds++] = (struct pollfd){db_fd(&a->db), ev, 0};
		}
		int r = poll(fds, (nfds_t)nfds, poll_timeout_ms(a, now));
		if (r < 0 && errno != EINTR) {
			snprintf(a->fatal, sizeof a->fatal, "poll: %s", strerror(errno));
			a->exit_code = 1;
			break;
		}
		if (fds[0].revents)
			drain_signal_pipe();
		if (pending_signal) {
			a->exit_code = 128 + pending_signal;
			break;
		}
		if (r < 0 || (in_i >= 0 && fds[in_i].revents))
			a->fe->on_input(a); /* also after EINTR: SIGWINCH, SIGCONT */
		if (a->quit)
			break;
		if (db_i >= 0 && (fds[db_i].revents & (POLLIN | POLLERR | POLLHUP)))
			db_heard_at = db_now();
		handle_db(a, db_now(), db_i >= 0 && fds[db_i].revents);
		if (a->db.notifications != a->seen_notifications) {
			/* Attune announced a change: refresh an open timeline now. */
			a->seen_notifications = a->db.notifications;
			if (a->tl)
				app_refresh_now(a);
		}
	}
	if (a->db.state == DB_BUSY)
		db_cancel(&a->db);
	db_close(&a->db);
	a->fe->fini(a);
	snapshot_free(a->snap);
	snapshot_free(a->building);
	a->snap = a->building = NULL;
	drop_settled(a);
	app_close_entity(a);
	app_close_storage(a);
	queries_free(&a->qs);
	caps_clear(&a->caps);
	free(a->filter);
	a->filter = NULL;
	return a->exit_code;
}
