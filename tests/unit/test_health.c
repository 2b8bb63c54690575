/* Unit tests for src/model/health.c: worker states, counts and order. */
#include <string.h>

#include "model/health.h"
#include "tap.h"

static struct worker_row wk(const char *name, const char *status, double age, int64_t recent)
{
	struct worker_row w = {0};
	w.name = name;
	w.status = status;
	w.has_heartbeat = age >= 0;
	w.heartbeat_age = age;
	w.recent_transitions = recent;
	return w;
}

int main(void)
{
	struct worker_row rows[] = {
	    wk("a-ok", "active", 2, 0),        wk("b-busy", "busy", 3, 1),
	    wk("c-down", "inactive", 9999, 0), wk("d-flap", "active", 1, 6),
	    wk("e-stale", "active", 600, 0),   wk("f-error", "error", 700, 9),
	    wk("g-never", "active", -1, 0),
	};
	struct snapshot s = {0};
	s.workers = rows;
	s.nworkers = (int)(sizeof rows / sizeof *rows);

	is_int(health_worker_class(&rows[5]), WCLASS_ERROR, "error wins over stale and flapping");
	is_int(health_worker_class(&rows[4]), WCLASS_STALE, "no heartbeat for 10 min: stale");
	is_int(health_worker_class(&rows[6]), WCLASS_STALE, "never beat: stale");
	is_int(health_worker_class(&rows[2]), WCLASS_DOWN, "inactive is down, not stale");
	is_int(health_worker_class(&rows[3]), WCLASS_FLAPPING, "6 changes in 2 h: flapping");
	is_int(health_worker_class(&rows[1]), WCLASS_BUSY, "busy");
	is_int(health_worker_class(&rows[0]), WCLASS_OK, "ok");

	int n[WCLASS_COUNT];
	health_count(&s, n);
	ok(n[WCLASS_ERROR] == 1 && n[WCLASS_STALE] == 2 && n[WCLASS_FLAPPING] == 1 &&
	       n[WCLASS_BUSY] == 1 && n[WCLASS_OK] == 1 && n[WCLASS_DOWN] == 1,
	   "every worker counted once");
	is_int(health_problem_workers(&s), 4, "four need attention");

	health_sort_workers(&s);
	const char *want[] = {"f-error", "e-stale", "g-never", "d-flap",
	                      "b-busy",  "a-ok",    "c-down"};
	int bad = 0;
	for (int i = 0; i < s.nworkers; i++)
		bad += strcmp(s.workers[i].name, want[i]) != 0;
	is_int(bad, 0, "error, stale, flapping, busy, then the rest (up or down) by name");
	return done_testing();
}
