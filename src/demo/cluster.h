/* A throwaway PostgreSQL cluster in a private temporary directory, listening
 * only on a Unix socket. Used by --demo and by the test suite (tests/pgcluster).
 *
 * Works as root (initdb refuses root: the server runs as an unprivileged
 * account, "postgres" when it exists, else "nobody") and as a normal user.
 * No curses here; errors come back as one line in `err`. */
#ifndef ATTUNE_CLUSTER_H
#define ATTUNE_CLUSTER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CLUSTER_SUPERUSER "attune"
#define CLUSTER_DBNAME    "attune"

struct cluster_opts {
	const char *timezone;      /* server TimeZone, NULL = "UTC" */
	const char *datestyle;     /* server DateStyle, NULL = default */
	const char *log_statement; /* e.g. "all"; NULL = off */
	const char *extra_conf;    /* extra postgresql.conf lines, NULL = none */
	bool quiet;                /* do not echo progress on stderr */
};

struct cluster {
	char dir[PATH_MAX];    /* private temp directory (data/ and the socket) */
	char bindir[PATH_MAX]; /* where initdb and postgres were found */
	int port;              /* socket file name suffix (.s.PGSQL.<port>) */
	pid_t postmaster;      /* 0 when not running */
	uid_t run_uid;         /* account the server runs as */
	gid_t run_gid;
	char conninfo[PATH_MAX + 128]; /* "host=DIR port=N dbname=attune user=attune" */
	char logfile[PATH_MAX];        /* server log inside dir */
};

/* Find the server binaries: `pg_config --bindir`, then the newest
 * /usr/lib/postgresql/N/bin, then PATH. Returns 0 or -1 with err set to
 * "PostgreSQL server binaries (initdb, postgres) not found; install the
 * Debian package postgresql". */
int cluster_find_bindir(char *out, size_t len, char *err, size_t errlen);

/* initdb + start postgres + wait until it accepts connections, then create
 * database CLUSTER_DBNAME. On failure everything created is removed. */
int cluster_start(struct cluster *c, const struct cluster_opts *o, char *err, size_t errlen);

/* Run SQL text (several statements allowed) as the superuser, with
 * search_path set to `schema` (created when missing) followed by public. */
int cluster_exec(const struct cluster *c, const char *schema, const char *sql, char *err,
                 size_t errlen);

/* Which Attune: current Attune on stock PostgreSQL (day partitions, plain
 * hourly views, summaries built by a supervisor), or the plain shape
 * (ordinary tables, plain views; older installs without TimescaleDB). */
enum cluster_shape {
	SHAPE_PLAIN = 0,
	SHAPE_NATIVE,
};

/* Load Attune's schema of that shape into `schema`, then the demo
 * workload (attune_demo.populate) anchored at the current hour when
 * `workload` is set; a native shape then has its leaves for the coming
 * days and its ended hours summarised, as the supervisor would have done. */
int cluster_load_attune(const struct cluster *c, const char *schema, enum cluster_shape shape,
                        bool workload, char *err, size_t errlen);

/* Inside the cluster module: the superuser's conninfo for the postgres
 * database (cluster.c), and creating the cluster's database (cluster_sql.c). */
void cluster_admin_conninfo(const struct cluster *c, char *buf, size_t len);
int cluster_create_database(const struct cluster *c, char *err, size_t errlen);

/* Stop the server (fast shutdown, then immediate after 5 s) and remove the
 * directory. Idempotent. */
void cluster_stop(struct cluster *c);

#endif
