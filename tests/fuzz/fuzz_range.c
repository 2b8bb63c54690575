/* libFuzzer harness: the duration and number parsers (parse_range for
 * --range, parse_refresh for --refresh, parse_iterations for -n).
 * Each result is checked against an independent reading of the grammar:
 * accepted exactly when it matches and is in bounds, with the right value,
 * outputs untouched on failure, and range labels parse back. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

/* Digits at *s as a value saturated at `cap`; advances *s. -1: no digit. */
static int64_t digits(const char **s, int64_t cap)
{
	int64_t v = 0;
	if (**s < '0' || **s > '9')
		return -1;
	for (; **s >= '0' && **s <= '9'; (*s)++) {
		int d = **s - '0';
		v = v > (cap - d) / 10 ? cap : v * 10 + d;
	}
	return v;
}

static void check_range(const char *s)
{
	long hours = -7;
	int rc = parse_range(s, &hours);
	const char *p = s;
	int64_t cap = (int64_t)PARSE_MAX_RANGE_HOURS + 1;
	int64_t n = digits(&p, cap);
	long unit = *p == 'h' ? 1 : *p == 'd' ? 24 : *p == 'w' ? 168 : 0;
	int valid = n > 0 && unit && p[1] == '\0' && n <= PARSE_MAX_RANGE_HOURS / unit;
	assert(rc == (valid ? 0 : -1));
	if (!valid) {
		assert(hours == -7);
		return;
	}
	assert(hours == n * unit && hours >= 1 && hours <= PARSE_MAX_RANGE_HOURS);
	char label[32];
	long back = -1;
	range_label(hours, label, sizeof label);
	assert(parse_range(label, &back) == 0 && back == hours);
}

static void check_refresh(const char *s)
{
	double v = -7;
	int rc = parse_refresh(s, &v);
	/* DIGITS [ "." DIGITS ], 0.1 <= value <= 3600 decided on the digits. */
	const char *p = s;
	int64_t ip = digits(&p, 1000000);
	int valid = ip >= 0, tenths = 0, frac_nonzero = 0;
	if (valid && *p == '.') {
		p++;
		valid = *p >= '0' && *p <= '9';
		tenths = valid && *p != '0';
		for (; *p >= '0' && *p <= '9'; p++)
			frac_nonzero |= *p != '0';
	}
	valid = valid && *p == '\0' && (ip > 0 || tenths) &&
	        (ip < 3600 || (ip == 3600 && !frac_nonzero));
	assert(rc == (valid ? 0 : -1));
	if (!valid) {
		assert(v == -7);
		return;
	}
	double want = strtod(s, NULL); /* the C locale: '.' */
	assert(v >= 0.1 && v <= 3600 && fabs(v - want) <= 1e-9 * want);
}

static void check_iterations(const char *s)
{
	long n = -7;
	int rc = parse_iterations(s, &n);
	const char *p = s;
	int64_t want = digits(&p, 1000000001);
	int valid = want >= 1 && want <= 1000000000 && *p == '\0';
	assert(rc == (valid ? 0 : -1));
	assert(valid ? n == want : n == -7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	assert(s);
	memcpy(s, data, size);
	s[size] = '\0';
	check_range(s);
	check_refresh(s);
	check_iterations(s);
	free(s);
	return 0;
}
