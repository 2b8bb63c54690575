/* The demo's live workload: a child process that calls attune_demo.tick()
 * once a second on its own read-write connection. It is part of the demo
 * harness, never of the monitoring session (which stays read-only). */
#ifndef ATTUNE_SIM_H
#define ATTUNE_SIM_H

#include <stdbool.h>
#include <sys/types.h>

/* Fork the simulator; it dies with its parent. Paced, the live hours run
 * at the history's rate; fast, new work arrives every second (for tests,
 * and a demo that must show motion at once). Returns its pid or -1. */
pid_t sim_spawn(const char *conninfo, const char *schema, bool fast);

#endif
