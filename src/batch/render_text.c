/* Batch front end: plain text frames on stdout, no escape sequences. Every
 * free-text field (refs, names) is sanitised and printed last on its line
 * so that the frames stay easy to read and to parse. */
#include "batch/render_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util/fmt.h"
#include "views/overview.h"
#include "views/present.h"
#include "util/spark.h"
#include "util/textwidth.h"

#define SPARK_MAX_COLS 120
#define TEXT_MAX       4096

/* Sanitised text (control characters and, outside UTF-8, multibyte text
 * replaced), or "-" for a missing value. */
static const char *clean(const char *s, char *buf, size_t len)
{
	if (!s || !*s)
		return "-";
	tw_fit(buf, len, s, TEXT_MAX, false);
	return buf;
}

/* A total, or "n/a" when its relation is missing or its query failed. */
static const char *total(char buf[24], int64_t v)
{
	if (v < 0)
		return "n/a";
	snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}

static void print_header(struct app *a, const struct snapshot *s)
{
	char now[40], start[40], server[512], backend[96], filt[512];
	fmt_iso_utc(now, sizeof now, s->server_now_us, false);
	fmt_iso_utc(start, sizeof start, s->range_start * 1000000, false);
	present_server(a, server, sizeof server);
	present_backend(&a->caps, backend, sizeof backend);
	char rl[16];
	range_label(s->range_hours, rl, sizeof rl);
	printf("=== attune-top frame %ld at %s ===\n", a->refreshes, now);
	printf("server: %s  backend: %s  schema: %s  read-only\n", clean(server, filt, sizeof filt),
	       backend, a->caps.schema);
	printf("range: %s (%d buckets from %s)  refresh took: %.3fs  filter: %s\n", rl, s->nbuckets,
	       start, s->refresh_seconds, clean(s->filter, filt, sizeof filt));
	char fresh[160];
	present_freshness(a, true, fresh, sizeof fresh);
	if (fresh[0])
		printf("freshness: %s\n", fresh);
	char e1[24], e2[24], e3[24];
	printf("totals: executions %s  events %s  enforcements %s\n", total(e1, s->total_exec),
	       total(e2, s->total_events), total(e3, s->total_enforcements));
	if (s->inflight_failed) {
		printf("in flight: unavailable\n");
		return;
	}
	printf("in flight: %lld", (long long)s->total_inflight);
	for (int i = 0; i < s->ninflight; i++)
		printf("  %s %lld", clean(s->inflight[i].name, filt, sizeof filt),
		       (long long)s->inflight[i].count);
	printf("\n");
}

static bool panel_note(const struct snapshot *s, enum panel_id p)
{
	if (!s->panel[p].missing && !s->panel[p].failed)
		return false;
	printf("(unavailable: %s)\n", s->panel[p].note);
	return true;
}

static void print_series(const char *name, const int64_t *v, int n, int group, bool ascii)
{
	int64_t cols[SPARK_MAX_COLS + 1], mn, mx, last, tot;
	char line[4 * SPARK_MAX_COLS + 8];
	int nc = spark_reduce(v, n, group, cols, SPARK_MAX_COLS + 1);
	int known = spark_stats(v, n, &mn, &mx, &last, &tot);
	spark_render(line, cols, nc, ascii);
	if (!known)
		printf("%-13s %9s %9s %9s %10s  %s\n", name, "-", "-", "-", "n/a", line);
	else
		printf("%-13s %9lld %9lld %9lld %10lld  %s\n", name, (long long)mn, (long long)mx,
		       (long long)last, (long long)tot, line);
}

static void print_throughput(const struct snapshot *s)
{
	bool ascii = !tw_utf8();
	int group = spark_group(s->nbuckets, SPARK_MAX_COLS);
	printf("\nTHROUGHPUT  1 column = %dh\n", group);
	printf("%-13s %9s %9s %9s %10s  %s\n", "series", "min", "max", "last", "total",
	       "sparkline");
	print_series("executions", s->exec_created, s->nbuckets, group, ascii);
	print_series("events", s->events, s->nbuckets, group, ascii);
	print_series("enforcements", s->enforcements, s->nbuckets, group, ascii);
	print_series("completed", s->completed, s->nbuckets, group, ascii);
	print_series("failed", s->failed, s->nbuckets, group, ascii);
	if (s->panel[PANEL_THROUGHPUT].note[0])
		printf("(unavailable: %s)\n", s->panel[PANEL_THROUGHPUT].note);
}

static void print_status(const struct snapshot *s)
{
	int64_t num, den;
	char pct[16], buf[TEXT_MAX];
	present_failure(s, &num, &den);
	fmt_pct(pct, sizeof pct, num, den);
	printf("\nSTATUS BREAKDOWN  failure rate %s (%lld/%lld)\n", pct, (long long)num,
	       (long long)den);
	if (panel_note(s, PANEL_STATUS))
		return;
	printf("%10s %7s  %s\n", "count", "share", "status");
	for (int i = 0; i < s->nstatuses; i++) {
		fmt_pct(pct, sizeof pct, s->statuses[i].total, s->total_transitions);
		printf("%10lld %7s  %s\n", (long long)s->statuses[i].total, pct,
		       clean(s->statuses[i].status, buf, sizeof buf));
	}
}

static void print_actions(const struct app *a, const struct snapshot *s)
{
	char pct[16], buf[TEXT_MAX];
	printf("\nTOP ACTIONS  sort: %s\n", model_sort_label(overview_ui.sort));
	if (panel_note(s, PANEL_ACTIONS))
		return;
	printf("%10s %10s %8s %8s %9s  %s\n", "executions", "completed", "failed", "timeout",
	       "failure%", "action");
	for (int i = 0; i < s->nactions; i++) {
		const struct action_row *r = &s->actions[i];
		fmt_pct(pct, sizeof pct, r->failed + r->timeout,
		        r->completed + r->failed + r->timeout);
		printf("%10lld %10lld %8lld %8lld %9s  %s\n", (long long)r->executions,
		       (long long)r->completed, (long long)r->failed, (long long)r->timeout, pct,
		       clean(r->ref, buf, sizeof buf));
	}
}

static void print_workers(const struct snapshot *s)
{
	char age[32], hp[600], b1[TEXT_MAX], b2[256], b3[64], b4[64], b5[64];
	printf("\nWORKERS\n");
	if (panel_note(s, PANEL_WORKERS))
		return;
	printf("%6s %-10s %-8s %-10s %9s %11s %-14s %-22s %s\n", "id", "status", "role", "type",
	       "heartbeat", "transitions", "flags", "host:port", "name");
	for (int i = 0; i < s->nworkers; i++) {
		const struct worker_row *w = &s->workers[i];
		if (w->has_heartbeat)
			fmt_age(age, sizeof age, w->heartbeat_age);
		else
			snprintf(age, sizeof age, "-");
		snprintf(hp, sizeof hp, "%s:%d", w->host ? w->host : "-", w->port);
		char flags[32];
		snprintf(flags, sizeof flags, "%s%s%s", present_worker_stale(w) ? "stale" : "",
		         present_worker_stale(w) && present_worker_flapping(w) ? "," : "",
		         present_worker_flapping(w) ? "flapping" : "");
		char tr[24];
		printf("%6lld %-10s %-8s %-10s %9s %11s %-14s %-22s %s\n", (long long)w->id,
		       clean(w->status, b3, sizeof b3), clean(w->role, b4, sizeof b4),
		       clean(w->type, b5, sizeof b5), age,
		       w->transitions < 0 ? "-" : total(tr, w->transitions), flags[0] ? flags : "-",
		       clean(hp, b2, sizeof b2), clean(w->name, b1, sizeof b1));
	}
}

static void print_changes(const struct snapshot *s)
{
	char ts[40], b1[TEXT_MAX], b2[128], b3[128];
	printf("\nRECENT STATUS CHANGES\n");
	if (panel_note(s, PANEL_CHANGES))
		return;
	printf("%-27s %10s %-12s %-12s %s\n", "time", "execution", "old", "new", "action");
	int n = s->nchanges < 20 ? s->nchanges : 20;
	for (int i = 0; i < n; i++) {
		const struct change_row *c = &s->changes[i];
		fmt_iso_utc(ts, sizeof ts, c->time_us, true);
		printf("%-27s %10lld %-12s %-12s %s\n", ts, (long long)c->id,
		       clean(c->old_status, b2, sizeof b2), clean(c->new_status, b3, sizeof b3),
		       clean(c->ref, b1, sizeof b1));
	}
}

/* "field: old → new; …" from the server-built change list. */
static void print_change_list(const char *changes, const char *op)
{
	char buf[TEXT_MAX], buf2[TEXT_MAX];
	if (!changes || !*changes) {
		printf("%s\n", strcmp(op, "DELETE") == 0 ? "(row deleted)" : "-");
		return;
	}
	static struct tl_change c;
	bool first = true;
	for (const char *p = changes; (p = timeline_change_next(p, &c)) != NULL; first = false) {
		printf("%s%s", first ? "" : "; ", clean(c.field, buf, sizeof buf));
		if (strcmp(op, "INSERT") == 0)
			printf("=%s", clean(c.newv, buf, sizeof buf));
		else
			printf(": %s -> %s", clean(c.oldv, buf, sizeof buf),
			       clean(c.newv, buf2, sizeof buf2));
	}
	printf("\n");
}

static void print_timeline_rows(const struct tl_snapshot *s)
{
	char ts[40], gap[40];
	for (int i = 0; i < s->nrows; i++) {
		const struct tl_row *r = &s->rows[i];
		fmt_iso_utc(ts, sizeof ts, r->key.time_us, true);
		if (r->gap_us < 0)
			snprintf(gap, sizeof gap, "-");
		else
			snprintf(gap, sizeof gap, "%lld.%06lld", (long long)(r->gap_us / 1000000),
			         (long long)(r->gap_us % 1000000));
		printf("%-27s %16s %-6s ", ts, gap, r->op);
		print_change_list(r->changes, r->op);
	}
}

void batch_print_timeline(const struct timeline *t, bool continued)
{
	const struct tl_snapshot *s = t->snap;
	char buf[TEXT_MAX], now[40], dur[32];
	if (continued) {
		print_timeline_rows(s);
		fflush(stdout);
		return;
	}
	fmt_iso_utc(now, sizeof now, s->now_us, false);
	printf("=== attune-top entity %s at %s ===\n", clean(t->label, buf, sizeof buf), now);
	if (s->live) {
		printf("live:");
		for (int i = 0; i < s->nlive; i++) {
			const char *v = s->live_fields[i].value;
			bool is_time = strcmp(s->live_fields[i].name, "created") == 0 ||
			               strcmp(s->live_fields[i].name, "started") == 0 ||
			               strcmp(s->live_fields[i].name, "updated") == 0 ||
			               strcmp(s->live_fields[i].name, "heartbeat") == 0;
			char tv[40];
			if (v && is_time) {
				fmt_iso_utc(tv, sizeof tv, strtoll(v, NULL, 10), true);
				v = tv;
			}
			printf("  %s=%s", s->live_fields[i].name, clean(v, buf, sizeof buf));
		}
		printf("\n");
	} else {
		printf("live: no live row - deleted\n");
	}
	double life;
	const char *how;
	if (timeline_lifetime(s, &life, &how)) {
		fmt_duration(dur, sizeof dur, life);
		printf("lifetime: %.6fs (%s) %s\n", life, dur, how);
	}
	printf("\nTIME IN STATUS\n%16s %8s %-8s  %s\n", "seconds", "entries", "state", "status");
	for (int i = 0; i < s->nstatuses; i++) {
		const struct tl_status_time *st = &s->statuses[i];
		if (st->seconds < 0)
			printf("%16s %8ld %-8s  %s\n", "-", st->entries, "final",
			       clean(st->status, buf, sizeof buf));
		else
			printf("%16.6f %8ld %-8s  %s\n", st->seconds, st->entries,
			       st->ongoing ? "ongoing" : "-", clean(st->status, buf, sizeof buf));
	}
	if (s->has_detail && s->nrows > 0) {
		char ts[40], vbuf[TEXT_MAX];
		fmt_iso_utc(ts, sizeof ts, s->detail_key.time_us, true);
		printf("\nSTATE AT %s\n", ts);
		for (int i = 0; i < s->nstate; i++)
			printf("%s=%s\n", clean(s->state[i].name, buf, sizeof buf),
			       clean(s->state[i].value, vbuf, sizeof vbuf));
	}
	printf("\nHISTORY  %lld rows, newest first, filter op=%s field=%s\n", (long long)s->total,
	       s->op_filter ? s->op_filter : "-", s->field_filter ? s->field_filter : "-");
	printf("%-27s %16s %-6s %s\n", "time", "gap_s", "op", "changes");
	print_timeline_rows(s);
	fflush(stdout);
}

void batch_print_overview(struct app *a)
{
	const struct snapshot *s = a->snap;
	print_header(a, s);
	print_throughput(s);
	print_status(s);
	print_actions(a, s);
	print_workers(s);
	print_changes(s);
	printf("\n");
	fflush(stdout);
}

static void text_refreshed(struct app *a)
{
	if (a->view->print)
		a->view->print(a);
}

static int text_init(struct app *a)
{
	(void)a;
	return 0;
}

static void text_nothing(struct app *a)
{
	(void)a;
}

const struct frontend text_frontend = {
    .init = text_init,
    .refreshed = text_refreshed,
    .draw = text_nothing,
    .input_fd = -1,
    .on_input = text_nothing,
    .fini = text_nothing,
};
