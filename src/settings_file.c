/* ~/.config/attune-top/config → defaults under the command line and the
 * environment. The syntax is config_file.c's; this file knows the keys. */
#include "settings_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_file.h"
#include "model/model.h"
#include "util/err.h"
#include "util/parse.h"

/* A configuration file larger than this is not one. */
#define CONFIG_MAX_BYTES (256 * 1024)

/* The values the file gave; a tristate is -1 (unset), 0 or 1. */
static struct {
	bool loaded;
	bool has_range, has_refresh, has_sort, has_schema, has_export_dir;
	long range_hours;
	double refresh;
	int sort;
	int ascii, color, csv_raw, utc;
	char schema[CONFIG_VALUE_MAX + 1];
	char export_dir[CONFIG_VALUE_MAX + 1];
} cf;

void settings_file_reset(void)
{
	memset(&cf, 0, sizeof cf);
	cf.ascii = cf.color = cf.csv_raw = cf.utc = -1;
}

void settings_file_apply(struct settings *s)
{
	if (!cf.loaded)
		return;
	if (cf.has_range)
		s->range_hours = cf.range_hours;
	if (cf.has_refresh)
		s->refresh = cf.refresh;
	if (cf.has_sort)
		s->sort = cf.sort;
	if (cf.ascii == 1)
		s->ascii = true;
	if (cf.color == 0)
		s->no_color = true; /* color = yes cannot undo NO_COLOR (environment first) */
	if (cf.utc == 1)
		s->utc = true;
}

void settings_file_finish(struct settings *s)
{
	if (!cf.loaded)
		return;
	if (cf.has_schema && !s->schema && !s->demo)
		s->schema = cf.schema;
	if (cf.has_export_dir)
		s->export_dir = cf.export_dir;
	if (cf.csv_raw == 1)
		s->csv_raw = true;
}

int settings_file_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;
	/* The XDG base directory spec: a relative XDG_CONFIG_HOME is invalid. */
	if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/attune-top/config", xdg);
	else if (home && home[0])
		n = snprintf(buf, len, "%s/.config/attune-top/config", home);
	else
		return -1;
	return n > 0 && (size_t)n < len ? 0 : -1;
}

struct load_ctx {
	const char *name;
	FILE *warn;
	char *err;
	size_t errlen;
};

/* Set the file-and-line message; the result (non-zero) stops config_parse. */
static int bad_value(struct load_ctx *c, int line, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s, line %d: %s", c->name, line, what);
	if (c->errlen)
		err_mask_controls(c->err);
	return 2;
}

static int parse_sort(const char *v)
{
	if (strcasecmp(v, "executions") == 0)
		return SORT_EXECUTIONS;
	if (strcasecmp(v, "failed") == 0)
		return SORT_FAILED;
	if (strcasecmp(v, "failure-rate") == 0 || strcasecmp(v, "failure%") == 0 ||
	    strcasecmp(v, "failure %") == 0)
		return SORT_FAILURE_RATE;
	if (strcasecmp(v, "name") == 0)
		return SORT_NAME;
	if (strcasecmp(v, "ok") == 0)
		return SORT_OK;
	if (strcasecmp(v, "timeout") == 0)
		return SORT_TIMEOUT;
	return -1;
}

static int set_bool(struct load_ctx *c, int line, const char *key, const char *v, int *out)
{
	int b = config_bool(v);
	if (b < 0)
		return bad_value(c, line, "invalid %s '%s' (expected yes or no)", key, v);
	*out = b;
	return 0;
}

static int set_text(struct load_ctx *c, int line, const char *key, const char *v, char *out,
                    bool *has)
{
	if (!*v)
		return bad_value(c, line, "%s needs a value", key);
	strcpy(out, v); /* both CONFIG_VALUE_MAX + 1 */
	*has = true;
	return 0;
}

static int on_entry(void *ctx, const char *key_in, const char *v, int line)
{
	struct load_ctx *c = ctx;
	char key[CONFIG_KEY_MAX + 1];
	/* export_dir and export-dir alike, as the long options spell them. */
	size_t i = 0;
	for (; key_in[i]; i++)
		key[i] = key_in[i] == '_' ? '-' : key_in[i];
	key[i] = '\0';

	if (strcmp(key, "range") == 0) {
		if (parse_range(v, &cf.range_hours) != 0)
			return bad_value(
			    c, line, "invalid range '%s' (expected Nh, Nd or Nw, e.g. 6h, 2d, 1w)",
			    v);
		cf.has_range = true;
	} else if (strcmp(key, "refresh") == 0) {
		if (parse_refresh(v, &cf.refresh) != 0)
			return bad_value(c, line,
			                 "invalid refresh interval '%s' (seconds, 0.1 to 3600)", v);
		cf.has_refresh = true;
	} else if (strcmp(key, "sort") == 0) {
		int k = parse_sort(v);
		if (k < 0)
			return bad_value(c, line,
			                 "invalid sort '%s' (expected executions, failed, "
			                 "failure-rate or name)",
			                 v);
		cf.sort = k;
		cf.has_sort = true;
	} else if (strcmp(key, "schema") == 0) {
		return set_text(c, line, key, v, cf.schema, &cf.has_schema);
	} else if (strcmp(key, "export-dir") == 0) {
		return set_text(c, line, key, v, cf.export_dir, &cf.has_export_dir);
	} else if (strcmp(key, "ascii") == 0) {
		return set_bool(c, line, key, v, &cf.ascii);
	} else if (strcmp(key, "color") == 0 || strcmp(key, "colour") == 0) {
		return set_bool(c, line, key, v, &cf.color);
	} else if (strcmp(key, "csv-raw") == 0) {
		return set_bool(c, line, key, v, &cf.csv_raw);
	} else if (strcmp(key, "utc") == 0) {
		return set_bool(c, line, key, v, &cf.utc);
	} else if (c->warn) {
		char safe[CONFIG_KEY_MAX + 1];
		snprintf(safe, sizeof safe, "%s", key_in);
		fprintf(c->warn, "attune-top: warning: %s, line %d: unknown key '%s' (ignored)\n",
		        c->name, line, safe);
	}
	return 0;
}

int settings_file_load_text(const char *name, const char *text, size_t len, FILE *warn, char *err,
                            size_t errlen)
{
	/* Quietly first: a file that is rejected prints its one error line and
	 * no warnings; an accepted one is read again for them. */
	struct load_ctx c = {name, NULL, err, errlen};
	char why[256];
	int line;
	settings_file_reset();
	int rc = config_parse(text, len, on_entry, &c, &line, why, sizeof why);
	if (rc == -1)
		rc = bad_value(&c, line, "%s", why);
	if (rc) {
		settings_file_reset();
		return -1;
	}
	if (warn) {
		c.warn = warn;
		config_parse(text, len, on_entry, &c, &line, why, sizeof why);
	}
	cf.loaded = true;
	return 0;
}

/* The file's bytes into a malloc'd buffer. 0; 1 when there is no file;
 * -1 with errno (EFBIG: too large). */
static int read_file(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 1 : -1;
	struct stat st;
	int e = fstat(fd, &st) != 0    ? errno
	        : S_ISDIR(st.st_mode)  ? EISDIR
	        : !S_ISREG(st.st_mode) ? EINVAL
	                               : 0;
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	char *buf = malloc(CONFIG_MAX_BYTES + 1);
	size_t n = 0;
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, CONFIG_MAX_BYTES + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;
			free(buf);
			close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > CONFIG_MAX_BYTES) {
			free(buf);
			close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	close(fd);
	*text = buf;
	*len = n;
	return 0;
}

int settings_load(struct settings *s, int argc, char **argv, bool stdout_tty, FILE *warn, char *err,
                  size_t errlen)
{
	char path[PATH_MAX];
	settings_file_reset();
	int rc = settings_parse(s, argc, argv, stdout_tty, err, errlen);
	if (rc || s->action != ACTION_RUN || s->no_config)
		return rc;
	if (settings_file_path(path, sizeof path) != 0)
		return 0;
	char *text = NULL;
	size_t len = 0;
	int r = read_file(path, &text, &len);
	if (r == 1)
		return 0;
	if (r < 0) {
		if (errno == EFBIG) {
			struct load_ctx c = {path, NULL, err, errlen};
			bad_value(&c, 1, "too large for a configuration file (over %d KiB)",
			          CONFIG_MAX_BYTES / 1024);
			return -1;
		}
		if (warn)
			fprintf(warn, "attune-top: warning: cannot read %s: %s (ignored)\n", path,
			        strerror(errno));
		return 0;
	}
	rc = settings_file_load_text(path, text, len, warn, err, errlen);
	free(text);
	if (rc)
		return rc;
	rc = settings_parse(s, argc, argv, stdout_tty, err, errlen);
	if (rc == 0)
		settings_file_finish(s);
	return rc;
}
