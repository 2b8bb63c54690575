/* argv + environment → struct settings. Every usage error is one line. */
#include "settings.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "settings_file.h"
#include "util/err.h"

enum long_only {
	OPT_SCHEMA = 256,
	OPT_EXPORT,
	OPT_FORCE,
	OPT_CSV_RAW,
	OPT_DEMO,
	OPT_ASCII,
	OPT_NO_COLOR,
	OPT_HELP,
	OPT_NO_CONFIG,
};

static const struct option long_options[] = {
    {"dbname", required_argument, NULL, 'd'},
    {"host", required_argument, NULL, 'h'},
    {"port", required_argument, NULL, 'p'},
    {"username", required_argument, NULL, 'U'},
    {"password", no_argument, NULL, 'W'},
    {"schema", required_argument, NULL, OPT_SCHEMA},
    {"refresh", required_argument, NULL, 'r'},
    {"range", required_argument, NULL, 'R'},
    {"filter", required_argument, NULL, 'f'},
    {"entity", required_argument, NULL, 'e'},
    {"batch", no_argument, NULL, 'b'},
    {"iterations", required_argument, NULL, 'n'},
    {"export", required_argument, NULL, OPT_EXPORT},
    {"output", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, OPT_FORCE},
    {"csv-raw", no_argument, NULL, OPT_CSV_RAW},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"ascii", no_argument, NULL, OPT_ASCII},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, OPT_HELP},
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},
    {NULL, 0, NULL, 0},
};

static const char *const export_names[] = {
    "execution_status_hourly",
    "execution_throughput_hourly",
    "event_volume_hourly",
    "worker_status_hourly",
    "enforcement_volume_hourly",
    "execution_volume_hourly",
    "workers",
    "storage",
    "execution_history",
    "worker_history",
};

bool settings_export_name_valid(const char *name)
{
	for (size_t i = 0; i < sizeof export_names / sizeof export_names[0]; i++)
		if (strcmp(name, export_names[i]) == 0)
			return true;
	return false;
}

void settings_usage_line(FILE *out)
{
	fputs("usage: attune-top [OPTION]... [CONNINFO] (see attune-top --help)", out);
}

void settings_help(FILE *out)
{
	fputs("attune-top: a live terminal dashboard for an Attune database.\n"
	      "\n"
	      "Usage: attune-top [OPTION]... [CONNINFO]\n"
	      "\n"
	      "Connection (as psql; libpq reads PG* variables, service files and .pgpass):\n"
	      "  -d, --dbname=CONNINFO   database name, conninfo string or URI\n"
	      "  -h, --host=HOST         server host or socket directory\n"
	      "  -p, --port=PORT         server port\n"
	      "  -U, --username=USER     database user\n"
	      "  -W, --password          prompt for a password (echo off)\n"
	      "      --schema=NAME       Attune schema (default: $ATTUNE__DATABASE__SCHEMA,\n"
	      "                          else \"attune\" if it exists, else the search_path)\n"
	      "\n"
	      "Display:\n"
	      "  -r, --refresh=SECONDS   refresh interval (default 2; fractions allowed)\n"
	      "  -R, --range=DURATION    time range: Nh, Nd or Nw (default 24h)\n"
	      "  -f, --filter=REF        only this action/trigger/rule/worker ref\n"
	      "  -e, --entity=TYPE:KEY   open the change timeline of one entity:\n"
	      "                          execution:ID, worker:ID, worker:NAME\n"
	      "  -b, --batch             plain text frames on stdout, no curses (like top -b)\n"
	      "  -n, --iterations=N      stop after N refreshes\n"
	      "      --ascii             ASCII-only drawing (automatic when the locale is\n"
	      "                          not UTF-8)\n"
	      "      --no-color          no colours (also: NO_COLOR set in the environment)\n"
	      "\n"
	      "Export (write CSV and exit):\n"
	      "      --export=NAME       one of the six aggregates, workers, storage (sizes,\n"
	      "                          partitions, summaries; what needs action),\n"
	      "                          execution_history or worker_history (with --entity)\n"
	      "  -o, --output=FILE       output file (default: standard output)\n"
	      "      --force             replace an existing file\n"
	      "      --csv-raw           do not guard formula-looking cells\n"
	      "\n"
	      "Other:\n"
	      "      --demo              start a throwaway local database with a live simulated\n"
	      "                          workload and connect to it\n"
	      "      --no-config         do not read the configuration file\n"
	      "                          ($XDG_CONFIG_HOME/attune-top/config, else\n"
	      "                          ~/.config/attune-top/config)\n"
	      "  -V, --version           print the version and exit\n"
	      "  -?, --help              print this help and exit\n"
	      "\n"
	      "Connection order: -d/CONNINFO, else $ATTUNE__DATABASE__URL, else libpq defaults.\n"
	      "When standard output is not a terminal, --batch is implied.\n"
	      "Exit status: 0 success, 1 runtime failure, 2 usage error.\n"
	      "Keys: press ? in the dashboard.\n",
	      out);
}

__attribute__((format(printf, 3, 4))) static int usage_error(char *err, size_t errlen,
                                                             const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (errlen) /* arguments are quoted in it */
		err_mask_controls(err);
	return -1;
}

static void set_defaults(struct settings *s, bool stdout_tty)
{
	memset(s, 0, sizeof *s);
	s->refresh = 2.0;
	s->range_hours = 24;
	s->batch = !stdout_tty;
	s->statement_timeout_ms = 10000;
	s->connect_timeout_s = 10;
	const char *v = getenv("NO_COLOR");
	s->no_color = v && *v;
	settings_file_apply(s); /* the configuration file, if settings_load read one */
}

static const char *nonempty_env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* The offending argument of a failed getopt_long call, for the message. */
static const char *bad_arg(char **argv, int prev_optind)
{
	const char *a = argv[prev_optind];
	return a ? a : "?";
}

/* Options whose value is checked: 0, or -1 for a usage error. */
static int apply_checked(struct settings *s, int c, const char *arg, char *err, size_t errlen)
{
	switch (c) {
	case OPT_SCHEMA:
		if (!*arg)
			return usage_error(err, errlen, "--schema needs a name");
		s->schema = arg;
		break;
	case 'r':
		if (parse_refresh(arg, &s->refresh) != 0)
			return usage_error(err, errlen,
			                   "invalid refresh interval '%s' (seconds, 0.1 to 3600)",
			                   arg);
		break;
	case 'R':
		if (parse_range(arg, &s->range_hours) != 0)
			return usage_error(
			    err, errlen,
			    "invalid range '%s' (expected Nh, Nd or Nw, e.g. 6h, 2d, 1w)", arg);
		break;
	case 'f':
		if (!*arg)
			return usage_error(err, errlen, "--filter needs a ref");
		s->filter = arg;
		break;
	case 'e':
		if (parse_entity(arg, &s->entity) != 0)
			return usage_error(
			    err, errlen,
			    "invalid entity '%s' (expected execution:ID, worker:ID or "
			    "worker:NAME)",
			    arg);
		s->entity_text = arg;
		break;
	case 'n':
		if (parse_iterations(arg, &s->iterations) != 0)
			return usage_error(err, errlen, "invalid iteration count '%s'", arg);
		break;
	case OPT_EXPORT:
		if (!settings_export_name_valid(arg))
			return usage_error(err, errlen, "unknown export name '%s'", arg);
		s->export_name = arg;
		break;
	}
	return 0;
}

static int apply_option(struct settings *s, int c, const char *arg, char *err, size_t errlen)
{
	switch (c) {
	case 'd':
		s->conninfo = arg;
		break;
	case 'h':
		s->host = arg;
		break;
	case 'p':
		s->port = arg;
		break;
	case 'U':
		s->user = arg;
		break;
	case 'W':
		s->password_prompt = true;
		break;
	case 'b':
		s->batch = true;
		break;
	case 'o':
		s->output = arg;
		break;
	case OPT_FORCE:
		s->force = true;
		break;
	case OPT_CSV_RAW:
		s->csv_raw = true;
		break;
	case OPT_DEMO:
		s->demo = true;
		break;
	case OPT_ASCII:
		s->ascii = true;
		break;
	case OPT_NO_COLOR:
		s->no_color = true;
		break;
	case 'V':
		s->action = ACTION_VERSION;
		break;
	case OPT_HELP:
		s->action = ACTION_HELP;
		break;
	case OPT_NO_CONFIG:
		s->no_config = true;
		break;
	default:
		return apply_checked(s, c, arg, err, errlen);
	}
	return 0;
}

static int check_combinations(struct settings *s, char *err, size_t errlen)
{
	if (s->export_name && (strcmp(s->export_name, "execution_history") == 0 ||
	                       strcmp(s->export_name, "worker_history") == 0)) {
		if (s->entity.type == ENTITY_NONE)
			return usage_error(err, errlen, "--export=%s needs --entity",
			                   s->export_name);
		if ((s->entity.type == ENTITY_EXECUTION) !=
		    (strcmp(s->export_name, "execution_history") == 0))
			return usage_error(err, errlen, "--export=%s does not match --entity=%s",
			                   s->export_name, s->entity_text);
	}
	if ((s->output || s->force || s->csv_raw) && !s->export_name)
		return usage_error(err, errlen, "-o, --force and --csv-raw need --export");
	if (s->demo && (s->conninfo || s->host || s->port || s->user))
		return usage_error(err, errlen,
		                   "--demo cannot be combined with connection options");
	return 0;
}

int settings_parse(struct settings *s, int argc, char **argv, bool stdout_tty, char *err,
                   size_t errlen)
{
	set_defaults(s, stdout_tty);
	opterr = 0;
	optind = 1;
	for (;;) {
		int prev = optind;
		if (argv[prev] && strcmp(argv[prev], "-?") == 0) {
			s->action = ACTION_HELP;
			optind++;
			continue;
		}
		int c = getopt_long(argc, argv, "d:h:p:U:Wr:R:f:e:bn:o:V", long_options, NULL);
		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			if (optopt && strchr("dhpUrRfeno", optopt))
				return usage_error(err, errlen, "option -%c needs a value", optopt);
			return usage_error(err, errlen, "unknown option '%s'", bad_arg(argv, prev));
		}
		int rc = apply_option(s, c, optarg, err, errlen);
		if (rc)
			return rc;
	}
	if (optind < argc) {
		if (s->conninfo || optind + 1 < argc)
			return usage_error(err, errlen, "unexpected argument '%s'",
			                   argv[s->conninfo ? optind : optind + 1]);
		s->conninfo = argv[optind];
	}
	if (s->action != ACTION_RUN)
		return 0;
	int rc = check_combinations(s, err, errlen);
	if (rc || s->demo)
		return rc; /* the demo brings its own database and schema */
	if (!s->conninfo)
		s->conninfo = nonempty_env("ATTUNE__DATABASE__URL");
	if (!s->schema)
		s->schema = nonempty_env("ATTUNE__DATABASE__SCHEMA");
	return 0;
}
