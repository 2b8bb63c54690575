/* libFuzzer harness: parse_entity (--entity TYPE:KEY).
 * Invariants: success means a known type with a positive id or a non-empty
 * name that is not all digits, the spec round-trips through its canonical
 * text, and the name points into the input; failure leaves *out zeroed. */
#include <assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	assert(s);
	memcpy(s, data, size);
	s[size] = '\0'; /* an embedded NUL simply ends the C string */

	struct entity_spec e, again;
	memset(&e, 0xA5, sizeof e);
	int rc = parse_entity(s, &e);
	assert(rc == 0 || rc == -1);
	if (rc != 0) {
		assert(e.type == ENTITY_NONE && !e.by_name && e.id == 0 && e.name == NULL);
		free(s);
		return 0;
	}
	const char *colon = strchr(s, ':');
	assert(colon && colon[1]);
	char canon[64];
	if (e.type == ENTITY_EXECUTION) {
		assert(!e.by_name && e.id > 0 && e.name == NULL);
		assert(strncmp(s, "execution:", 10) == 0 && all_digits(s + 10));
		snprintf(canon, sizeof canon, "execution:%" PRId64, e.id);
	} else {
		assert(e.type == ENTITY_WORKER);
		assert(strncmp(s, "worker:", 7) == 0);
		if (e.by_name) {
			/* The name is the rest of the input, never empty, never an id. */
			assert(e.name == s + 7 && *e.name && !all_digits(e.name));
		} else {
			assert(e.id > 0 && e.name == NULL && all_digits(s + 7));
			snprintf(canon, sizeof canon, "worker:%" PRId64, e.id);
		}
	}
	if (!e.by_name) {
		/* The canonical text parses to the same id; so does the input
		 * without its leading zeros. */
		assert(parse_entity(canon, &again) == 0);
		assert(again.type == e.type && again.id == e.id && !again.by_name);
		const char *digits = colon + 1;
		while (*digits == '0')
			digits++;
		assert(strcmp(digits, strchr(canon, ':') + 1) == 0);
	} else {
		size_t n = strlen(e.name) + 8;
		char *text = malloc(n);
		assert(text);
		snprintf(text, n, "worker:%s", e.name);
		assert(parse_entity(text, &again) == 0 && again.by_name &&
		       strcmp(again.name, e.name) == 0);
		free(text);
	}
	free(s);
	return 0;
}
