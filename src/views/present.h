/* Figures and labels both front ends show, computed once from the model. */
#ifndef ATTUNE_PRESENT_H
#define ATTUNE_PRESENT_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

/* "TimescaleDB 2.23.0" or "plain PostgreSQL 15.20". */
void present_backend(const struct caps *c, char *buf, size_t len);

/* "user@host:port/dbname" of the live connection (kept across reconnects). */
void present_server(const struct app *a, char *buf, size_t len);
/* How the session reaches its data: "standby, replay lag N s" and/or
 * "pooled: polling" (a pooler in between: no LISTEN); "" when direct to a
 * primary. */
void present_session(const struct app *a, char *buf, size_t len);

/* Failure rate per SPEC: (failed + timeout) / (completed + failed + timeout)
 * over the range's status transitions. */
void present_failure(const struct snapshot *s, int64_t *num, int64_t *den);

/* A ref filter reaches events by trigger and enforcements by rule: a
 * total of 0 under a filter means no such ref (an action or worker
 * filter), so the figure does not apply ("n/a"), it is not a zero.
 * Writes why into buf ("not filtered by action", "no trigger named X"). */
bool present_not_filtered(const struct snapshot *s, int64_t total, const char *kind, char *buf,
                          size_t len);

/* Colour role of a failure rate: 0 green (0 %), 1 yellow (< 5 %),
 * 2 orange (< 20 %), 3 red (20 % and above); -1 when undefined. */
int present_failure_level(int64_t num, int64_t den);

/* Freshness of the aggregates for the header: "" when every aggregate is
 * current (plain views, real-time aggregates), else when they are
 * materialized through (utc: ISO UTC, else local HH:MM). */
void present_freshness(const struct app *a, bool utc, char *buf, size_t len);

/* Connection state for the header: "live", "connecting", "stale 12s", … */
void present_state(const struct app *a, char *buf, size_t len);

/* A worker's flapping / stale marks. */
int present_worker_flapping(const struct worker_row *w);
int present_worker_stale(const struct worker_row *w);

/* Terminal statuses colour as success/failure; others as in progress. */
enum status_role {
	ROLE_SUCCESS,
	ROLE_FAILURE,
	ROLE_PROGRESS,
	ROLE_UNKNOWN,
};
enum status_role present_status_role(const char *status);

#endif
