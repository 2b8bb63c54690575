/* Unit tests for the batch transaction (src/db/txn.c): every batch opens a
 * read-only transaction, sets its settings locally in its first statement,
 * returns to a savepoint after each query, and sends LISTENs after COMMIT. */
#include <string.h>

#include "db/txn.h"
#include "tap.h"

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

int main(void)
{
	struct db_query q[3] = {
	    {"SELECT 1", 0, {NULL}}, {"SELECT 2", 0, {NULL}}, {"LISTEN x", 0, {NULL}}};
	struct db_query out[TXN_MAX];
	int map[TXN_MAX];
	int n = txn_wrap("10000", q, 3, 1, out, map);
	is_int(n, 9, "3 queries, 1 after: 9 statements");
	ok(strncmp(out[0].sql, "BEGIN", 5) == 0 && strstr(out[0].sql, "READ ONLY"),
	   "first: a read-only BEGIN");
	ok(out[1].sql == txn_prologue_sql && out[1].nparams == 1 &&
	       strcmp(out[1].params[0], "10000") == 0,
	   "second: the settings, with the timeout");
	ok(count(txn_prologue_sql, "set_config(") == 7 && count(txn_prologue_sql, ", true)") == 7,
	   "no setting outlives the transaction");
	ok(strcmp(out[2].sql, "SAVEPOINT attune_top") == 0, "then a savepoint");
	ok(map[3] == 0 && map[5] == 1 && strcmp(out[3].sql, "SELECT 1") == 0,
	   "queries keep their own indices");
	ok(strcmp(out[4].sql, "ROLLBACK TO SAVEPOINT attune_top") == 0 &&
	       strcmp(out[6].sql, "ROLLBACK TO SAVEPOINT attune_top") == 0,
	   "each query is followed by a return to the savepoint");
	ok(strcmp(out[7].sql, "COMMIT") == 0 && map[7] == -1, "COMMIT closes the transaction");
	ok(strcmp(out[8].sql, "LISTEN x") == 0 && map[8] == 2, "LISTEN after it, outside");
	ok(map[0] < 0 && map[1] < 0 && map[2] < 0 && map[4] < 0, "control statements map to none");
	n = txn_wrap("1", NULL, 0, 0, out, map);
	is_int(n, 4, "an empty batch: BEGIN, settings, savepoint, COMMIT");

	/* A batch shared by two connections (txn_share). */
	struct txn t = {.timeout = "10000"};
	t.share = (struct txn_share){.export_snapshot = true};
	n = txn_wrap_shared(&t, q, 2, out, map);
	is_int(n, 8, "exporter: 2 queries make 8 statements");
	ok(strcmp(out[1].sql, "SELECT pg_export_snapshot()") == 0 && map[1] < -1,
	   "exporter: the snapshot is exported right after BEGIN, outside any savepoint");
	ok(out[2].sql == txn_prologue_sql && strcmp(out[3].sql, "SAVEPOINT attune_top") == 0,
	   "exporter: then the settings and the savepoint");
	ok(map[4] == 0 && map[6] == 1 &&
	       strcmp(out[7].sql, "ROLLBACK TO SAVEPOINT attune_top") == 0,
	   "exporter: its queries with their own indices");
	int commits = 0;
	for (int i = 0; i < n; i++)
		commits += strcmp(out[i].sql, "COMMIT") == 0;
	is_int(commits, 0, "exporter: no COMMIT: the transaction stays open for the import");

	t.share = (struct txn_share){.import = "00000004-00000314-1"};
	strcpy(t.import_sql, "SET TRANSACTION SNAPSHOT '00000004-00000314-1'");
	n = txn_wrap_shared(&t, q, 2, out, map);
	is_int(n, 9, "importer: 2 queries make 9 statements");
	ok(strcmp(out[1].sql, t.import_sql) == 0 && map[1] < -1,
	   "importer: the snapshot is imported first, as PostgreSQL requires");
	ok(out[2].sql == txn_prologue_sql && map[4] == 0 && map[6] == 1,
	   "importer: the settings, then its queries with their own indices");
	ok(strcmp(out[8].sql, "COMMIT") == 0, "importer: COMMIT last");

	/* A snapshot id that is not one is never put into SQL. */
	struct db db = {0};
	struct txn_share bad = {.import = "1'; DROP TABLE x; --"};
	ok(txn_send_shared(&db, &t, 1000, q, 2, &bad, NULL, NULL) == -1 &&
	       strstr(db.error, "not a snapshot id"),
	   "importer: an id with anything but hex digits and dashes is refused");
	return done_testing();
}
