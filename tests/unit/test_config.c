/* Unit tests for src/config_file.c (syntax) and src/settings_file.c (keys,
 * precedence, the file's path, errors). No terminal, no database; the only
 * files are in a private temporary directory, removed at the end. */
#include "config_file.h"
#include "model/model.h"
#include "settings.h"
#include "settings_file.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Entries seen by the callback, "key=value@line;" concatenated. */
static char seen[2048];

static int collect(void *ctx, const char *key, const char *value, int line)
{
	(void)ctx;
	size_t n = strlen(seen);
	snprintf(seen + n, sizeof seen - n, "%s=%s@%d;", key, value, line);
	return 0;
}

static int stop_at_b(void *ctx, const char *key, const char *value, int line)
{
	(void)value;
	(void)line;
	++*(int *)ctx;
	return strcmp(key, "b") == 0 ? 7 : 0;
}

static void parses(const char *text, const char *want, const char *what)
{
	char err[128];
	int line = -1;
	seen[0] = '\0';
	int rc = config_parse(text, strlen(text), collect, NULL, &line, err, sizeof err);
	is_int(rc, 0, what);
	is_str(seen, want, what);
}

static void rejects(const char *text, int want_line, const char *want_err, const char *what)
{
	char err[128];
	int line = -1;
	seen[0] = '\0';
	int rc = config_parse(text, strlen(text), collect, NULL, &line, err, sizeof err);
	is_int(rc, -1, what);
	is_int(line, want_line, what);
	ok(strstr(err, want_err) != NULL, what);
	if (!strstr(err, want_err))
		printf("#   err \"%s\"\n", err);
}

static void test_syntax(void)
{
	parses("", "", "empty text");
	parses("# only a comment\n\n   \n\t# indented comment\n", "", "comments and blank lines");
	parses("range = 7d\n", "range=7d@1;", "key = value");
	parses("range=7d", "range=7d@1;", "no blanks, no final newline");
	parses("  refresh\t=\t0.5  \r\n", "refresh=0.5@1;", "blanks trimmed, CRLF");
	parses("\xEF\xBB\xBFrange = 1w\n", "range=1w@1;", "UTF-8 BOM skipped");
	parses("# c\nrange = 7d # a week\nsort = name\n", "range=7d@2;sort=name@3;",
	       "inline comment after a blank, line numbers");
	parses("export-dir = /srv/a#b\n", "export-dir=/srv/a#b@1;", "# inside a word is kept");
	parses("schema =\n", "schema=@1;", "empty value");
	parses("export_dir = \"/srv/with space # not a comment\"  # comment\n",
	       "export_dir=/srv/with space # not a comment@1;", "double-quoted value");
	parses("schema = \"a\\\"b\\\\c\"\n", "schema=a\"b\\c@1;", "escapes in double quotes");
}

static void test_syntax_quotes_and_errors(void)
{
	parses("schema = 'a\\b \"c\"'\n", "schema=a\\b \"c\"@1;", "single quotes are literal");
	parses("a.b-c_d = x\n", "a.b-c_d=x@1;", "key characters");
	rejects("range 7d\n", 1, "expected 'key = value'", "missing =");
	rejects("# c\n= 7d\n", 2, "expected 'key = value'", "missing key");
	rejects("ran ge = 7d\n", 1, "expected 'key = value'", "blank in a key");
	rejects("a = 1\nschema = \"open\n", 2, "unterminated", "unterminated double quote");
	rejects("schema = 'open\n", 1, "unterminated", "unterminated single quote");
	rejects("schema = \"a\" b\n", 1, "after the closing quote", "text after a quote");
	rejects("schema = \"a\\n\"\n", 1, "escape", "unknown escape");
	{
		const char text[] = "a = 1\nb = x\0y\n";
		char err[64];
		int line = 0;
		seen[0] = '\0';
		int rc = config_parse(text, sizeof text - 1, collect, NULL, &line, err, sizeof err);
		ok(rc == -1 && line == 2 && strstr(err, "NUL"), "NUL byte inside the length");
	}
	{
		char big[CONFIG_VALUE_MAX + 32];
		memset(big, 'x', sizeof big);
		memcpy(big, "k = ", 4);
		big[sizeof big - 1] = '\0';
		rejects(big, 1, "too long", "value too long");
		char key[CONFIG_KEY_MAX + 8];
		memset(key, 'k', sizeof key);
		memcpy(key + sizeof key - 5, " = 1", 5);
		rejects(key, 1, "key too long", "key too long");
	}
	{
		int calls = 0, line = 0;
		char err[64];
		const char *t = "a = 1\nb = 2\nc = 3\n";
		int rc = config_parse(t, strlen(t), stop_at_b, &calls, &line, err, sizeof err);
		ok(rc == 7 && calls == 2 && line == 2, "a callback's result stops the parse");
	}
	is_int(config_bool("yes"), 1, "bool yes");
	is_int(config_bool("TRUE"), 1, "bool TRUE");
	is_int(config_bool("on"), 1, "bool on");
	is_int(config_bool("1"), 1, "bool 1");
	is_int(config_bool("No"), 0, "bool No");
	is_int(config_bool("false"), 0, "bool false");
	is_int(config_bool("off"), 0, "bool off");
	is_int(config_bool("0"), 0, "bool 0");
	is_int(config_bool("maybe"), -1, "bool maybe");
	is_int(config_bool(""), -1, "bool empty");
}

/* settings_parse over file defaults given as text (no file). */
static int parse_with(const char *conf, int argc, char **argv, struct settings *s, char *err,
                      size_t errlen)
{
	int rc = settings_file_load_text("test.conf", conf, strlen(conf), NULL, err, errlen);
	if (rc)
		return rc;
	rc = settings_parse(s, argc, argv, false, err, errlen);
	if (rc == 0)
		settings_file_finish(s);
	return rc;
}

static void test_keys(void)
{
	struct settings s;
	char err[512];
	char *noargs[] = {"attune-top", NULL};
	unsetenv("NO_COLOR");
	unsetenv("ATTUNE__DATABASE__SCHEMA");

	int rc = parse_with("range = 7d\nrefresh = 0.5\nsort = failure-rate\nschema = ops\n"
	                    "export-dir = /srv/csv\nascii = yes\ncolor = no\ncsv-raw = yes\n"
	                    "utc = yes\n",
	                    1, noargs, &s, err, sizeof err);
	is_int(rc, 0, "every key accepted");
	is_int(s.range_hours, 168, "range = 7d");
	ok(s.refresh == 0.5, "refresh = 0.5");
	is_int(s.sort, SORT_FAILURE_RATE, "sort = failure-rate");
	is_str(s.schema, "ops", "schema = ops");
	is_str(s.export_dir, "/srv/csv", "export-dir");
	ok(s.ascii, "ascii = yes");
	ok(s.no_color, "color = no");
	ok(s.csv_raw, "csv-raw = yes (no usage error without --export)");
	ok(s.utc, "utc = yes");

	rc = parse_with("sort = name\nexport_dir = x\ncolour = yes\nutc = off\n", 1, noargs, &s,
	                err, sizeof err);
	ok(rc == 0 && s.sort == SORT_NAME && strcmp(s.export_dir, "x") == 0 && !s.no_color &&
	       !s.utc,
	   "export_dir spelling, colour, utc = off");
	rc = parse_with("sort = failed\n", 1, noargs, &s, err, sizeof err);
	ok(rc == 0 && s.sort == SORT_FAILED, "sort = failed");
	rc = parse_with("sort = executions\n", 1, noargs, &s, err, sizeof err);
	ok(rc == 0 && s.sort == SORT_EXECUTIONS, "sort = executions");

	rc = parse_with("", 1, noargs, &s, err, sizeof err);
	ok(rc == 0 && s.range_hours == 24 && s.refresh == 2.0 && s.sort == SORT_EXECUTIONS &&
	       !s.schema && !s.export_dir && !s.ascii && !s.no_color && !s.csv_raw && !s.utc,
	   "an empty file leaves the built-in defaults");
}

static void test_precedence(void)
{
	struct settings s;
	char err[512];
	char *range_arg[] = {"attune-top", "-R", "6h", "--refresh=3", "--schema=cli", NULL};
	char *noargs[] = {"attune-top", NULL};
	char *demo[] = {"attune-top", "--demo", NULL};
	const char *conf = "range = 7d\nrefresh = 1\nschema = file\n";

	int rc = parse_with(conf, 5, range_arg, &s, err, sizeof err);
	ok(rc == 0 && s.range_hours == 6 && s.refresh == 3.0 && strcmp(s.schema, "cli") == 0,
	   "command line over the file");

	setenv("ATTUNE__DATABASE__SCHEMA", "env", 1);
	rc = parse_with(conf, 1, noargs, &s, err, sizeof err);
	ok(rc == 0 && strcmp(s.schema, "env") == 0, "environment over the file (schema)");
	rc = parse_with(conf, 5, range_arg, &s, err, sizeof err);
	ok(rc == 0 && strcmp(s.schema, "cli") == 0, "command line over the environment");
	unsetenv("ATTUNE__DATABASE__SCHEMA");
	rc = parse_with(conf, 1, noargs, &s, err, sizeof err);
	ok(rc == 0 && strcmp(s.schema, "file") == 0 && s.range_hours == 168,
	   "file over the built-in");
	rc = parse_with(conf, 2, demo, &s, err, sizeof err);
	ok(rc == 0 && !s.schema, "--demo keeps its own schema");

	setenv("NO_COLOR", "1", 1);
	rc = parse_with("color = yes\n", 1, noargs, &s, err, sizeof err);
	ok(rc == 0 && s.no_color, "NO_COLOR over color = yes");
	unsetenv("NO_COLOR");
}

static void bad(const char *conf, const char *want, const char *what)
{
	struct settings s;
	char err[512];
	char *noargs[] = {"attune-top", NULL};
	int rc = parse_with(conf, 1, noargs, &s, err, sizeof err);
	is_int(rc, -1, what);
	ok(rc == -1 && strstr(err, want) != NULL, what);
	if (rc == -1 && !strstr(err, want))
		printf("#   err \"%s\"\n", err);
}

static void test_errors(void)
{
	bad("range = 0h\n", "test.conf, line 1: invalid range '0h'", "range = 0h");
	bad("# c\nrefresh = 0\n", "test.conf, line 2: invalid refresh interval '0'", "refresh = 0");
	bad("sort = fastest\n", "line 1: invalid sort 'fastest'", "bad sort");
	bad("ascii = maybe\n", "line 1: invalid ascii 'maybe' (expected yes or no)", "bad bool");
	bad("schema =\n", "line 1: schema needs a value", "empty schema");
	bad("export-dir = ''\n", "line 1: export-dir needs a value", "empty export-dir");
	bad("range 7d\n", "test.conf, line 1: expected 'key = value'", "syntax error");
	bad("range = \"7d\x1b[2J\"\n", "invalid range '7d?[2J'", "control characters replaced");

	/* A bad file leaves no half-applied defaults behind. */
	struct settings s;
	char err[512];
	char *noargs[] = {"attune-top", NULL};
	settings_file_load_text("t", "range = 7d\nrefresh = x\n", 23, NULL, err, sizeof err);
	settings_parse(&s, 1, noargs, false, err, sizeof err);
	is_int(s.range_hours, 24, "a rejected file applies nothing");

	/* Unknown keys warn and are ignored. */
	char buf[512] = "";
	FILE *w = fmemopen(buf, sizeof buf, "w");
	int rc = settings_file_load_text("t.conf", "colours = 256\nrange = 2d\n", 25, w, err,
	                                 sizeof err);
	fclose(w);
	is_int(rc, 0, "unknown key is no error");
	is_str(buf, "attune-top: warning: t.conf, line 1: unknown key 'colours' (ignored)\n",
	       "unknown key: one warning line");
	settings_parse(&s, 1, noargs, false, err, sizeof err);
	is_int(s.range_hours, 48, "the keys after it still apply");

	/* A rejected file: its error line only, no warning before it. */
	buf[0] = '\0';
	w = fmemopen(buf, sizeof buf, "w");
	rc = settings_file_load_text("t.conf", "colours = 256\nrange = 0h\n", 25, w, err,
	                             sizeof err);
	fclose(w);
	ok(rc == -1 && buf[0] == '\0' && strstr(err, "t.conf, line 2: invalid range"),
	   "a rejected file: no warnings, one error");
	settings_file_reset();
}

static void test_path_and_load(void)
{
	char path[4096], dir[] = "/tmp/attune-unit-config.XXXXXX";
	const char *tmp = getenv("TMPDIR");
	char tdir[4096];
	snprintf(tdir, sizeof tdir, "%s/attune-unit-config.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *d = mkdtemp(tmp && *tmp ? tdir : dir);
	ok(d != NULL, "temporary directory");
	if (!d)
		return;

	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("HOME", "/home/u", 1);
	ok(settings_file_path(path, sizeof path) == 0 &&
	       strcmp(path, "/x/conf/attune-top/config") == 0,
	   "path under XDG_CONFIG_HOME");
	setenv("XDG_CONFIG_HOME", "relative", 1);
	ok(settings_file_path(path, sizeof path) == 0 &&
	       strcmp(path, "/home/u/.config/attune-top/config") == 0,
	   "relative XDG_CONFIG_HOME ignored: ~/.config");
	unsetenv("XDG_CONFIG_HOME");
	ok(settings_file_path(path, sizeof path) == 0 &&
	       strcmp(path, "/home/u/.config/attune-top/config") == 0,
	   "no XDG_CONFIG_HOME: ~/.config");
	unsetenv("HOME");
	ok(settings_file_path(path, sizeof path) != 0, "neither: no file");

	/* settings_load reads the real file. */
	char sub[4200], file[4300];
	snprintf(sub, sizeof sub, "%s/attune-top", d);
	snprintf(file, sizeof file, "%s/config", sub);
	setenv("XDG_CONFIG_HOME", d, 1);
	struct settings s;
	char err[512];
	char *noargs[] = {"attune-top", NULL};
	char *nocfg[] = {"attune-top", "--no-config", NULL};
	char *cli[] = {"attune-top", "-R", "6h", NULL};
	char *help[] = {"attune-top", "--help", NULL};
	int rc = settings_load(&s, 1, noargs, false, NULL, err, sizeof err);
	ok(rc == 0 && s.range_hours == 24, "no file: built-in defaults");
	mkdir(sub, 0700);
	FILE *f = fopen(file, "w");
	fputs("# defaults\nrange = 7d\n", f);
	fclose(f);
	rc = settings_load(&s, 1, noargs, false, NULL, err, sizeof err);
	ok(rc == 0 && s.range_hours == 168, "file read: range = 7d");
	rc = settings_load(&s, 3, cli, false, NULL, err, sizeof err);
	ok(rc == 0 && s.range_hours == 6, "-R 6h over the file");
	rc = settings_load(&s, 2, nocfg, false, NULL, err, sizeof err);
	ok(rc == 0 && s.range_hours == 24 && s.no_config, "--no-config skips it");
	f = fopen(file, "w");
	fputs("range = 0h\n", f);
	fclose(f);
	rc = settings_load(&s, 1, noargs, false, NULL, err, sizeof err);
	is_int(rc, -1, "range = 0h: usage error");
	ok(strstr(err, file) && strstr(err, "line 1"), "the message names the file and line");
	rc = settings_load(&s, 2, help, false, NULL, err, sizeof err);
	ok(rc == 0 && s.action == ACTION_HELP, "--help does not read the file");
	rc = settings_load(&s, 2, nocfg, false, NULL, err, sizeof err);
	ok(rc == 0, "--no-config skips a bad file");
	unlink(file);
	mkdir(file, 0700); /* a directory where the file should be: warning */
	char buf[1024] = "";
	FILE *w = fmemopen(buf, sizeof buf, "w");
	rc = settings_load(&s, 1, noargs, false, w, err, sizeof err);
	fclose(w);
	ok(rc == 0 && strstr(buf, "warning: cannot read") && s.range_hours == 24,
	   "an unreadable file warns and is ignored");
	rmdir(file);
	rmdir(sub);
	rmdir(d);
	unsetenv("XDG_CONFIG_HOME");
	settings_file_reset();
}

int main(void)
{
	test_syntax();
	test_syntax_quotes_and_errors();
	test_keys();
	test_precedence();
	test_errors();
	test_path_and_load();
	return done_testing();
}
