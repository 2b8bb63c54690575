/* Pure parsers for command-line values. No I/O, no allocation; unit-tested. */
#ifndef ATTUNE_PARSE_H
#define ATTUNE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest range accepted: 10 years of hourly buckets. */
#define PARSE_MAX_RANGE_HOURS (24L * 366 * 10)

enum entity_type {
	ENTITY_NONE = 0,
	ENTITY_EXECUTION, /* execution:ID */
	ENTITY_WORKER,    /* worker:ID or worker:NAME */
};

/* A parsed --entity value. `name` points into the parsed string. */
struct entity_spec {
	enum entity_type type;
	bool by_name;     /* worker given by name rather than numeric id */
	int64_t id;       /* valid when !by_name */
	const char *name; /* valid when by_name; never empty */
};

/* "Nh", "Nd" or "Nw" (N a positive decimal integer, no sign, no spaces) to
 * hours. Returns 0, or -1 when malformed or longer than PARSE_MAX_RANGE_HOURS. */
int parse_range(const char *s, long *hours);

/* Refresh interval in seconds: a positive decimal, fractions allowed, between
 * 0.1 and 3600 inclusive. Returns 0 or -1. Locale-independent. */
int parse_refresh(const char *s, double *seconds);

/* Positive integer iteration count (1 .. 1e9). Returns 0 or -1. */
int parse_iterations(const char *s, long *n);

/* "execution:ID", "worker:ID" or "worker:NAME", split at the first colon only.
 * ID is a positive decimal int64; a worker key made only of digits is an id,
 * anything else (commas, quotes, colons, spaces, multibyte text) a name.
 * Returns 0, or -1 for an unknown type, an empty key or a bad execution id. */
int parse_entity(const char *s, struct entity_spec *out);

/* Render a range in hours the way operators say it: hours below two days
 * ("6h", "24h"), then days ("2d", "7d"), whole weeks from two ("2w"). */
void range_label(long hours, char *buf, size_t len);

#endif
