/* Background exports: fork, export on a connection of its own, report through a pipe. */
#include "export/background.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "export/export.h"

/* An export running in a child process, so that a slow or locked server
 * never freezes the screen: it reports through a pipe when it ends. */
static struct {
	pid_t pid;     /* 0 when none */
	int fd;        /* read end of the report pipe */
	char name[64]; /* what it exports */
} bg_export;

/* Child: export, write "OK rows path" or "ERR message" to the pipe. */
static void export_child(struct app *a, int fd, const char *name, long range, const char *filter,
                         const struct entity_spec *ent, const struct export_view *view)
{
	char path[PATH_MAX], err[512], msg[PATH_MAX + 600];
	long long rows = 0;
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		signal(sigs[i], SIG_DFL);
	if (export_panel_view(a->s, a->password, name, range, filter, ent, view, NULL, path,
	                      sizeof path, &rows, err, sizeof err) == 0)
		snprintf(msg, sizeof msg, "OK %lld %s", rows, path);
	else
		snprintf(msg, sizeof msg, "ERR %s", err);
	ssize_t w = write(fd, msg, strlen(msg));
	_exit(w < 0 ? 1 : 0);
}

void export_bg_poll(struct app *a)
{
	int status;
	char buf[PATH_MAX + 600];
	if (!bg_export.pid || waitpid(bg_export.pid, &status, WNOHANG) != bg_export.pid)
		return;
	ssize_t n = read(bg_export.fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(bg_export.fd);
	bg_export.pid = 0;
	long long rows;
	int off = 0;
	if (sscanf(buf, "OK %lld %n", &rows, &off) == 1 && off > 0)
		app_message(a, "exported %lld rows to %s", rows, buf + off);
	else if (strncmp(buf, "ERR ", 4) == 0)
		app_message(a, "export of %s failed: %s", bg_export.name, buf + 4);
	else
		app_message(a, "export of %s failed", bg_export.name);
}

void export_bg_stop(void)
{
	if (!bg_export.pid)
		return;
	kill(bg_export.pid, SIGTERM); /* the export removes its temporary file */
	waitpid(bg_export.pid, NULL, 0);
	close(bg_export.fd);
	bg_export.pid = 0;
}

void export_bg_start(struct app *a, const char *name, long range, const char *filter,
                     const struct entity_spec *ent)
{
	export_bg_start_view(a, name, range, filter, ent, NULL);
}

void export_bg_start_view(struct app *a, const char *name, long range, const char *filter,
                          const struct entity_spec *ent, const struct export_view *view)
{
	int fds[2];
	if (bg_export.pid) {
		app_message(a, "an export of %s is still running", bg_export.name);
		return;
	}
	if (pipe(fds) != 0) {
		app_message(a, "export failed: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		export_child(a, fds[1], name, range, filter, ent, view);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		app_message(a, "export failed: %s", strerror(errno));
		return;
	}
	bg_export.pid = pid;
	bg_export.fd = fds[0];
	snprintf(bg_export.name, sizeof bg_export.name, "%s", name);
	app_message(a, "exporting %s in the background…", name);
}

bool export_bg_running(void)
{
	return bg_export.pid != 0;
}
