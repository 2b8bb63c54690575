/* SQL files from sql/, embedded at build time (see build-aux-tools/embed-sql.sh). */
#ifndef ATTUNE_SQLTEXT_H
#define ATTUNE_SQLTEXT_H

extern const char *const sql_attune_plain;     /* Attune objects on plain PostgreSQL */
extern const char *const sql_attune_timescale; /* Attune objects on TimescaleDB */
extern const char *const sql_attune_native;    /* current Attune: day partitions, summaries */
extern const char *const sql_demo_workload;    /* attune_demo schema: populate() and tick() */

#endif
