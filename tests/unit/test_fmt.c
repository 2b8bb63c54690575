/* Unit tests for src/fmt.c. */
#include <math.h>
#include "util/fmt.h"
#include "tap.h"

#include <locale.h>
#include <stdlib.h>
#include <time.h>

#define SUN_0400 INT64_C(1795320000) /* 2026-11-22T04:00:00Z, a Sunday */
#define SUN_2200 INT64_C(1795384800) /* 2026-11-22T22:00:00Z */
#define MON_0405 INT64_C(1793592306) /* 2026-11-02T04:05:06Z, a Monday */
#define THU_0000 INT64_C(1767225600) /* 2026-01-01T00:00:00Z, a Thursday */

static void int_fit(int64_t v, int width, const char *want)
{
	char buf[64], what[96];

	fmt_int_fit(buf, sizeof(buf), v, width);
	snprintf(what, sizeof(what), "fmt_int_fit(%" PRId64 ", %d)", v, width);
	is_str(buf, want, what);
	ok(strlen(buf) <= (size_t)(width > 0 ? width : 0), "  within width");
}

static void test_int(void)
{
	char buf[32], small[4];

	fmt_int(buf, sizeof(buf), 0);
	is_str(buf, "0", "fmt_int 0");
	fmt_int(buf, sizeof(buf), 1234567);
	is_str(buf, "1234567", "fmt_int, no separators");
	fmt_int(buf, sizeof(buf), -42);
	is_str(buf, "-42", "fmt_int negative");
	fmt_int(buf, sizeof(buf), INT64_MAX);
	is_str(buf, "9223372036854775807", "fmt_int INT64_MAX");
	fmt_int(buf, sizeof(buf), INT64_MIN);
	is_str(buf, "-9223372036854775808", "fmt_int INT64_MIN");
	fmt_int(small, sizeof(small), 12345);
	is_str(small, "123", "fmt_int truncates to the buffer");

	int_fit(0, 1, "0");
	int_fit(7, 1, "7");
	int_fit(1234, 4, "1234");
	int_fit(12345, 5, "12345");
	int_fit(12345, 4, "12k");
	int_fit(12345, 3, "12k");
	int_fit(12345, 2, "##");
	int_fit(12345, 1, "#");
	int_fit(12345678, 5, "12.3M");
	int_fit(12345678, 6, "12346k");
	int_fit(12345678, 4, "12M");
	int_fit(123456, 5, "123k");
	int_fit(123456, 6, "123456");
	int_fit(1500, 3, "2k");
	int_fit(1500, 4, "1500");
	int_fit(1500, 3, "2k");
	int_fit(15000, 4, "15k");
	int_fit(15000, 5, "15000");
	int_fit(1500, 2, "2k");
	int_fit(1500, 1, "#");
	int_fit(999, 2, "1k");
	int_fit(499, 2, "##");
	int_fit(-999, 3, "-1k");
	int_fit(1449, 3, "1k");
	int_fit(10500, 4, "11k");
	int_fit(10490, 4, "10k");
	int_fit(10500, 3, "11k");
	int_fit(105000, 5, "105k");
	int_fit(104950, 6, "104950");
	int_fit(1050000, 4, "1.1M");
	int_fit(1049999, 4, "1.0M");
	int_fit(999999, 5, "1000k");
	int_fit(999999, 4, "1.0M");
	int_fit(4000000, 2, "4M");
	int_fit(4000000, 4, "4.0M");
	int_fit(1234567890, 5, "1235M");
	int_fit(1234567890, 4, "1.2G");
	int_fit(1234567890, 3, "1G");
	int_fit(INT64_MAX, 19, "9223372036854775807");
	int_fit(INT64_MAX, 13, "9223372036.9G");
	int_fit(INT64_MAX, 11, "9223372037G");
	int_fit(INT64_MAX, 10, "##########");
	int_fit(-1234, 5, "-1234");
	int_fit(-1234, 4, "-1k");
	int_fit(-15000, 5, "-15k");
	int_fit(-15000, 6, "-15000");
	int_fit(-1500000, 5, "-1.5M");
	int_fit(INT64_MIN, 14, "-9223372036.9G");
	int_fit(5, 0, "");
	int_fit(5, -2, "");
	fmt_int_fit(small, sizeof(small), 12345, 8);
	is_str(small, "123", "fmt_int_fit truncates to the buffer");
	fmt_int_fit(small, sizeof(small), INT64_MAX, 8);
	is_str(small, "###", "fmt_int_fit fill truncates to the buffer");
}

static void pct(int64_t num, int64_t den, const char *want)
{
	char buf[16], what[96];

	fmt_pct(buf, sizeof(buf), num, den);
	snprintf(what, sizeof(what), "fmt_pct(%" PRId64 ", %" PRId64 ")", num, den);
	is_str(buf, want, what);
}

static void test_pct(void)
{
	pct(1, 3, "33.3%");
	pct(2, 3, "66.7%");
	pct(0, 0, "-");
	pct(5, 0, "-");
	pct(0, 5, "0.0%");
	pct(1, 2, "50.0%");
	pct(3, 3, "100.0%");
	pct(1, 8, "12.5%");
	pct(1, 1000, "0.1%");
	pct(1, 2000, "0.1%");
	pct(1, 3000, "0.0%");
	pct(999, 1000, "99.9%");
	pct(9999, 10000, "100.0%");
	pct(5, 3, "100.0%");
	pct(-1, 5, "0.0%");
	pct(-1, -2, "50.0%");
	pct(INT64_MAX, INT64_MAX, "100.0%");
	pct(INT64_MAX / 2, INT64_MAX, "50.0%");
}

static void dur(double s, const char *want)
{
	char buf[32], what[96];

	fmt_duration(buf, sizeof(buf), s);
	snprintf(what, sizeof(what), "fmt_duration(%g) = %s", s, want);
	is_str(buf, want, what);
}

static void age(double s, const char *want)
{
	char buf[32], what[96];

	fmt_age(buf, sizeof(buf), s);
	snprintf(what, sizeof(what), "fmt_age(%g) = %s", s, want);
	is_str(buf, want, what);
}

static void test_age(void)
{
	age(0, "0s");
	age(2.7, "2s");
	age(59.99, "59s");
	age(60, "1m");
	age(271, "4m");
	age(3599.9, "59m");
	age(3600, "1h00m");
	age(3725, "1h02m");
	age(90000, "1d01h");
	age(-1, "-");
	age(NAN, "-");
}

static void test_duration(void)
{
	dur(0, "0s");
	dur(0.05, "0s");
	dur(0.1, "0.1s");
	dur(1.5, "1.5s");
	dur(2.3, "2.3s");
	dur(2, "2s");
	dur(9.9, "9.9s");
	dur(9.99, "9.9s");
	dur(9.99999999999, "10s");
	dur(10, "10s");
	dur(10.7, "10s");
	dur(42, "42s");
	dur(59, "59s");
	dur(59.9, "59s");
	dur(60, "1m00s");
	dur(61, "1m01s");
	dur(192, "3m12s");
	dur(3599, "59m59s");
	dur(3600, "1h00m");
	dur(7500, "2h05m");
	dur(86399, "23h59m");
	dur(86400, "1d00h");
	dur(90061, "1d01h");
	dur(3 * 86400 + 4 * 3600, "3d04h");
	dur(7 * 86400 - 1, "6d23h");
	dur(7 * 86400, "1w0d");
	dur(15 * 86400, "2w1d");
	dur(87 * 86400, "12w3d");
	dur(1e15, "1653439153w3d");
	dur(1e300, "1653439153w3d");
	dur(1.0 / 0.0, "1653439153w3d");
	dur(-1, "-");
	dur(-0.01, "-");
	dur(0.0 / 0.0, "-");
}

static void label(int64_t epoch, long range, bool utc, const char *want, const char *what)
{
	char buf[32];

	fmt_bucket_label(buf, sizeof(buf), epoch, range, utc);
	is_str(buf, want, what);
}

static void test_labels(void)
{
	label(SUN_0400, 6, true, "04:00", "6 h range: HH:MM");
	label(SUN_0400, 24, true, "04:00", "24 h range: HH:MM");
	label(SUN_0400 + 1800, 24, true, "04:30", "HH:MM keeps minutes");
	label(SUN_0400, 25, true, "Sun 04h", "25 h range: weekday + hour");
	label(SUN_0400, 48, true, "Sun 04h", "48 h range: weekday + hour");
	label(MON_0405, 48, true, "Mon 04h", "Monday");
	label(THU_0000, 48, true, "Thu 00h", "Thursday, midnight");
	label(SUN_0400, 49, true, "Nov 22", "49 h range: month + day");
	label(SUN_0400, 168, true, "Nov 22", "week range: month + day");
	label(MON_0405, 168, true, "Nov 2", "day without leading zero");
	label(THU_0000, 720, true, "Jan 1", "January");

	/* POSIX TZ strings need no tzdata. "ABC-3" is UTC+3. */
	setenv("TZ", "ABC-3", 1);
	tzset();
	label(SUN_0400, 24, false, "07:00", "local: HH:MM");
	label(SUN_2200, 24, false, "01:00", "local: past midnight");
	label(SUN_2200, 48, false, "Mon 01h", "local: next weekday");
	label(SUN_2200, 168, false, "Nov 23", "local: next day");
	label(SUN_2200, 168, true, "Nov 22", "utc ignores TZ");
	setenv("TZ", "XYZ-5:30", 1);
	label(SUN_0400, 24, false, "09:30", "local: half-hour zone, TZ change noticed");
	setenv("TZ", "UTC0", 1);
	tzset();

	{
		char small[4];

		fmt_bucket_label(small, sizeof(small), SUN_0400, 48, true);
		is_str(small, "Sun", "label truncates to the buffer");
	}
}

static void test_timestamps(void)
{
	char buf[64];
	int64_t us = (SUN_0400 + 306) * INT64_C(1000000) + 123456;

	fmt_timestamp(buf, sizeof(buf), us, true, false);
	is_str(buf, "2026-11-22 04:05:06", "timestamp, seconds");
	fmt_timestamp(buf, sizeof(buf), us, true, true);
	is_str(buf, "2026-11-22 04:05:06.123456", "timestamp, micros");
	fmt_timestamp(buf, sizeof(buf), SUN_0400 * INT64_C(1000000) + 7, true, true);
	is_str(buf, "2026-11-22 04:00:00.000007", "micros zero-padded");
	fmt_timestamp(buf, sizeof(buf), 0, true, true);
	is_str(buf, "1970-01-01 00:00:00.000000", "epoch");
	fmt_timestamp(buf, sizeof(buf), -1, true, true);
	is_str(buf, "1969-12-31 23:59:59.999999", "before the epoch floors");
	fmt_timestamp(buf, sizeof(buf), -1000000, true, false);
	is_str(buf, "1969-12-31 23:59:59", "whole second before the epoch");

	setenv("TZ", "ABC-3", 1);
	fmt_timestamp(buf, sizeof(buf), us, false, false);
	is_str(buf, "2026-11-22 07:05:06", "timestamp, local");
	setenv("TZ", "UTC0", 1);
	tzset();

	fmt_iso_utc(buf, sizeof(buf), SUN_0400 * INT64_C(1000000), false);
	is_str(buf, "2026-11-22T04:00:00Z", "ISO 8601");
	fmt_iso_utc(buf, sizeof(buf), us, true);
	is_str(buf, "2026-11-22T04:05:06.123456Z", "ISO 8601 with micros");
	fmt_iso_utc(buf, sizeof(buf), us, false);
	is_str(buf, "2026-11-22T04:05:06Z", "ISO 8601 drops micros");
	fmt_iso_utc(buf, 11, us, true);
	is_str(buf, "2026-11-22", "ISO truncates to the buffer");
}

/* Times the server marked in history JSON, shown in UTC or local time. */
static void test_marked_times(void)
{
	char buf[200];

	fmt_marked_times(buf, sizeof buf,
	                 "{\"a\": \"\x1d"
	                 "2026-11-29T20:04:56Z\x1d\"}",
	                 true);
	is_str(buf, "{\"a\": \"2026-11-29T20:04:56Z\"}", "marked time, UTC: marks dropped");
	setenv("TZ", "IST-5:30", 1);
	fmt_marked_times(buf, sizeof buf,
	                 "a=\x1d"
	                 "2026-11-29T20:04:56Z\x1d b",
	                 false);
	is_str(buf, "a=2026-11-30T01:34:56+05:30 b", "marked time, local with offset");
	fmt_marked_times(buf, sizeof buf,
	                 "\x1d"
	                 "2026-11-29T20:04:56.500000Z\x1d",
	                 false);
	is_str(buf, "2026-11-30T01:34:56.500000+05:30", "marked time, local keeps micros");
	setenv("TZ", "PST8PDT,M3.2.0,M11.1.0", 1);
	fmt_marked_times(buf, sizeof buf,
	                 "\x1d"
	                 "2026-07-01T12:00:00Z\x1d \x1d"
	                 "2026-12-01T12:00:00Z\x1d",
	                 false);
	is_str(buf, "2026-07-01T05:00:00-07:00 2026-12-01T04:00:00-08:00",
	       "marked times, local offset per instant (DST)");
	fmt_marked_times(buf, sizeof buf,
	                 "\x1d"
	                 "2026-02-30T10:00:00Z\x1d|\x1dnot a time\x1d|\x1d",
	                 false);
	is_str(buf, "2026-02-30T10:00:00Z|not a time|",
	       "other marked text copied, lone mark dropped");
	fmt_marked_times(buf, sizeof buf, "plain \"2026-11-29T20:04:56Z\"", false);
	is_str(buf, "plain \"2026-11-29T20:04:56Z\"", "unmarked text untouched");
	fmt_marked_times(buf, 8,
	                 "\x1d"
	                 "2026-11-29T20:04:56Z\x1d",
	                 true);
	is_str(buf, "2026-11", "marked time truncates to the buffer");
	fmt_marked_times(buf, sizeof buf, NULL, true);
	is_str(buf, "", "NULL is empty");
	setenv("TZ", "UTC0", 1);
	tzset();
}

int main(void)
{
	/* Output must not follow the locale; C.UTF-8 is the only other one we
	 * can count on, but set it so a locale-aware slip would at least run. */
	setlocale(LC_ALL, "C.UTF-8");
	test_int();
	test_pct();
	test_duration();
	test_age();
	test_labels();
	test_timestamps();
	test_marked_times();
	return done_testing();
}
