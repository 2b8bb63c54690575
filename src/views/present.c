/* Figures and labels computed from the model for both front ends. */
#include "views/present.h"

#include <stdio.h>
#include <string.h>

#include "util/fmt.h"
#include "db/queries.h"
#include "model/health.h"

void present_backend(const struct caps *c, char *buf, size_t len)
{
	if (c->tsdb_version[0])
		snprintf(buf, len, "TimescaleDB %s", c->tsdb_version);
	else
		snprintf(buf, len, "%s PostgreSQL %.*s", c->native ? "native" : "plain",
		         (int)strcspn(c->server_version, " "), c->server_version);
}

void present_server(const struct app *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s", a->db.label[0] ? a->db.label : "(not connected)");
}

void present_session(const struct app *a, char *buf, size_t len)
{
	const struct db_facts *f = &a->db.facts;
	char lag[48] = "";
	buf[0] = '\0';
	if (!f->known)
		return;
	if (f->standby && f->replay_lag_s >= 0)
		snprintf(lag, sizeof lag, "standby, replay lag %.0f s", f->replay_lag_s);
	else if (f->standby)
		snprintf(lag, sizeof lag, "standby, replay lag unknown");
	/* Said once: without a stable session changes are polled, not heard. */
	snprintf(buf, len, "%s%s%s", lag, lag[0] && f->pooled ? "; " : "",
	         f->pooled ? "pooled: polling" : "");
}

void present_failure(const struct snapshot *s, int64_t *num, int64_t *den)
{
	int64_t ok = model_status_total(s, "completed"), f = model_status_total(s, "failed"),
	        t = model_status_total(s, "timeout");
	*num = f + t;
	*den = ok + f + t;
}

bool present_not_filtered(const struct snapshot *s, int64_t total, const char *kind, char *buf,
                          size_t len)
{
	if (!s->filter || total != 0)
		return false;
	if (s->filter_worker)
		snprintf(buf, len, "n/a: not filtered by worker");
	else if (s->nactions > 0 || s->total_exec > 0)
		snprintf(buf, len, "n/a: not filtered by action");
	else if (s->nworkers > 0)
		snprintf(buf, len, "n/a: not filtered by worker");
	else
		snprintf(buf, len, "n/a: no %s named %s", kind, s->filter);
	return true;
}

int present_failure_level(int64_t num, int64_t den)
{
	if (den <= 0)
		return -1;
	if (num == 0)
		return 0;
	if (num * 100 < den * 5)
		return 1;
	if (num * 100 < den * 20)
		return 2;
	return 3;
}

/* Native installs: where the figures came from, as Attune's own reader
 * says it. The hours of the kind with the fewest built hours count. */
static bool read_mode(const struct app *a, char *buf, size_t len)
{
	const struct snapshot *s = a->snap;
	if (a->caps.native && !a->caps.ledger) {
		snprintf(buf, len, "raw only: summary ledger not readable");
		return true;
	}
	if (!s->summary_read)
		return false;
	int64_t built = -1;
	for (int k = 0; k < SUMMARY_KINDS; k++)
		if (a->caps.summary[queries_summary_rel(k)] &&
		    (built < 0 || s->summary_hours[k] < built))
			built = s->summary_hours[k];
	if (built <= 0)
		snprintf(buf, len, "raw only: no built hours in range");
	else
		snprintf(buf, len, "summaries %lld h + raw %lld h", (long long)built,
		         (long long)(s->nbuckets - built));
	return true;
}

void present_freshness(const struct app *a, bool utc, char *buf, size_t len)
{
	const struct snapshot *s = a->snap;
	char t[40];
	buf[0] = '\0';
	if (s && read_mode(a, buf, len))
		return;
	if (!s || !s->materialized_through)
		return;
	if (queries_tail_fallback(&a->caps)) {
		snprintf(buf, len, "aggregate watermark unknown: last 2 h from raw rows");
		return;
	}
	if (utc)
		fmt_iso_utc(t, sizeof t, s->materialized_through * 1000000, false);
	else
		fmt_timestamp(t, sizeof t, s->materialized_through * 1000000, false, false);
	snprintf(buf, len, "aggregates materialized through %s, newer from raw rows",
	         utc ? t : t + 11);
}

void present_state(const struct app *a, char *buf, size_t len)
{
	char age[32];
	switch (a->phase) {
	case PH_DISCONNECTED:
	case PH_CONNECTING:
	case PH_SETUP:
	case PH_CAPS: {
		const char *what = a->phase == PH_DISCONNECTED ? "reconnecting" : "connecting";
		if (!a->snap) {
			snprintf(buf, len, "%s", what);
			return;
		}
		/* the age keeps counting while a reconnect is slow */
		fmt_duration(age, sizeof age, db_now() - a->snap->fetched_at);
		snprintf(buf, len, "STALE %s, %s", age, what);
		return;
	}
	case PH_READY:
		break;
	}
	double fetched = a->view->fetched_at(a);
	if (fetched <= 0) {
		snprintf(buf, len, "loading");
		return;
	}
	fmt_duration(age, sizeof age, db_now() - fetched);
	snprintf(buf, len, "%s, data %s old", a->paused ? "PAUSED" : "live", age);
}

int present_worker_flapping(const struct worker_row *w)
{
	return health_worker_flapping(w);
}

/* Stale: a worker that claims to be up but has not sent a heartbeat for
 * a while (model/health.c). */
int present_worker_stale(const struct worker_row *w)
{
	return health_worker_stale(w);
}

enum status_role present_status_role(const char *st)
{
	static const char *const ok[] = {"completed", "succeeded", "processed",
	                                 "active",    "online",    NULL};
	/* "inactive" is a retired worker, not a fault: neither red nor green. */
	static const char *const bad[] = {"failed",    "timeout", "timed_out", "error",
	                                  "abandoned", "offline", NULL};
	static const char *const busy[] = {"requested", "scheduling", "scheduled",
	                                   "running",   "canceling",  "busy",
	                                   "draining",  "created",    NULL};
	if (!st)
		return ROLE_UNKNOWN;
	for (int i = 0; ok[i]; i++)
		if (strcmp(st, ok[i]) == 0)
			return ROLE_SUCCESS;
	for (int i = 0; bad[i]; i++)
		if (strcmp(st, bad[i]) == 0)
			return ROLE_FAILURE;
	for (int i = 0; busy[i]; i++)
		if (strcmp(st, busy[i]) == 0)
			return ROLE_PROGRESS;
	return ROLE_UNKNOWN;
}
