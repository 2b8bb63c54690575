/* Formatting of numbers, shares, ages and time labels. Decimals are built
 * from integers and names come from our own tables, so neither LC_NUMERIC
 * nor LC_TIME can change the output. */
#include "util/fmt.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const wday_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void fmt_int(char *buf, size_t len, int64_t v)
{
	if (buf && len)
		snprintf(buf, len, "%" PRId64, v);
}

/* |v| with INT64_MIN handled. */
static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* a / unit with one decimal, rounded half up: "12.3k". Returns the length,
 * or SIZE_MAX when it rounds to zero (a nonzero count never shows as 0). */
static size_t scaled_tenths(char *tmp, size_t len, const char *sign, uint64_t a, uint64_t unit,
                            char suffix)
{
	uint64_t tenths = a / unit * 10 + (a % unit * 10 + unit / 2) / unit;

	if (tenths == 0)
		return SIZE_MAX;
	snprintf(tmp, len, "%s%" PRIu64 ".%u%c", sign, tenths / 10, (unsigned)(tenths % 10),
	         suffix);
	return strlen(tmp);
}

/* As scaled_tenths, without the decimal: "12k". */
static size_t scaled_whole(char *tmp, size_t len, const char *sign, uint64_t a, uint64_t unit,
                           char suffix)
{
	uint64_t q = a / unit + (a % unit * 2 >= unit);

	if (q == 0)
		return SIZE_MAX;
	snprintf(tmp, len, "%s%" PRIu64 "%c", sign, q, suffix);
	return strlen(tmp);
}

void fmt_int_fit(char *buf, size_t len, int64_t v, int width)
{
	static const struct {
		uint64_t unit;
		char suffix;
	} units[] = {{1000, 'k'}, {1000000, 'M'}, {1000000000, 'G'}};
	const char *sign = v < 0 ? "-" : "";
	uint64_t a = magnitude(v);
	char tmp[32];
	size_t n;

	if (!buf || len == 0)
		return;
	buf[0] = '\0';
	if (width < 1)
		return;
	fmt_int(tmp, sizeof(tmp), v);
	if (strlen(tmp) <= (size_t)width)
		goto done;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (scaled_tenths(tmp, sizeof(tmp), sign, a, units[i].unit, units[i].suffix) <=
		    (size_t)width)
			goto done;
		if (scaled_whole(tmp, sizeof(tmp), sign, a, units[i].unit, units[i].suffix) <=
		    (size_t)width)
			goto done;
	}
	/* Nothing fits: say so visibly, as spreadsheets do. */
	n = (size_t)width < len - 1 ? (size_t)width : len - 1;
	memset(buf, '#', n);
	buf[n] = '\0';
	return;
done:
	snprintf(buf, len, "%s", tmp);
}

void fmt_pct(char *buf, size_t len, int64_t num, int64_t den)
{
	double tenths;
	int t;

	if (!buf || len == 0)
		return;
	if (den == 0) {
		snprintf(buf, len, "-");
		return;
	}
	tenths = (double)num * 1000.0 / (double)den;
	if (!(tenths > 0))
		tenths = 0;
	if (tenths > 1000)
		tenths = 1000;
	t = (int)(tenths + 0.5);
	snprintf(buf, len, "%d.%d%%", t / 10, t % 10);
}

/* Durations are truncated, never rounded up: an age of 59.9 s is "59s". */
void fmt_duration(char *buf, size_t len, double seconds)
{
	int64_t s, tenths;

	if (!buf || len == 0)
		return;
	if (!(seconds >= 0)) { /* negative or NaN */
		snprintf(buf, len, "-");
		return;
	}
	if (seconds < 10) {
		/* The nudge absorbs binary error: 2.3 * 10 may be 22.999... */
		tenths = (int64_t)(seconds * 10 + 1e-9);
		if (tenths < 100) {
			if (tenths % 10 == 0)
				snprintf(buf, len, "%ds", (int)(tenths / 10));
			else
				snprintf(buf, len, "%d.%ds", (int)(tenths / 10),
				         (int)(tenths % 10));
			return;
		}
		s = tenths / 10;
	} else {
		/* Cap far beyond any real age so the conversion stays defined. */
		s = seconds < 1e15 ? (int64_t)seconds : INT64_C(1000000000000000);
	}
	if (s < 60)
		snprintf(buf, len, "%ds", (int)s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s % 3600 / 60));
	else if (s < 7 * 86400)
		snprintf(buf, len, "%dd%02dh", (int)(s / 86400), (int)(s % 86400 / 3600));
	else
		snprintf(buf, len, "%" PRId64 "w%dd", s / (7 * 86400),
		         (int)(s % (7 * 86400) / 86400));
}

void fmt_age(char *buf, size_t len, double seconds)
{
	if (!buf || len == 0)
		return;
	if (seconds >= 0 && seconds < 3600) {
		int s = (int)seconds;
		if (s < 60)
			snprintf(buf, len, "%ds", s);
		else
			snprintf(buf, len, "%dm", s / 60);
		return;
	}
	fmt_duration(buf, len, seconds); /* "-", or minutes at the finest from here on */
}

/* Broken-down time, or false when the epoch cannot be represented. */
static bool to_tm(int64_t epoch, bool utc, struct tm *tm)
{
	static time_t tz_checked;
	static char tz_seen[256];
	time_t t = (time_t)epoch, now = time(NULL);
	const char *tz = getenv("TZ");

	if ((int64_t)t != epoch)
		return false;
	if (utc)
		return gmtime_r(&t, tm) != NULL;
	/* localtime_r need not notice a changed TZ or /etc/localtime by itself.
	 * tzset() stats that file: at once when TZ changed, else once a second. */
	if (now != tz_checked || strncmp(tz ? tz : "", tz_seen, sizeof tz_seen - 1) != 0) {
		tzset();
		tz_checked = now;
		snprintf(tz_seen, sizeof tz_seen, "%s", tz ? tz : "");
	}
	return localtime_r(&t, tm) != NULL;
}

static bool tm_sane(const struct tm *tm)
{
	return tm->tm_wday >= 0 && tm->tm_wday < 7 && tm->tm_mon >= 0 && tm->tm_mon < 12;
}

void fmt_bucket_label(char *buf, size_t len, int64_t epoch, long range_hours, bool utc)
{
	struct tm tm;

	if (!buf || len == 0)
		return;
	if (!to_tm(epoch, utc, &tm) || !tm_sane(&tm))
		snprintf(buf, len, "?");
	else if (range_hours <= 24)
		snprintf(buf, len, "%02d:%02d", tm.tm_hour, tm.tm_min);
	else if (range_hours <= 48)
		snprintf(buf, len, "%s %02dh", wday_names[tm.tm_wday], tm.tm_hour);
	else
		snprintf(buf, len, "%s %d", month_names[tm.tm_mon], tm.tm_mday);
}

/* Split microseconds into whole seconds and a 0..999999 remainder, flooring
 * so that times before 1970 keep a positive fraction. */
static void split_us(int64_t epoch_us, int64_t *sec, int *us)
{
	int64_t r = epoch_us % 1000000;

	*sec = epoch_us / 1000000 - (r < 0);
	*us = (int)(r < 0 ? r + 1000000 : r);
}

/* "YYYY-MM-DD<sep>HH:MM:SS[.uuuuuu]<tail>" */
static void fmt_datetime(char *buf, size_t len, int64_t epoch_us, bool utc, bool micros, char sep,
                         const char *tail)
{
	struct tm tm;
	int64_t sec;
	int us;

	if (!buf || len == 0)
		return;
	split_us(epoch_us, &sec, &us);
	if (!to_tm(sec, utc, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	if (micros)
		snprintf(buf, len, "%04lld-%02d-%02d%c%02d:%02d:%02d.%06d%s",
		         (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, sep, tm.tm_hour,
		         tm.tm_min, tm.tm_sec, us, tail);
	else
		snprintf(buf, len, "%04lld-%02d-%02d%c%02d:%02d:%02d%s",
		         (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, sep, tm.tm_hour,
		         tm.tm_min, tm.tm_sec, tail);
}

void fmt_timestamp(char *buf, size_t len, int64_t epoch_us, bool utc, bool micros)
{
	fmt_datetime(buf, len, epoch_us, utc, micros, ' ', "");
}

void fmt_iso_utc(char *buf, size_t len, int64_t epoch_us, bool micros)
{
	fmt_datetime(buf, len, epoch_us, true, micros, 'T', "Z");
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The digits of s[0..n) as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DDTHH:MM:SS[.uuuuuu]Z" of exactly n bytes: epoch seconds and
 * the fraction text ("" or ".uuuuuu"), or false. */
static bool parse_utc(const char *s, size_t n, int64_t *sec, char frac[8])
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if ((n != 20 && n != 27) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[n - 1] != 'Z' || (n == 27 && (s[19] != '.' || digits(s + 20, 6) < 0)))
		return false;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2),
	    mi = digits(s + 14, 2), se = digits(s + 17, 2);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || se < 0 || se > 59)
		return false;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	*sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	snprintf(frac, 8, "%.*s", n == 27 ? 7 : 0, s + 19);
	return true;
}

/* The instant in local time with its UTC offset; false if out of reach. */
static bool local_iso(char *buf, size_t len, int64_t sec, const char *frac)
{
	struct tm tm;
	if (!to_tm(sec, false, &tm))
		return false;
	int64_t off =
	    days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
	    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec - sec;
	int64_t a = off < 0 ? -off : off;
	char zone[16];
	if (a % 60)
		snprintf(zone, sizeof zone, "%c%02d:%02d:%02d", off < 0 ? '-' : '+',
		         (int)(a / 3600), (int)(a / 60 % 60), (int)(a % 60));
	else
		snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+', (int)(a / 3600),
		         (int)(a / 60 % 60));
	snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02d%s%s", (long long)tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac, zone);
	return true;
}

void fmt_marked_times(char *dst, size_t len, const char *src, bool utc)
{
	size_t o = 0;
	if (!dst || len == 0)
		return;
	for (const char *p = src ? src : ""; *p && o + 1 < len;) {
		const char *end = p[0] == FMT_TIME_MARK ? strchr(p + 1, FMT_TIME_MARK) : NULL;
		if (!end) {
			if (*p != FMT_TIME_MARK)
				dst[o++] = *p;
			p++;
			continue;
		}
		char local[96], frac[8];
		int64_t sec;
		size_t n = (size_t)(end - p - 1);
		const char *out = p + 1;
		if (!utc && parse_utc(p + 1, n, &sec, frac) &&
		    local_iso(local, sizeof local, sec, frac)) {
			out = local;
			n = strlen(local);
		}
		if (n > len - 1 - o)
			n = len - 1 - o;
		memcpy(dst + o, out, n);
		o += n;
		p = end + 1;
	}
	dst[o] = '\0';
}

const char *fmt_total(char buf[24], int64_t v)
{
	if (v < 0)
		return "n/a";
	snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}
