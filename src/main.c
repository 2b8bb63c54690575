/* attune-top: argv/env → settings, then the dashboard, the demo, or help.
 * Nothing else lives here. */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "demo/demo.h"
#include "export/export.h"
#include "batch/render_text.h"
#include "settings.h"
#include "settings_file.h"
#include "term/ui.h"
#include "util/textwidth.h"

/* -W: read a password from the terminal with echo off, before curses. */
static char *prompt_password(void)
{
	static char buf[256];
	FILE *tty = fopen("/dev/tty", "r+");
	FILE *in = tty ? tty : stdin, *out = tty ? tty : stderr;
	struct termios old, quiet;
	int fd = fileno(in);
	bool echo_off = tcgetattr(fd, &old) == 0;
	fputs("Password: ", out);
	fflush(out);
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	char *r = fgets(buf, sizeof buf, in);
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &old);
	fputs("\n", out);
	if (tty)
		fclose(tty);
	if (!r)
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

static int run_dashboard(const char *conninfo, const char *schema, void *arg)
{
	struct settings s = *(const struct settings *)arg;
	struct app a;
	memset(&a, 0, sizeof a);
	if (conninfo)
		s.conninfo = conninfo;
	if (schema)
		s.schema = schema;
	a.s = &s;
	a.fe = s.batch ? &text_frontend : &curses_frontend;
	a.password = s.password_prompt ? prompt_password() : NULL;
	int rc = app_main(&a);
	if (a.fatal[0]) {
		fprintf(stderr, "attune-top: %s\n", a.fatal);
		return rc ? rc : 1;
	}
	return rc;
}

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

int main(int argc, char **argv)
{
	struct settings s;
	char err[1024];
	setlocale(LC_ALL, "");
	int rc = settings_load(&s, argc, argv, isatty(STDOUT_FILENO), stderr, err, sizeof err);
	if (rc) {
		fprintf(stderr, "attune-top: %s; ", err);
		settings_usage_line(stderr);
		fputc('\n', stderr);
		return 2;
	}
	if (s.action == ACTION_HELP) {
		settings_help(stdout);
		return 0;
	}
	if (s.action == ACTION_VERSION) {
		printf("attune-top %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (s.export_name) {
		if (s.demo)
			return demo_main(export_demo_run, &s);
		return export_main(&s, s.password_prompt ? prompt_password() : NULL);
	}
	tw_init(locale_is_utf8() && !s.ascii);
	if (s.demo)
		return demo_main(run_dashboard, &s);
	return run_dashboard(NULL, NULL, &s);
}
