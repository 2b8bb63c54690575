/* The data model: what the server told us, as plain typed values.
 * Filled from query results (model.c); read by the renderers. No curses. */
#ifndef ATTUNE_MODEL_H
#define ATTUNE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"

/* Relations attune-top reads, in SPEC order. */
enum rel_id {
	REL_EXECUTION_STATUS_HOURLY = 0,
	REL_EXECUTION_THROUGHPUT_HOURLY,
	REL_EVENT_VOLUME_HOURLY,
	REL_WORKER_STATUS_HOURLY,
	REL_ENFORCEMENT_VOLUME_HOURLY,
	REL_EXECUTION_VOLUME_HOURLY,
	REL_EXECUTION_HISTORY,
	REL_WORKER_HISTORY,
	REL_WORKER,
	REL_EXECUTION,
	REL_EVENT,       /* raw source of event_volume_hourly */
	REL_ENFORCEMENT, /* raw source of enforcement_volume_hourly */
	REL_COUNT,
};

enum rel_kind {
	RELK_MISSING = 0,
	RELK_TABLE,         /* ordinary or partitioned table (or hypertable) */
	RELK_VIEW,          /* plain view: always current */
	RELK_MATVIEW,       /* PostgreSQL materialized view */
	RELK_CAGG_MATONLY,  /* TimescaleDB continuous aggregate, materialized only */
	RELK_CAGG_REALTIME, /* TimescaleDB continuous aggregate, real-time */
};

const char *model_rel_name(enum rel_id r);
const char *model_rel_kind_label(enum rel_kind k);

/* What the connection can do, found once per connection. */
struct caps {
	char schema[256];        /* resolved Attune schema */
	char *qschema;           /* the schema quoted as an identifier (malloc) */
	char tsdb_version[32];   /* "" on plain PostgreSQL */
	char server_version[32]; /* server_version setting */
	char database[128];      /* current_database() */
	enum rel_kind kind[REL_COUNT];
	char status_type[256];       /* SQL type of execution.status ("" if not an enum) */
	bool notify;                 /* Attune's execution NOTIFY channels exist */
	char *q_ts_schema;           /* TimescaleDB's schema, quoted (malloc), or NULL */
	char ts_schema[64];          /* TimescaleDB's schema (time_bucket lives there) */
	char ts_func_schema[64];     /* where cagg_watermark lives, "" when not found */
	int mat_id[REL_COUNT];       /* materialization hypertable of each aggregate */
	bool partitioned[REL_COUNT]; /* a partitioned table (native day partitions) */
	bool native;                 /* hourly summaries with their ledger (current Attune) */
	bool ledger;                 /* ... and this role can read the ledger and queue */
	bool summary[REL_COUNT];     /* built hours of r come from its summary table */
	char *inflight_array;        /* array literal of non-terminal execution statuses (malloc) */
	int64_t clock_offset_us;     /* server clock minus local clock */
};

void caps_clear(struct caps *c);

/* Panels of the overview. */
enum panel_id {
	PANEL_THROUGHPUT = 0,
	PANEL_STATUS,
	PANEL_ACTIONS,
	PANEL_WORKERS,
	PANEL_FAILURES,
	PANEL_CHANGES,
	PANEL_COUNT,
};

struct panel_state {
	bool failed;    /* a query of this panel failed this refresh */
	bool missing;   /* a relation it needs does not exist */
	char note[320]; /* why, one line */
};

struct status_series {
	const char *status;
	int64_t total;
	int64_t *buckets; /* nbuckets values */
};

struct action_row {
	const char *ref;
	int64_t executions;                 /* created in range (execution_throughput_hourly) */
	int64_t completed, failed, timeout; /* transitions into these statuses */
	int64_t *buckets;                   /* executions created per bucket */
};

struct worker_row {
	int64_t id;
	const char *name, *type, *role, *status, *host;
	int port; /* 0 when NULL */
	bool has_heartbeat;
	int64_t heartbeat_us;       /* last heartbeat, epoch microseconds */
	double heartbeat_age;       /* seconds before server_now_us (snapshot_finish) */
	int64_t transitions;        /* status transitions in range */
	int64_t recent_transitions; /* in the current and previous hour */
};

/* Status transitions of one worker in one part of the range. */
struct worker_status {
	const char *name;
	int64_t count;
	int64_t recent;    /* of them in the current and previous hour */
	int64_t last_hour; /* from the hour before the one the part ends in */
};

struct change_row {
	int64_t time_us;                     /* epoch microseconds */
	int64_t id;                          /* execution id */
	const char *ref;                     /* action ref */
	const char *old_status, *new_status; /* NULL when absent */
};

/* An execution that ended in failure (failed, timeout, abandoned). */
struct failure_row {
	int64_t time_us;    /* execution.updated: when it ended, epoch microseconds */
	int64_t id;         /* execution id */
	const char *ref;    /* action ref */
	const char *status; /* failed, timeout, abandoned */
	const char *worker; /* executor's name, NULL when none */
	const char *error;  /* one line from execution.result, NULL when none */
};

struct named_count {
	const char *name;
	int64_t count;
};

/* Summary kinds of native installs (db/queries.c names them). */
#define SUMMARY_KINDS 4

/* One refresh's worth of data. Everything lives in `arena`. */
struct snapshot {
	struct arena arena;
	int64_t server_now_us;  /* now() on the server when the data was read */
	double fetched_at;      /* db_now() when the refresh completed */
	double refresh_seconds; /* how long the refresh took */
	long range_hours;
	int64_t range_start; /* epoch seconds of the first bucket */
	int nbuckets;        /* hourly buckets from range_start through now */
	int bucket_cap;      /* allocated length of every bucket array */
	const char *filter;  /* filter in effect, or NULL */

	int64_t *exec_created, *events, *enforcements, *completed, *failed;
	struct status_series *statuses;
	int nstatuses, status_cap; /* rows used, rows allocated */
	struct action_row *actions;
	int nactions, action_cap; /* rows used, rows allocated */
	int *action_slots;        /* hash index of actions by ref: row + 1, 0 = free */
	int action_slot_cap;
	struct worker_row *workers;
	int nworkers;
	bool filter_worker; /* the filter names a worker: its executions are shown */
	/* Worker transitions as read, by part; folded into workers[] by
	 * snapshot_finish. Not read (worker_status_hourly missing): -1 there. */
	struct worker_status *worker_status;
	int nworker_status, worker_status_cap;
	bool worker_status_read;
	struct change_row *changes;
	int nchanges;
	struct failure_row *failures; /* newest first */
	int nfailures;
	struct named_count *inflight;
	int ninflight;
	int64_t oldest_inflight_id; /* the oldest execution in flight, 0: none, -1: unknown */
	int64_t oldest_inflight_us; /* its created, epoch microseconds */

	int64_t total_exec, total_events, total_enforcements; /* -1: unavailable */
	int64_t total_inflight;
	int64_t total_transitions; /* all status transitions in range */
	struct panel_state panel[PANEL_COUNT];
	bool inflight_failed;
	int64_t materialized_through; /* earliest aggregate watermark (epoch s), 0: none */
	/* Native installs: hours each summary kind served (clean, built), and
	 * the state of the kept hours' ledger and queue (see OQ_KEPT). */
	bool summary_read;
	int64_t summary_hours[SUMMARY_KINDS];
	const char *kept_signature;
};

/* Bucket arithmetic shared by queries and tests. */
int64_t model_range_start(int64_t server_now_s, long range_hours);
int model_bucket_count(int64_t range_start, int64_t server_now_s);

/* Failure rate per SPEC: (failed + timeout) / (completed + failed + timeout). */
int64_t model_status_total(const struct snapshot *s, const char *status);

/* A snapshot for the range that starts at range_start (epoch seconds);
 * est_now_us is the estimated server clock, corrected by the server's own
 * now() when that result arrives (it comes first in every batch). */
struct snapshot *snapshot_new(long range_hours, int64_t range_start, int64_t est_now_us,
                              const char *filter);
void snapshot_free(struct snapshot *s);

/* For the readers of query results (db/overview_sql.c): the bucket of an
 * epoch in the range (-1 outside), the row of an action or a status
 * (added when new), the server clock, a string kept in the snapshot. */
int snapshot_bucket(const struct snapshot *s, int64_t epoch);
struct action_row *snapshot_action(struct snapshot *s, const char *ref);
struct status_series *snapshot_status(struct snapshot *s, const char *status);
void snapshot_set_now(struct snapshot *s, int64_t now_us);
const char *snapshot_text(struct snapshot *s, const char *text);
/* A throughput series, or a panel, without data: its note says why. */
void snapshot_series_unavailable(struct snapshot *s, int64_t *v, const char *name, const char *why);
void snapshot_panel_unavailable(struct snapshot *s, enum panel_id p, bool missing, const char *why);
/* Derived figures once every result is in. */
void snapshot_finish(struct snapshot *s);

/* A finished snapshot read again unchanged at now_us: the clock, the
 * current bucket and the workers' ages move on, nothing else. */
void snapshot_move_to(struct snapshot *s, int64_t now_us);

/* Add the settled part of a range (a snapshot of the same range filled by
 * the settled queries) into a snapshot filled by the live queries; both
 * before snapshot_finish. */
/* Add the kept settled part to s. Its last hour's worker transitions are
 * recent when that hour is the previous one. */
void snapshot_add_settled(struct snapshot *s, const struct snapshot *settled,
                          bool last_hour_recent);
/* One worker's transitions in the live part of s (all of them recent). */
void snapshot_worker_status(struct snapshot *s, const char *name, int64_t count, int64_t last_hour);

/* Whether two finished snapshots show the same: every figure, row and
 * note, heartbeat ages at their displayed precision (fmt_age). */
bool snapshot_same_view(const struct snapshot *a, const struct snapshot *b);

/* Sort actions: by executions (default), failures (failed + timeout),
 * failure rate, name, completed (ok) or timeouts. */
enum action_sort {
	SORT_EXECUTIONS = 0,
	SORT_FAILED,
	SORT_FAILURE_RATE,
	SORT_NAME,
	SORT_OK,
	SORT_TIMEOUT,
	SORT_COUNT,
};
const char *model_sort_label(enum action_sort k);
void snapshot_sort_actions(struct snapshot *s, enum action_sort k);

/* Heartbeat older than this is stale; this many transitions in the current
 * and previous hour mark a worker as flapping. */
#define WORKER_STALE_SECONDS    60.0
#define WORKER_FLAP_TRANSITIONS 4

#endif
