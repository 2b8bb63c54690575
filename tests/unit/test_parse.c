/* Unit tests for src/parse.c. */
#include "util/parse.h"
#include "tap.h"

#include <locale.h>

static void range_ok(const char *s, long want)
{
	char what[96];
	long h = -7;

	snprintf(what, sizeof(what), "range \"%s\" = %ld", s, want);
	is_int(parse_range(s, &h) == 0 ? h : -1, want, what);
}

static void range_bad(const char *s)
{
	char what[96];
	long h = -7;

	snprintf(what, sizeof(what), "range \"%s\" rejected, output untouched", s);
	ok(parse_range(s, &h) == -1 && h == -7, what);
}

static void test_range(void)
{
	range_ok("6h", 6);
	range_ok("1h", 1);
	range_ok("2d", 48);
	range_ok("1w", 168);
	range_ok("06h", 6);
	range_ok("87840h", PARSE_MAX_RANGE_HOURS);
	range_ok("3660d", PARSE_MAX_RANGE_HOURS);
	range_bad("87841h");
	range_bad("3661d");
	range_bad("523w"); /* 87864 h */
	range_bad("0h");
	range_bad("00d");
	range_bad("h");
	range_bad("6");
	range_bad("6x");
	range_bad("6H");
	range_bad("6hh");
	range_bad("-1h");
	range_bad("+1h");
	range_bad(" 6h");
	range_bad("6h ");
	range_bad("6 h");
	range_bad("1.5h");
	range_bad("");
	range_bad("99999999999w");
	range_bad("99999999999999999999999h");
	ok(parse_range(NULL, NULL) == -1, "range NULL rejected");
}

static void refresh_ok(const char *s, double want)
{
	char what[96];
	double v = -7;

	snprintf(what, sizeof(what), "refresh \"%s\" accepted", s);
	ok(parse_refresh(s, &v) == 0 && v == want, what);
}

static void refresh_bad(const char *s)
{
	char what[96];
	double v = -7;

	snprintf(what, sizeof(what), "refresh \"%s\" rejected, output untouched", s);
	ok(parse_refresh(s, &v) == -1 && v == -7, what);
}

static void test_refresh(void)
{
	refresh_ok("0.5", 0.5);
	refresh_ok("2", 2.0);
	refresh_ok("2.25", 2.25);
	refresh_ok("0.1", 0.1);
	refresh_ok("0.10", 0.1);
	refresh_ok("3600", 3600.0);
	refresh_ok("3600.000", 3600.0);
	refresh_ok("1.3", 1.3);
	refresh_ok("007", 7.0);
	/* Digits beyond the twelfth are checked but do not change the value. */
	refresh_ok("1.00000000000099", 1.0);
	refresh_bad("0.09");
	refresh_bad("0.0999999999999999999");
	refresh_bad("3600.0000000000001");
	refresh_bad("3601");
	refresh_bad("99999999999999999999");
	refresh_bad("0");
	refresh_bad("0.0");
	refresh_bad(".5");
	refresh_bad("1.");
	refresh_bad("1,5");
	refresh_bad("1.2.3");
	refresh_bad("-1");
	refresh_bad("+1");
	refresh_bad(" 1");
	refresh_bad("1 ");
	refresh_bad("1e2");
	refresh_bad("0x10");
	refresh_bad("inf");
	refresh_bad("nan");
	refresh_bad("");
	ok(parse_refresh(NULL, NULL) == -1, "refresh NULL rejected");
}

static void test_iterations(void)
{
	long n = -7;

	ok(parse_iterations("1", &n) == 0 && n == 1, "iterations 1");
	ok(parse_iterations("250", &n) == 0 && n == 250, "iterations 250");
	ok(parse_iterations("1000000000", &n) == 0 && n == 1000000000L, "iterations 1e9");
	n = -7;
	ok(parse_iterations("1000000001", &n) == -1 && n == -7, "iterations above 1e9 rejected");
	ok(parse_iterations("0", &n) == -1, "iterations 0 rejected");
	ok(parse_iterations("-3", &n) == -1, "iterations negative rejected");
	ok(parse_iterations("3x", &n) == -1, "iterations trailing garbage rejected");
	ok(parse_iterations(" 3", &n) == -1, "iterations leading space rejected");
	ok(parse_iterations("", &n) == -1, "iterations empty rejected");
	ok(parse_iterations("99999999999999999999", &n) == -1, "iterations overflow rejected");
	ok(n == -7, "iterations output untouched on failure");
}

static void entity_id(const char *s, enum entity_type type, int64_t id)
{
	struct entity_spec e;
	char what[128];

	snprintf(what, sizeof(what), "entity \"%s\" is id %" PRId64, s, id);
	ok(parse_entity(s, &e) == 0 && e.type == type && !e.by_name && e.id == id, what);
}

static void entity_name(const char *s, const char *name)
{
	struct entity_spec e;
	char what[128];
	int rc = parse_entity(s, &e);

	snprintf(what, sizeof(what), "entity \"%s\" is a worker name", s);
	ok(rc == 0 && e.type == ENTITY_WORKER && e.by_name, what);
	is_str(rc == 0 ? e.name : NULL, name, "  name points at the key");
}

static void entity_bad(const char *s)
{
	struct entity_spec e = {.type = ENTITY_WORKER, .id = 5};
	char what[128];

	snprintf(what, sizeof(what), "entity \"%s\" rejected", s);
	ok(parse_entity(s, &e) == -1 && e.type == ENTITY_NONE && e.id == 0, what);
}

static void test_entity(void)
{
	static const char key[] = "worker:w-3";
	struct entity_spec e;

	entity_id("execution:42", ENTITY_EXECUTION, 42);
	entity_id("execution:9223372036854775807", ENTITY_EXECUTION, INT64_MAX);
	entity_id("worker:7", ENTITY_WORKER, 7);
	entity_id("worker:007", ENTITY_WORKER, 7);
	entity_name("worker:w-3", "w-3");
	entity_name("worker:a:b", "a:b");
	entity_name("worker:\xc3\x9cn\xc3\xaf, \"q\"", "\xc3\x9cn\xc3\xaf, \"q\"");
	entity_name("worker: 7", " 7");
	entity_name("worker:7 ", "7 ");
	entity_name("worker:-1", "-1");
	entity_name("worker:1.5", "1.5");
	ok(parse_entity(key, &e) == 0 && e.name == key + 7, "name points into the input");

	entity_bad("execution:abc");
	entity_bad("execution:");
	entity_bad("execution:0");
	entity_bad("execution:-1");
	entity_bad("execution:+1");
	entity_bad("execution: 1");
	entity_bad("execution:1 ");
	entity_bad("execution:12x");
	entity_bad("execution:99999999999999999999");
	entity_bad("execution:9223372036854775808");
	entity_bad("job:1");
	entity_bad("Worker:1");
	entity_bad("workers:1");
	entity_bad("worke:1");
	entity_bad("worker:");
	entity_bad("worker:0");
	entity_bad("worker:99999999999999999999");
	entity_bad(":1");
	entity_bad("execution");
	entity_bad("");
	entity_bad(NULL);
	ok(parse_entity("worker:1", NULL) == -1, "entity NULL output rejected");
}

static void label(long hours, const char *want)
{
	char buf[32], what[64];

	range_label(hours, buf, sizeof(buf));
	snprintf(what, sizeof(what), "range_label(%ld)", hours);
	is_str(buf, want, what);
}

static void test_label(void)
{
	char small[3] = "xx";

	label(6, "6h");
	label(24, "24h");
	label(47, "47h");
	label(48, "2d");
	label(36, "36h");
	label(168, "7d");
	label(170, "170h");
	label(336, "2w");
	label(192, "8d");
	label(PARSE_MAX_RANGE_HOURS, "3660d");
	range_label(336, small, sizeof(small));
	is_str(small, "2w", "range_label fits a 3-byte buffer");
	range_label(100, small, sizeof(small));
	is_str(small, "10", "range_label truncates, NUL-terminated");

	/* Round trip for every unit form. */
	{
		int bad = 0;

		for (long h = 1; h <= 24 * 7 * 6; h++) {
			char buf[32];
			long back = 0;

			range_label(h, buf, sizeof(buf));
			if (parse_range(buf, &back) < 0 || back != h)
				bad++;
		}
		is_int(bad, 0, "range_label round-trips through parse_range");
	}
}

int main(void)
{
	/* The C locale is the default; parsing must not depend on it anyway. */
	setlocale(LC_ALL, "");
	test_range();
	test_refresh();
	test_iterations();
	test_entity();
	test_label();
	return done_testing();
}
