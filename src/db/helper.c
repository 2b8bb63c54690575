/* The second connection of the first refresh (see helper.h). */
#include "db/helper.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void forget_part(struct helper *h)
{
	h->n = 0;
	h->fn = NULL;
	h->lost = NULL;
}

/* Report every query of the part not read yet, then drop the part. */
static void lose_part(struct helper *h, const char *why)
{
	for (int i = 0; i < h->n && h->lost; i++)
		if (!h->delivered[i])
			h->lost(h->ctx, h->offset + i, why);
	forget_part(h);
}

/* The connection failed: what was due is lost, with its reason. */
static void fail(struct helper *h)
{
	char why[600];
	snprintf(why, sizeof why, "the second connection failed: %s", h->db.error);
	lose_part(h, why);
	helper_close(h);
}

void helper_close(struct helper *h)
{
	if (h->state == HELPER_OFF)
		return;
	if (h->state == HELPER_HELD || h->state == HELPER_BUSY)
		lose_part(h, "the second connection closed");
	forget_part(h);
	db_close(&h->db);
	h->state = HELPER_OFF;
}

void helper_start(struct helper *h, const struct settings *s, const char *password)
{
	helper_close(h);
	h->timeout_ms = s->statement_timeout_ms;
	if (db_connect_start(&h->db, s, password) == 0)
		h->state = HELPER_CONNECTING;
}

void helper_session_known(struct helper *h, const struct db_facts *main)
{
	if (!main->known || main->pooled || main->standby)
		helper_close(h);
}

bool helper_ready(const struct helper *h)
{
	return h->state == HELPER_READY && h->db.state == DB_IDLE;
}

bool helper_importing(const struct helper *h)
{
	return h->state == HELPER_HELD || (h->state == HELPER_BUSY && !h->imported);
}

bool helper_busy(const struct helper *h)
{
	return h->state == HELPER_HELD || h->state == HELPER_BUSY;
}

void helper_hold(struct helper *h, const struct db_query *q, int n, int offset, db_result_fn fn,
                 helper_lost_fn lost, void *ctx)
{
	forget_part(h);
	if (n > TXN_QUERIES)
		n = TXN_QUERIES;
	memcpy(h->q, q, (size_t)n * sizeof *q);
	memset(h->delivered, 0, sizeof h->delivered);
	h->n = n;
	h->offset = offset;
	h->fn = fn;
	h->lost = lost;
	h->ctx = ctx;
	h->imported = false;
	h->state = HELPER_HELD;
}

static bool on_part(void *ctx, int index, PGresult *res)
{
	struct helper *h = ctx;
	if (index < 0 || index >= h->n || h->delivered[index])
		return false;
	h->delivered[index] = true;
	return h->fn && h->fn(h->ctx, h->offset + index, res);
}

static void on_import(void *ctx, const char *failed)
{
	struct helper *h = ctx;
	h->imported = true;
	if (failed) {
		char why[600];
		snprintf(why, sizeof why, "cannot share the snapshot: %s", failed);
		lose_part(h, why);
	}
}

void helper_export(struct helper *h, const char *snapshot)
{
	if (h->state != HELPER_HELD)
		return;
	if (!snapshot) {
		helper_close(h);
		return;
	}
	struct txn_share share = {.import = snapshot, .on_import = on_import};
	if (txn_send_shared(&h->db, &h->txn, h->timeout_ms, h->q, h->n, &share, on_part, h) != 0)
		fail(h);
	else
		h->state = HELPER_BUSY;
}

int helper_fd(const struct helper *h)
{
	return h->state == HELPER_OFF ? -1 : db_fd(&h->db);
}

short helper_poll_events(const struct helper *h)
{
	return h->state == HELPER_OFF ? 0 : db_poll_events(&h->db);
}

/* One event of the connection; true when the part has just ended. */
static bool on_event(struct helper *h, enum db_event ev)
{
	bool due = helper_busy(h);
	switch (ev) {
	case DB_EV_CONNECTED:
		h->state = HELPER_READY;
		return false;
	case DB_EV_BATCH_DONE:
		if (h->state == HELPER_BUSY) {
			/* Its part is read: one connection is enough from now on. */
			forget_part(h);
			h->state = HELPER_OFF;
			db_close(&h->db);
			return true;
		}
		return false;
	case DB_EV_FAILED:
		fail(h);
		return due;
	case DB_EV_NONE:
		break;
	}
	return false;
}

bool helper_step(struct helper *h, double now, bool ready)
{
	/* PQconnectPoll only when the socket is ready (as for the main one). */
	if (h->state == HELPER_CONNECTING && !ready)
		return false;
	bool ended = false;
	while (h->state != HELPER_OFF) {
		enum db_event ev = db_step(&h->db, now);
		if (ev == DB_EV_NONE)
			break;
		ended |= on_event(h, ev);
	}
	return ended;
}
