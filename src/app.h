/* The main loop: one poll() over the terminal, the libpq socket and a
 * signal pipe; a refresh deadline; connection (re)establishment. Front ends
 * (curses, batch) plug in through struct frontend and only read the model. */
#ifndef ATTUNE_APP_H
#define ATTUNE_APP_H

#include <stdbool.h>

#include "db/db.h"
#include "db/helper.h"
#include "db/session.h"
#include "db/txn.h"
#include "model/model.h"
#include "db/queries.h"
#include "settings.h"
#include "util/parse.h"
#include "views/view.h"

struct app;

struct frontend {
	int (*init)(struct app *a);       /* 0 or -1 (message in a->fatal) */
	void (*refreshed)(struct app *a); /* a new snapshot is in a->snap */
	void (*draw)(struct app *a);      /* redraw (a tick, or state changed) */
	/* Only the header's state (the data's age) changed since the last
	 * draw (NULL: draw everything). */
	void (*draw_state)(struct app *a);
	bool (*busy)(struct app *a);     /* wants a draw every tick (NULL: never) */
	int input_fd;                    /* -1 when there is no terminal input */
	void (*on_input)(struct app *a); /* input_fd is readable (or a signal) */
	void (*fini)(struct app *a);
};

enum app_phase {
	PH_DISCONNECTED = 0, /* waiting to (re)connect */
	PH_CONNECTING,
	PH_SETUP, /* session settings + schema resolution in flight */
	PH_CAPS,  /* catalog probe in flight */
	PH_READY, /* refreshing */
};

struct app {
	const struct settings *s;
	const struct frontend *fe;
	const char *password; /* from -W, or NULL */
	struct db db;
	struct session session; /* parameters of the setup batches in flight */
	struct txn txn;         /* the batch in flight, as a transaction */
	struct helper helper;   /* reads part of the first refresh (db/helper.h) */
	bool finish_due;        /* the batch is in; the helper's part is not yet */
	bool commit_due;        /* the batch shares its snapshot: its COMMIT waits for the import */
	double setup_sent;      /* when the session's first batch went out */
	double last_refresh;    /* seconds the last refresh took */
	double db_quiet_until;  /* the busy socket is not watched before this */
	struct caps caps;
	unsigned caps_gen; /* counts completed catalog probes: SQL built from caps is stale */
	enum app_phase phase;
	struct snapshot *snap; /* newest overview figures, shown by every view's header */
	double refresh_started;
	double next_refresh; /* monotonic deadline */
	double refresh_interval;
	long range_hours;
	char *filter; /* malloc'd, NULL = none */
	bool paused;
	bool utc;          /* times on screen in UTC rather than local ('u') */
	bool refresh_once; /* one refresh asked for (space, range) even while paused */
	long refreshes;    /* completed refreshes */
	bool stale;        /* data on screen is from a lost connection */
	double reconnect_at;
	double backoff;
	char conn_error[512]; /* why we are not connected, one line */
	char fatal[512];      /* set with quit when the program must fail */
	char status[256];     /* transient message for the status line */
	double status_until;
	const struct view_ops *view;      /* the screen shown */
	void *view_state;                 /* its state, owned by the view */
	const struct view_ops *busy_view; /* whose batch is in flight, or NULL */
	bool refresh_requested;           /* asked for while a batch was in flight */
	bool reread;                      /* the user asked to read everything again */
	bool redraw_part;                 /* only part of the view moved (view->draw_changed) */
	long seen_notifications;          /* db.notifications already acted on */
	bool redraw;                      /* front end should redraw */
	bool quit;
	int exit_code;
};

/* Send a view's batch as one transaction carrying its settings; the last
 * ntail queries (LISTEN) go after it. fn gets a as its context. 0, or -1
 * with db.error set. */
int app_send(struct app *a, const struct db_query *q, int n, int ntail, db_result_fn fn);
/* The same, with q[split..n) read by the helper connection in the same
 * snapshot when it is ready (else everything by the main one). lost gets
 * a query the helper could not read. */
int app_send_split(struct app *a, const struct db_query *q, int split, int n, db_result_fn fn,
                   helper_lost_fn lost);
/* Whether a session is known to be stable (LISTEN may be used): a direct
 * connection to a primary. */
bool app_session_stable(const struct app *a);

/* Run until quit. Returns the exit status. */
int app_main(struct app *a);

/* Requests from front ends. */
void app_refresh_now(struct app *a);
void app_set_range(struct app *a, long hours);
void app_set_filter(struct app *a, const char *filter);
void app_set_interval(struct app *a, double seconds);
void app_message(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Open the change timeline of an entity (replacing any open view). */
void app_open_entity(struct app *a, const struct entity_spec *spec, const char *text);
/* Open the storage and freshness view. */
void app_open_storage(struct app *a);
/* Back to the overview. */
void app_close_view(struct app *a);

/* For views: the wall clock in microseconds; data arrived (schedules the
 * next refresh and redraws); one refresh completed (counts iterations). */
int64_t app_realtime_us(void);
void app_data_arrived(struct app *a);
void app_count_refresh(struct app *a);
/* Give up on the connection (`why` on screen, or the exit in batch mode). */
void app_fail(struct app *a, const char *why);

/* A quit/terminate signal that arrived (0 when none). */
int app_pending_signal(void);

#endif
