/* --demo: a supervisor that owns a throwaway cluster and the simulator, runs
 * the dashboard in a child process, and removes every process and file when
 * the dashboard ends for any reason (q, Ctrl-C, SIGTERM, SIGHUP, a crash). */
#ifndef ATTUNE_DEMO_H
#define ATTUNE_DEMO_H

/* Start everything, then call run(conninfo, schema, arg) in a child process.
 * Returns the exit status to use (the child's, or 1 on setup failure after
 * printing one line on stderr). */
int demo_main(int (*run)(const char *conninfo, const char *schema, void *arg), void *arg);

#endif
