/* libFuzzer harness: settings_parse on an argv built from the input (NUL
 * separated arguments after "attune-top"). It must never crash and return
 * 0, or 2 with a one-line message; on success the settings obey the
 * documented rules (bounds, combinations, pointers into argv or the
 * environment). The program parses once per process; here settings_parse
 * runs many times, so getopt's hidden state (a previous call may have
 * stopped in the middle of "-bX") is reset before each call: optind = 0
 * makes glibc and musl reinitialise, which optind = 1 alone does not. */
#include <assert.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

#define MAX_ARGS 24

static const char ENV_URL[] = "host=/nonexistent dbname=fuzz";
static const char ENV_SCHEMA[] = "fuzz_schema";

static int in_argv(const char *p, char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return 1;
	return 0;
}

static int from_env_or_argv(const char *p, char **argv, int argc)
{
	return !p || in_argv(p, argv, argc) || p == getenv("ATTUNE__DATABASE__URL") ||
	       p == getenv("ATTUNE__DATABASE__SCHEMA");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("ATTUNE__DATABASE__URL", ENV_URL, 1);
	setenv("ATTUNE__DATABASE__SCHEMA", ENV_SCHEMA, 1);
	unsetenv("NO_COLOR");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	bool tty = data[0] & 1;
	data++;
	size--;
	/* Every argument is its own allocation so ASan sees any overread. */
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	argv[argc++] = strdup("attune-top");
	size_t start = 0;
	for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (i == size || data[i] == '\0') {
			char *a = malloc(i - start + 1);
			assert(a);
			memcpy(a, data + start, i - start);
			a[i - start] = '\0';
			argv[argc++] = a;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	char *copy[MAX_ARGS + 2];
	memcpy(copy, argv, sizeof copy); /* getopt may permute argv */

	static char prog[] = "attune-top";
	char *none[] = {prog, NULL};
	optind = 0;
	assert(getopt(1, none, "") == -1 && optind == 1);

	struct settings s;
	char err[256];
	memset(err, 'x', sizeof err);
	int rc = settings_parse(&s, argc, argv, tty, err, sizeof err);
	assert(rc == 0 || rc == -1);
	if (rc == -1) {
		size_t n = strnlen(err, sizeof err);
		assert(n > 0 && n < sizeof err && !memchr(err, '\n', n));
	} else {
		assert(s.action == ACTION_RUN || s.action == ACTION_HELP ||
		       s.action == ACTION_VERSION);
		assert(s.refresh >= 0.1 && s.refresh <= 3600);
		assert(s.range_hours >= 1 && s.range_hours <= PARSE_MAX_RANGE_HOURS);
		assert(s.iterations >= 0 && s.iterations <= 1000000000L);
		assert(s.statement_timeout_ms > 0 && s.connect_timeout_s > 0);
		assert(s.batch || tty);
		assert(from_env_or_argv(s.conninfo, argv, argc) &&
		       in_argv(s.host ? s.host : argv[0], argv, argc));
		assert(from_env_or_argv(s.schema, argv, argc));
		assert(!s.schema || *s.schema);
		assert(!s.filter || *s.filter);
		assert(!s.entity_text || s.entity.type != ENTITY_NONE);
		assert(!s.entity.by_name || (s.entity.name && *s.entity.name));
		if (s.action == ACTION_RUN) {
			if (s.output || s.force || s.csv_raw)
				assert(s.export_name);
			if (s.export_name) {
				assert(settings_export_name_valid(s.export_name));
				if (strcmp(s.export_name, "execution_history") == 0)
					assert(s.entity.type == ENTITY_EXECUTION);
				if (strcmp(s.export_name, "worker_history") == 0)
					assert(s.entity.type == ENTITY_WORKER);
			}
			if (s.demo)
				assert(!s.conninfo && !s.host && !s.port && !s.user);
			else if (!in_argv(s.conninfo ? s.conninfo : argv[0], argv, argc))
				assert(strcmp(s.conninfo, ENV_URL) == 0);
		}
	}
	for (int i = 0; i < argc; i++)
		free(copy[i]);
	return 0;
}
