/* Settings from the command line and the environment (SPEC precedence). */
#ifndef ATTUNE_SETTINGS_H
#define ATTUNE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/parse.h"

enum settings_action {
	ACTION_RUN = 0,
	ACTION_HELP,
	ACTION_VERSION,
};

struct settings {
	enum settings_action action;
	/* Connection: conninfo from -d / the positional argument, else
	 * ATTUNE__DATABASE__URL, else NULL (libpq defaults: PG*, service files). */
	const char *conninfo;
	const char *host;        /* -h, overrides the conninfo's host */
	const char *port;        /* -p */
	const char *user;        /* -U */
	bool password_prompt;    /* -W: ask before connecting, echo off */
	const char *schema;      /* --schema, else ATTUNE__DATABASE__SCHEMA, else NULL (resolve) */
	double refresh;          /* seconds between refreshes */
	long range_hours;        /* time range in hours */
	const char *filter;      /* ref to filter on, or NULL */
	const char *entity_text; /* --entity as given, or NULL */
	struct entity_spec entity;
	bool batch;                /* plain text frames on stdout */
	long iterations;           /* stop after N refreshes; 0 = never */
	const char *export_name;   /* --export NAME, or NULL */
	const char *output;        /* -o FILE; NULL or "-" = stdout */
	bool force;                /* --force: replace an existing export file */
	bool csv_raw;              /* --csv-raw: no formula guard */
	bool demo;                 /* --demo */
	bool ascii;                /* --ascii, or a non-UTF-8 locale */
	bool no_color;             /* --no-color or NO_COLOR */
	long statement_timeout_ms; /* bound on every statement */
	long connect_timeout_s;    /* libpq connect_timeout */
	/* Only from the configuration file (settings_file.h): */
	bool no_config;         /* --no-config: do not read it */
	int sort;               /* initial top-actions order (enum action_sort) */
	bool utc;               /* timelines start in UTC */
	const char *export_dir; /* `e` writes here unless $ATTUNE_TOP_EXPORT_DIR */
};

/* Fill s from argv and the environment. Returns 0, or -1 for a usage error
 * with a one-line message in err. `stdout_tty` decides the batch default. */
int settings_parse(struct settings *s, int argc, char **argv, bool stdout_tty, char *err,
                   size_t errlen);

void settings_help(FILE *out);
void settings_usage_line(FILE *out);

/* Names accepted by --export. */
bool settings_export_name_valid(const char *name);

#endif
