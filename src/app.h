/* The main loop: one poll() over the terminal, the libpq socket and a
 * signal pipe; a refresh deadline; connection (re)establishment. Front ends
 * (curses, batch) plug in through struct frontend and only read the model. */
#ifndef ATTUNE_APP_H
#define ATTUNE_APP_H

#include <stdbool.h>

#include "db/db.h"
#include "model/model.h"
#include "db/queries.h"
#include "settings.h"
#include "model/storage.h"
#include "model/timeline.h"

struct app;

struct frontend {
	int (*init)(struct app *a);       /* 0 or -1 (message in a->fatal) */
	void (*refreshed)(struct app *a); /* a new snapshot is in a->snap */
	void (*draw)(struct app *a);      /* redraw (a tick, or state changed) */
	bool (*busy)(struct app *a);      /* wants a draw every tick (NULL: never) */
	int input_fd;                     /* -1 when there is no terminal input */
	void (*on_input)(struct app *a);  /* input_fd is readable (or a signal) */
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
	struct caps caps;
	struct query_set qs;
	enum app_phase phase;
	struct snapshot *snap;         /* newest complete snapshot, or NULL */
	struct snapshot *building;     /* the refresh in flight */
	int batch_index[OQ_BATCH_MAX]; /* which overview query each result is */
	/* Buckets before the current hour change only by late data, so they
	 * are read once and kept: a refresh re-reads the newest hour (two in
	 * the first minutes of an hour). */
	struct snapshot *settled;          /* kept settled part, or NULL */
	struct snapshot *settled_building; /* settled part in flight, or NULL */
	bool settled_failed;               /* a query of it failed */
	bool settled_stale;                /* read it again on the next refresh */
	int64_t settled_live_start;        /* where the kept part ends */
	double settled_at;                 /* db_now() when it was read */
	int64_t building_live_start;       /* live_start of the refresh in flight */
	double refresh_started;
	double next_refresh; /* monotonic deadline */
	double refresh_interval;
	long range_hours;
	char *filter; /* malloc'd, NULL = none */
	enum action_sort sort;
	bool paused;
	long refreshes; /* completed refreshes */
	bool stale;     /* data on screen is from a lost connection */
	double reconnect_at;
	double backoff;
	char conn_error[512]; /* why we are not connected, one line */
	char fatal[512];      /* set with quit when the program must fail */
	char status[256];     /* transient message for the status line */
	double status_until;
	struct timeline *tl;     /* open entity timeline, or NULL (overview) */
	struct storage *st;      /* open storage view, or NULL */
	bool st_busy;            /* a storage batch is in flight */
	bool refresh_requested;  /* asked for while a batch was in flight */
	bool tl_busy;            /* a timeline batch is in flight */
	long seen_notifications; /* db.notifications already acted on */
	bool tl_continued;       /* batch mode: this page continues a frame */
	double tl_fetched_at;    /* when the timeline data arrived */
	bool redraw;             /* front end should redraw */
	bool quit;
	int exit_code;
};

/* Run until quit. Returns the exit status. */
int app_run(struct app *a);

/* Requests from front ends. */
void app_refresh_now(struct app *a);
void app_set_range(struct app *a, long hours);
void app_set_filter(struct app *a, const char *filter);
void app_set_interval(struct app *a, double seconds);
void app_message(struct app *a, const char *fmt, ...);
/* Open the change timeline of an entity (replacing any open one) / close it. */
void app_open_entity(struct app *a, const struct entity_spec *spec, const char *text);
void app_close_entity(struct app *a);
/* Open / close the storage and freshness view. */
void app_open_storage(struct app *a);
void app_close_storage(struct app *a);

/* A quit/terminate signal that arrived (0 when none). */
int app_pending_signal(void);

#endif
