/* History JSON times to UTC: the SQL fragment (see json_utc.h). */
#include "db/json_utc.h"

#include "util/arena.h"

/* A JSON string token (with its quotes) that is a timestamp with an offset.
 * No capture groups: they make PostgreSQL's matcher ten times slower. The
 * date fields sit at fixed places (substr 2, 7, 10; '.' at 21). */
#define JSON_UTC_TS_RE                                                                             \
	"'^\"(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)-(?:0[1-9]|1[0-2])"             \
	"-(?:0[1-9]|[12][0-9]|3[01])[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"                \
	"(?:[.][0-9]{1,9})?(?:Z|[+-](?:0[0-9]|1[0-5])(?::[0-5][0-9](?::[0-5][0-9])?|[0-5][0-9])?)" \
	"\"$'"

/* Cheap test for a text that may hold one: most rows skip the split. */
#define JSON_UTC_GUARD_RE "'\"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}[^\"]*\"'"

/* Group 1 a string token, group 2 ':' after a key, group 3 anything else. */
#define JSON_UTC_TOKEN_RE "'(\"(?:[^\"[.backslash.]]|[[.backslash.]].)*\")(:?)|([^\"]+)'"

#define JSON_UTC_CAST(tok) "substr(" tok ", 2, length(" tok ") - 2)::timestamptz"

/* SQL text: the canonical UTC form of the string token tok, between mk,
 * or NULL when tok is not such a timestamp. tok is evaluated many times:
 * a column or an array element, not a computation. */
#define JSON_UTC_TS(tok, mk)                                                                       \
	"CASE WHEN " tok " ~ " JSON_UTC_TS_RE " THEN CASE WHEN extract(month FROM"                 \
	" make_date(substr(" tok ", 2, 4)::int, substr(" tok ", 7, 2)::int, 1)"                    \
	" + (substr(" tok ", 10, 2)::int - 1)) = substr(" tok ", 7, 2)::int"                       \
	" THEN CASE WHEN " JSON_UTC_CAST(                                                          \
	    tok) " >= timestamptz '0001-01-01 00:00:00+00'"                                        \
	         " AND " JSON_UTC_CAST(                                                            \
	             tok) " < timestamptz '10000-01-01 00:00:00+00'"                               \
	                  " THEN " mk " || to_char(" JSON_UTC_CAST(                                \
	                      tok) " AT TIME ZONE 'UTC', CASE WHEN"                                \
	                           " substr(" tok                                                  \
	                           ", 21, 1) = '.' THEN 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'"       \
	                           " ELSE 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"' END) || " mk            \
	                           " END END END"

/* SQL text: the JSON text t (NULL stays NULL) with each timestamp string
 * value in its canonical UTC form, between mk. */
#define JSON_UTC(t, mk)                                                                            \
	"(SELECT CASE WHEN x.t ~ " JSON_UTC_GUARD_RE " THEN (SELECT string_agg(CASE WHEN"          \
	" r.m[2] = '' THEN coalesce('\"' || " JSON_UTC_TS(                                         \
	    "r.m[1]", mk) " || '\"', r.m[1])"                                                      \
	                  " ELSE coalesce(r.m[1] || r.m[2], r.m[3]) END, '' ORDER BY r.n)"         \
	                  " FROM regexp_matches(x.t, " JSON_UTC_TOKEN_RE                           \
	                  ", 'g') WITH ORDINALITY r(m, n))"                                        \
	                  " ELSE x.t END FROM (SELECT (" t ")::text AS t) x)"

/* With %s for the JSON text: one literal per mark, each under the length
 * ISO C compilers must support. */
static const char json_utc_marked[] = JSON_UTC("%s", "chr(29)");
static const char json_utc_plain[] = JSON_UTC("%s", "''");

char *json_utc_sql(const char *t, bool mark)
{
	return xasprintf(mark ? json_utc_marked : json_utc_plain, t);
}
