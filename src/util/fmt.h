/* Formatting of numbers, shares, ages and time labels. Pure logic. */
#ifndef ATTUNE_FMT_H
#define ATTUNE_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exact integer, no separators: "1234567". */
void fmt_int(char *buf, size_t len, int64_t v);

/* A total, or "n/a" when its relation is missing or its query failed (v < 0). */
const char *fmt_total(char buf[24], int64_t v);

/* At most `width` characters: exact when it fits, else k/M/G with one
 * decimal where that fits ("12.3k", "4M"). */
void fmt_int_fit(char *buf, size_t len, int64_t v, int width);

/* Percentage with one decimal: 0.0 .. 100.0, followed by '%'; "-" when the
 * denominator is zero. */
void fmt_pct(char *buf, size_t len, int64_t num, int64_t den);

/* Age or duration in seconds, two most significant units: "42s", "3m12s",
 * "2h05m", "3d04h", "12w3d"; fractions below 10 s keep one decimal ("1.5s");
 * negative → "-". */
void fmt_duration(char *buf, size_t len, double seconds);

/* A heartbeat age at the precision it is read: whole seconds under a
 * minute ("42s"), whole minutes under an hour ("4m"), then as
 * fmt_duration ("3h04m"). A screen of old heartbeats so changes once a
 * minute instead of every second. */
void fmt_age(char *buf, size_t len, double seconds);

/* Label for an hourly bucket start (epoch seconds), chosen by range length:
 * up to 24 h "HH:MM", up to 48 h "Ddd HHh" (weekday + hour), else "Mon D".
 * utc selects UTC, else the local time zone (TZ). */
void fmt_bucket_label(char *buf, size_t len, int64_t epoch, long range_hours, bool utc);

/* "2026-11-22 04:05:06" (seconds) or with ".123456" micros; utc or local. */
void fmt_timestamp(char *buf, size_t len, int64_t epoch_us, bool utc, bool micros);

/* UTC ISO 8601 for CSV: "2026-11-22T04:00:00Z", or with micros
 * "2026-11-22T04:00:00.123456Z". */
void fmt_iso_utc(char *buf, size_t len, int64_t epoch_us, bool micros);

/* Marks a time the server rewrote in history JSON (src/db/json_utc.h). */
#define FMT_TIME_MARK '\x1d'

/* src with each marked time (FMT_TIME_MARK, "2026-11-29T20:04:56Z" or
 * "2026-11-29T20:04:56.500000Z", FMT_TIME_MARK) as written when utc, else
 * as the same instant in local time with its offset
 * ("2026-11-30T01:34:56+05:30", ".500000" kept). The marks are dropped; a
 * marked text of another form is copied as it is. Truncates to len. */
void fmt_marked_times(char *dst, size_t len, const char *src, bool utc);

#endif
