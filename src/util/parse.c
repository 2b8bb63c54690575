/* Pure parsers for command-line values. Digits are read by hand so that
 * neither the locale nor strtol's leniency (signs, spaces) leaks in. On
 * failure outputs are left untouched, except that parse_entity zeroes *out. */
#include "util/parse.h"

#include <stdio.h>
#include <string.h>

#define MAX_ITERATIONS 1000000000L
#define MAX_REFRESH    3600
/* Fraction digits kept by parse_refresh: 3600 * 10^12 + 10^12 < 2^53, so
 * the scaled value is exact in a double and one division rounds it. */
#define REFRESH_DIGITS 12

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* One or more decimal digits at *sp as a value in 0..max; advances *sp past
 * them. Returns -1 for no digit or a value above max (checked before each
 * step, so it never overflows). Leading zeros are accepted. */
static int read_digits(const char **sp, int64_t max, int64_t *out)
{
	const char *s = *sp;
	int64_t v = 0;

	if (!is_digit(*s))
		return -1;
	for (; is_digit(*s); s++) {
		int d = *s - '0';

		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

/* The whole string is one integer in 1..max. */
static int read_positive(const char *s, int64_t max, int64_t *out)
{
	if (!s || read_digits(&s, max, out) < 0 || *s != '\0' || *out == 0)
		return -1;
	return 0;
}

int parse_range(const char *s, long *hours)
{
	int64_t n;
	long unit;

	/* Any N above the limit is too long whatever the unit, so the limit
	 * doubles as the overflow guard. */
	if (!s || !hours || read_digits(&s, PARSE_MAX_RANGE_HOURS, &n) < 0 || n == 0)
		return -1;
	switch (*s) {
	case 'h':
		unit = 1;
		break;
	case 'd':
		unit = 24;
		break;
	case 'w':
		unit = 24 * 7;
		break;
	default:
		return -1;
	}
	if (s[1] != '\0' || n > PARSE_MAX_RANGE_HOURS / unit)
		return -1;
	*hours = (long)n * unit;
	return 0;
}

/* Grammar: DIGITS [ "." DIGITS ]. ".5" and "1." are rejected: both sides
 * of the point must have a digit, which keeps the grammar unambiguous. */
int parse_refresh(const char *s, double *seconds)
{
	int64_t ip, frac = 0, scale = 1;
	bool frac_nonzero = false, tenths = false;

	if (!s || !seconds || read_digits(&s, MAX_REFRESH, &ip) < 0)
		return -1;
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return -1;
		tenths = *s != '0';
		for (int i = 0; is_digit(*s); s++, i++) {
			frac_nonzero |= *s != '0';
			if (i < REFRESH_DIGITS) {
				frac = frac * 10 + (*s - '0');
				scale *= 10;
			}
		}
	}
	if (*s != '\0')
		return -1;
	/* Bounds on the digits themselves: 0.1 <= x <= 3600, exactly. */
	if ((ip == 0 && !tenths) || (ip == MAX_REFRESH && frac_nonzero))
		return -1;
	*seconds = (double)(ip * scale + frac) / (double)scale;
	return 0;
}

int parse_iterations(const char *s, long *n)
{
	int64_t v;

	if (!n || read_positive(s, MAX_ITERATIONS, &v) < 0)
		return -1;
	*n = (long)v;
	return 0;
}

int parse_entity(const char *s, struct entity_spec *out)
{
	const char *colon, *key;
	size_t tlen;
	int64_t id;
	bool digits_only = true;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!s || !(colon = strchr(s, ':')) || colon[1] == '\0')
		return -1;
	tlen = (size_t)(colon - s);
	key = colon + 1;
	for (const char *p = key; *p; p++)
		digits_only &= is_digit(*p);

	if (tlen == strlen("execution") && memcmp(s, "execution", tlen) == 0) {
		if (read_positive(key, INT64_MAX, &id) < 0)
			return -1;
		out->type = ENTITY_EXECUTION;
		out->id = id;
		return 0;
	}
	if (tlen == strlen("worker") && memcmp(s, "worker", tlen) == 0) {
		if (!digits_only) {
			out->type = ENTITY_WORKER;
			out->by_name = true;
			out->name = key;
			return 0;
		}
		/* All digits means an id; 0 or an overflow is a bad id, not a
		 * name, so that a typo never silently matches nothing. */
		if (read_positive(key, INT64_MAX, &id) < 0)
			return -1;
		out->type = ENTITY_WORKER;
		out->id = id;
		return 0;
	}
	return -1;
}

void range_label(long hours, char *buf, size_t len)
{
	if (!buf || len == 0)
		return;
	/* The labels operators use: 6h, 12h, 24h, 2d, 7d, 2w. */
	if (hours < 48)
		snprintf(buf, len, "%ldh", hours);
	else if (hours % (24 * 7) == 0 && hours >= 2 * 24 * 7)
		snprintf(buf, len, "%ldw", hours / (24 * 7));
	else if (hours % 24 == 0)
		snprintf(buf, len, "%ldd", hours / 24);
	else
		snprintf(buf, len, "%ldh", hours);
}
