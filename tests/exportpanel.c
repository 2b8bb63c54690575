/* exportpanel: call export_panel() (what the dashboard's `e` key calls)
 * from the command line, for the test suite.
 *
 *   exportpanel NAME HOURS FILTER|- ENTITY|- DIR|-
 *
 * Connection settings come from the environment as for attune-top
 * (ATTUNE__DATABASE__URL, PG*). Prints "rc=N rows=N path=P" and, on
 * failure, "err=MESSAGE" on a second line. Exit status 0, or 1 when it failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/export.h"
#include "util/parse.h"
#include "settings.h"

static const char *arg(const char *a)
{
	return strcmp(a, "-") == 0 ? NULL : a;
}

int main(int argc, char **argv)
{
	struct settings s;
	struct entity_spec entity;
	char err[512] = "", path[4096] = "";
	char *noargs[] = {argv[0], NULL};
	long long rows = -1;

	if (argc != 6) {
		fputs("usage: exportpanel NAME HOURS FILTER|- ENTITY|- DIR|-\n", stderr);
		return 2;
	}
	if (settings_parse(&s, 1, noargs, false, err, sizeof err) != 0) {
		fprintf(stderr, "exportpanel: %s\n", err);
		return 2;
	}
	if (arg(argv[4]) && parse_entity(argv[4], &entity) != 0) {
		fprintf(stderr, "exportpanel: bad entity\n");
		return 2;
	}
	int rc = export_panel(&s, NULL, argv[1], atol(argv[2]), arg(argv[3]),
	                      arg(argv[4]) ? &entity : NULL, arg(argv[5]), path, sizeof path, &rows,
	                      err, sizeof err);
	printf("rc=%d rows=%lld path=%s\n", rc, rows, path);
	if (rc)
		printf("err=%s\n", err);
	return rc == 0 ? 0 : 1;
}
