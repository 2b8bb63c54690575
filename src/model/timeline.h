/* Per-entity change timeline: one execution's or worker's history rows,
 * fetched a page at a time with keyset pagination on (entity_id, time), the
 * live row, time spent in each status, and the state reconstructed at the
 * selected row. Builds its queries and reads their results; no curses. */
#ifndef ATTUNE_TIMELINE_H
#define ATTUNE_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"
#include "db/db.h"
#include "model/model.h"
#include "util/parse.h"

#define TL_PAGE 100 /* history rows held at a time, whatever the length */

enum tl_query {
	TQ_LIVE = 0, /* the live row */
	TQ_STATUS,   /* time spent in each status */
	TQ_LIFETIME, /* born / finished / deleted */
	TQ_COUNT,    /* rows matching the filters, and the page's position */
	TQ_PAGE,     /* one page of history rows */
	TQ_DETAIL,   /* pretty JSON of the selected row */
	TQ_STATE,    /* state reconstructed at the selected row */
	TQ_LISTEN,   /* LISTEN on Attune's execution channels (once) */
	TQ_N,
};

/* Where the next page comes from. */
enum tl_move {
	TL_STAY = 0, /* the same rows (a refresh) */
	TL_TOP,      /* newest rows */
	TL_OLDER,    /* the page after the current one */
	TL_NEWER,    /* the page before */
	TL_END,      /* oldest rows */
};

/* The sort key of a history row: rows of one entity are ordered by time,
 * then INSERT < UPDATE < DELETE, then a digest of the row (same-time ties). */
struct tl_key {
	int64_t time_us;
	int rank;
	char tb[33];
};

struct tl_row {
	struct tl_key key;
	const char *op;      /* INSERT, UPDATE or DELETE */
	const char *fields;  /* changed fields, comma-separated ("" for INSERT/DELETE) */
	const char *changes; /* "field\x1fold\x1fnew" items joined by \x1e */
	int64_t gap_us;      /* since the previous (older) row; -1 when none */
};

struct tl_status_time {
	const char *status;
	double seconds; /* time spent; < 0 when final (terminal, last) */
	long entries;   /* how many times it was entered */
	bool ongoing;   /* the current status of a live entity */
};

struct tl_field {
	const char *name, *value;
};

/* One refresh of the timeline; everything lives in `arena`. */
struct tl_snapshot {
	struct arena arena;
	bool exists; /* a live row or at least one history row */
	bool live;   /* the live row exists */
	struct tl_field *live_fields;
	int nlive;
	int64_t born_us, finished_us, deleted_us, now_us; /* 0 when unknown */
	struct tl_status_time *statuses;
	int nstatuses;
	int64_t total;           /* rows matching the filters */
	int64_t first_index;     /* position of rows[0] among them, newest first */
	int64_t above, above_eq; /* rows newer than the anchor (>, >=) */
	struct tl_row *rows;
	int nrows;
	const char *detail_old, *detail_new; /* pretty JSON of the selected row */
	struct tl_field *state;
	int nstate;
	bool has_detail;
	struct tl_key detail_key;
	char error[320];                      /* a failed query, one line */
	const char *op_filter, *field_filter; /* filters these rows were read with */
};

struct timeline {
	struct entity_spec spec;
	char *name;              /* worker name when spec.by_name (owned) */
	char label[300];         /* "execution:42" */
	enum tl_move move;       /* what the next refresh fetches */
	enum tl_move batch_move; /* what the batch in flight fetches */
	struct tl_key anchor;    /* key the move is relative to */
	bool have_anchor;
	int sel;                      /* selected row within the page */
	int place_sel;                /* after the next page: 1 first row, -1 last, 0 keep */
	int batch_place;              /* place_sel of the batch in flight */
	bool move_pending;            /* a page change not yet sent */
	bool listening;               /* LISTEN sent on this connection */
	bool may_listen;              /* the session is stable (no pooler, not a standby) */
	int nlisten;                  /* LISTENs closing the batch in flight */
	char *op_filter;              /* INSERT/UPDATE/DELETE or NULL */
	char *field_filter;           /* changed field or NULL */
	struct tl_snapshot *snap;     /* newest complete */
	struct tl_snapshot *building; /* in flight */
	int batch_index[TQ_N + 1];
	/* Parameters of the batch in flight (must outlive it). */
	char p_entity[64], p_time[32], p_rank[8], p_stime[32], p_srank[8];
	char p_stb[33];
	char *sql[TQ_N];
};

/* Open a timeline for an entity; `text` is the --entity value. */
void timeline_init(struct timeline *t, const struct entity_spec *spec, const char *text);
void timeline_free(struct timeline *t);

/* The batch for one refresh (queries into q/idx). Returns the count; the
 * last t->nlisten of them are LISTENs, sent after the batch's transaction
 * (only when t->may_listen). */
int timeline_batch(struct timeline *t, const struct caps *caps, struct db_query *q);
void timeline_take(struct timeline *t, int index, const struct rowset *res);
/* The batch in flight was lost (connection failure). */
void timeline_abort_batch(struct timeline *t);
/* The refresh completed: the new snapshot replaces the old. */
void timeline_finish_batch(struct timeline *t);

/* The selected row's detail and state are not in the snapshot yet. */
bool timeline_needs_detail(const struct timeline *t);

/* Navigation: returns true when a refresh is needed to show the result. */
bool timeline_move(struct timeline *t, int delta);
bool timeline_jump(struct timeline *t, enum tl_move where);
void timeline_set_filters(struct timeline *t, const char *op, const char *field);

/* One item of a row's change list (tl_row.changes). */
struct tl_change {
	char field[256];
	char oldv[4096]; /* "" for INSERT */
	char newv[4096];
};

/* Read the item at p into c; returns where the next item starts, or NULL
 * when p holds no more. Usage: for (p = row->changes; (p = next(p, &c));) */
const char *timeline_change_next(const char *p, struct tl_change *c);

/* Total lifetime in seconds and how it ends ("ongoing", "until completed",
 * "until deleted"); false when unknown. */
bool timeline_lifetime(const struct tl_snapshot *s, double *seconds, const char **how);

/* A live-row field that holds a time (epoch microseconds). */
bool timeline_is_time_field(const char *name);

#endif
