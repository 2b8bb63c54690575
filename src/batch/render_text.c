/* Batch front end: plain text frames on stdout, no escape sequences. Every
 * free-text field (refs, names) is sanitised and printed last on its line
 * so that the frames stay easy to read and to parse. */
#include "batch/render_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db/queries.h"
#include "util/fmt.h"
#include "views/present.h"
#include "util/spark.h"
#include "util/textwidth.h"

/* Sanitised text (control characters and, outside UTF-8, multibyte text
 * replaced), or "-" for a missing value. */
const char *text_clean(const char *s, char *buf, size_t len)
{
	if (!s || !*s)
		return "-";
	tw_fit(buf, len, s, TEXT_MAX, false);
	return buf;
}

void batch_print_header(struct app *a, const struct snapshot *s)
{
	char now[40], start[40], server[512], backend[96], filt[512];
	fmt_iso_utc(now, sizeof now, s->server_now_us, false);
	fmt_iso_utc(start, sizeof start, s->range_start * 1000000, false);
	present_server(a, server, sizeof server);
	present_backend(&a->caps, backend, sizeof backend);
	if (queries_any_raw(&a->caps)) /* plain views: how they are read */
		snprintf(backend + strlen(backend), sizeof backend - strlen(backend),
		         ", %sraw from sources",
		         queries_any_summary(&a->caps) ? "summaries + " : "");
	char rl[16];
	range_label(s->range_hours, rl, sizeof rl);
	printf("=== attune-top frame %ld at %s ===\n", a->refreshes, now);
	printf("server: %s  backend: %s  schema: %s  read-only\n",
	       text_clean(server, filt, sizeof filt), backend, a->caps.schema);
	char session[96];
	present_session(a, session, sizeof session);
	if (session[0])
		printf("session: %s\n", session);
	printf("range: %s (%d buckets from %s)  refresh took: %.3fs  filter: %s\n", rl, s->nbuckets,
	       start, s->refresh_seconds, text_clean(s->filter, filt, sizeof filt));
	if (s->filter_worker)
		printf("filter scope: executions run by worker %s\n", filt);
	char fresh[160];
	present_freshness(a, true, fresh, sizeof fresh);
	if (fresh[0])
		printf("freshness: %s\n", fresh);
	char e1[24], e2[24], e3[24], why[160];
	/* Events and enforcements a filter does not reach are n/a, not 0. */
	bool ne = present_not_filtered(s, s->total_events, "trigger", why, sizeof why);
	bool nf = present_not_filtered(s, s->total_enforcements, "rule", why, sizeof why);
	printf("totals: executions %s  events %s  enforcements %s\n", fmt_total(e1, s->total_exec),
	       ne ? "n/a" : fmt_total(e2, s->total_events),
	       nf ? "n/a" : fmt_total(e3, s->total_enforcements));
	if (s->inflight_failed) {
		printf("in flight: unavailable\n");
		return;
	}
	printf("in flight: %lld", (long long)s->total_inflight);
	for (int i = 0; i < s->ninflight; i++)
		printf("  %s %lld", text_clean(s->inflight[i].name, filt, sizeof filt),
		       (long long)s->inflight[i].count);
	printf("\n");
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
	static char oldv[sizeof c.oldv], newv[sizeof c.newv];
	bool first = true;
	for (const char *p = changes; (p = timeline_change_next(p, &c)) != NULL; first = false) {
		printf("%s%s", first ? "" : "; ", text_clean(c.field, buf, sizeof buf));
		fmt_marked_times(oldv, sizeof oldv, c.oldv, true);
		fmt_marked_times(newv, sizeof newv, c.newv, true);
		if (strcmp(op, "INSERT") == 0)
			printf("=%s", text_clean(newv, buf, sizeof buf));
		else
			printf(": %s -> %s", text_clean(oldv, buf, sizeof buf),
			       text_clean(newv, buf2, sizeof buf2));
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
	printf("=== attune-top entity %s at %s ===\n", text_clean(t->label, buf, sizeof buf), now);
	if (s->live) {
		printf("live:");
		for (int i = 0; i < s->nlive; i++) {
			const char *v = s->live_fields[i].value;
			char tv[40];
			if (v && timeline_is_time_field(s->live_fields[i].name)) {
				fmt_iso_utc(tv, sizeof tv, strtoll(v, NULL, 10), true);
				v = tv;
			}
			printf("  %s=%s", s->live_fields[i].name, text_clean(v, buf, sizeof buf));
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
			       text_clean(st->status, buf, sizeof buf));
		else
			printf("%16.6f %8ld %-8s  %s\n", st->seconds, st->entries,
			       st->ongoing ? "ongoing" : "-",
			       text_clean(st->status, buf, sizeof buf));
	}
	if (s->has_detail && s->nrows > 0) {
		char ts[40], vbuf[TEXT_MAX], times[TEXT_MAX];
		fmt_iso_utc(ts, sizeof ts, s->detail_key.time_us, true);
		printf("\nSTATE AT %s\n", ts);
		for (int i = 0; i < s->nstate; i++) {
			fmt_marked_times(times, sizeof times, s->state[i].value, true);
			printf("%s=%s\n", text_clean(s->state[i].name, buf, sizeof buf),
			       text_clean(s->state[i].value ? times : NULL, vbuf, sizeof vbuf));
		}
	}
	printf("\nHISTORY  %lld rows, newest first, filter op=%s field=%s\n", (long long)s->total,
	       s->op_filter ? s->op_filter : "-", s->field_filter ? s->field_filter : "-");
	printf("%-27s %16s %-6s %s\n", "time", "gap_s", "op", "changes");
	print_timeline_rows(s);
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
