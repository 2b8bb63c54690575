/* The main loop: poll, connection life cycle, refresh scheduling for the current view. */
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

#include "db/session.h"
#include "util/arena.h"
#include "views/present.h"

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

int64_t app_realtime_us(void)
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

void app_fail(struct app *a, const char *why)
{
	snprintf(a->conn_error, sizeof a->conn_error, "%s", why);
	db_close(&a->db);
	helper_close(&a->helper);
	a->finish_due = a->commit_due = false;
	if (a->busy_view && a->busy_view->abort)
		a->busy_view->abort(a);
	a->busy_view = NULL;
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
		app_fail(a, a->db.error);
		return;
	}
	a->phase = PH_CONNECTING;
	a->redraw = true;
}

static bool on_setup_result(void *ctx, int index, PGresult *res)
{
	struct app *a = ctx;
	char err[512];
	if (!a->conn_error[0] && session_take_settings(&a->caps, index, res, err, sizeof err) != 0)
		snprintf(a->conn_error, sizeof a->conn_error, "%s", err);
	if (index == SQ_IDENTITY && !a->conn_error[0])
		a->caps.clock_offset_us -= app_realtime_us();
	return false;
}

static bool on_caps_result(void *ctx, int index, PGresult *res)
{
	struct app *a = ctx;
	char err[512];
	if (!a->conn_error[0] &&
	    session_take_probe(&a->session, &a->caps, index, res, err, sizeof err) != 0)
		snprintf(a->conn_error, sizeof a->conn_error, "%s", err);
	return false;
}

int app_send(struct app *a, const struct db_query *q, int n, int ntail, db_result_fn fn)
{
	return txn_send(&a->db, &a->txn, a->s->statement_timeout_ms, q, n, ntail, fn, a);
}

static void on_export(void *ctx, const char *snapshot)
{
	struct app *a = ctx;
	helper_export(&a->helper, snapshot);
}

int app_send_split(struct app *a, const struct db_query *q, int split, int n, db_result_fn fn,
                   helper_lost_fn lost)
{
	if (split >= n || !helper_ready(&a->helper))
		return app_send(a, q, n, 0, fn);
	struct txn_share share = {.export_snapshot = true, .on_export = on_export};
	helper_hold(&a->helper, q + split, n - split, split, fn, lost, a);
	if (txn_send_shared(&a->db, &a->txn, a->s->statement_timeout_ms, q, split, &share, fn, a) !=
	    0) {
		helper_close(&a->helper);
		return -1;
	}
	a->commit_due = true;
	return 0;
}

/* The main connection's part of a split batch is in: it commits once the
 * helper has imported its snapshot. */
static void try_commit(struct app *a)
{
	if (!a->commit_due || a->db.state != DB_IDLE || helper_importing(&a->helper))
		return;
	a->commit_due = false;
	if (txn_commit(&a->db, &a->txn) != 0)
		app_fail(a, a->db.error);
}

/* A helper that has not imported within this long after the refresh
 * began is given up (its queries are reported lost). */
#define HELPER_IMPORT_WAIT 2.0
/* Sharing the snapshot costs the main connection two more round trips
 * (the exported id out, the COMMIT after the import): the helper is used
 * only where the session's first batch came back within this long (a local
 * socket or a LAN), not across a slow link. */
#define HELPER_MAX_RTT 0.010

bool app_session_stable(const struct app *a)
{
	const struct db_facts *f = &a->db.facts;
	return f->known && !f->pooled && !f->standby;
}

static void send_setup(struct app *a)
{
	struct db_query q[SQ_COUNT];
	int n = session_settings(&a->session, a->s, q);
	a->conn_error[0] = '\0';
	if (app_send(a, q, n, 0, on_setup_result) != 0) {
		app_fail(a, a->db.error);
	} else {
		a->phase = PH_SETUP;
		a->setup_sent = db_now();
	}
}

static void send_caps(struct app *a)
{
	struct db_query q[CQ_COUNT];
	char err[512];
	int n = session_probe(&a->session, a->db.conn, &a->caps, q, err, sizeof err);
	if (n < 0)
		app_fail(a, err);
	else if (app_send(a, q, n, 0, on_caps_result) != 0)
		app_fail(a, a->db.error);
	else
		a->phase = PH_CAPS;
}

/* The probe answered: build the overview's SQL and start refreshing. */
static void caps_done(struct app *a)
{
	char err[512];
	if (session_done(a->db.conn, &a->caps, err, sizeof err) != 0) {
		app_fail(a, err);
		return;
	}
	a->caps_gen++;
	a->phase = PH_READY;
	a->backoff = 0;
	a->next_refresh = db_now();
	a->redraw = true;
}

/* ------------------------------------------------------------ refreshes */

/* When the next refresh is due after one completes: at once when a key or
 * a notification asked for one while it was in flight. */
static double next_deadline(struct app *a)
{
	return a->refresh_requested ? db_now() : a->refresh_started + a->refresh_interval;
}

/* The server answers a batch statement by statement, and a client that
 * woke up for each answer would do so some twenty times a refresh. The
 * socket is left unwatched for the first part of the time the last
 * refresh took, then read at once: a few wake-ups, no later data. */
#define READ_AFTER     0.6
#define READ_AFTER_MAX 0.050

static void start_refresh(struct app *a)
{
	a->refresh_requested = false;
	a->refresh_started = db_now();
	a->busy_view = a->view;
	if (a->view->refresh(a) != 0) {
		a->busy_view = NULL;
		app_fail(a, a->db.error);
	}
	a->db_quiet_until = a->refresh_started + fmin(READ_AFTER * a->last_refresh, READ_AFTER_MAX);
	/* The helper serves the first refresh only. */
	if (!helper_busy(&a->helper))
		helper_close(&a->helper);
}

/* Whether the main connection may take a batch: idle, and no part of the
 * last one still due from the helper or its own COMMIT. */
static bool db_free(const struct app *a)
{
	return a->db.state == DB_IDLE && !a->finish_due && !a->commit_due;
}

void app_data_arrived(struct app *a)
{
	a->last_refresh = db_now() - a->refresh_started;
	a->stale = false;
	a->next_refresh = next_deadline(a);
	a->redraw = true;
}

void app_count_refresh(struct app *a)
{
	a->refreshes++;
	if (a->s->iterations && a->refreshes >= a->s->iterations)
		a->quit = true;
}

const struct view_ops *const views_all[] = {&overview_view, &timeline_view, &storage_view, NULL};

void view_switch(struct app *a, const struct view_ops *v, void *state)
{
	if (a->busy_view == a->view && a->view != &overview_view)
		a->busy_view = NULL; /* its results are dropped */
	if (a->view && a->view->close)
		a->view->close(a);
	a->view = v;
	a->view_state = state;
	a->redraw = true;
	app_refresh_now(a);
}

void app_close_view(struct app *a)
{
	if (a->view != &overview_view)
		view_switch(a, &overview_view, NULL);
}

/* The view's batch is in, and the helper's part of it too. */
static void finish_refresh(struct app *a)
{
	if (!a->finish_due || helper_busy(&a->helper))
		return;
	a->finish_due = false;
	if (a->busy_view) {
		const struct view_ops *v = a->busy_view;
		a->busy_view = NULL;
		v->finish(a);
	}
}

static void on_batch_done(struct app *a)
{
	switch (a->phase) {
	case PH_SETUP:
		if (a->conn_error[0]) {
			char why[512];
			snprintf(why, sizeof why, "%s", a->conn_error);
			app_fail(a, why);
		} else {
			helper_session_known(&a->helper, &a->db.facts);
			if (db_now() - a->setup_sent > HELPER_MAX_RTT)
				helper_close(&a->helper);
			send_caps(a);
		}
		break;
	case PH_CAPS:
		if (a->conn_error[0]) {
			char why[512];
			snprintf(why, sizeof why, "%s", a->conn_error);
			app_fail(a, why);
			break;
		}
		caps_done(a);
		break;
	case PH_READY:
		if (a->commit_due) { /* the first part of a split batch */
			try_commit(a);
			break;
		}
		a->finish_due = true;
		finish_refresh(a);
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
			app_fail(a, "connection timed out");
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
			/* Only now: a server that serves one session at a time
			 * keeps the helper waiting instead of the main one. */
			helper_start(&a->helper, a->s, a->password);
			break;
		case DB_EV_BATCH_DONE:
			on_batch_done(a);
			break;
		case DB_EV_FAILED:
			app_fail(a, a->db.error);
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
	a->reread = true;
	a->refresh_once = true; /* even while paused */
	a->next_refresh = db_now();
	a->refresh_requested = a->db.state == DB_BUSY || a->finish_due || a->commit_due;
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
	if (a->phase == PH_READY && db_free(a))
		a->next_refresh = a->refresh_started + seconds;
}

/* ------------------------------------------------------------ the loop */

static int poll_timeout_ms(const struct app *a, double now)
{
	double wake = now + 1.0; /* ages and clocks on screen tick every second */
	if (a->phase == PH_DISCONNECTED)
		wake = fmin(wake, a->reconnect_at);
	if (a->phase == PH_READY && db_free(a) && (!a->paused || a->refresh_once))
		wake = fmin(wake, a->next_refresh);
	if (a->phase == PH_CONNECTING && a->db.connect_deadline > 0)
		wake = fmin(wake, a->db.connect_deadline);
	if (a->db.state == DB_BUSY && now < a->db_quiet_until)
		wake = fmin(wake, a->db_quiet_until);
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
		app_fail(a, why);
	}
}

static void tick(struct app *a, double now)
{
	watch_silence(a, now);
	if (a->commit_due && helper_importing(&a->helper) &&
	    now - a->refresh_started > HELPER_IMPORT_WAIT) {
		helper_close(&a->helper);
		try_commit(a);
	}
	if (a->phase == PH_DISCONNECTED && now >= a->reconnect_at)
		start_connect(a);
	if (a->phase == PH_READY && db_free(a) && (!a->paused || a->refresh_once) &&
	    now >= a->next_refresh) {
		a->refresh_once = false;
		start_refresh(a);
	}
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
	if (!db_free(a))
		return now - a->refresh_started < 0.25;
	return a->next_refresh > now && a->next_refresh - now < 0.25;
}

/* Between refreshes only the data's age in the header changes on the
 * overview (timelines and the storage view show more ages): redraw once a
 * second when it did, unless a refresh is about to redraw anyway. */
static void maybe_draw(struct app *a, double now)
{
	static double last_draw;
	static char drawn_state[256];
	char state[256];
	present_state(a, state, sizeof state);
	bool age_due =
	    now - last_draw >= 1.0 && !refresh_imminent(a, now) &&
	    (a->view->ticks || (a->fe->busy && a->fe->busy(a)) || strcmp(state, drawn_state) != 0);
	if (a->redraw || a->redraw_part || age_due) {
		/* The overview between refreshes: only its age moved (and the
		 * ages in some of its panels). */
		if (!a->redraw && !a->view->ticks && a->fe->draw_state)
			a->fe->draw_state(a);
		else
			a->fe->draw(a);
		a->redraw = a->redraw_part = false;
		last_draw = now;
		present_state(a, drawn_state, sizeof drawn_state);
	}
}

/* What one poll() watches: the signal pipe, the terminal, the sockets. */
struct poll_set {
	struct pollfd fds[4];
	int n, in, db, helper; /* count; index of each, -1 when absent */
};

static void poll_set_fill(struct app *a, struct poll_set *p)
{
	p->n = 0;
	p->in = p->db = p->helper = -1;
	p->fds[p->n++] = (struct pollfd){signal_pipe[0], POLLIN, 0};
	if (a->fe->input_fd >= 0) {
		p->in = p->n;
		p->fds[p->n++] = (struct pollfd){a->fe->input_fd, POLLIN, 0};
	}
	short ev = db_poll_events(&a->db);
	if (a->db.state == DB_BUSY && !(ev & POLLOUT) && db_now() < a->db_quiet_until)
		ev = 0; /* read later, at once (READ_AFTER) */
	if (ev && db_fd(&a->db) >= 0) {
		p->db = p->n;
		p->fds[p->n++] = (struct pollfd){db_fd(&a->db), ev, 0};
	}
	ev = helper_poll_events(&a->helper);
	if (ev && helper_fd(&a->helper) >= 0) {
		p->helper = p->n;
		p->fds[p->n++] = (struct pollfd){helper_fd(&a->helper), ev, 0};
	}
}

/* One pass of the loop after the draw: wait, then handle what is ready.
 * False when the loop must end. */
static bool wait_and_handle(struct app *a, double now)
{
	struct poll_set p;
	poll_set_fill(a, &p);
	int r = poll(p.fds, (nfds_t)p.n, poll_timeout_ms(a, now));
	if (r < 0 && errno != EINTR) {
		snprintf(a->fatal, sizeof a->fatal, "poll: %s", strerror(errno));
		a->exit_code = 1;
		return false;
	}
	if (p.fds[0].revents)
		drain_signal_pipe();
	if (pending_signal) {
		a->exit_code = 128 + pending_signal;
		return false;
	}
	if (r < 0 || (p.in >= 0 && p.fds[p.in].revents))
		a->fe->on_input(a); /* also after EINTR: SIGWINCH, SIGCONT */
	if (a->quit)
		return false;
	if (p.db >= 0 && (p.fds[p.db].revents & (POLLIN | POLLERR | POLLHUP)))
		db_heard_at = db_now();
	handle_db(a, db_now(), p.db >= 0 && p.fds[p.db].revents);
	bool ended = helper_step(&a->helper, db_now(), p.helper >= 0 && p.fds[p.helper].revents);
	try_commit(a);
	if (ended)
		finish_refresh(a);
	if (a->db.notifications != a->seen_notifications) {
		/* Attune announced a change: refresh an open timeline now. */
		a->seen_notifications = a->db.notifications;
		if (a->view->on_notify)
			app_refresh_now(a);
	}
	return true;
}

static void app_cleanup(struct app *a)
{
	if (a->db.state == DB_BUSY)
		db_cancel(&a->db);
	if (a->helper.db.state == DB_BUSY)
		db_cancel(&a->helper.db);
	helper_close(&a->helper);
	db_close(&a->db);
	a->fe->fini(a);
	app_close_view(a);
	overview_view.abort(a);
	snapshot_free(a->snap);
	a->snap = NULL;
	caps_clear(&a->caps);
	free(a->filter);
	a->filter = NULL;
}

int app_main(struct app *a)
{
	if (install_signals() != 0) {
		snprintf(a->fatal, sizeof a->fatal, "cannot create a pipe: %s", strerror(errno));
		return 1;
	}
	a->range_hours = a->s->range_hours;
	a->refresh_interval = a->s->refresh;
	a->utc = a->s->utc;
	a->filter = a->s->filter ? xstrdup(a->s->filter) : NULL;
	a->reconnect_at = db_now();
	a->view = &overview_view;
	for (int i = 0; views_all[i]; i++)
		if (views_all[i]->init)
			views_all[i]->init(a);
	if (a->s->entity_text)
		app_open_entity(a, &a->s->entity, a->s->entity_text);
	if (a->fe->init(a) != 0)
		return 1;
	while (!a->quit) {
		double now = db_now();
		tick(a, now);
		if (a->quit)
			break;
		maybe_draw(a, now);
		if (!wait_and_handle(a, now))
			break;
	}
	app_cleanup(a);
	return a->exit_code;
}
