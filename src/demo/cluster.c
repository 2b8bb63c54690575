/* A throwaway PostgreSQL cluster: initdb into a private 0700 temp directory,
 * run `postgres` as our own child (so we hold its pid), talk to it only over
 * a Unix socket in that directory, and remove everything on stop. */
#include "demo/cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "util/err.h"

#define CLUSTER_PORT      5432
#define START_TIMEOUT_MS  30000
#define INITDB_TIMEOUT_MS 120000
#define STOP_TIMEOUT_MS   5000
#define LOG_NAME          "server.log"
#define SOCKET_PATH_MAX   100 /* sun_path is 108 bytes; leave room for "/.s.PGSQL.5432" */
/* ---------------------------------------------------------------- helpers */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Wait up to timeout_ms for pid to exit. Returns 1 when reaped (or already
 * gone), 0 on timeout. */
static int wait_child(pid_t pid, long timeout_ms, int *status)
{
	long deadline = now_ms() + timeout_ms;
	long nap = 2;
	int st = 0;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD)) {
			if (status)
				*status = r == pid ? st : 0;
			return 1;
		}
		if (r < 0 && errno != EINTR)
			return 1;
		if (now_ms() >= deadline)
			return 0;
		sleep_ms(nap);
		if (nap < 20)
			nap *= 2;
	}
}

static void describe_status(int st, char *buf, size_t len)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, len, "status %d", st);
}

/* ---------------------------------------------------------------- setup */

/* initdb and postgres refuse to run as root: pick an unprivileged account. */
static int pick_account(struct cluster *c, char *err, size_t errlen)
{
	struct passwd *pw;

	c->run_uid = geteuid();
	c->run_gid = getegid();
	if (c->run_uid != 0)
		return 0;
	pw = getpwnam("postgres");
	if (!pw || pw->pw_uid == 0)
		pw = getpwnam("nobody");
	if (!pw || pw->pw_uid == 0) {
		err_set(err, errlen,
		        "running as root, and no unprivileged account (postgres, nobody) to run "
		        "the server as");
		return -1;
	}
	c->run_uid = pw->pw_uid;
	c->run_gid = pw->pw_gid;
	return 0;
}

/* $TMPDIR when it is a plain absolute path short enough for a socket name;
 * then no quoting is ever needed in conninfo or postgresql.conf. */
static const char *temp_base(void)
{
	const char *t = getenv("TMPDIR");
	const char *ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-";

	if (!t || t[0] != '/' || strspn(t, ok) != strlen(t))
		return "/tmp";
	if (strlen(t) + sizeof "/attune-top.XXXXXX" > SOCKET_PATH_MAX)
		return "/tmp";
	return t;
}

static int make_dir(struct cluster *c, char *err, size_t errlen)
{
	const char *base = temp_base();

	snprintf(c->dir, sizeof c->dir, "%s/attune-top.XXXXXX", base);
	if (!mkdtemp(c->dir)) {
		err_set(err, errlen, "cannot create a temporary directory in %s: %s", base,
		        strerror(errno));
		c->dir[0] = '\0';
		return -1;
	}
	if (geteuid() == 0 && chown(c->dir, c->run_uid, c->run_gid) < 0) {
		err_set(err, errlen, "cannot hand %s to uid %d: %s", c->dir, (int)c->run_uid,
		        strerror(errno));
		return -1;
	}
	/* Cannot truncate: temp_base() keeps dir short. */
	c->port = CLUSTER_PORT;
	if (snprintf(c->logfile, sizeof c->logfile, "%s/%s", c->dir, LOG_NAME) < 0 ||
	    snprintf(c->conninfo, sizeof c->conninfo, "host=%s port=%d dbname=%s user=%s", c->dir,
	             c->port, CLUSTER_DBNAME, CLUSTER_SUPERUSER) < 0) {
		err_set(err, errlen, "cannot format the cluster paths");
		return -1;
	}
	return 0;
}

static void data_dir(const struct cluster *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s/data", c->dir);
}

/* ---------------------------------------------------------------- child processes */

/* What a child reports through its close-on-exec pipe when it cannot exec. */
struct spawn_fail {
	int step; /* index into spawn_steps */
	int err;  /* errno */
};

static const char *const spawn_steps[] = {
    "cannot reset signals",
    "setsid",
    "cannot drop privileges",
    "prctl",
    "cannot enter the cluster directory",
    "cannot open the log file",
    "cannot redirect output",
    "exec",
};

enum {
	STEP_SIGNALS,
	STEP_SETSID,
	STEP_PRIV,
	STEP_PRCTL,
	STEP_CHDIR,
	STEP_LOG,
	STEP_DUP,
	STEP_EXEC
};

static _Noreturn void child_fail(int fd, int step)
{
	struct spawn_fail f = {step, errno};
	ssize_t n = write(fd, &f, sizeof f);

	(void)n;
	_exit(127);
}

/* Undo whatever the caller installed: ignored signals and the mask survive exec. */
static int reset_signals(void)
{
	static const int sigs[] = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT, SIGPIPE, SIGCHLD,
	                           SIGUSR1, SIGUSR2, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU};
	struct sigaction sa;
	sigset_t none;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL);
}

static int drop_privileges(const struct cluster *c)
{
	if (geteuid() != 0)
		return 0;
	if (setgroups(0, NULL) < 0 || setgid(c->run_gid) < 0 || setuid(c->run_uid) < 0)
		return -1;
	/* Paranoia: regaining root must now be impossible. */
	if (c->run_uid != 0 && setuid(0) == 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static void redirect_output(const char *logfile, int fd_fail)
{
	int null = open("/dev/null", O_RDONLY);
	int log;

	if (null < 0)
		child_fail(fd_fail, STEP_LOG);
	log = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (log < 0)
		child_fail(fd_fail, STEP_LOG);
	if (dup2(null, STDIN_FILENO) < 0 || dup2(log, STDOUT_FILENO) < 0 ||
	    dup2(log, STDERR_FILENO) < 0)
		child_fail(fd_fail, STEP_DUP);
	if (null > STDERR_FILENO)
		close(null);
	if (log > STDERR_FILENO)
		close(log);
}

/* In the child: own session (a terminal ^C must not reach it; the
 * supervisor stops it in order), unprivileged, dies with its parent. */
static _Noreturn void child_exec(const struct cluster *c, const char *const argv[], int deathsig,
                                 pid_t parent, int fd_fail)
{
	if (reset_signals() < 0)
		child_fail(fd_fail, STEP_SIGNALS);
	if (setsid() < 0)
		child_fail(fd_fail, STEP_SETSID);
	if (drop_privileges(c) < 0)
		child_fail(fd_fail, STEP_PRIV);
#ifdef __linux__
	/* After setuid: a credential change clears the death signal. */
	if (prctl(PR_SET_PDEATHSIG, deathsig) < 0)
		child_fail(fd_fail, STEP_PRCTL);
	if (getppid() != parent)
		_exit(1);
#else
	(void)deathsig;
	(void)parent;
#endif
	if (chdir(c->dir) < 0)
		child_fail(fd_fail, STEP_CHDIR);
	redirect_output(c->logfile, fd_fail);
	execv(argv[0], (char *const *)argv);
	child_fail(fd_fail, STEP_EXEC);
}

/* Fork and exec argv as the server account; returns the pid, or -1 with
 * err set when the child could not get as far as exec. */
static pid_t spawn(const struct cluster *c, const char *const argv[], int deathsig, char *err,
                   size_t errlen)
{
	pid_t parent = getpid(), pid;
	struct spawn_fail f;
	sigset_t all, old;
	int fds[2], fork_errno;
	ssize_t n;

	if (pipe(fds) < 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0) {
		err_set(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	/* Blocked until the child has dropped the caller's handlers. */
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) < 0) {
		err_set(err, errlen, "sigprocmask: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_exec(c, argv, deathsig, parent, fds[1]);
	}
	fork_errno = errno;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	close(fds[1]);
	if (pid < 0) {
		err_set(err, errlen, "fork: %s", strerror(fork_errno));
		close(fds[0]);
		return -1;
	}
	do
		n = read(fds[0], &f, sizeof f);
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n == (ssize_t)sizeof f) {
		wait_child(pid, STOP_TIMEOUT_MS, NULL);
		err_set(err, errlen, "%s: %s (as uid %d): %s", argv[0], spawn_steps[f.step],
		        (int)c->run_uid, strerror(f.err));
		return -1;
	}
	return pid;
}

/* ---------------------------------------------------------------- the log */

static bool is_error_line(const char *s)
{
	return strstr(s, "FATAL:") || strstr(s, "PANIC:") || strstr(s, "ERROR:") ||
	       strstr(s, "error:");
}

/* Drop the "2024-01-01 00:00:00.000 UTC [123] " prefix of server lines. */
static const char *strip_prefix(const char *s)
{
	const char *close = strstr(s, "] ");

	if (s[0] >= '0' && s[0] <= '9' && close && close - s < 64)
		return close + 2;
	return s;
}

/* The most telling lines of the log after offset `from`: the last error
 * (with the line before it, which often names the cause), else the last
 * non-empty line. */
static void log_tail(const struct cluster *c, off_t from, char *buf, size_t len)
{
	char chunk[8192], *line, *save = NULL;
	const char *pick = NULL, *before = NULL, *prev = NULL, *last = NULL;
	int fd = open(c->logfile, O_RDONLY);
	off_t end;
	ssize_t n;

	snprintf(buf, len, "(no log output)");
	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	if (end - from > (off_t)sizeof chunk - 1)
		from = end - (off_t)sizeof chunk + 1;
	n = end < 0 ? -1 : pread(fd, chunk, sizeof chunk - 1, from);
	close(fd);
	if (n <= 0)
		return;
	chunk[n] = '\0';
	for (line = strtok_r(chunk, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		if (strspn(line, " \t") == strlen(line))
			continue;
		prev = last;
		last = line;
		if (is_error_line(line)) {
			pick = line;
			before = prev;
		}
	}
	if (pick && before && !is_error_line(before))
		snprintf(buf, len, "%s; %s", strip_prefix(before), strip_prefix(pick));
	else if (pick || last)
		snprintf(buf, len, "%s", strip_prefix(pick ? pick : last));
}

static off_t log_size(const struct cluster *c)
{
	struct stat st;

	return stat(c->logfile, &st) == 0 ? st.st_size : 0;
}

/* ---------------------------------------------------------------- initdb and the server */

static int run_initdb(struct cluster *c, char *err, size_t errlen)
{
	char initdb[PATH_MAX + 16], data[PATH_MAX + 8], why[256], tail[512];
	const char *argv[] = {initdb,  "-D", data,   "-U",         CLUSTER_SUPERUSER, "-A",
	                      "trust", "-E", "UTF8", "--locale=C", "--no-sync",       NULL};
	pid_t pid;
	int st = 0;

	snprintf(initdb, sizeof initdb, "%s/initdb", c->bindir);
	data_dir(c, data, sizeof data);
	pid = spawn(c, argv, SIGTERM, why, sizeof why);
	if (pid < 0) {
		err_set(err, errlen, "initdb failed: %s", why);
		return -1;
	}
	if (!wait_child(pid, INITDB_TIMEOUT_MS, &st)) {
		(void)kill(pid, SIGKILL);
		wait_child(pid, STOP_TIMEOUT_MS, NULL);
		err_set(err, errlen, "initdb failed: no result after %d s",
		        INITDB_TIMEOUT_MS / 1000);
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	log_tail(c, 0, tail, sizeof tail);
	describe_status(st, why, sizeof why);
	err_set(err, errlen, "initdb failed (%s): %s", why, tail);
	return -1;
}

/* Settings a caller may override go into postgresql.conf, the free-form
 * extra ones after them (a later line wins); the rest are -c options. */
static int write_conf(const struct cluster *c, const struct cluster_opts *o, char *err,
                      size_t errlen)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int bad;

	snprintf(path, sizeof path, "%s/data/postgresql.conf", c->dir);
	f = fopen(path, "a");
	if (!f) {
		err_set(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/* Small: the test suite runs several clusters side by side. */
	fprintf(f, "\n# added by attune-top\nshared_buffers = 32MB\n%s\n",
	        o->extra_conf ? o->extra_conf : "");
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		err_set(err, errlen, "cannot write %s", path);
		return -1;
	}
	return 0;
}

/* Storage for the server's argv. */
struct server_args {
	char postgres[PATH_MAX + 16];
	char data[PATH_MAX + 8];
	char sockdir[PATH_MAX + 32];
	char port[32];
	char timezone[256];
	char datestyle[256];
	char log_statement[64];
	const char *argv[48];
};

static void push_opt(struct server_args *a, int *n, const char *setting)
{
	a->argv[(*n)++] = "-c";
	a->argv[(*n)++] = setting;
}

static void build_server_args(const struct cluster *c, const struct cluster_opts *o,
                              struct server_args *a)
{
	static const char *const fixed[] = {
	    "listen_addresses=",
	    "fsync=off",
	    "full_page_writes=off",
	    "synchronous_commit=off",
	    "max_connections=20",
	    "log_timezone=UTC", /* log lines comparable whatever TimeZone is */
	};
	int n = 0;
	size_t i;

	snprintf(a->postgres, sizeof a->postgres, "%s/postgres", c->bindir);
	data_dir(c, a->data, sizeof a->data);
	snprintf(a->sockdir, sizeof a->sockdir, "unix_socket_directories=%s", c->dir);
	snprintf(a->port, sizeof a->port, "port=%d", c->port);
	snprintf(a->timezone, sizeof a->timezone, "TimeZone=%s", o->timezone ? o->timezone : "UTC");
	a->argv[n++] = a->postgres;
	a->argv[n++] = "-D";
	a->argv[n++] = a->data;
	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		push_opt(a, &n, fixed[i]);
	push_opt(a, &n, a->sockdir);
	push_opt(a, &n, a->port);
	push_opt(a, &n, a->timezone);
	if (o->datestyle) {
		snprintf(a->datestyle, sizeof a->datestyle, "DateStyle=%s", o->datestyle);
		push_opt(a, &n, a->datestyle);
	}
	if (o->log_statement) {
		snprintf(a->log_statement, sizeof a->log_statement, "log_statement=%s",
		         o->log_statement);
		push_opt(a, &n, a->log_statement);
	}
	a->argv[n] = NULL;
}

void cluster_admin_conninfo(const struct cluster *c, char *buf, size_t len)
{
	snprintf(buf, len, "host=%s port=%d dbname=postgres user=%s connect_timeout=5", c->dir,
	         c->port, CLUSTER_SUPERUSER);
}

/* PostgreSQL 10+ marks postmaster.pid "ready" once it accepts connections;
 * pinging only then keeps "the database system is starting up" out of the log. */
static bool pid_file_ready(const struct cluster *c)
{
	char path[PATH_MAX + 32], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%s/data/postmaster.pid", c->dir);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "\nready") != NULL;
}

/* Poll until the server answers; notice early when it died instead. */
static int wait_ready(struct cluster *c, off_t log_from, char *err, size_t errlen)
{
	char ping[PATH_MAX + 128], tail[512], why[64];
	long start = now_ms(), deadline = start + START_TIMEOUT_MS;
	int st;

	cluster_admin_conninfo(c, ping, sizeof ping);
	for (;;) {
		/* Older servers never say "ready": ping anyway after a while. */
		bool ready = pid_file_ready(c) || now_ms() > start + 3000;
		PGPing r = ready ? PQping(ping) : PQPING_NO_RESPONSE;

		if (r == PQPING_OK)
			return 0;
		if (waitpid(c->postmaster, &st, WNOHANG) == c->postmaster) {
			c->postmaster = 0;
			log_tail(c, log_from, tail, sizeof tail);
			describe_status(st, why, sizeof why);
			err_set(err, errlen, "server did not start (%s): %s", why, tail);
			return -1;
		}
		if (r == PQPING_NO_ATTEMPT || now_ms() >= deadline) {
			log_tail(c, log_from, tail, sizeof tail);
			err_set(err, errlen, "server did not start within %d s: %s",
			        START_TIMEOUT_MS / 1000, tail);
			return -1;
		}
		sleep_ms(10);
	}
}

static int start_server(struct cluster *c, const struct cluster_opts *o, char *err, size_t errlen)
{
	struct server_args a;
	char why[256];
	off_t from = log_size(c);

	build_server_args(c, o, &a);
	c->postmaster = spawn(c, a.argv, SIGQUIT, why, sizeof why);
	if (c->postmaster < 0) {
		c->postmaster = 0;
		err_set(err, errlen, "server did not start: %s", why);
		return -1;
	}
	return wait_ready(c, from, err, errlen);
}

/* ---------------------------------------------------------------- start and stop */

int cluster_start(struct cluster *c, const struct cluster_opts *o, char *err, size_t errlen)
{
	static const struct cluster_opts defaults;

	memset(c, 0, sizeof *c);
	if (!o)
		o = &defaults;
	if (cluster_find_bindir(c->bindir, sizeof c->bindir, err, errlen) < 0 ||
	    pick_account(c, err, errlen) < 0)
		return -1;
	if (make_dir(c, err, errlen) < 0)
		goto fail;
	if (!o->quiet)
		fprintf(stderr, "attune-top: creating a temporary PostgreSQL cluster in %s\n",
		        c->dir);
	if (run_initdb(c, err, errlen) < 0 || write_conf(c, o, err, errlen) < 0 ||
	    start_server(c, o, err, errlen) < 0 || cluster_create_database(c, err, errlen) < 0)
		goto fail;
	if (!o->quiet)
		fprintf(stderr, "attune-top: PostgreSQL is listening on %s (pid %d)\n", c->dir,
		        (int)c->postmaster);
	return 0;
fail:
	cluster_stop(c);
	return -1;
}

/* Fast shutdown, then immediate, then SIGKILL. */
static void stop_server(pid_t pid)
{
	static const int sigs[] = {SIGINT, SIGQUIT, SIGKILL};
	size_t i;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		if (kill(pid, sigs[i]) < 0 && errno == ESRCH) {
			wait_child(pid, 0, NULL);
			return;
		}
		if (wait_child(pid, sigs[i] == SIGKILL ? 60000 : STOP_TIMEOUT_MS, NULL))
			return;
	}
}

/* Best effort: keep going past an entry that will not go, remove the rest. */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

void cluster_stop(struct cluster *c)
{
	if (c->postmaster > 0) {
		stop_server(c->postmaster);
		c->postmaster = 0;
	}
	if (c->dir[0]) {
		nftw(c->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		c->dir[0] = '\0';
	}
}
