/* The throwaway cluster's SQL: its database, the Attune schema and the workload. */
#include "demo/cluster.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/session.h"
#include "db/sqltext.h"
#include "util/arena.h"
#include "util/err.h"

static PGconn *connect_quiet(const char *conninfo, char *err, size_t errlen)
{
	PGconn *conn = PQconnectdb(conninfo);

	if (!conn) {
		err_set(err, errlen, "cannot connect: out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		err_set(err, errlen, "cannot connect: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	session_quiet(conn);
	return conn;
}

/* Run (possibly several) statements; the last result tells success. */
static int run_sql(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = 0;

	if (!r || (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)) {
		const char *msg = r ? PQresultErrorMessage(r) : "";

		if (!msg[0])
			msg = PQerrorMessage(conn);
		err_set(err, errlen, "%s", msg);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* Create `schema` when missing and put it first on the search_path. */
static int use_schema(PGconn *conn, const char *schema, char *err, size_t errlen)
{
	char *id, *sql;
	size_t len;
	int rc;

	if (!schema)
		return 0;
	char why[256];
	id = session_quote(conn, schema, why, sizeof why);
	if (!id) {
		err_set(err, errlen, "bad schema name: %s", why);
		return -1;
	}
	len = 2 * strlen(id) + 96;
	sql = xmalloc(len);
	snprintf(sql, len, "CREATE SCHEMA IF NOT EXISTS %s; SET search_path = %s, public", id, id);
	rc = run_sql(conn, sql, err, errlen);
	free(sql);
	free(id);
	return rc;
}

static int exec_in_schema(PGconn *conn, const char *schema, const char *sql, char *err,
                          size_t errlen)
{
	if (use_schema(conn, schema, err, errlen) < 0)
		return -1;
	return run_sql(conn, sql, err, errlen);
}

int cluster_create_database(const struct cluster *c, char *err, size_t errlen)
{
	char admin[PATH_MAX + 128], why[512];
	PGconn *conn;
	int rc;

	cluster_admin_conninfo(c, admin, sizeof admin);
	conn = connect_quiet(admin, why, sizeof why);
	if (!conn) {
		err_set(err, errlen, "server started but %s", why);
		return -1;
	}
	rc = run_sql(conn, "CREATE DATABASE " CLUSTER_DBNAME, why, sizeof why);
	PQfinish(conn);
	if (rc < 0)
		err_set(err, errlen, "cannot create database %s: %s", CLUSTER_DBNAME, why);
	return rc;
}

int cluster_exec(const struct cluster *c, const char *schema, const char *sql, char *err,
                 size_t errlen)
{
	PGconn *conn = connect_quiet(c->conninfo, err, errlen);
	int rc;

	if (!conn)
		return -1;
	rc = exec_in_schema(conn, schema, sql, err, errlen);
	PQfinish(conn);
	return rc;
}

/* Each step re-applies search_path: the SQL files may change it. */
int cluster_load_attune(const struct cluster *c, const char *schema, enum cluster_shape shape,
                        bool workload, char *err, size_t errlen)
{
	char why[512];
	const char *step = "loading the Attune schema";
	PGconn *conn;
	int rc;

	if (!schema)
		schema = "attune";
	conn = connect_quiet(c->conninfo, err, errlen);
	if (!conn)
		return -1;
	rc = exec_in_schema(conn, schema,
	                    shape == SHAPE_NATIVE ? sql_attune_native : sql_attune_plain, why,
	                    sizeof why);
	if (rc == 0 && workload) {
		step = "loading the demo workload";
		rc = exec_in_schema(conn, schema, sql_demo_workload, why, sizeof why);
	}
	if (rc == 0 && workload) {
		step = "populating the demo workload";
		rc = exec_in_schema(conn, schema, "SELECT attune_demo.populate()", why, sizeof why);
	}
	if (rc == 0 && workload && shape == SHAPE_NATIVE) {
		step = "running the supervisor's jobs";
		rc = exec_in_schema(conn, schema,
		                    "SELECT native_partition_maintain(now(), 7);"
		                    " SELECT native_summary_build(now(), NULL)",
		                    why, sizeof why);
	}
	PQfinish(conn);
	if (rc < 0)
		err_set(err, errlen, "%s: %s", step, why);
	return rc;
}
