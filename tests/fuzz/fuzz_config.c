/* libFuzzer harness: the configuration file's syntax (config_parse) and
 * keys (settings_file_load_text) on arbitrary bytes. It must never crash;
 * entries reach the callback well formed, in line order; a rejected file
 * is exit status 2 with one line naming the file and a line number, and
 * applies nothing; an accepted one gives settings within their bounds. */
#include <assert.h>
#include <getopt.h>
#include <stdint.h>
#include <string.h>

#include "config_file.h"
#include "model/model.h"
#include "settings.h"
#include "settings_file.h"

static int check_entry(void *ctx, const char *key, const char *value, int line)
{
	int *last = ctx;
	size_t k = strlen(key), v = strlen(value);
	assert(k > 0 && k <= CONFIG_KEY_MAX && v <= CONFIG_VALUE_MAX);
	assert(strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
	       k);
	assert(!strchr(value, '\n'));
	assert(line > *last);
	*last = line;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char err[256];
	int last = 0, line = -1;
	int rc = config_parse(text, size, check_entry, &last, &line, err, sizeof err);
	assert(rc == 0 || rc == -1);
	if (rc == -1)
		assert(line >= 1 && err[0] && !strchr(err, '\n'));

	memset(err, 'x', sizeof err);
	rc = settings_file_load_text("fuzz.conf", text, size, NULL, err, sizeof err);
	assert(rc == 0 || rc == -1);
	static char prog[] = "attune-top";
	char *none[] = {prog, NULL};
	struct settings s;
	char err2[256];
	optind = 0;
	assert(getopt(1, none, "") == -1 && optind == 1);
	assert(settings_parse(&s, 1, none, false, err2, sizeof err2) == 0);
	settings_file_finish(&s);
	if (rc == -1) {
		size_t n = strnlen(err, sizeof err);
		assert(n > 0 && n < sizeof err && !memchr(err, '\n', n));
		assert(strncmp(err, "fuzz.conf, line ", 16) == 0);
		assert(s.range_hours == 24 && s.refresh == 2.0 && s.sort == 0 && !s.schema);
	} else {
		assert(s.refresh >= 0.1 && s.refresh <= 3600);
		assert(s.range_hours >= 1 && s.range_hours <= PARSE_MAX_RANGE_HOURS);
		assert(s.sort >= 0 && s.sort < SORT_COUNT);
		assert(!s.schema || *s.schema);
		assert(!s.export_dir || *s.export_dir);
	}
	settings_file_reset();
	return 0;
}
