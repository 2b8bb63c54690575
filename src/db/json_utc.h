/* Timestamps inside history JSON, normalised to UTC by the server.
 *
 * Attune's history triggers write JSON in the writer's session zone
 * ("started_at": "2026-11-30T01:34:56+05:30"). Every query that shows or
 * exports old_values/new_values passes the JSON text through json_utc_sql, so
 * such strings read as every other time of the program does, in UTC.
 *
 * Rewritten: a JSON string value (not a key), at any depth, of the form
 *   YYYY-MM-DD(T| )HH:MM:SS[.f{1,9}](Z|±HH|±HHMM|±HH:MM|±HH:MM:SS)
 * that is a real instant: year 0001-9999, month 01-12, a day the month
 * has, hour 00-23, minute and second 00-59, offset hours 00-15, and the
 * instant in UTC years 0001-9999. Its canonical form is
 *   2026-11-29T20:04:56Z          (written without fractional seconds)
 *   2026-11-29T20:04:56.500000Z   (written with them: microseconds)
 * Everything else is left as written: strings without an offset (their
 * zone is unknown), look-alikes that are not instants (2026-02-30,
 * 24:00:00, +25:00, year 0000), keys, numbers and other strings.
 *
 * The checks happen before the cast, in that order (nested CASE), so no
 * value can make a query fail: PostgreSQL 15 has no error-free cast.
 * Offsets from +16:00 on, leap seconds and lower-case t/z are left as
 * written too. Fractions beyond microseconds are rounded, as the server
 * rounds timestamptz input. The text is split into JSON string tokens and
 * the rest by a regular expression; whitespace, key order and pretty
 * printing are kept. No backslash sits in the SQL text ([.backslash.] is
 * the collating element): it does not depend on standard_conforming_strings.
 *
 * The fragment is built once here and inserted, as a printf argument, by
 * every query that shows or exports these columns. */
#ifndef ATTUNE_JSON_UTC_H
#define ATTUNE_JSON_UTC_H

#include <stdbool.h>

/* SQL text: the JSON text expression t (::text or jsonb_pretty output;
 * NULL stays NULL) with each timestamp string value in its canonical UTC
 * form. mark (display) puts chr(29) before and after each one: the server
 * escapes every control character in JSON text, so a mark cannot come
 * from the data (fmt_marked_times shows them). Export passes false. The
 * caller frees the result. */
char *json_utc_sql(const char *t, bool mark);

#endif
